"""A disk that fills up, for real: a child process whose files may not grow past a size
(RLIMIT_FSIZE). A write past it fails with EFBIG ("File too large") as a full disk's
fails with ENOSPC; SIGXFSZ, which would kill the child instead, is ignored in it (as
Python ignores it anyway). Files already bigger can still be read and renamed. Only
the soft limit is lowered, so the child can make room again (`make_room`).
"""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _limit_files_to(size: int):
    def limit() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        hard = resource.getrlimit(resource.RLIMIT_FSIZE)[1]
        resource.setrlimit(resource.RLIMIT_FSIZE, (size, hard))  # the child may make room

    return limit


def run_with_full_disk(
    args: Sequence[str], max_file_size: int, *, env: dict | None = None, **kwargs
) -> subprocess.CompletedProcess:
    """`python -m ui.cli ARGS` (or `python ARGS` when args[0] is "-c") in a child that
    cannot write a file past `max_file_size` bytes; its output as text."""
    command = (
        [sys.executable, *args] if args[0] == "-c" else [sys.executable, "-m", "ui.cli", *args]
    )
    return subprocess.run(
        command,
        env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})},
        preexec_fn=_limit_files_to(max_file_size),
        capture_output=True,
        text=True,
        timeout=kwargs.pop("timeout", 300),
        **kwargs,
    )


def make_room() -> None:
    """In the child: lift the limit, as a user freeing disk space would."""
    hard = resource.getrlimit(resource.RLIMIT_FSIZE)[1]
    resource.setrlimit(resource.RLIMIT_FSIZE, (hard, hard))


def temporaries(folder: Path) -> list[Path]:
    """The writers' temporary files (`.NAME.*.tmp`, `*.part`, `.NAME.*` folders) left in
    or under `folder`."""
    return sorted(
        p
        for p in Path(folder).rglob("*")
        if p.name.endswith((".tmp", ".part")) or (p.is_dir() and p.name.startswith("."))
    )
