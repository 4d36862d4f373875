"""Atomic file writes: write a temporary file beside the target, fsync, then rename
(and fsync the folder, so that after a power cut the rename is there too).

A reader (or a crash) sees either the old file or the whole new one, never half.
Rewriting a file to add to it is read-modify-write, so writers that may run at once
(two drawing windows saving to one folder) hold `exclusive` around it, or one's lines
would be lost.
`check_output_file` and `check_output_dir` let a command refuse an output it could not
write before it does its work, with a one-line error, not a traceback at the end.
An output that is a symlink is written through it (the link stays, its target is
replaced), and one that is not a file at all (/dev/stdout, a named pipe) is written
straight into, as nothing can be renamed over it.
A write that still fails (the disk fills up during a long run, the folder is a file)
raises `WriteError`: "cannot write PATH (No space left on device)", one line for the
user, and still the OSError it was for code that catches those.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from core.errors import FrankensteinError
from core.signals import block_held, unblock

try:
    import fcntl
except ImportError:  # Windows: no flock; one writer at a time is then the user's care
    fcntl = None


class OutputError(FrankensteinError):
    """An output file or folder that cannot be written where the user asked."""


class WriteError(OutputError, OSError):
    """Writing a file failed: "cannot write PATH (REASON)". Also an OSError with the
    failure's errno and strerror, so `except OSError` still catches it."""

    def __init__(self, path: str | os.PathLike, err: OSError):
        OSError.__init__(self, err.errno, err.strerror or str(err), str(path))

    def __str__(self) -> str:
        return f"cannot write {self.filename} ({self.strerror})"


# What a full disk (or quota, or file size limit) says to a write. Inside the writer's
# block only these are the write's own failure: another OSError there may be a read.
_NO_ROOM = frozenset({errno.ENOSPC, errno.EFBIG, errno.EDQUOT})


def _no_room(e: BaseException) -> OSError | None:
    """The full-disk OSError behind `e`, if any: libraries wrap it (torch.save raises
    a RuntimeError "unexpected pos" whose context is the OSError of the write)."""
    seen = set()
    while e is not None and id(e) not in seen:
        seen.add(id(e))
        if isinstance(e, OSError) and e.errno in _NO_ROOM:
            return e
        e = e.__cause__ or e.__context__
    return None


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
    if _special(target):
        with _open_special(target, mode, **kwargs) as f:
            yield f
        return
    target = _through_links(target)
    # A Ctrl-C or SIGTERM acted on as the temporary is created (right after the open(),
    # if it came during that system call) would leave it behind, unnamed to any clean-up:
    # they wait, blocked, and act at `unblock`, inside the block that removes it.
    mask = block_held()
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except (FileExistsError, NotADirectoryError) as e:  # a file where a folder should be
        unblock(mask)
        raise WriteError(target, _not_a_folder(target.parent)) from e
    except OSError as e:
        unblock(mask)
        raise WriteError(target, e) from e
    in_block = False  # an OSError outside the caller's block is the write's own
    wrapped = False  # fd is the file object's to close
    try:
        unblock(mask)
        os.fchmod(fd, _CREATE_MODE)  # mkstemp makes 0600; a saved file is as open() makes it
        with os.fdopen(fd, mode, **kwargs) as f:
            wrapped = in_block = True
            yield f
            in_block = False
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, target)
    except BaseException as e:
        if not wrapped:
            with contextlib.suppress(OSError):
                os.close(fd)
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        failure = _no_room(e) if in_block or not isinstance(e, OSError) else e
        if failure is not None and not isinstance(e, WriteError):
            raise WriteError(target, failure) from e
        raise
    fsync_dir(target.parent)


def _special(path: Path) -> bool:
    """Whether `path` is, or links to, something other than a file or a folder: a
    device (/dev/stdout, /dev/null) or a named pipe, which a rename would replace."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return False
    return not (stat.S_ISREG(mode) or stat.S_ISDIR(mode))


def _through_links(path: Path) -> Path:
    """The file a symlink `path` ends at (made if missing), so that a write replaces
    that file and leaves the link a link; `path` itself if it is no link."""
    return Path(os.path.realpath(path)) if path.is_symlink() else path


@contextlib.contextmanager
def _open_special(path: Path, mode: str, **kwargs) -> Iterator[IO]:
    """Write straight into a device or a named pipe (`_special`): there is no file to
    replace whole, and a reader at the other end reads as it comes."""
    in_block = False
    try:
        with open(path, mode, **kwargs) as f:
            in_block = True
            yield f
            in_block = False
    except BaseException as e:
        failure = _no_room(e) if in_block or not isinstance(e, OSError) else e
        if failure is not None and not isinstance(e, WriteError):
            raise WriteError(path, failure) from e
        raise


def remove_temporaries(folder: str | os.PathLike, names: str) -> list[Path]:
    """Remove from `folder` the temporaries (".NAME.<random>.tmp") that atomic writes of
    files whose NAME fullmatches the regex `names` left when killed in the middle
    (SIGKILL, the OOM killer: nothing ran to remove them); the files removed. Call it
    only while holding a lock (`exclusive`) that every writer of those files holds, so
    that none of them belongs to a live writer; without flock (Windows) it does nothing,
    as the lock proves nothing there."""
    if fcntl is None:
        return []
    left = re.compile(rf"\.(?:{names})\.[^/]+\.tmp")
    removed = []
    with contextlib.suppress(FileNotFoundError, NotADirectoryError):
        for entry in os.scandir(folder):
            if left.fullmatch(entry.name) and entry.is_file(follow_symlinks=False):
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(entry.path)
                    removed.append(Path(entry.path))
    return removed


def _not_a_folder(folder: Path) -> OSError:
    """NotADirectoryError naming the file that stands where `folder` or a folder above
    it should be ("out.json is not a directory")."""
    blocker = folder
    while blocker != blocker.parent and not blocker.is_file():
        blocker = blocker.parent
    name = blocker if blocker.is_file() else folder
    return NotADirectoryError(errno.ENOTDIR, f"{name} is not a directory")


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


def write_all(f: IO[bytes], data: bytes) -> None:
    """Write all of `data` to an unbuffered file (open(..., buffering=0)), which may
    take part of it at a time. A failure (a full disk) leaves in the file exactly the
    part it took, and closing the file has nothing left to write, so nothing to fail."""
    view = memoryview(data)
    while view:
        view = view[f.write(view) :]


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
    if _special(target):
        if not os.access(target, os.W_OK):
            raise OutputError(f"cannot write {target} (Permission denied)")
        return target
    _probe(str(target), _through_links(target).parent)
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
def exclusive(lock: str | os.PathLike, *, wait: bool = True) -> Iterator[int]:
    """Hold an exclusive lock (flock) on the file `lock`, made if missing, for the block,
    which gets the file's descriptor: another process asking for it waits, or with
    `wait=False` gets BlockingIOError at once. The kernel lets it go however the holder
    ends."""
    path = Path(lock)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, _CREATE_MODE)
    try:
        if fcntl is not None:
            fcntl.flock(fd, fcntl.LOCK_EX if wait else fcntl.LOCK_EX | fcntl.LOCK_NB)
        yield fd
    finally:
        os.close(fd)  # closing lets the lock go


class Busy(FrankensteinError):
    """Another process holds a lock that `one_process` asked for; `holder` is its pid
    as it wrote it ("unknown" if it had not yet)."""

    def __init__(self, lock: Path, holder: str):
        super().__init__(f"{lock} is held by pid {holder}")
        self.lock, self.holder = lock, holder


@contextlib.contextmanager
def one_process(lock: str | os.PathLike, *, remove: bool = False) -> Iterator[None]:
    """Hold the lock file `lock` (`exclusive`, not waiting) for the block, with this
    process's pid written in it, or raise Busy naming the pid of the process that holds
    it: for work that two processes must not do at once (train one run, download into
    one folder, run one study). `remove`: the lock file goes when the block ends, so
    that it does not stay among the user's files; a process that locked the file just
    as it went finds it gone and takes the new one instead."""
    path = Path(lock)
    while True:
        with contextlib.ExitStack() as held:
            try:
                fd = held.enter_context(exclusive(path, wait=False))
            except BlockingIOError:
                raise Busy(path, path.read_text(errors="replace").strip() or "unknown") from None
            if not _is_at(fd, path):  # removed by its last holder as we locked it
                continue
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
            try:
                yield
            finally:
                if remove:
                    with contextlib.suppress(OSError):
                        os.unlink(path)
            return


def live_holder(lock: str | os.PathLike) -> int | None:
    """The pid `one_process` wrote in the lock file `lock`, if that process holds the
    lock now; None if there is no such file or pid, or no one holds it (its holder
    ended: a lock file is left behind by a holder that was killed, or that did not
    remove it). It only reads: asking for the lock, even for a moment, could turn away
    the process that starts just then. Where the kernel lists its locks (Linux,
    /proc/locks) the holder must be listed on this very file, so a pid the system has
    since given to another process is not taken for the holder; elsewhere a live
    process with that pid is."""
    path = Path(lock)
    try:
        pid = int(path.read_text(errors="replace").strip())
        inode = path.stat().st_ino
    except (OSError, ValueError):
        return None
    if pid <= 0:
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    except PermissionError:  # alive, another user's
        pass
    listed = _lock_holders()
    if listed is not None and (pid, inode) not in listed:
        return None
    return pid


def _lock_holders() -> set[tuple[int, int]] | None:
    """(pid, inode) of every lock the kernel lists as held (/proc/locks: "1: FLOCK
    ADVISORY WRITE PID MAJ:MIN:INODE 0 EOF"; waiting ones are marked "->"; a flock on
    NFS is listed as POSIX, so any kind counts), or None where it lists none (not
    Linux)."""
    try:
        with open("/proc/locks", encoding="ascii", errors="replace") as f:
            lines = f.read().splitlines()
    except OSError:
        return None
    held = set()
    for line in lines:
        fields = line.split()
        if len(fields) >= 6 and fields[1] != "->":  # "->": one waiting for the lock
            with contextlib.suppress(ValueError, IndexError):
                held.add((int(fields[4]), int(fields[5].rsplit(":", 1)[1])))
    return held


def _is_at(fd: int, path: Path) -> bool:
    """Whether the open file `fd` is still the file at `path`."""
    try:
        here = os.stat(path)
    except FileNotFoundError:
        return False
    mine = os.fstat(fd)
    return (here.st_dev, here.st_ino) == (mine.st_dev, mine.st_ino)
