"""The ending prior of a run, and `frankenstein calibrate` for checkpoints made before it."""

from __future__ import annotations

import numpy as np
import pytest

from core.checkpoint import load_checkpoint, save_checkpoint
from core.ending import EndingPrior
from tests.core.tiny_models import tiny_model
from training.cache import directory_files, read_split
from training.dataset import BatchDataset, SyntheticSource
from training.finish import ending_prior
from ui.cli import main


def _train_split_prior(glyph_dir) -> EndingPrior:
    strokes, labels = read_split(directory_files(glyph_dir), "train")
    return EndingPrior.from_drawings(labels, [len(s) for s in strokes])


def test_a_run_stores_its_training_data_stroke_counts(trained_run, glyph_dir):
    best = load_checkpoint(trained_run.run_dir / "best.pt")
    assert best.ending is not None
    np.testing.assert_array_equal(best.ending.counts, _train_split_prior(glyph_dir).counts)


def test_synthetic_sources_count_one_epoch_of_their_doodles():
    source = SyntheticSource(per_class=3, seed=5)
    train = BatchDataset([source], pad_len=8, m=32, augmenter=None, seed=0)
    seen = []
    prior = ending_prior(train, lambda done, total, what: seen.append((done, total)))
    batch = source.strokes(0, np.arange(len(source)))
    expected = EndingPrior.from_drawings(source.labels(np.arange(len(source))), batch.n_strokes)
    np.testing.assert_array_equal(prior.counts, expected.counts)
    assert prior.counts.sum(axis=1).tolist() == [3] * 18
    assert seen[-1] == (54, 54)


def test_calibrate_restores_what_training_fitted(trained_run, tmp_path, capsys):
    src = load_checkpoint(trained_run.run_dir / "best.pt")
    old = tmp_path / "old.pt"  # as saved before the ending prior existed, in half precision
    save_checkpoint(old, src.model, temperature=1.0, meta=src.meta, metrics=src.metrics, half=True)
    assert main(["calibrate", str(old)]) == 0
    assert "ending prior from" in capsys.readouterr().out
    again = load_checkpoint(old)
    np.testing.assert_array_equal(again.ending.counts, src.ending.counts)
    assert again.temperature == pytest.approx(src.temperature, rel=0.05)
    assert again.half and again.meta == src.meta


def test_calibrate_needs_the_training_config(tmp_path, capsys):
    bare = save_checkpoint(tmp_path / "bare.pt", tiny_model(), meta={"run": "x"})
    assert main(["calibrate", str(bare)]) == 2
    assert "bare.pt: holds no training config" in capsys.readouterr().err
    assert load_checkpoint(bare).ending is None


def test_calibrate_names_a_missing_data_directory(trained_run, tmp_path, capsys):
    src = load_checkpoint(trained_run.run_dir / "best.pt")
    moved = tmp_path / "data"
    cfg = dict(src.meta["config"])
    cfg["data"] = {**cfg["data"], "sources": [str(moved)]}
    path = save_checkpoint(tmp_path / "c.pt", src.model, meta={**src.meta, "config": cfg})
    assert main(["calibrate", str(path)]) == 2
    assert f"{moved}: data directory not found" in capsys.readouterr().err
