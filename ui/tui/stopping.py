"""Stopping a job another process runs (a terminal's `train` or `ablate`, or the Train
tab's child seen from the Runs tab): SIGTERM to the process holding the job's lock,
which ends as after Ctrl-C (a training saves last.pt; a study stops its running runs,
which resume when it is run again). The panes ask first: a key pressed once shows
`question`, and pressed again while that question is still the message shown, stops."""

from __future__ import annotations

import os
import signal


def question(what: str, pid: int, key: str) -> str:
    """'press S again to stop the training of x (pid 42)'."""
    return f"press {key} again to stop {what} (pid {pid})"


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
