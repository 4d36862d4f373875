"""Stopping a job another process runs (a terminal's `train`, `ablate`, `data download`
or `data synth`, or the Train tab's child seen from the Runs tab): SIGTERM to the process
holding the job's lock, which ends as after Ctrl-C (a training saves last.pt; a study
stops its running runs, which resume when it is run again; a download keeps its .part;
a generation leaves its folder as it was).
A pane asks first: F6 pressed once shows a question, and pressed again while that
question is still the message shown, stops."""

from __future__ import annotations

import os
import signal
from typing import Protocol


class Pane(Protocol):
    message: str  # the message line's text

    def show(self, message: str, error: bool = False) -> None: ...


def ask_then_stop(pane: Pane, what: str, pid: int, done: str) -> None:
    """F6 on `what` (the "the download" of process `pid`): ask, or, asked already,
    send SIGTERM and say `done` (or why it was not sent)."""
    ask = f"press F6 again to stop {what} (pid {pid})"
    if pane.message != ask:  # the second press stands while the question is shown
        pane.show(ask)
        return
    failed = terminate(pid)
    pane.show(f"not stopped: {failed}" if failed else done, error=failed is not None)


def terminate(pid: int) -> str | None:
    """Send SIGTERM to `pid`; None once sent, else why it was not (it has ended, or it
    is another user's process)."""
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return f"pid {pid} has ended already"
    except PermissionError as e:
        return f"cannot stop pid {pid}: {e.strerror}"
    return None
