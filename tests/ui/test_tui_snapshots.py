"""Snapshots of the TUI's screens at 80x24 (pytest-textual-snapshot), with fixed content:
fixture run and data folders in tmp_path, the fake trainer's fixed numbers, no clocks.
Update after a reviewed change with `pytest tests/ui/test_tui_snapshots.py --snapshot-update`
and look at the SVGs in tests/ui/__snapshots__ before committing them."""

from __future__ import annotations

import json
import math
import sys
import time
from pathlib import Path

import pytest
from textual.widgets import Input

from tests.ui.test_tui_runs import REAL, REAL_CNN
from tests.ui.tui_helpers import make_data, make_run, tui

SIZE = (80, 24)


@pytest.fixture
def here(tmp_path, monkeypatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def fixture_runs(root: Path) -> None:
    make_run(root, "lstm", val_accs=(0.5, 0.8, 0.75), real=REAL, mtime=1_700_000_300)
    make_run(root, "cnn", model="cnn", val_accs=(0.6,), real=REAL_CNN, mtime=1_700_000_200)


def test_train_tab_after_a_run(here, snap_compare):
    async def run(pilot):
        await pilot.press("f5")
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()

    assert snap_compare(tui(here), terminal_size=SIZE, run_before=run)


def test_train_tab_with_invalid_settings(here, snap_compare):
    async def run(pilot):
        field = pilot.app.query_one("#f-data-per_class", Input)
        field.cursor_blink = False  # a busy machine's slow wait must not catch it blinked off
        field.value = "-5"
        await pilot.press("f5")
        # The form jumps to the bad field after a refresh; on a busy machine, later.
        deadline = time.monotonic() + 20
        while pilot.app.focused is not field:
            assert time.monotonic() < deadline, "the form never focused the bad field"
            await pilot.pause(0.02)
        await pilot.pause()

    assert snap_compare(tui(here), terminal_size=SIZE, run_before=run)


def test_runs_tab(here, snap_compare):
    fixture_runs(here / "runs")
    assert snap_compare(tui(here, initial="runs"), terminal_size=SIZE)


def test_compare_screen(here, snap_compare):
    fixture_runs(here / "runs")

    async def run(pilot):
        await pilot.press("m", "down", "c")
        await pilot.pause()

    assert snap_compare(tui(here, initial="runs"), terminal_size=SIZE, run_before=run)


def test_curves_screen(here, snap_compare):
    """Eight epochs of a run's curves and table, as `train` logs them (fixed numbers)."""
    run = make_run(here / "runs", "frankenstein-8", val_accs=())
    config = json.loads((run / "config.json").read_text())
    (run / "config.json").write_text(json.dumps({**config, "epochs": 8}))
    rows = [
        {
            "epoch": e,
            "train_loss": 0.1 + 1.5 * math.exp(-e / 1.5),
            "train_acc": 0.99 - 0.5 * math.exp(-e / 1.5),
            "val_loss": 0.08 + 1.2 * math.exp(-e / 1.5),
            "val_acc": 0.985 - 0.4 * math.exp(-e / 1.5) - (0.03 if e == 6 else 0.0),
            "lr": 0.001 * (1 + math.cos(math.pi * e / 8)),
            "seconds": 255.0 + 3 * e,
            "is_best": e != 6,
        }
        for e in range(1, 9)
    ]
    (run / "metrics.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))

    async def run_before(pilot):
        await pilot.press("l")
        await pilot.pause()

    assert snap_compare(tui(here, initial="runs"), terminal_size=SIZE, run_before=run_before)


def test_data_tab(here, snap_compare):
    make_data(here / "data")

    async def run(pilot):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()

    assert snap_compare(tui(here, initial="data"), terminal_size=SIZE, run_before=run)


def test_ablations_tab_after_a_study(here, snap_compare):
    from tests.ui.test_tui_ablations import FAKE_ABLATE, SPEC

    (here / "specs").mkdir()
    (here / "specs" / "tiny.toml").write_text(SPEC.format(extra=""))
    app = tui(here, initial="ablations", ablate=(sys.executable, str(FAKE_ABLATE)))

    async def run(pilot):
        await pilot.press("f5")
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()

    assert snap_compare(app, terminal_size=SIZE, run_before=run)
