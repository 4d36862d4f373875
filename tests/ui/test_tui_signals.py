"""SIGTERM (`kill`, a supervisor) or SIGINT sent to `frankenstein tui` from outside: the
app quits as Ctrl+Q quits it (a training it runs is stopped and saves last.pt), the
terminal is given back as it was (echo, line editing, the main screen), and the command
says "frankenstein: interrupted" with exit status 130. A real process on a real
pseudo-terminal; a plain SIGTERM used to leave the terminal without echo."""

import os
import pty
import select
import signal
import struct
import subprocess
import sys
import termios
import time
from fcntl import ioctl
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.ui.tui_helpers import STAND_IN

SIGNALS = pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
F5 = b"\x1b[15~"  # the Train tab's Start
LEAVE_ALT_SCREEN = b"\x1b[?1049l"

# `frankenstein tui` (ui.cli.main) with the fake trainer of the TUI tests, held after
# its first batch until it is stopped (tests/ui/fake_trainer.py --mode=hold)
WITH_FAKE_TRAINER = """
import sys
import ui.tui.app
from tests.ui.tui_helpers import fake_trainer
from ui.cli import main

create_app = ui.tui.app.create_app
ui.tui.app.create_app = lambda **kw: create_app(trainer=fake_trainer("hold"), **kw)
sys.argv = ["frankenstein", "tui", "--runs", "runs", "--data", "data"]
sys.exit(main())
"""


class Tui:
    """The process on a pseudo-terminal of 100 x 30 (of type `term`); what it wrote, as bytes."""

    def __init__(self, argv: list[str], cwd: Path, term: str = "xterm-256color"):
        self.main, self.child = pty.openpty()
        ioctl(self.child, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 100, 0, 0))
        self.modes = termios.tcgetattr(self.child)
        env = {**os.environ, "PYTHONPATH": str(ROOT), "TERM": term}
        self.proc = subprocess.Popen(
            argv,
            stdin=self.child,
            stdout=self.child,
            stderr=self.child,
            cwd=cwd,
            env=env,
            start_new_session=True,  # the terminal is its own
        )
        self.out = b""
        self.deadline = time.monotonic() + 120

    def read_until(self, done) -> None:
        """Read what it writes until `done()` is true, or it has ended and all it wrote
        is read (this test holds the terminal open, so there is no end of file)."""
        while not done():
            assert time.monotonic() < self.deadline, self.out[-2000:]
            ended = self.proc.poll() is not None
            ready, _, _ = select.select([self.main], [], [], 0 if ended else 0.05)
            if not ready:
                if ended:
                    return
                continue
            try:
                self.out += os.read(self.main, 1 << 16)
            except OSError:
                return

    def end(self) -> int:
        """Its exit status, once all it wrote is read."""
        self.read_until(lambda: False)
        return self.proc.wait()

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        os.close(self.main)
        os.close(self.child)


def _quits_cleanly(tui: Tui, code: int, since: int) -> None:
    after = tui.out[since:]
    assert code == 130, after
    assert termios.tcgetattr(tui.child) == tui.modes  # echo and line editing are back
    assert LEAVE_ALT_SCREEN in after
    assert after.endswith(b"frankenstein: interrupted\r\n")
    assert tui.out.count(b"frankenstein: interrupted") == 1 and b"Traceback" not in tui.out


@SIGNALS
def test_a_signal_quits_the_tui_and_gives_the_terminal_back(tmp_path, sig):
    tui = Tui([sys.executable, "-m", "ui.cli", "tui", "--runs", "runs", "--data", "data"], tmp_path)
    try:
        tui.read_until(lambda: b"Quit" in tui.out)  # the footer: the app runs
        since = len(tui.out)
        tui.proc.send_signal(sig)
        _quits_cleanly(tui, tui.end(), since)
    finally:
        tui.close()


def test_sigterm_stops_the_tuis_training_which_saves_last_pt(tmp_path):
    tui = Tui([sys.executable, "-c", WITH_FAKE_TRAINER], tmp_path)
    try:
        tui.read_until(lambda: b"Start" in tui.out)
        os.write(tui.main, F5)
        runs = tmp_path / "runs"
        # metrics.jsonl: the trainer is past its start, with its SIGINT handler set
        tui.read_until(lambda: runs.is_dir() and any(runs.glob("*/metrics.jsonl")))
        (run,) = runs.iterdir()
        assert not (run / "last.pt").exists()
        since = len(tui.out)
        tui.proc.send_signal(signal.SIGTERM)
        _quits_cleanly(tui, tui.end(), since)
        assert (run / "last.pt").read_bytes() == STAND_IN  # stopped, not killed
    finally:
        tui.close()
