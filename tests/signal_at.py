"""A child process for the tests of signals (Ctrl-C, SIGTERM) at a chosen moment: the
`frankenstein` program (`ui.cli.main()`) that sends itself SIG, to its main thread, at
the moment WHEN names, so the test needs no timing:

- "rename:NAME": a file NAME is written whole, as its temporary file, and is about
  to be renamed into place (core/atomic.py) - the signal comes before the rename;
- "parser": the parser is being built, as the first command module has been imported
  (the first few tenths of a second of any command);
- "replay": the first drawings of `eval`'s replay are done (its progress is called);
- "figure:N": `eval --plots` has drawn its Nth figure (matplotlib's `savefig`);
- "window": the drawing window (`draw`) runs: its first tick;
- "save:N": the drawing window saves (S) at its first tick with ink on the canvas
  (give it --replay), and the signal comes as the save's Nth file (1: raw/, 2:
  simplified/) is about to be renamed into place;
- "after": the command is done, before Python's shutdown;
- "shutdown": in Python's shutdown, among the exit handlers the command's libraries
  (torch and the rest) registered.

The signal is sent with `signal.pthread_kill` to the main thread, so its handler runs
there as the call returns (Python checks for signals after a call), in the middle of
the step, not at some later moment.

usage: python tests/signal_at.py SIG WHEN COMMAND [ARGS...]   (SIG: INT or TERM)
"""

from __future__ import annotations

import atexit
import fnmatch
import os
import signal
import sys
import threading
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def send(sig: signal.Signals) -> None:
    signal.pthread_kill(threading.main_thread().ident, sig)


def at_rename(name: str, sig: signal.Signals, nth: int = 1) -> None:
    """The signal as `os.replace` is about to put the temporary file of NAME (a glob
    pattern) in its place, the `nth` time it does so for such a name."""
    replace = os.replace
    seen = []

    def replace_after_signal(src, dst, *args, **kwargs):
        dst_name = Path(dst).name
        if fnmatch.fnmatch(dst_name, name) and Path(src).name.startswith(f".{dst_name}."):
            seen.append(dst)
            if len(seen) == nth:
                assert Path(src).is_file()  # written whole: all that is left is the rename
                send(sig)
        return replace(src, dst, *args, **kwargs)

    os.replace = replace_after_signal


def at_first_tick(action, when=lambda window: True) -> None:
    """`action(window)` at the drawing window's first tick that `when(window)` is true at."""
    from live.window import DrawingWindow

    update = DrawingWindow.update
    done = []

    def update_then_act(self, dt=0.0):
        update(self, dt)
        if not done and when(self):
            done.append(self)
            action(self)

    DrawingWindow.update = update_then_act


def at_parser(sig: signal.Signals) -> None:
    """The signal as `ui.cli.build_parser` has imported its first command module."""
    import importlib

    import_module = importlib.import_module
    sent = []

    def import_then_signal(name, *args, **kwargs):
        module = import_module(name, *args, **kwargs)
        if name.startswith("ui.commands.") and not sent:
            sent.append(name)
            send(sig)
        return module

    importlib.import_module = import_then_signal


def at_replay(sig: signal.Signals) -> None:
    """The signal at the first progress of `training.replay.replay_many` (eval)."""
    from training import replay

    replay_many = replay.replay_many

    def replay_many_with_signal(*args, progress=None, **kwargs):
        sent = []

        def on_progress(done, total):
            if progress is not None:
                progress(done, total)
            if not sent:
                sent.append(done)
                send(sig)

        return replay_many(*args, progress=on_progress, **kwargs)

    replay.replay_many = replay_many_with_signal


def at_figure(nth: int, sig: signal.Signals) -> None:
    """The signal as `eval --plots` has drawn its `nth` figure (`Figure.savefig`)."""
    from matplotlib.figure import Figure

    savefig = Figure.savefig
    saved = []

    def savefig_then_signal(self, *args, **kwargs):
        savefig(self, *args, **kwargs)
        saved.append(self)
        if len(saved) == nth:
            send(sig)

    Figure.savefig = savefig_then_signal


def run() -> int:
    sig = signal.Signals[f"SIG{sys.argv[1]}"]
    when = sys.argv[2]
    sys.argv = ["frankenstein", *sys.argv[3:]]  # what main() reads
    if when.startswith("rename:"):
        at_rename(when.removeprefix("rename:"), sig)
    elif when == "parser":
        at_parser(sig)
    elif when == "replay":
        at_replay(sig)
    elif when.startswith("figure:"):
        at_figure(int(when.removeprefix("figure:")), sig)
    elif when == "window":
        at_first_tick(lambda window: send(sig))
    elif when.startswith("save:"):
        at_rename("*.ndjson", sig, nth=int(when.removeprefix("save:")))
        at_first_tick(
            lambda window: window.controller.perform("save"),
            when=lambda window: window.controller.shapes,  # the --replay doodles are in
        )
    elif when == "shutdown":
        # registered now, before the command's libraries register theirs: exit
        # handlers run last first, so this one runs after them; a handler of the
        # command's ends the process (ui/shutdown.py), so register it from the command
        import ui.cli

        def run_command_then_signal_at_exit(args, func):
            status = func(args)
            atexit.register(send, sig)  # runs before any handler registered earlier
            return status

        parse = ui.cli.build_parser

        def build_parser():
            parser = parse()
            parse_args = parser.parse_args

            def parse_and_wrap(argv=None):
                args = parse_args(argv)
                func = args.func
                args.func = lambda a: run_command_then_signal_at_exit(a, func)
                return args

            parser.parse_args = parse_and_wrap
            return parser

        ui.cli.build_parser = build_parser
    elif when not in ("after",):
        raise SystemExit(f"signal_at.py: unknown moment {when!r}")
    from ui.cli import main

    status = main()
    if when == "after":
        send(sig)
    return status


if __name__ == "__main__":
    sys.exit(run())
