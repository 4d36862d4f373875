"""progress.json (training/progressfile.py): a run's latest training event, kept in its
folder while it trains, for the TUI to follow a training from a terminal within an
epoch, and read back only while the process that wrote it holds the run's lock."""

from __future__ import annotations

import json
import os

import pytest

from tests.lock_holder import held_by_another_process
from tests.training.conftest import tiny_settings
from training.callbacks import Callback
from training.config import load_config
from training.loop import train
from training.progressfile import PROGRESS, ProgressFile, progress_text, read_progress
from training.runlock import lock_path


class Clock:
    def __init__(self):
        self.t = 100.0

    def __call__(self) -> float:
        return self.t


def batch(b: int, batches: int = 10, **more) -> dict:
    return {"epoch": 2, "batch": b, "batches": batches, "loss": 0.5, "acc": 0.8, **more}


def written(path) -> dict:
    return json.loads(path.read_text())


def test_batches_are_written_at_most_every_so_often_and_ends_at_once(tmp_path):
    path, clock = tmp_path / PROGRESS, Clock()
    cb = ProgressFile(path, every_s=1.0, clock=clock)
    cb.on_start({"run": "r", "epochs": 8, "start_epoch": 1, "batches": 10, "resumed": True})
    assert written(path) == {
        "event": "start",
        "run": "r",
        "epochs": 8,
        "start_epoch": 1,
        "batches": 10,
        "resumed": True,
        "pid": os.getpid(),
    }
    cb.on_batch(batch(1))  # 0 s after the start: not yet
    assert written(path)["event"] == "start"
    clock.t += 1.0
    cb.on_batch(batch(2))
    assert written(path) == {**batch(2), "event": "batch", "epochs": 8, "pid": os.getpid()}
    clock.t += 0.5
    cb.on_batch(batch(3))
    assert written(path)["batch"] == 2
    cb.on_batch(batch(10))  # the epoch's last batch: at once
    assert written(path)["batch"] == 10
    cb.on_progress(3, 40, "validating epoch 2")
    assert written(path)["batch"] == 10
    cb.on_progress(40, 40, "validating epoch 2")  # a step's last item: at once
    assert written(path)["done"] == 40
    cb.on_epoch({"epoch": 2, "val_acc": 0.9, "is_best": True, "val_acc_at_stroke": [0.5]})
    assert written(path) == {
        "event": "epoch",
        "epoch": 2,
        "val_acc": 0.9,
        "is_best": True,
        "epochs": 8,
        "pid": os.getpid(),
    }
    cb.on_done({"status": "completed"})
    assert not path.exists()


def test_a_nan_loss_is_written_as_null_and_a_failed_write_is_let_go(tmp_path):
    path = tmp_path / PROGRESS
    cb = ProgressFile(path, every_s=0.0)
    cb.on_batch(batch(1, loss=float("nan"), eta_s=float("inf")))
    line = written(path)
    assert line["loss"] is None and line["eta_s"] is None
    (tmp_path / "file").write_text("")
    blocked = ProgressFile(tmp_path / "file" / PROGRESS, every_s=0.0)
    blocked.on_batch(batch(1))  # its folder is a file: nothing written, nothing raised
    assert blocked.written_at is None


def test_it_is_read_only_from_the_process_holding_the_runs_lock(tmp_path):
    run = tmp_path / "runs" / "r"
    run.mkdir(parents=True)
    assert read_progress(run, None) is None
    with held_by_another_process(lock_path(run)) as trainer:
        assert read_progress(run, trainer.pid) is None  # none written yet
        (run / PROGRESS).write_text(json.dumps({"event": "batch", "pid": trainer.pid + 1}))
        assert read_progress(run, trainer.pid) is None  # an ended process's
        (run / PROGRESS).write_text(json.dumps({"event": "batch", "pid": trainer.pid}))
        assert read_progress(run, trainer.pid) == {"event": "batch", "pid": trainer.pid}
        for broken in ("{not json", "[1, 2]", "\udcff"):
            (run / PROGRESS).write_text(broken, errors="surrogateescape")
            assert read_progress(run, trainer.pid) is None


@pytest.mark.parametrize(
    ("line", "text"),
    [
        (
            {
                "event": "batch",
                "epoch": 3,
                "epochs": 8,
                "batch": 700,
                "batches": 1688,
                "samples_per_s": 209.6,
                "eta_s": 742.0,
            },
            "epoch 3 of 8: batch 700 of 1,688 (41%), 210 samples/s, about 12 min left",
        ),
        (
            {"event": "batch", "epoch": 1, "epochs": 2, "batch": 5, "batches": 10, "eta_s": 7541},
            "epoch 1 of 2: batch 5 of 10 (50%), about 2 h 6 min left",
        ),
        (
            {"event": "batch", "epoch": 1, "batch": 5, "batches": 10, "eta_s": None},
            "epoch 1 of ?: batch 5 of 10 (50%)",
        ),
        (
            {"event": "progress", "done": 40, "total": 100, "what": "validating epoch 3"},
            "validating epoch 3: 40 of 100",
        ),
        ({"event": "start", "start_epoch": 2, "epochs": 8}, "starting epoch 3 of 8"),
        ({"event": "epoch", "epoch": 3, "epochs": 8}, "epoch 3 of 8 done"),
        (
            {"event": "batch", "batch": "x", "batches": 0, "eta_s": 30},
            "epoch ? of ?: batch 0 of 0, about 30 s left",
        ),
        ({"event": "other"}, ""),
    ],
)
def test_progress_in_words(line, text):
    assert progress_text(line) == text


class SeesProgress(Callback):
    """Reads the run's progress.json at each epoch's end, from inside the run."""

    def __init__(self, run_dir):
        self.path, self.seen = run_dir / PROGRESS, []

    def on_epoch(self, row):
        self.seen.append(written(self.path))


def test_a_real_run_keeps_its_progress_while_it_trains_and_removes_it_at_the_end(
    tmp_path, glyph_dir
):
    cfg = load_config(None, [*tiny_settings(glyph_dir, tmp_path, epochs=2), "name=p"])
    seer = SeesProgress(tmp_path / "p")
    assert train(cfg, [seer]).status == "completed"
    # callbacks run in turn, the progress file's after ours: each epoch's end sees the
    # end of its validation, written at once
    assert [(s["event"], s["what"], s["done"] == s["total"]) for s in seer.seen] == [
        ("progress", "validating epoch 1", True),
        ("progress", "validating epoch 2", True),
    ]
    assert all(s["pid"] == os.getpid() and s["epochs"] == 2 for s in seer.seen)
    assert not (tmp_path / "p" / PROGRESS).exists()
