"""`frankenstein tui` start-up: a fresh interpreter to the first screen at 80 x 24, and
out (tests/ui/tui_first_screen.py), with a run and a data folder to list. Each round is
a new process, as each start is."""

import json
import os
import subprocess
import sys

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
