"""`frankenstein tui` ends with the app's exit status: 1 when the app died of an error
(Textual prints it and sets its return code), so a script or a supervisor sees the
crash. It used to be 0 whatever happened, as for a plain Ctrl+Q. The real command on a
real pseudo-terminal, with the real app made to fail as an install without its
stylesheet did, or in its own on_mount."""

from __future__ import annotations

import os
import sys

import pytest

from tests.ui.test_tui_signals import Tui

# `frankenstein tui` (ui.cli.main) with the app's class changed by FAULT first
COMMAND = """
import sys
import ui.tui.app
from ui.cli import main

{fault}
sys.argv = ["frankenstein", "tui", "--runs", "runs", "--data", "data"]
sys.exit(main())
"""

FAULTS = {
    "stylesheet-missing": 'ui.tui.app.FrankensteinApp.CSS_PATH = "gone.tcss"',
    "error-on-mount": (
        "def on_mount(self):\n"
        "    raise RuntimeError('broken on mount')\n"
        "ui.tui.app.FrankensteinApp.on_mount = on_mount"
    ),
}


@pytest.mark.parametrize("fault", FAULTS)
def test_a_tui_that_dies_of_an_error_exits_with_status_1(tmp_path, fault):
    tui = Tui([sys.executable, "-c", COMMAND.format(fault=FAULTS[fault])], tmp_path)
    try:
        code = tui.end()
    finally:
        tui.close()
    said = b"gone.tcss" if fault == "stylesheet-missing" else b"broken on mount"
    assert said in tui.out, tui.out[-2000:]  # Textual's own report of the error
    assert code == 1, tui.out[-2000:]


def test_a_tui_quit_with_ctrl_q_exits_with_status_0(tmp_path):
    tui = Tui([sys.executable, "-m", "ui.cli", "tui", "--runs", "runs", "--data", "data"], tmp_path)
    try:
        tui.read_until(lambda: b"Quit" in tui.out)  # the footer: the app runs
        os.write(tui.main, b"\x11")  # Ctrl+Q
        code = tui.end()
    finally:
        tui.close()
    assert code == 0, tui.out[-2000:]
