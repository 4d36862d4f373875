"""The `frankenstein` command line: one entry point, one subcommand a module.

Each module in `ui/commands/` has `register(subparsers)`; heavy imports (torch,
pyglet, textual) happen inside the command, so `--help` stays fast. Errors meant for
the user (FrankensteinError) print as one line with exit status 2, never a traceback.
Ctrl-C (SIGINT) and SIGTERM (`kill`, a supervisor, a scheduler) interrupt every command
alike: "frankenstein: interrupted" and exit status 130, with the command's clean-up run
(a file being written is not left half-written, nor its temporary file; commands that
stop in their own way, as `train` saving last.pt, do so for both).
"""

from __future__ import annotations

import argparse
import importlib
import os
import signal
import sys
import threading
import warnings

from core.errors import FrankensteinError
from core.signals import term_interrupts, threads_block_signals
from ui.parser import Parser
from ui.shutdown import end_as_program, hold_ctrl_c

COMMANDS = ("data", "train", "runs", "eval", "export", "calibrate", "draw", "ablate", "tui")


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="frankenstein",
        description="Stroke-by-stroke sketch recognition with live shape completion.",
        epilog="Run `frankenstein COMMAND --help` for each command's options.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in COMMANDS:
        importlib.import_module(f"ui.commands.{name}").register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run one command; its exit status. Without `argv` this is the program (the
    `frankenstein` script, `python -m ui.cli`), whose end ui/shutdown.py makes: a Ctrl-C
    or SIGTERM after the command, while Python shuts down, is exit status 130 and one
    line too."""
    program = argv is None
    _heed_ctrl_c()  # first: a Ctrl-C as the command modules import is one like any other
    if program:
        end_as_program()
    # Harmless and printed once per process: torch's LSTM with a projection layer has
    # no oneDNN kernel, so it takes the plain one.
    warnings.filterwarnings("ignore", message="LSTM with projections is not supported")
    try:
        with term_interrupts():  # SIGTERM (`kill`, a supervisor) as Ctrl-C, for every command
            # building the parser imports every command module (a few tenths of a
            # second): a Ctrl-C there used to print a traceback and kill the process
            args = build_parser().parse_args(argv)
            _signals_to_the_main_thread()  # a signal held meanwhile acts here, "interrupted"
            status = int(args.func(args) or 0)
            sys.stdout.flush()  # a reader gone (`| head -1`) is found here, not at exit
    except FrankensteinError as e:
        print(f"frankenstein: error: {e}", file=sys.stderr)
        status = 2
    except KeyboardInterrupt:
        print("frankenstein: interrupted", file=sys.stderr)
        status = 130
    except BrokenPipeError:  # `frankenstein runs | head -1`: the reader has gone
        status = _reader_gone()
    return hold_ctrl_c(status) if program else status


def _reader_gone() -> int:
    """Exit status 1 and no traceback when stdout's reader has closed the pipe, as rich
    does for the commands that print through it: what is left to print goes nowhere,
    also Python's last flush of stdout as it exits (which would fail again)."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)
    return 1


def _heed_ctrl_c() -> None:
    """Ctrl-C (SIGINT) interrupts, even in a process that inherited it ignored (started
    as a background job of a script): the TUI's Stop and `ablate` stop their trainings
    and generations with SIGINT, and such a child used to run on to the end. (A shell
    without job control ignores SIGINT in `cmd &` so that a Ctrl-C at the terminal,
    which goes to the script's whole process group, stops the script and not its
    background jobs; here it stops a background `frankenstein` too, with last.pt saved,
    which `kill -INT PID` needs anyway, and `nohup` or `setsid` keep it running.)
    `main` calls this first of all, before the command modules are imported: a Ctrl-C
    there was dropped in such a process, and ran the command."""
    if (
        threading.current_thread() is threading.main_thread()
        and signal.getsignal(signal.SIGINT) is signal.SIG_IGN
    ):
        signal.signal(signal.SIGINT, signal.default_int_handler)


def _signals_to_the_main_thread() -> None:
    """numpy's BLAS starts its threads (one per further core) on import; they start with
    SIGINT and SIGTERM blocked, so the kernel gives those to the main thread: CPython
    3.11 does not act on a signal another thread took (tests/core/test_signals.py).
    (This was first taken for the cause of `data synth` drawing on after a Stop; that
    was numpy.random, below.)

    numpy.random is imported here too, while the signals wait: its compiled modules
    (Cython) clear any error raised while they start, so a Ctrl-C whose handler ran
    there was lost. numpy imports it the first time it is used, which for `data synth`
    was just after it started drawing: its Stop went unheeded about one time in fifty
    (tests/training/test_synth.py). A signal that comes meanwhile acts once the block
    ends."""
    with threads_block_signals():
        # numpy's threads start here, with the signals blocked; numpy.random is numpy's too
        import numpy.random  # noqa: F401


if __name__ == "__main__":
    sys.exit(main())
