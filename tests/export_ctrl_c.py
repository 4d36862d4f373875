"""A child process for tests/test_ctrl_c_at_exit.py: `frankenstein export SRC OUT` run as
the program (`ui.cli.main()`), which sends itself a Ctrl-C (SIGINT) at the moment its
first argument names: "writing" (the checkpoint's bytes written, not yet renamed to
OUT), "after" (the command done, before Python's shutdown) or "shutdown" (in it, among
the exit handlers that torch and the rest registered).

usage: python tests/export_ctrl_c.py WHEN SRC OUT
"""

from __future__ import annotations

import atexit
import os
import signal
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def ctrl_c() -> None:
    os.kill(os.getpid(), signal.SIGINT)


def run() -> int:
    when = sys.argv[1]
    sys.argv = ["frankenstein", "export", *sys.argv[2:]]  # what main() reads
    if when == "writing":
        import torch

        save = torch.save

        def save_then_ctrl_c(*args, **kwargs):
            save(*args, **kwargs)
            ctrl_c()

        torch.save = save_then_ctrl_c
    elif when == "shutdown":
        from ui.commands import export

        export_run = export.run_export

        def run_export_then_ctrl_c_at_exit(args):
            status = export_run(args)
            atexit.register(ctrl_c)  # runs before any handler registered earlier
            return status

        export.run_export = run_export_then_ctrl_c_at_exit
    from ui.cli import main

    status = main()
    if when == "after":
        ctrl_c()
    return status


if __name__ == "__main__":
    sys.exit(run())
