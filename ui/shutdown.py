"""How the `frankenstein` program ends: a Ctrl-C (or SIGTERM) after its command's work,
while Python shuts down, ends it as one during the work does (exit status 130, one line).

Once torch is loaded, Python's shutdown takes about half a second (freeing modules).
There a Ctrl-C used to kill the process by the signal (exit status -2 to a parent
process, no message), or, a moment earlier, print a traceback from threading's
shutdown and exit 0, even though the command had finished and written its files.

`end_as_program` registers `_last_word` as the first exit handler, so it runs last,
after those registered by the command's libraries (torch, multiprocessing). When the
command has its status, `hold_ctrl_c` turns a Ctrl-C or SIGTERM into a note;
`_last_word` then says "frankenstein: interrupted" and exits 130 if one came after a
command that succeeded, and ends the process at once (`os._exit`) with stdout and
stderr flushed: every exit handler has run, and what Python would do after them,
freeing memory, the system does, with no moment left in which a signal could land.
"""

from __future__ import annotations

import atexit
import os
import signal
import sys

_status: list[int] = []  # the command's exit status, once it has one
_noted: list[int] = []  # the Ctrl-Cs (and SIGTERMs) that came after it


def end_as_program() -> None:
    """The process ends through `_last_word` (call it before the command's imports)."""
    atexit.register(_last_word)


def hold_ctrl_c(status: int) -> int:
    """The command ended with `status`: from now on a Ctrl-C (or a SIGTERM, which the
    command took as one) is only noted; `status`."""
    _status[:] = [status]
    signal.signal(signal.SIGINT, _note)
    signal.signal(signal.SIGTERM, _note)
    return status


def _note(signum: int, _frame: object) -> None:
    _noted.append(signum)


def _last_word() -> None:
    if not _status:  # no status from a command (--help, a usage error, a bug's traceback)
        return
    status = _status[0]
    if _noted and status == 0:  # a failed or interrupted command has said why already
        print("frankenstein: interrupted", file=sys.stderr)
        status = 130
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe: Python's own exit says 120 then
            status = status or 120
    os._exit(status)
