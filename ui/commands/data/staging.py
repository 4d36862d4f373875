"""The hidden folder `data synth` draws its files in before they go into --out, and the
clean-up of such folders left behind by a run that was killed (SIGKILL, a power cut).

A staging folder `.<out>.<8 hex>.partial` sits beside --out (inside it when its parent
takes no new entries, as `.synth.<8 hex>.partial`) with a lock file of the same name
plus `.lock` beside it, which holds the writer's pid and which the writer keeps locked
(flock) while it lives. The kernel lets go of the lock when the process ends, however
it ends, so a lock file that can be locked belongs to no live run, and its folder is
left over: the next run for the same --out removes it and says so in one line. A
folder whose lock is held is a live run's, and is never touched; nor is a folder
without a lock file (made by a version before this one).

The writer makes the lock file (O_EXCL), locks it, then makes the folder; the clean-up
removes a folder only after taking its lock and finding the folder there, so it cannot
take a folder whose writer is still starting. Without flock (Windows) nothing is
cleaned up.

`move_in` puts the finished files into --out (install.py: a plan first, so that a run
killed while moving them leaves an install that the clean-up finishes before it removes
the folder); Ctrl-C and SIGTERM wait until the files are in.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import shutil
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import NamedTuple

from core import signals
from core.errors import FrankensteinError
from ui.commands.data.install import PLAN, finish, install, out_locked
from ui.commands.data.leftover import remove_leftover

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None

INSIDE_PREFIX = ".synth."  # a staging folder inside --out, when it cannot go beside


@contextlib.contextmanager
def staging_folder(out: Path) -> Iterator[Path]:
    """A hidden folder beside `out` for a set of files made in full before any of them
    goes into `out`; removed when the block ends, finished or interrupted (Ctrl-C), so
    that an interrupted run leaves `out` as it was, not half old and half new files
    (kept, for the next run to finish, when an error cut `move_in` short). Folders that
    killed runs left beside (or inside) `out` are removed first, their installs finished,
    and so is an older TUI's dead generation beside `out` (leftover.py)."""
    real = Path(os.path.realpath(out))  # beside the folder itself, on its file system
    real.parent.mkdir(parents=True, exist_ok=True)
    # held while this run's staging folder is made, one run at a time; the parent's lock
    # too, as an `out` not there yet has no lock of its own (parent first, then `out`)
    with out_locked(real.parent), out_locked(real):
        _clean_up(real)
        _refuse_a_second(real, out)
        remove_leftover(real.parent)
        try:
            staging, lock, fd = _make(real.parent, f".{real.name}.")
        except OSError:
            if not real.is_dir():
                raise
            # a folder we may write in, inside one we may not: the hidden folder goes inside
            staging, lock, fd = _make(real, INSIDE_PREFIX)
    try:
        yield staging
    finally:
        try:
            if not (staging / PLAN).exists():  # else an install cut short: the next run's
                shutil.rmtree(staging, ignore_errors=True)
                with contextlib.suppress(OSError):
                    lock.unlink()
        finally:
            os.close(fd)  # lets go of the lock, last


def _refuse_a_second(real: Path, out: Path) -> None:
    """Refuse a run for `out` while another live one draws for it (its staging lock held,
    `drawing_into`): both used to finish, the last one's files replacing the other's,
    though each said its set was written."""
    other = next((d for d in drawing_into(real.parent) if d.out == real), None)
    if other is not None:
        raise FrankensteinError(
            f"{out}: another process (pid {other.pid}) is generating doodles for this "
            "folder; wait for it to end or stop it"
        )


def move_in(staging: Path, out: Path, names: Sequence[str], *, replace: bool) -> None:
    """Move the finished files `names` of `staging` into `out` (made if need be);
    `replace`: then remove `out`'s other data files. A killed run's install into `out`
    is finished first, so that its files never land over these. SIGINT and SIGTERM that
    come meanwhile are let go: the files are in when this returns, and the run ends as
    one that was not stopped."""
    real = Path(os.path.realpath(out))
    with signals.held():
        real.mkdir(parents=True, exist_ok=True)
        with out_locked(real):
            _clean_up(real)
            try:
                install(staging, real, names, replace=replace)
            except OSError as e:
                if not (staging / PLAN).exists():
                    raise
                raise FrankensteinError(
                    f"cannot move the new files into {out} ({e}); the next `data synth` "
                    "for it moves the rest in"
                ) from e


def _clean_up(real: Path) -> None:
    """The folders that killed runs left beside `real` (or inside it) go, their installs
    finished first; the caller holds `out_locked(real)`."""
    remove_stale(real.parent, f".{real.name}.", real)
    if real.is_dir():
        remove_stale(real, INSIDE_PREFIX, real)


def _make(parent: Path, prefix: str) -> tuple[Path, Path, int]:
    """(folder, its lock file, the lock's open descriptor), made and locked in `parent`."""
    for _ in range(100):
        staging = parent / f"{prefix}{secrets.token_hex(4)}.partial"
        lock = staging.with_name(staging.name + ".lock")
        try:
            fd = os.open(lock, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            continue
        try:
            if fcntl is not None:
                fcntl.flock(fd, fcntl.LOCK_EX)  # waits while a clean-up looks at it
            os.write(fd, f"{os.getpid()}\n".encode())
            staging.mkdir(mode=0o700)
        except BaseException:
            os.close(fd)
            with contextlib.suppress(OSError):
                lock.unlink()
            raise
        return staging, lock, fd
    raise FileExistsError(f"{parent}: no free name for a staging folder {prefix}*.partial")


def remove_stale(parent: Path, prefix: str, out: Path) -> list[Path]:
    """Remove the staging folders `<prefix><8 hex>.partial` in `parent` whose writer is
    gone (their lock file can be locked), each with a line on stderr, after finishing
    the install into `out` that such a writer was killed in (the caller holds
    `out_locked(out)`); the folders removed. Best effort: what cannot be read or removed
    is left as it is, but an install that cannot be finished is dropped with its folder
    (said on stderr), never carried out later over newer files."""
    if fcntl is None:
        return []
    pattern = re.compile(re.escape(prefix) + r"[0-9a-f]{8}\.partial\.lock")
    try:
        names = sorted(n for n in os.listdir(parent) if pattern.fullmatch(n))
    except OSError:
        return []
    removed = []
    for name in names:
        lock = parent / name
        staging = lock.with_name(name.removesuffix(".lock"))
        try:
            fd = os.open(lock, os.O_RDWR)
        except OSError:  # removed meanwhile, or not ours
            continue
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:  # a live run holds it
                continue
            if not staging.is_dir() or os.stat(lock).st_ino != os.fstat(fd).st_ino:
                continue  # a writer still starting, or another clean-up was first
            pid = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
            by = f" (pid {pid})" if pid.isdigit() else ""
            finished = _finish(staging, out, by)
            shutil.rmtree(staging, ignore_errors=True)
            if staging.exists():  # not ours to remove
                continue
            with contextlib.suppress(OSError):
                lock.unlink()
        except OSError:
            continue
        finally:
            os.close(fd)
        if not finished:
            print(
                f"frankenstein: removed {staging}, left behind by an earlier run that was "
                f"killed{by}",
                file=sys.stderr,
            )
        removed.append(staging)
    return removed


_BESIDE_LOCK = re.compile(r"\.(?P<out>[^.].*)\.[0-9a-f]{8}\.partial\.lock")


class Drawing(NamedTuple):
    """A live `data synth` run, as another process sees it."""

    out: Path  # its --out
    pid: int
    staging: Path  # its hidden folder (with the progress.json it keeps)


def drawing_into(parent: Path) -> list[Drawing]:
    """Each live `data synth` drawing a folder of `parent` (its staging folder's lock
    beside that folder, held by that pid), by folder name: for a TUI to show and stop a
    terminal's generation. A run whose staging folder went inside its --out (a parent
    it may not write in) is not seen. Reads only (core.atomic's live_holder): a lock
    asked for, even for a moment, could turn a run away."""
    from core.atomic import live_holder

    try:
        names = sorted(os.listdir(parent))
    except OSError:
        return []
    found = []
    for name in names:
        match = _BESIDE_LOCK.fullmatch(name)
        if match is not None and (pid := live_holder(parent / name)) is not None:
            found.append(Drawing(parent / match["out"], pid, parent / name.removesuffix(".lock")))
    return found


def _finish(staging: Path, out: Path, by: str) -> bool:
    """Finish the install a run cut short left in `staging`, if it left one, with a line
    on stderr; whether it said one."""
    if not out.is_dir():
        return False  # the folder is gone since: nothing to finish
    try:
        if not finish(staging, out):
            return False
    except (OSError, ValueError) as e:
        print(
            f"frankenstein: could not finish moving the files of an earlier run{by} into "
            f"{out} ({e}); it may hold files of two sets",
            file=sys.stderr,
        )
        return True
    print(
        f"frankenstein: finished moving into {out} the files of an earlier run that was "
        f"cut short while moving them{by}",
        file=sys.stderr,
    )
    return True
