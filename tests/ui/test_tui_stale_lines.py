"""Lines that outlived what they said: the Train status after a Start refused, the Runs
message after a comparison."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Input, Static

from tests.ui.tui_helpers import make_run, tui
from ui.tui.screens.compare import CompareScreen


@pytest.fixture
def here(tmp_path, monkeypatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def text(app, selector: str) -> str:
    return str(app.query_one(selector, Static).content)


async def test_a_start_refused_says_so_in_the_status(here):
    """F5 with bad settings marked them and logged "not started: ...", but the status
    above the bars still read "idle: set up a run and press Start (F5)", as if nothing
    had been pressed. It says that nothing started, and the first error, now."""
    make_run(here / "runs", "tiny1", val_accs=(0.5,))
    app = tui(here)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.query_one("#f-name", Input).value = "tiny1"  # a run's name
        app.query_one("#f-data-per_class", Input).value = "abc"
        await pilot.press("f5")
        await app.workers.wait_for_complete()
        await pilot.pause()
        status = text(app, "#train-status")
        assert not status.startswith("idle")
        assert status == (
            "not started: fix the settings (and 1 more marked in the form)\n"
            "name: a run of this name exists: choose another name, or Resume (F7) it"
        )
        assert app.query_one("#train-status").has_class("failed")
        app.query_one("#f-name", Input).value = ""
        app.query_one("#f-data-per_class", Input).value = "2000"
        await pilot.press("f5")  # fixed: the run's own status replaces it
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert text(app, "#train-status").startswith("done ")
        assert not app.query_one("#train-status").has_class("failed")


async def test_a_comparison_replaces_the_marks_hint(here):
    """After M on tiny1 and C on tiny2, "marked tiny1: select another run and press C"
    stayed under the comparison and after it, asking for what had been done."""
    make_run(here / "runs", "tiny1", mtime=1_700_000_100)
    make_run(here / "runs", "tiny2", mtime=1_700_000_200)
    app = tui(here, initial="runs")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("down", "m")  # tiny1 (the older, below)
        assert text(app, "#runs-message") == "marked tiny1: select another run and press C"
        await pilot.press("up", "c")
        await pilot.pause()
        assert isinstance(app.screen, CompareScreen)
        await pilot.press("escape")
        await pilot.pause()
        message = text(app, "#runs-message")
        assert "press C" not in message
        assert message == "compared tiny1 with tiny2; M on tiny1 unmarks it"
