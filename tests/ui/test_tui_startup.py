"""The TUI starts without torch: naming and checking models (the Train tab's form, an
ablation spec) needs only core.modelconfig, and torch would add a second and more to
every start. Run in a fresh interpreter, as `frankenstein tui` is."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from tests.conftest import ROOT
from tests.ui.tui_helpers import make_data, make_run


def test_every_tab_is_shown_without_importing_torch(tmp_path):
    make_run(tmp_path / "runs", "lstm", val_accs=(0.5, 0.8))
    make_data(tmp_path / "data")
    out = subprocess.run(
        [sys.executable, "-m", "tests.ui.tui_first_screen", "runs", "data", "--tabs"],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout.strip().splitlines()[-1])
    assert report["last_tab"] == "runs"  # the four tabs were shown in turn
    assert report["torch"] is False
