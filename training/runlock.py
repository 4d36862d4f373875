"""One process trains a run at a time: `<out_dir>/.<name>.lock`, held (flock) from
before the run's folder is checked until the run ends.

Without it, a run started twice (from the TUI and a terminal, or `--resume` typed
while the first still ran) trained twice into one folder, each overwriting the
other's last.pt and metrics.jsonl. The lock goes with the process that holds it,
however it ends, so once it is held, the temporary files an atomic write of this
run's own files left (a writer killed mid-save, SIGKILL or the OOM killer: a last.pt's
is tens of MB) belong to no live writer and are removed. The lock file sits beside
the run's folder, not in it, so a dry run that clears its folder keeps it; it is
removed as the run ends (`one_process(remove=True)`: a process that opened it just
before finds it gone once it has the lock, and takes the new one), so the runs folder
does not gather one hidden file for every run name ever used. A process killed with
SIGKILL leaves it, unlocked: the next run of that name takes it and removes it.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

from core.atomic import Busy, one_process, remove_temporaries
from training.runfolder import RunError

# The files a run writes atomically (core/atomic.py), as a regex of names
RUN_FILES = r"last\.pt|best\.pt|epoch-\d+\.pt|config\.json|metrics\.jsonl|eval\.json|progress\.json"


def lock_path(run_dir: str | os.PathLike) -> Path:
    """The run's lock file, beside its folder: runs/.NAME.lock."""
    run_dir = Path(run_dir)
    return run_dir.parent / f".{run_dir.name}.lock"


@contextlib.contextmanager
def training_lock(run_dir: str | os.PathLike) -> Iterator[None]:
    """Hold the run's lock for the block, or raise RunError naming the holder's pid."""
    run_dir = Path(run_dir)
    try:
        with one_process(lock_path(run_dir), remove=True):
            remove_temporaries(run_dir, RUN_FILES)
            yield
    except Busy as e:
        raise RunError(
            f"{run_dir}: another process (pid {e.holder}) is training this run; wait "
            "for it to end or stop it, or choose another name=..."
        ) from None
