"""Moving a finished set of files from `data synth`'s staging folder into --out, with a
journal, so that a run killed in the middle of it (SIGKILL, a power cut) leaves an
install that the next run for the same --out finishes.

An install is several renames (one a file, each atomic: a file in --out is always a
whole old one or a whole new one) and, with --replace, the removal of --out's other
data files: no file system renames a set of names in one step. So before the first
rename the install writes its plan, `install.json` in the staging folder (written
atomically, flushed to disk): the files to move in and the files to remove. It removes
the plan when all is done and on disk. A staging folder whose writer is gone and which
still holds a plan is an install cut short: staging.py has it finished (the rest of the
files moved in, the rest removed), never undone, as the set in the staging folder is
complete by then. Each step can be done twice (a file moved is not in staging any more,
one removed is gone), so a finish that is cut short in turn is finished by the next.

Installs into one folder take turns (`out_locked`, a lock on the folder itself), and
each first finishes a killed run's install: an earlier run's plan is never carried out
over a later run's files.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Iterator, Sequence
from pathlib import Path

from core.atomic import atomic_write_text, fsync_dir

try:
    import fcntl
except ImportError:  # Windows: no flock; installs into one folder are the user's care
    fcntl = None

PLAN = "install.json"  # in the staging folder, while its files are being moved in


@contextlib.contextmanager
def out_locked(out: Path) -> Iterator[None]:
    """Hold `out`'s install lock (flock on the folder) while the block runs; best
    effort: without flock, or a folder that cannot be opened, the block runs unlocked."""
    try:
        fd = os.open(out, os.O_RDONLY) if fcntl is not None else None
    except OSError:
        fd = None
    try:
        if fd is not None:
            fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        if fd is not None:
            os.close(fd)


def install(staging: Path, out: Path, names: Sequence[str], *, replace: bool) -> None:
    """Move the files `names` of `staging` into `out`; `replace`: then remove `out`'s
    other data files. The caller holds `out_locked(out)`; a kill at any point leaves a
    plan that `finish` carries out."""
    from training.datainfo import data_files

    remove = [p.name for p in data_files(out) if p.name not in names] if replace else []
    atomic_write_text(staging / PLAN, json.dumps({"move": list(names), "remove": remove}))
    _carry_out(staging, out, names, remove)
    os.unlink(staging / PLAN)


def finish(staging: Path, out: Path) -> bool:
    """Carry out the rest of the plan a killed run left in `staging` (True), or nothing
    when it left none (False: it was killed before its install, or after it). The caller
    holds `out_locked(out)`. ValueError: a plan that is not one (names only, in `out`)."""
    try:
        text = (staging / PLAN).read_text(encoding="utf-8")
    except FileNotFoundError:
        return False
    plan = json.loads(text)
    move = plan.get("move") if isinstance(plan, dict) else None
    remove = plan.get("remove") if isinstance(plan, dict) else None
    if not (isinstance(move, list) and isinstance(remove, list)) or not all(
        _a_name(n) for n in (*move, *remove)
    ):
        raise ValueError(f"{staging / PLAN}: not a plan of file names")
    _carry_out(staging, out, move, remove)
    os.unlink(staging / PLAN)
    return True


def _a_name(name: object) -> bool:
    """A file name in a folder: not a path, not '', '.' or '..'."""
    return isinstance(name, str) and name not in ("", "..") and name == Path(name).name


def _carry_out(staging: Path, out: Path, move: Sequence[str], remove: Sequence[str]) -> None:
    for name in move:
        with contextlib.suppress(FileNotFoundError):  # moved in before the kill
            os.replace(staging / name, out / name)
    for name in remove:
        (out / name).unlink(missing_ok=True)
    fsync_dir(out)  # the moves and removals on disk before the plan goes
