"""Helpers of the tests of following (test_tui_follow.py, test_tui_curves.py): another
process's command started as from a terminal, and waiting until the app shows it."""

from __future__ import annotations

import asyncio
import os
import sys
import time
from collections.abc import Callable

from textual.widgets import DataTable, Static

from tests.conftest import ROOT

EVERY = 0.05  # the tabs' look interval in these tests (2 s in the TUI)


async def until(pilot, condition: Callable[[], bool], what: str, timeout: float = 60) -> None:
    """Let the app run until `condition()` holds; fail saying `what` never happened."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"{what}: not within {timeout:.0f} s"
        await pilot.pause(EVERY)


async def terminal(*args: str) -> asyncio.subprocess.Process:
    """`frankenstein ARGS` started as from a terminal: its own process, no TUI."""
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "ui.cli",
        *args,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )


async def ended(proc: asyncio.subprocess.Process) -> int:
    _, err = await asyncio.wait_for(proc.communicate(), timeout=120)
    assert proc.returncode == 0, err.decode()
    return proc.returncode


def cells(app, table: str) -> list[list[str]]:
    t = app.query_one(table, DataTable)
    return [[str(c) for c in t.get_row_at(i)] for i in range(t.row_count)]


def text(app, widget: str) -> str:
    return str(app.query_one(widget, Static).content)
