"""Fixtures for training tests: tiny models on hand-made glyph data, caches in tmp."""

from __future__ import annotations

import json

import pytest

from tests.training.shapes import write_shapes_dir

# The eval report's top-level keys, in order: the contract, then the intervals.
REPORT_KEYS = [
    "n",
    "top1",
    "top3",
    "per_class",
    "confusion",
    "accuracy_at_stroke",
    "ece",
    "snap",
    "intervals",
]
# `frankenstein eval`'s report: the same, with the window's view of each prefix too.
EVAL_REPORT_KEYS = [*REPORT_KEYS]
EVAL_REPORT_KEYS.insert(REPORT_KEYS.index("accuracy_at_stroke") + 1, "accuracy_at_stroke_live")

TINY_MODEL = {
    "channels": [4, 8, 8],
    "lstm_hidden": 16,
    "lstm_proj": 0,
    "lstm_layers": 1,
    "head_hidden": 16,
    "dropout": 0.1,
}


def tiny_settings(data_dir, out_dir, **more) -> list[str]:
    """key=value settings of a run that takes about a second on one CPU thread."""
    settings = {
        "data.sources": [str(data_dir)],
        "out_dir": str(out_dir),
        "model.overrides": TINY_MODEL,
        "pad_len": 4,
        "m": 32,
        "batch_size": 16,
        "epochs": 3,
        "threads": 1,
        "device": "cpu",
        "optim.lr": 0.02,
        "augment.enabled": False,
        **more,
    }
    return [f"{k}={json.dumps(v)}" for k, v in settings.items()]


@pytest.fixture(autouse=True)
def _private_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("FRANKENSTEIN_CACHE", str(tmp_path / "cache"))


@pytest.fixture(scope="session")
def glyph_dir(tmp_path_factory):
    return write_shapes_dir(tmp_path_factory.mktemp("glyphs") / "data", per_class=20)


def train_tiny(data_dir, out_dir, name: str, **more):
    """Train a tiny run to the end (its cache under out_dir); the finished result."""
    from training.config import load_config
    from training.loop import train

    cfg = load_config(None, [*tiny_settings(data_dir, out_dir, **more), f"name={name}"])
    mp = pytest.MonkeyPatch()
    mp.setenv("FRANKENSTEIN_CACHE", str(out_dir / "cache"))
    try:
        result = train(cfg)
    finally:
        mp.undo()
    assert result.status == "completed"
    return result


@pytest.fixture(scope="session")
def trained_run(tmp_path_factory, glyph_dir):
    """A finished tiny run (best.pt calibrated, eval.json written)."""
    return train_tiny(glyph_dir, tmp_path_factory.mktemp("runs"), "tiny", epochs=6)
