"""A shown TUI tab's look at what other processes changed (ui/tui/follow.py), taken on
the UI's own thread every 2 s: it must stay a small share of a frame.

The runs folder holds 50 runs (the lock files of 10 name this live process, so each of
those reads /proc/locks); the data folder 18 class files in each of two folders.
"""

import json
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


def test_reread_a_runs_folder_of_50_runs(benchmark, tmp_path):
    """What the Runs tab reads again when the look finds a change: every run's config,
    metrics and eval report (list_runs), so, while a run trains, at each write of its
    progress.json (at most once a second)."""
    from ui.tui.runinfo import list_runs

    root = tmp_path / "runs"
    for i in range(RUNS):
        make_run(root, f"run-{i:02d}", mtime=1_700_000_000 + i)
    runs = benchmark(list_runs, root)
    assert [r.name for r in runs[:2]] == ["run-49", "run-48"]  # newest first


def test_look_at_a_data_folder(benchmark, tmp_path):
    from core.classes import CLASSES

    make_data(tmp_path / "data")
    real = tmp_path / "data" / "quickdraw"
    real.mkdir()
    for cls in CLASSES:
        (real / f"{cls}.ndjson").write_text('{"word": "x", "drawing": []}\n')
    seen = benchmark(data_seen, tmp_path / "data")
    assert [label for label, _ in seen] == ["drawings/simplified", "quickdraw", "synthetic"]


def _real_sized_folder(root, lines: int = 20_000):
    """18 class files of `lines` drawings of about 600 bytes (12 MB each)."""
    from core.classes import CLASSES

    xs, ys = ",".join(["100"] * 90), ",".join(["99"] * 90)
    line = json.dumps({"word": "x", "drawing": [[[xs], [ys]]]}) + "\n"
    real = root / "quickdraw"
    real.mkdir(parents=True)
    for cls in CLASSES:
        (real / f"{cls}.ndjson").write_text(line * lines)
    return real


def test_count_a_data_folder_of_18_class_files(benchmark, tmp_path):
    """What the Data tab's count reads when it has not counted the folder before."""
    from ui.tui.datadirs import count_dir, find_data_dirs

    _real_sized_folder(tmp_path / "data")
    (d,) = find_data_dirs(tmp_path / "data")
    counted = benchmark(count_dir, d)
    assert counted.total == 18 * 20_000


def test_count_it_again_after_one_file_arrived(benchmark, tmp_path):
    """The count after a download installed one more file: the 17 counted before are
    not read again (their time and size are as counted)."""
    from ui.tui.datadirs import count_dir, find_data_dirs

    real = _real_sized_folder(tmp_path / "data")
    counted: dict = {}
    (d,) = find_data_dirs(tmp_path / "data")
    count_dir(d, counted)
    newest = real / "sun.ndjson"

    def recount():
        counted.pop(newest)  # as if sun.ndjson had just arrived
        return count_dir(d, counted)

    assert benchmark(recount).total == 18 * 20_000
