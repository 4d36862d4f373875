"""A shown TUI tab's look at what other processes changed (ui/tui/follow.py), taken on
the UI's own thread every 2 s: it must stay a small share of a frame; and what the Runs
tab reads again once it finds a change.

The runs folder holds 50 runs (the lock files of 10 name this live process, so each of
those reads /proc/locks; for the re-reads, each run has an eval.json of a real run's
size); the data folder 18 class files in each of two folders.
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


def _evaluated_runs(root, n: int = RUNS) -> None:
    """`n` finished runs, each with an eval.json of a real run's size (22 KB: its test
    split and real doodles, each with per-class figures, the confusion matrix, the snap
    sweep and a dozen wrong snaps; a tiny study's run with no wrong snap writes 16 KB),
    as `frankenstein train` writes them."""
    from core.classes import CLASSES

    def evaluated(n: int) -> dict:
        snap = {"threshold": 0.8, "snaps": n // 2, "wrong": 12, "premature": 3}
        snap |= {"precision": 0.93, "recall": 0.51, "strokes_saved": 0.31}
        return {
            "n": n,
            "top1": 0.6233333333333333,
            "top3": 0.8466666666666667,
            "per_class": {
                c: {"n": n // 18, "top1": 0.6111111111111112, "top3": 0.8333333333333334}
                for c in CLASSES
            },
            "confusion": {
                "classes": list(CLASSES),
                "matrix": [[i * j % 7 for j in range(18)] for i in range(18)],
            },
            "accuracy_at_stroke": [
                {"k": k, "n": n - 30 * k, "top1": 0.1 * k, "so_far": 0.0912345678 * k}
                for k in range(1, 9)
            ],
            "ece": 0.04716813468480133,
            "snap": {
                **snap,
                "steady_steps": 3,
                "heed_familiarity": True,
                "without_familiarity": dict(snap),
                "sweep": [{**snap, "threshold": t / 20} for t in range(10, 20)],
                "wrong_snaps": [
                    {
                        "index": 17 * i,
                        "key_id": f"{5_000_000_000_000_000 + i}",
                        "true": CLASSES[i],
                        "snapped": CLASSES[i + 1],
                        "stroke": 2,
                        "strokes": 4,
                        "confidence": 0.8612345678,
                        "finished_guess": CLASSES[i],
                        "premature": i % 4 == 0,
                    }
                    for i in range(12)
                ],
            },
            "intervals": {
                "top1": [0.5671, 0.6763],
                "top3": [0.8013, 0.8834],
                "snap_recall": [0.45, 0.57],
            },
        }

    for i in range(n):
        run = make_run(root, f"run-{i:02d}", mtime=1_700_000_000 + i)
        reports = {
            "test": evaluated(900),
            "eval_data": {"/data/quickdraw-real-dev/simplified": evaluated(300)},
        }
        (run / "eval.json").write_text(json.dumps(reports, indent=1) + "\n")  # as write_eval does
        os.utime(run / "config.json", (1_700_000_000 + i, 1_700_000_000 + i))


def test_reread_a_runs_folder_of_50_runs(benchmark, tmp_path):
    """What `frankenstein runs` and the Runs tab's first look read: every run's config,
    metrics and eval report (list_runs)."""
    from ui.tui.runinfo import list_runs

    root = tmp_path / "runs"
    _evaluated_runs(root)
    assert (root / "run-00" / "eval.json").stat().st_size > 20_000
    runs = benchmark(list_runs, root)
    assert [r.name for r in runs[:2]] == ["run-49", "run-48"]  # newest first


def test_reread_after_a_trainings_progress_write(benchmark, tmp_path):
    """What the Runs tab reads again when its look finds that a training wrote its
    progress.json (at most once a second): that run alone, the others kept from the
    read before (list_runs with the runs it knows and what the look saw)."""
    from ui.tui.runinfo import list_runs, runs_seen

    root = tmp_path / "runs"
    _evaluated_runs(root)
    known: dict = {}
    before = {r.name: r for r in list_runs(root, known, runs_seen(root))}
    progress = root / "run-07" / "progress.json"
    writes = iter(range(1_000_000))

    def a_write():  # the training's write and the look that finds it: not timed
        progress.write_text(json.dumps({"event": "batch", "batch": next(writes), "pid": 1}))
        return (root, known, runs_seen(root)), {}

    runs = benchmark.pedantic(list_runs, setup=a_write, rounds=200)
    assert [r.name for r in runs if r is not before[r.name]] == ["run-07"]


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
