"""Tiny random-weight models and drawings for fast model, classifier and checkpoint tests."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from core.modelconfig import model_config
from core.models import SketchModel, build_model
from core.strokes import iter_ndjson

TINY = {
    "frankenstein": dict(channels=(2, 3, 4), lstm_hidden=8, lstm_proj=5, head_hidden=8),
    "frankenstein-noproj": dict(channels=(2, 3, 4), lstm_hidden=8, lstm_proj=0, head_hidden=8),
    "cnn": dict(channels=(2, 3, 4), head_hidden=8),
}


def tiny_model(name: str = "frankenstein", seed: int = 0, **overrides) -> SketchModel:
    """A random-weight model of the registered architecture `name`, a few hundred weights."""
    torch.manual_seed(seed)
    model = build_model(model_config(name, **{**TINY[name], **overrides}))
    # Random biases too, so no output is an accident of zero-initialised parts.
    with torch.no_grad():
        for p in model.parameters():
            p.add_(0.3 * torch.randn_like(p))
    return model.eval()


def random_strokes(rng: np.random.Generator, n: int) -> list[np.ndarray]:
    """n random strokes of 1 to 6 points in the simplified space."""
    return [
        rng.integers(0, 256, size=(int(rng.integers(1, 7)), 2)).astype(np.float32) for _ in range(n)
    ]


def real_drawings_by_strokes(real_dev: Path) -> dict[int, list[np.ndarray]]:
    """One real dev doodle per stroke count found (simplified), keyed by that count."""
    found: dict[int, list[np.ndarray]] = {}
    for f in sorted((real_dev / "simplified").glob("*.ndjson")):
        for d in iter_ndjson(f):
            found.setdefault(d.n_strokes, list(d.strokes))
    return found


def tiny_familiarity(model: SketchModel, seed: int = 0, limit: float = 0.0):
    """Familiarity statistics (core/familiar.py) of the right size for `model`: random
    class means, identity precisions, the given limit."""
    from core.familiar import Familiarity

    rng = np.random.default_rng(seed)
    c, d = model.cfg.num_classes, model.cfg.head_hidden
    return Familiarity(rng.standard_normal((c, d)), np.eye(d), np.zeros(d), 0.5 * np.eye(d), limit)
