"""A real second process holding a lock file (core.atomic.one_process), as another
`train`, `data download` or `ablate` would."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

from tests.conftest import ROOT

HOLD = """
import sys
import time

from core.atomic import one_process

with one_process(sys.argv[1]):
    print("held", flush=True)
    time.sleep(60)
"""


@contextlib.contextmanager
def held_by_another_process(lock: Path) -> Iterator[subprocess.Popen]:
    """A child holding `lock` (one_process) for the block, SIGKILLed after it: the
    kernel lets its lock go, the file stays."""
    child = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(lock)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    try:
        assert child.stdout.readline() == "held\n"
        yield child
    finally:
        child.kill()
        child.communicate()
