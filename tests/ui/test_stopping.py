"""ui/tui/stopping.py: SIGTERM to a real process, and what is said when it has ended."""

from __future__ import annotations

import signal
import subprocess
import sys

from ui.tui.stopping import terminate


def test_terminate_sends_sigterm_to_a_live_process():
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        assert terminate(child.pid) is None
        assert child.wait(timeout=30) == -signal.SIGTERM
    finally:
        child.kill()
        child.wait()


def test_a_process_that_has_ended_is_said_to_have():
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()  # reaped: its pid names no process now
    assert terminate(child.pid) == f"pid {child.pid} has ended already"
