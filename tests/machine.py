"""What the trial scripts (tests/*_trials.py) and the multi-process tests need of this
machine: free local ports, and busy processes beside a trial (load widens the races
the trials look for). No project imports: a trial's processes may import another
checkout's code."""

from __future__ import annotations

import contextlib
import random
import socket
import subprocess
import sys
from collections.abc import Iterator


def free_ports(n: int) -> list[int]:
    """`n` distinct local TCP ports free just now, below the range the system hands to
    outgoing connections: a port the system picked (bind to port 0) lies in that range,
    and one kept for a later group was taken meanwhile by an earlier group's own
    connection (EADDRINUSE, 1 run in many of the teardown test's 40 groups)."""
    low = ephemeral_ports()[0]
    pick = random.Random()
    ports: list[int] = []
    while len(ports) < n:
        port = pick.randrange(max(1024, low - 16384), low)
        if port in ports:
            continue
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:  # in use
                continue
        ports.append(port)
    return ports


def ephemeral_ports() -> tuple[int, int]:
    """The range of local ports the system gives outgoing connections (Linux's own
    default where it does not say)."""
    try:
        with open("/proc/sys/net/ipv4/ip_local_port_range", encoding="ascii") as f:
            low, high = (int(x) for x in f.read().split())
    except (OSError, ValueError):
        return 32768, 60999
    return low, high


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
