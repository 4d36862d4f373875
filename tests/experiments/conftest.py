"""Fixtures for the experiments tests: tiny specs whose runs take a few seconds each."""

from __future__ import annotations

from pathlib import Path

import pytest

TINY_BASE = {
    "epochs": 1,
    "max_batches": 2,
    "batch_size": 8,
    "pad_len": 4,
    "m": 32,
    "threads": 1,
    "device": "cpu",
    "augment": {"enabled": False},
    "data": {"per_class": 2, "eval_per_class": 2},
    "model": {
        "overrides": {
            "channels": [4, 4, 4],
            "lstm_hidden": 8,
            "lstm_proj": 0,
            "lstm_layers": 1,
            "head_hidden": 8,
        }
    },
}


def write_eval_dir(d: Path) -> Path:
    """A small evaluation directory `d`: 2 synthetic doodles a class in <class>.ndjson
    files (a study's eval_data that needs no ../shared)."""
    from core.strokes import write_ndjson
    from training.synth import generate_drawings

    by_class: dict[str, list] = {}
    for drawing in generate_drawings(2, seed=7):
        by_class.setdefault(drawing.word, []).append(drawing)
    for cls, drawings in by_class.items():
        write_ndjson(drawings, d / f"{cls}.ndjson")
    return d


@pytest.fixture(scope="session")
def eval_dir(tmp_path_factory):
    return write_eval_dir(tmp_path_factory.mktemp("eval") / "data")


@pytest.fixture
def tiny_spec(eval_dir):
    """A spec factory: AblationSpec of tiny runs on `eval_dir`."""
    from experiments.spec import spec_from_dict

    def make(variants: dict, seeds=(0,), name="tiny", **more):
        data = {
            "name": name,
            "base": TINY_BASE,
            "variants": variants,
            "seeds": list(seeds),
            "eval_data": [str(eval_dir)],
            **more,
        }
        return spec_from_dict(data)

    return make
