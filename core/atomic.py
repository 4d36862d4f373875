"""Atomic file writes: write a temporary file beside the target, fsync, then rename
(and fsync the folder, so that after a power cut the rename is there too).

A reader (or a crash) sees either the old file or the whole new one, never half.
Rewriting a file to add to it is read-modify-write, so writers that may run at once
(two drawing windows saving to one folder) hold `exclusive` around it, or one's lines
would be lost.
`check_output_file` and `check_output_dir` let a command refuse an output it could not
write before it does its work, with a one-line error, not a traceback at the end.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from core.errors import FrankensteinError

try:
    import fcntl
except ImportError:  # Windows: no flock; one writer at a time is then the user's care
    fcntl = None


class OutputError(FrankensteinError):
    """An output file or folder that cannot be written where the user asked."""


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


_CREATE_MODE = 0o666 & ~_umask()


@contextlib.contextmanager
def atomic_open(path: str | os.PathLike, mode: str = "w", **kwargs) -> Iterator[IO]:
    """Open a temporary file for writing that replaces `path` only if the block succeeds."""
    if "r" in mode or "a" in mode:
        raise ValueError(f"atomic_open writes whole files; mode {mode!r} is not supported")
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        os.fchmod(fd, _CREATE_MODE)  # mkstemp makes 0600; a saved file is as open() makes it
        with os.fdopen(fd, mode, **kwargs) as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    fsync_dir(target.parent)


def fsync_dir(folder: Path) -> None:
    """Make a rename in `folder` durable; best effort, as some platforms (Windows)
    cannot open a folder, and some file systems cannot fsync one."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def atomic_write_bytes(path: str | os.PathLike, data: bytes) -> None:
    """Write `data` to `path` atomically."""
    with atomic_open(path, "wb") as f:
        f.write(data)


def atomic_write_text(path: str | os.PathLike, text: str) -> None:
    """Write `text` (UTF-8) to `path` atomically."""
    with atomic_open(path, "w", encoding="utf-8") as f:
        f.write(text)


def _probe(what: str, folder: Path) -> None:
    """Raise OutputError ("cannot write {what} (...)") unless a file can be created in
    `folder`, or in the nearest folder above it that exists (the rest would be made)."""
    existing = folder
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        raise OutputError(f"cannot write {what} ({existing} is not a directory)")
    try:
        fd, tmp = tempfile.mkstemp(prefix=".frankenstein-probe.", dir=existing)
    except OSError as e:
        reason = e.strerror or str(e)
        raise OutputError(f"cannot write {what} (no new file in {existing}: {reason})") from None
    os.close(fd)
    with contextlib.suppress(OSError):
        os.unlink(tmp)


def check_output_file(path: str | os.PathLike) -> Path:
    """`path` as a Path, if a file can be written there; else a one-line OutputError
    such as "cannot write out (Is a directory)". Call it before the work, not after."""
    target = Path(path)
    if target.is_dir():
        raise OutputError(f"cannot write {target} (Is a directory)")
    _probe(str(target), target.parent)
    return target


def check_output_dir(path: str | os.PathLike) -> Path:
    """`path` as a Path, if it is (or can be made) a folder to write files into; else a
    one-line OutputError such as "cannot write into out.png (Not a directory)"."""
    folder = Path(path)
    if folder.exists() and not folder.is_dir():
        raise OutputError(f"cannot write into {folder} (Not a directory)")
    _probe(f"into {folder}", folder)
    return folder


@contextlib.contextmanager
def exclusive(lock: str | os.PathLike) -> Iterator[None]:
    """Hold an exclusive lock (flock) on the file `lock`, made if missing, for the block:
    another process asking for it waits. The kernel lets it go however the holder ends."""
    path = Path(lock)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, _CREATE_MODE)
    try:
        if fcntl is not None:
            fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing lets the lock go
