"""Run `frankenstein` as from a terminal, for the tests of what a person sees: progress
on stderr (a real pseudo-terminal, so rich draws its bars) and a Ctrl-C (a real SIGINT),
or another signal, sent once the command reaches a given phase.

stdout is a pipe (what a script would capture); stderr is the terminal. The text of
each is kept with the terminal's control sequences taken out.
"""

from __future__ import annotations

import os
import pty
import re
import select
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CONTROL = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07")


@dataclass
class Ran:
    returncode: int
    out: str  # stdout (a pipe)
    err: str  # stderr (the terminal), without control sequences
    interrupted: bool  # whether the signal was sent

    @property
    def err_lines(self) -> list[str]:
        """The lines left on the terminal's screen: each line's last redraw, blank ones left out."""
        lines = (part.split("\r")[-1].rstrip() for part in self.err.split("\n"))
        return [line for line in lines if line.strip()]


def run_cli(
    args: list[str],
    *,
    interrupt_on: str | None = None,
    interrupt_with: signal.Signals = signal.SIGINT,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
    timeout: float = 120,
    module: str = "ui.cli",
) -> Ran:
    """`python -m ui.cli ARGS` (or another `module`) with stderr on a terminal; with `interrupt_on`, a SIGINT
    (or `interrupt_with`) once that regular expression matches what the command has
    written to stderr."""
    main, child = pty.openpty()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "200", **(env or {})}
    env.pop("FORCE_COLOR", None)
    env.pop("TTY_COMPATIBLE", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", module, *args],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=child,
        cwd=cwd or ROOT,
        env=env,
        # as from a terminal: a test run started in the background (`make test &`)
        # ignores SIGINT, and the child would inherit that
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    os.close(child)
    os.set_blocking(proc.stdout.fileno(), False)
    err, out = b"", b""
    sent = False
    deadline = time.monotonic() + timeout
    streams = {main: "err", proc.stdout.fileno(): "out"}
    try:
        while streams:
            if time.monotonic() > deadline:
                raise TimeoutError(f"{args} ran over {timeout} s; stderr so far: {err[-2000:]!r}")
            ready, _, _ = select.select(list(streams), [], [], 0.05)
            for fd in ready:
                try:
                    data = os.read(fd, 1 << 16)
                except OSError:  # the terminal's other end closed: the child is gone
                    data = b""
                if not data:
                    del streams[fd]
                elif streams[fd] == "err":
                    err += data
                else:
                    out += data
            if interrupt_on and not sent and re.search(interrupt_on, _text(err)):
                proc.send_signal(interrupt_with)
                sent = True
        returncode = proc.wait(timeout=max(deadline - time.monotonic(), 1))
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        os.close(main)
        proc.stdout.close()
    return Ran(returncode, out.decode("utf-8", "replace"), _text(err), sent)


def _text(raw: bytes) -> str:
    return CONTROL.sub("", raw.decode("utf-8", "replace").replace("\r\n", "\n"))
