import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from core.raster import rasterize as rasterize_one
from core.strokes import iter_ndjson
from training.strokebatch import StrokeBatch, rasterize

coord = st.floats(min_value=-20, max_value=280, allow_nan=False)
stroke = st.lists(st.tuples(coord, coord), min_size=1, max_size=8).map(
    lambda pts: np.array(pts, np.float32)
)
drawing = st.lists(stroke, min_size=1, max_size=11)


@settings(max_examples=60, deadline=None)
@given(st.lists(drawing, min_size=1, max_size=6), st.sampled_from([(8, 64), (4, 32), (3, 16)]))
def test_batch_frames_equal_core_rasteriser(drawings, shape):
    pad_len, m = shape
    frames, lengths = rasterize(StrokeBatch.from_strokes(drawings), pad_len, m)
    for i, d in enumerate(drawings):
        np.testing.assert_array_equal(frames[i], rasterize_one(d, pad_len, m))
        assert lengths[i] == min(len(d), pad_len)


def test_batch_frames_equal_core_rasteriser_on_real_doodles(real_dev):
    drawings = [
        list(d.strokes)
        for f in sorted((real_dev / "simplified").glob("*.ndjson"))
        for d in iter_ndjson(f)
    ]
    frames, _ = rasterize(StrokeBatch.from_strokes(drawings), 8, 64)
    for i, d in enumerate(drawings):
        np.testing.assert_array_equal(frames[i], rasterize_one(d, 8, 64))


def test_round_trip_and_dropping_strokes():
    d = [
        [np.array([[0, 0], [5, 5]], np.float32), np.array([[9, 9]], np.float32)],
        [np.array([[1, 2], [3, 4], [5, 6]], np.float32)],
    ]
    b = StrokeBatch.from_strokes(d)
    back = b.to_strokes()
    assert [len(x) for x in back] == [2, 1]
    np.testing.assert_array_equal(back[1][0], d[1][0])
    kept = b.keep_strokes(np.array([True, False, True]))
    assert kept.n_strokes.tolist() == [1, 1]
    np.testing.assert_array_equal(kept.drawing(0)[0], d[0][0])
    np.testing.assert_array_equal(kept.drawing(1)[0], d[1][0])
