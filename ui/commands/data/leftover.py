"""The folder an older TUI drew its doodles into, `<data>/.synthetic.partial`, and that
it then put in place of `<data>/synthetic`. A TUI closed or killed in the middle of a
generation left it behind, hidden from every listing, and no version since makes or
removes it (the TUI's Generate runs `data synth --replace` into `<data>/synthetic`, with
staging.py's folders). `data synth` removes it from beside its --out when it is plainly
a dead generation's:

- a folder (not a link) holding nothing but files a generation wrote: `<class>.ndjson`,
  and the temporary `.<class>.ndjson.*.tmp` of one being written;
- no `data synth` is drawing into it: none holds the lock of a staging folder for it
  (`..synthetic.partial.<8 hex>.partial.lock`, staging.py);
- nothing in it changed for `QUIET_S` seconds (a version before the locks wrote into it
  or into its own staging folder as it drew, and the old TUI moved it into place at once
  when the drawing was done).

Anything else is left as it is, without a word.
"""

from __future__ import annotations

import os
import re
import shutil
import stat
import sys
import time
from pathlib import Path

from core.classes import CLASSES

try:
    import fcntl
except ImportError:  # Windows: no locks to ask, so no folder is known to be dead
    fcntl = None

NAME = ".synthetic.partial"
QUIET_S = 600.0
_CLASS = "|".join(re.escape(c) for c in CLASSES)
_WRITTEN = re.compile(rf"(?:{_CLASS})\.ndjson|\.(?:{_CLASS})\.ndjson\.[^/]+\.tmp")
_STAGING_LOCK = re.compile(re.escape(f".{NAME}.") + r"[0-9a-f]{8}\.partial\.lock")


def remove_leftover(parent: Path, now: float | None = None) -> Path | None:
    """Remove `parent/.synthetic.partial` if an older TUI's dead generation left it
    (see the module docstring), with a line on stderr; the folder removed, or None."""
    folder = parent / NAME
    if fcntl is None or not _dead_generation(folder, time.time() if now is None else now):
        return None
    if _drawn_into(parent):
        return None
    shutil.rmtree(folder, ignore_errors=True)
    if os.path.lexists(folder):
        return None
    print(
        f"frankenstein: removed {folder}, an unfinished generation left by an older "
        "version of the TUI",
        file=sys.stderr,
    )
    return folder


def _dead_generation(folder: Path, now: float) -> bool:
    """`folder` is a folder of a generation's files only, none changed for QUIET_S."""
    try:
        if not stat.S_ISDIR(os.lstat(folder).st_mode):
            return False
        newest = os.lstat(folder).st_mtime
        for entry in os.scandir(folder):
            if not (_WRITTEN.fullmatch(entry.name) and entry.is_file(follow_symlinks=False)):
                return False
            newest = max(newest, entry.stat(follow_symlinks=False).st_mtime)
    except OSError:
        return False
    return now - newest >= QUIET_S


def _drawn_into(parent: Path) -> bool:
    """A live `data synth --out <parent>/.synthetic.partial` holds its staging lock."""
    try:
        locks = [parent / n for n in os.listdir(parent) if _STAGING_LOCK.fullmatch(n)]
    except OSError:
        return True  # cannot tell: as if it were
    for lock in locks:
        try:
            fd = os.open(lock, os.O_RDONLY)
        except OSError:
            continue  # gone meanwhile
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except OSError:
            return True
        finally:
            os.close(fd)
    return False
