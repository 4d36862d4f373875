import numpy as np
import pytest

from core.classes import CLASSES, class_index
from training.augment import Augmenter, upright_classes
from training.config import AugmentSection
from training.strokebatch import StrokeBatch

HORIZONTAL = [np.array([[0, 128], [255, 128]], np.float32)]


def _angles(batch: StrokeBatch) -> np.ndarray:
    """Angle (degrees, folded to [-90, 90)) of the first stroke of each drawing."""
    out = []
    for i in range(len(batch)):
        s = batch.drawing(i)[0]
        dx, dy = s[-1] - s[0]
        a = np.degrees(np.arctan2(dy, dx))
        out.append((a + 90) % 180 - 90)
    return np.asarray(out)


def _run(cls: str, cfg: AugmentSection, n=400, seed=0):
    batch = StrokeBatch.from_strokes([HORIZONTAL] * n)
    labels = np.full(n, class_index(cls))
    return Augmenter(cfg)(batch, labels, np.random.default_rng(seed))


def test_upright_classes_come_from_the_templates():
    up = upright_classes()
    assert {"house", "ice cream", "mountain", "smiley face", "hourglass"} <= up
    assert not {"circle", "square", "line"} & up


@pytest.mark.parametrize("cls", sorted(upright_classes()))
def test_upright_classes_only_tilt(cls):
    cfg = AugmentSection(tilt=6, rotate=40, jitter=0)
    a = _angles(_run(cls, cfg))
    assert np.abs(a).max() <= 6 + 1e-3


def test_other_classes_rotate_further():
    cfg = AugmentSection(tilt=6, rotate=40, jitter=0)
    a = _angles(_run("square", cfg))
    assert np.abs(a).max() <= 40 + 1e-3
    assert np.abs(a).max() > 30  # the whole range is used


def test_same_seed_same_result_and_other_seed_differs():
    cfg = AugmentSection()
    a, b, c = _run("cloud", cfg, 20, 1), _run("cloud", cfg, 20, 1), _run("cloud", cfg, 20, 2)
    np.testing.assert_array_equal(a.points, b.points)
    assert not np.array_equal(a.points, c.points)


def test_drawings_stay_on_the_grid_at_the_chosen_size():
    rng = np.random.default_rng(0)
    drawings = [[rng.uniform(0, 255, (5, 2)) for _ in range(3)] for _ in range(50)]
    batch = StrokeBatch.from_strokes(drawings)
    cfg = AugmentSection(scale=(0.5, 0.7), drop_detail=0)
    out = Augmenter(cfg)(batch, rng.integers(0, len(CLASSES), 50), rng)
    for i in range(len(out)):
        p = np.concatenate(out.drawing(i))
        assert p.min() >= -1e-3 and p.max() <= 255 + 1e-3
        assert 0.5 * 255 - 1e-2 <= (p.max(0) - p.min(0)).max() <= 0.7 * 255 + 1e-2


def test_only_small_detail_strokes_are_dropped():
    big = np.array([[0, 0], [255, 0], [255, 255], [0, 255]], np.float32)
    dot = np.array([[100, 100]], np.float32)
    batch = StrokeBatch.from_strokes([[big, dot, dot]] * 200 + [[dot]] * 10)
    cfg = AugmentSection(drop_detail=0.5, detail_size=0.2)
    out = Augmenter(cfg)(batch, np.zeros(210, int), np.random.default_rng(0))
    n = out.n_strokes
    assert set(n[:200].tolist()) == {2, 3}  # at most one dot dropped, never the square
    assert 60 < (n[:200] == 2).sum() < 140
    assert (n[200:] == 1).all()  # a lone stroke is never dropped
    for i in range(200):
        assert len(out.drawing(i)[0]) == 4  # the square is still there, first


def test_disabled_augmentation_changes_nothing():
    batch = StrokeBatch.from_strokes([HORIZONTAL])
    out = Augmenter(AugmentSection(enabled=False))(batch, np.zeros(1, int), np.random.default_rng())
    np.testing.assert_array_equal(out.points, batch.points)


def _random_drawings(n: int) -> list[list[np.ndarray]]:
    """n drawings of 1 to 5 random strokes of 1 to 5 points each."""
    rng = np.random.default_rng(3)
    return [
        [rng.uniform(0, 255, (int(rng.integers(1, 6)), 2)) for _ in range(k)]
        for k in rng.integers(1, 6, n)
    ]


def test_reorder_swaps_two_strokes_of_a_drawing_and_keeps_its_ink():
    batch = StrokeBatch.from_strokes(_random_drawings(300))
    out = Augmenter(AugmentSection(reorder=0.5))._reorder(batch, np.random.default_rng(0))
    np.testing.assert_array_equal(out.n_strokes, batch.n_strokes)
    swapped = 0
    for i in range(len(batch)):
        before, after = batch.drawing(i), out.drawing(i)
        moved = [
            k
            for k, (a, b) in enumerate(zip(before, after, strict=True))
            if not np.array_equal(a, b)
        ]
        assert len(moved) in (0, 2)  # untouched, or exactly two strokes traded places
        if moved:
            a, b = moved
            np.testing.assert_array_equal(after[a], before[b])
            np.testing.assert_array_equal(after[b], before[a])
            swapped += 1
    several = int((batch.n_strokes > 1).sum())
    assert 0.3 * several < swapped < 0.7 * several  # about half of those with several


def test_reorder_off_by_default_keeps_stroke_order():
    strokes = [np.array([[k * 40.0, 10], [k * 40.0 + 30, 200]], np.float32) for k in range(4)]
    batch = StrokeBatch.from_strokes([strokes] * 50)
    cfg = AugmentSection(rotate=0, tilt=0, aspect=0, jitter=0, flip=0, drop_detail=0)
    out = Augmenter(cfg)(batch, np.zeros(50, int), np.random.default_rng(0))
    for i in range(50):
        xs = [s[0, 0] for s in out.drawing(i)]
        assert xs == sorted(xs)


def test_split_strokes_cuts_at_the_given_points_and_keeps_the_ink():
    a = np.array([[0, 0], [10, 0], [20, 0], [30, 0]], np.float32)
    b = np.array([[5, 5], [6, 6]], np.float32)
    c = np.array([[1, 1], [2, 2], [3, 3]], np.float32)
    batch = StrokeBatch.from_strokes([[a, b], [c]])
    out = batch.split_strokes(np.array([0, 2]), np.array([2, 1]))
    np.testing.assert_array_equal(out.n_strokes, [3, 2])
    got = out.to_strokes()
    np.testing.assert_array_equal(got[0][0], a[:3])  # up to the cut point...
    np.testing.assert_array_equal(got[0][1], a[2:])  # ...and on from it
    np.testing.assert_array_equal(got[0][2], b)
    np.testing.assert_array_equal(got[1][0], c[:2])
    np.testing.assert_array_equal(got[1][1], c[1:])


def test_split_cuts_one_stroke_in_about_its_share_of_drawings():
    drawings = _random_drawings(400)
    batch = StrokeBatch.from_strokes(drawings)
    out = Augmenter(AugmentSection(split=0.5))._split(batch, np.random.default_rng(0))
    grew = out.n_strokes - batch.n_strokes
    assert set(grew.tolist()) <= {0, 1}
    can = np.array([any(len(s) >= 3 for s in d) for d in drawings])
    assert not grew[~can].any()  # strokes of 1 or 2 points have no inner point to cut at
    assert 0.35 * can.sum() < grew.sum() < 0.65 * can.sum()
    for i in np.flatnonzero(grew):
        before, after = batch.drawing(i), out.drawing(i)
        k = next(k for k, s in enumerate(after) if k >= len(before) or len(s) != len(before[k]))
        joined = np.concatenate([after[k], after[k + 1][1:]])  # the two parts share a point
        np.testing.assert_array_equal(joined, before[k])
        assert len(after[k]) >= 2 and len(after[k + 1]) >= 2
        for x, y in zip(before[:k] + before[k + 1 :], after[:k] + after[k + 2 :], strict=True):
            np.testing.assert_array_equal(x, y)
    plain = Augmenter(AugmentSection(drop_detail=0))  # split is off by default
    unchanged = plain(batch, np.zeros(400, int), np.random.default_rng(0))
    np.testing.assert_array_equal(unchanged.n_strokes, batch.n_strokes)


def test_warp_bends_smoothly_within_its_bound():
    # a dense horizontal line through the middle: a warp moves it, but by at most
    # warp * size per axis, and neighbouring points move nearly alike (smooth)
    line = np.stack([np.linspace(0, 255, 256), np.full(256, 128.0)], 1).astype(np.float32)
    batch = StrokeBatch.from_strokes([[line]] * 100)
    cfg = AugmentSection(warp=0.05)
    aug = Augmenter(cfg)
    rel = line.astype(np.float64) - line.mean(0)
    pd = np.repeat(np.arange(100), 256)
    out = aug._warp(np.tile(rel, (100, 1)), pd, np.full(100, 255.0), np.random.default_rng(0))
    shift = (out - np.tile(rel, (100, 1))).reshape(100, 256, 2)
    assert np.abs(shift).max() <= 0.05 * 255 + 1e-6
    assert np.abs(shift).max() > 0.02 * 255  # it does bend
    assert np.abs(np.diff(shift, axis=1)).max() < 2.0  # px, between points 1 px apart
    assert not np.allclose(shift[0], shift[1])  # each drawing its own field
    full = aug(batch, np.zeros(100, int), np.random.default_rng(1))
    assert full.points.shape == batch.points.shape
