"""Rasterising: drawings per second (aim >= 5,000/s on one core), and the live add."""

import numpy as np

from core.raster import add_stroke, rasterize, rasterize_batch


def test_rasterize_300_real_drawings(benchmark, real_drawings):
    """Median time for all 300 dev doodles one at a time; drawings/s = 300 / median."""
    strokes = [d.strokes for d in real_drawings]

    def run():
        for s in strokes:
            rasterize(s, 8, 64)

    benchmark(run)
    benchmark.extra_info["drawings"] = len(strokes)


def test_rasterize_batch_300_real_drawings(benchmark, real_drawings):
    """The same 300 doodles in one `rasterize_batch` call (the training-data path)."""
    strokes = [d.strokes for d in real_drawings]
    frames, lengths = benchmark(rasterize_batch, strokes, 8, 64)
    assert frames.shape == (len(strokes), 8, 64, 64)
    assert (lengths >= 1).all()
    benchmark.extra_info["drawings"] = len(strokes)


def test_add_one_stroke_live(benchmark, real_drawings):
    """The live path: one stroke drawn onto the running 64x64 frame."""
    longest = max((s for d in real_drawings for s in d.strokes), key=len)
    frame = np.zeros((64, 64), np.uint8)
    out = benchmark(add_stroke, frame, longest)
    assert out.any()
