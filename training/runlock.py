"""One process trains a run at a time: `<out_dir>/.<name>.lock`, held (flock) from
before the run's folder is checked until the run ends.

Without it, a run started twice (from the TUI and a terminal, or `--resume` typed
while the first still ran) trained twice into one folder, each overwriting the
other's last.pt and metrics.jsonl. The lock goes with the process that holds it,
however it ends, so once it is held, the temporary files an atomic write of this
run's own files left (a writer killed mid-save, SIGKILL or the OOM killer: a last.pt's
is tens of MB) belong to no live writer and are removed. The lock file sits beside
the run's folder, not in it, so a dry run that clears its folder keeps it.
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Iterator
from pathlib import Path

from core import atomic
from core.atomic import exclusive
from training.runfolder import RunError

# core/atomic.py's temporary names (".NAME.<random>.tmp") for the files a run writes
_LEFT_BY_A_KILLED_SAVE = re.compile(
    r"\.(?:last\.pt|best\.pt|epoch-\d+\.pt|config\.json|metrics\.jsonl|eval\.json)\.[^/]+\.tmp"
)


@contextlib.contextmanager
def training_lock(run_dir: str | os.PathLike) -> Iterator[None]:
    """Hold the run's lock for the block, or raise RunError naming the holder's pid."""
    run_dir = Path(run_dir)
    lock = run_dir.parent / f".{run_dir.name}.lock"
    with contextlib.ExitStack() as held:
        try:
            fd = held.enter_context(exclusive(lock, wait=False))
        except BlockingIOError:
            holder = lock.read_text(errors="replace").strip() or "unknown"
            raise RunError(
                f"{run_dir}: another process (pid {holder}) is training this run; wait "
                "for it to end or stop it, or choose another name=..."
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        if atomic.fcntl is not None:  # without flock (Windows) the lock proves nothing
            remove_left_temporaries(run_dir)
        yield


def remove_left_temporaries(run_dir: Path) -> list[Path]:
    """Remove what killed saves of the run's own files left in `run_dir` (call it only
    while holding the run's lock); the files removed."""
    removed = []
    with contextlib.suppress(FileNotFoundError, NotADirectoryError):
        for entry in os.scandir(run_dir):
            if _LEFT_BY_A_KILLED_SAVE.fullmatch(entry.name) and entry.is_file(
                follow_symlinks=False
            ):
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(entry.path)
                    removed.append(Path(entry.path))
    return removed
