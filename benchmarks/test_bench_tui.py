"""`frankenstein tui` start-up: a fresh interpreter to the first screen at 80 x 24, and
out (tests/ui/tui_first_screen.py), with a run and a data folder to list. Each round is
a new process, as each start is. And the app alone, its modules imported: mounted to
its first screen and closed, in this process, a new app each round, opened on the Train
tab (the default) and on the Runs tab (`--tab runs`); each round's time to the first
screen alone is kept in the report's extra_info."""

import asyncio
import json
import os
import statistics
import subprocess
import sys
import time

import pytest

from tests.conftest import ROOT
from tests.ui.tui_helpers import make_data, make_run


def test_tui_first_screen_in_a_fresh_process(benchmark, tmp_path):
    make_run(tmp_path / "runs", "lstm", val_accs=(0.5, 0.8))
    make_data(tmp_path / "data")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    argv = [sys.executable, "-m", "tests.ui.tui_first_screen", "runs", "data"]

    def start() -> dict:
        out = subprocess.run(argv, cwd=tmp_path, env=env, capture_output=True, text=True)
        assert out.returncode == 0, out.stderr
        return json.loads(out.stdout.strip().splitlines()[-1])

    report = benchmark.pedantic(start, rounds=5, warmup_rounds=1)
    assert report["torch"] is False


@pytest.mark.parametrize("tab", ["train", "runs"])
def test_tui_mounted_to_its_first_screen(benchmark, tmp_path, tab):
    from ui.tui.app import create_app

    make_run(tmp_path / "runs", "lstm", val_accs=(0.5, 0.8))
    make_data(tmp_path / "data")
    for folder in ("specs", "studies"):
        (tmp_path / folder).mkdir()
    first_screen: list[float] = []

    async def mount() -> str:
        app = create_app(
            runs=tmp_path / "runs",
            data=tmp_path / "data",
            specs_dir=tmp_path / "specs",
            studies_dir=tmp_path / "studies",
            default_model_file=tmp_path / "default_model.json",
            initial=tab,
        )
        t0 = time.perf_counter()
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            first_screen.append(time.perf_counter() - t0)
            return str(app.query_one("TabbedContent").active)

    shown = benchmark.pedantic(lambda: asyncio.run(mount()), rounds=7, warmup_rounds=1)
    # the rounds timed (the warm-up round is not; with --benchmark-disable, one round)
    benchmark.extra_info["first_screen_median_s"] = statistics.median(first_screen[-7:])
    assert shown == tab
