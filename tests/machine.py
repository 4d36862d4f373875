"""What the trial scripts (tests/*_trials.py) and the multi-process tests need of this
machine: free local ports, and busy processes beside a trial (load widens the races
the trials look for). No project imports: a trial's processes may import another
checkout's code."""

from __future__ import annotations

import contextlib
import socket
import subprocess
import sys
from collections.abc import Iterator


def free_ports(n: int) -> list[int]:
    """`n` local TCP ports free just now."""
    socks = [socket.socket() for _ in range(n)]
    try:
        for s in socks:
            s.bind(("127.0.0.1", 0))
        return [s.getsockname()[1] for s in socks]
    finally:
        for s in socks:
            s.close()


@contextlib.contextmanager
def busy(n: int) -> Iterator[None]:
    """`n` processes spinning a core each for the block."""
    procs = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(n)]
    try:
        yield
    finally:
        for p in procs:
            p.kill()
            p.wait()
