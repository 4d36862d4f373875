"""Hand-made doodles for training tests: one simple, learnable glyph per class.

Class i is a fixed zig-zag of 5 points (its own, from a generator seeded by i), split
into 1 + i % 3 strokes and jittered by a seeded rng. Not realistic (that is the
synthetic generator's job), just distinct enough for a tiny model to learn in seconds.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from core.classes import CLASSES
from core.strokes import Drawing, normalize_strokes, write_ndjson


def glyph(cls_index: int, rng: np.random.Generator) -> list[np.ndarray]:
    base = np.random.default_rng(1000 + cls_index).uniform(0, 255, (6, 2))
    pts = base + rng.normal(0, 4, base.shape)
    cuts = {1: [6], 2: [3, 6], 3: [2, 4, 6]}[1 + cls_index % 3]
    strokes, start = [], 0
    for c in cuts:
        strokes.append(pts[start:c])
        start = c
    return strokes


def make_drawings(per_class: int, seed: int = 0, prefix: str = "t") -> list[Drawing]:
    rng = np.random.default_rng(seed)
    out = []
    for c, name in enumerate(CLASSES):
        for i in range(per_class):
            strokes = normalize_strokes(glyph(c, rng))
            out.append(Drawing(strokes=strokes, word=name, key_id=f"{prefix}-{seed}-{c}-{i}"))
    return out


def write_shapes_dir(directory: Path, per_class: int, seed: int = 0) -> Path:
    """One <class>.ndjson per class with `per_class` drawings each."""
    directory.mkdir(parents=True, exist_ok=True)
    drawings = make_drawings(per_class, seed)
    for name in CLASSES:
        write_ndjson([d for d in drawings if d.word == name], directory / f"{name}.ndjson")
    return directory
