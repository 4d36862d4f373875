import itertools

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.raster import (
    add_stroke,
    line_pixels,
    rasterize,
    rasterize_batch,
    stroke_cells,
    stroke_frames,
)


def _reference_frames(strokes, pad_len=8, m=64):
    """Plain loops: draw each stroke on a 256x256 image, then max-pool."""
    f = 256 // m
    images = []
    img = np.zeros((256, 256), np.uint8)
    for s in strokes:
        # points round half to even (numpy's rint) and clamp to the grid
        p = [
            (min(max(int(np.rint(x)), 0), 255), min(max(int(np.rint(y)), 0), 255))
            for x, y in np.asarray(s, np.float64).reshape(-1, 2)
        ]
        segs = list(itertools.pairwise(p)) or [(p[0], p[0])]
        for (x0, y0), (x1, y1) in segs:
            n = max(abs(x1 - x0), abs(y1 - y0))
            for k in range(n + 1):
                # round half up of k * d / n, exactly
                x = x0 + (2 * k * (x1 - x0) + max(n, 1)) // (2 * max(n, 1))
                y = y0 + (2 * k * (y1 - y0) + max(n, 1)) // (2 * max(n, 1))
                img[y, x] = 1
        images.append(img.copy())
    frames = np.zeros((pad_len, m, m), np.uint8)
    for k in range(min(len(images), pad_len)):
        src = images[k] if k < pad_len - 1 else images[-1]
        frames[k] = src.reshape(m, f, m, f).max(axis=(1, 3))
    return frames


coord = st.floats(min_value=-20, max_value=280, allow_nan=False)
stroke = st.lists(st.tuples(coord, coord), min_size=1, max_size=12).map(
    lambda pts: np.array(pts, np.float32)
)


@settings(max_examples=200, deadline=None)
@given(st.lists(stroke, min_size=1, max_size=12), st.sampled_from([32, 64]))
def test_matches_plain_raster_then_max_pool(strokes, m):
    np.testing.assert_array_equal(rasterize(strokes, 8, m), _reference_frames(strokes, 8, m))


def test_frames_are_cumulative_zero_padded_and_merge_past_pad_len():
    strokes = [np.array([[i * 20, 0], [i * 20, 255]], np.float32) for i in range(10)]
    f = rasterize(strokes[:3], pad_len=8)
    assert f.shape == (8, 64, 64) and f.dtype == np.uint8
    assert f[0].sum() == 64 and f[1].sum() == 128 and f[2].sum() == 192
    assert not f[3:].any()
    assert (f[1] >= f[0]).all()
    g = rasterize(strokes, pad_len=8)
    assert g[7].sum() == 640  # strokes 7..9 all in the last frame
    np.testing.assert_array_equal(g[6], rasterize(strokes[:7], pad_len=8)[6])


def test_a_dot_lights_one_cell_and_empty_input_is_blank():
    f = rasterize([np.array([[130, 7]], np.float32)])
    assert f[0].sum() == 1 and f[0, 1, 32] == 1
    assert not rasterize([]).any()


def test_add_stroke_equals_full_raster_and_does_not_mutate():
    rng = np.random.default_rng(0)
    strokes = [
        rng.uniform(0, 255, (int(rng.integers(1, 30)), 2)).astype(np.float32) for _ in range(6)
    ]
    frame = np.zeros((64, 64), np.uint8)
    full = rasterize(strokes, pad_len=6)
    for k, s in enumerate(strokes):
        before = frame.copy()
        new = add_stroke(frame, s)
        np.testing.assert_array_equal(frame, before)  # input untouched
        np.testing.assert_array_equal(new, full[k])
        frame = new


def test_rejects_a_size_that_does_not_divide_the_grid():
    with pytest.raises(ValueError, match="must divide 256"):
        rasterize([np.zeros((1, 2))], m=60)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(stroke, min_size=0, max_size=10), min_size=0, max_size=6))
def test_batch_equals_one_drawing_at_a_time(drawings):
    frames, lengths = rasterize_batch(drawings, pad_len=6, m=64)
    assert frames.shape == (len(drawings), 6, 64, 64) and frames.dtype == np.uint8
    for i, strokes in enumerate(drawings):
        np.testing.assert_array_equal(frames[i], rasterize(strokes, 6, 64))
        assert lengths[i] == min(len(strokes), 6)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(stroke | st.just(np.zeros((0, 2))), max_size=12), max_size=6))
def test_stroke_frames_are_the_live_frames_of_every_stroke(drawings):
    frames, n = stroke_frames(drawings, m=32)
    assert frames.shape == (sum(map(len, drawings)), 32, 32) and frames.dtype == np.uint8
    assert n.tolist() == [len(d) for d in drawings]
    row = 0
    for strokes in drawings:
        frame = np.zeros((32, 32), np.uint8)
        for s in strokes:  # past pad_len too: every stroke has a frame of its own
            frame = add_stroke(frame, s)
            np.testing.assert_array_equal(frames[row], frame)
            row += 1


def test_ties_round_up_and_empty_strokes_draw_nothing():
    # (0, 0) -> (4, 1): at x = 2 the line is at y = 0.5 exactly, which rounds up to 1
    cells = stroke_cells([np.array([[0, 0], [4, 1]], np.float32)], m=256)[0]
    assert sorted(cells.tolist()) == [0, 1, 256 + 2, 256 + 3, 256 + 4]
    empty = np.zeros((0, 2), np.float32)
    dot = np.array([[8, 8]], np.float32)
    f = rasterize([empty, dot, empty], pad_len=4)
    assert f[0].sum() == 0 and f[1].sum() == 1 and f[2].sum() == 1 and not f[3].any()


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(*[st.integers(0, 255)] * 4), min_size=0, max_size=20))
def test_line_pixels_is_the_exact_integer_digital_line(segments):
    a = np.array([s[:2] for s in segments], np.int64).reshape(-1, 2)
    b = np.array([s[2:] for s in segments], np.int64).reshape(-1, 2)
    pixels, seg = line_pixels(a, b)
    expected, expected_seg = [], []
    for i, ((x0, y0), (x1, y1)) in enumerate(zip(a.tolist(), b.tolist(), strict=True)):
        n = max(abs(x1 - x0), abs(y1 - y0))
        for k in range(n + 1):
            d = 2 * max(n, 1)
            expected.append(
                (
                    x0 + (2 * k * (x1 - x0) + max(n, 1)) // d,
                    y0 + (2 * k * (y1 - y0) + max(n, 1)) // d,
                )
            )
            expected_seg.append(i)
    assert pixels.dtype == np.int64 and pixels.shape == (len(expected), 2)
    assert [tuple(p) for p in pixels.tolist()] == expected
    assert seg.tolist() == expected_seg
