"""A training's progress.json write (training/progressfile.py): rank 0 rewrites it
atomically (temporary file, fsync, rename) at most once a second while it trains, so
its cost is the share of that second the training loses."""

import json

from training.progressfile import PROGRESS, ProgressFile

BATCH = {
    "epoch": 3,
    "batch": 700,
    "batches": 1688,
    "loss": 0.41,
    "acc": 0.87,
    "lr": 0.0012,
    "samples_per_s": 210.0,
    "eta_s": 742.0,
}


def test_write_progress(benchmark, tmp_path):
    progress = ProgressFile(tmp_path / PROGRESS, every_s=0.0)  # every call writes
    benchmark(progress.on_batch, BATCH)
    assert json.loads((tmp_path / PROGRESS).read_text())["batch"] == 700


def test_a_batch_event_between_writes(benchmark, tmp_path):
    """What most batch events cost: one under a second after the last write is let be."""
    progress = ProgressFile(tmp_path / PROGRESS, every_s=3600.0)
    progress.on_batch(BATCH)
    benchmark(progress.on_batch, {**BATCH, "batch": 710})
    assert json.loads((tmp_path / PROGRESS).read_text())["batch"] == 700
