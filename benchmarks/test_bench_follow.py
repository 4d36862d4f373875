"""A shown TUI tab's look at what other processes changed (ui/tui/follow.py), taken on
the UI's own thread every 2 s: it must stay a small share of a frame.

The runs folder holds 50 runs (the lock files of 10 name this live process, so each of
those reads /proc/locks); the data folder 18 class files in each of two folders.
"""

import os

from tests.ui.tui_helpers import make_data, make_run
from ui.tui.datadirs import data_seen
from ui.tui.runinfo import runs_seen

RUNS = 50


def test_look_at_a_runs_folder_of_50_runs(benchmark, tmp_path):
    root = tmp_path / "runs"
    for i in range(RUNS):
        make_run(root, f"run-{i:02d}", mtime=1_700_000_000 + i)
        if i % 5 == 0:
            (root / f".run-{i:02d}.lock").write_text(f"{os.getpid()}\n")
    seen = benchmark(runs_seen, root)
    assert len(seen) == RUNS


def test_look_at_a_data_folder(benchmark, tmp_path):
    from core.classes import CLASSES

    make_data(tmp_path / "data")
    real = tmp_path / "data" / "quickdraw"
    real.mkdir()
    for cls in CLASSES:
        (real / f"{cls}.ndjson").write_text('{"word": "x", "drawing": []}\n')
    seen = benchmark(data_seen, tmp_path / "data")
    assert [label for label, _ in seen] == ["drawings/simplified", "quickdraw", "synthetic"]
