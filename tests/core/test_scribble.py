"""Self-crossings of the ink (core/scribble.py): counted by hand on small figures, the
same at any size and point density, every pair the grid skips unable to cross, and no
real dev doodle anywhere near the scribble limit."""

from __future__ import annotations

import math

import numpy as np
import pytest

from core.scribble import SCRIBBLE_CROSSINGS, _resampled, crossings
from core.snap import SnapPolicy
from tests.live.helpers import random_walk


def _star(points_per_side: int = 2) -> np.ndarray:
    """A pentagram in one stroke (each vertex to the second next): 5 crossings."""
    corners = [(math.cos(a), math.sin(a)) for a in np.pi / 2 + 4 * np.pi / 5 * np.arange(6)]
    sides = [
        np.linspace(corners[k], corners[k + 1], points_per_side, endpoint=False) for k in range(5)
    ]
    return np.concatenate([*sides, [corners[0]]])


def _circle(n: int = 64) -> np.ndarray:
    a = np.linspace(0, 2 * np.pi, n + 1)
    return np.stack([np.cos(a), np.sin(a)], 1)


def _figure_eight(n: int = 200) -> np.ndarray:
    """Closed, from a point off the crossing (so it is no point of the resampled ink)."""
    t = np.linspace(0.3, 0.3 + 2 * np.pi, n)
    return np.stack([np.sin(t), np.sin(t) * np.cos(t)], 1)


def _brute_force(strokes) -> int:
    """Every pair of the resampled segments tested: what the grid must find."""
    segs = [
        (s[k], s[k + 1], i, k) for i, s in enumerate(_resampled(strokes)) for k in range(len(s) - 1)
    ]
    found = 0
    for x, (p1, p2, i, k) in enumerate(segs):
        for q1, q2, j, m in segs[x + 1 :]:
            if i == j and m == k + 1:
                continue
            r, s = p2 - p1, q2 - q1
            den = r[0] * s[1] - r[1] * s[0]
            if den == 0:
                continue
            d = q1 - p1
            t, u = (d[0] * s[1] - d[1] * s[0]) / den, (d[0] * r[1] - d[1] * r[0]) / den
            found += 0 < t < 1 and 0 < u < 1
    return found


def test_crossings_by_hand():
    assert crossings([_circle()]) == 0
    assert crossings([_figure_eight()]) == 1
    assert crossings([_star()]) == 5
    plus = [np.array([[-1, 0.1], [1, 0.1]]), np.array([[0.1, -1], [0.1, 1]])]
    assert crossings(plus) == 1  # across strokes
    # ink that only touches other ink (ends on it, or passes through a point of it
    # exactly) does not cross it: a roof on a wall
    tee = [np.array([[-1, 0], [1, 0]]), np.array([[0, 0], [0, 1]])]
    assert crossings(tee) == 0
    hash_sign = [np.array([[-2, y], [2, y]]) for y in (-1, 1)] + [
        np.array([[x, -2], [x, 2]]) for x in (-1, 1)
    ]
    assert crossings(hash_sign) == 4
    corner = [np.array([[0, 0], [1, 0]]), np.array([[1, 0], [1, 1]])]  # ends touch: none
    assert crossings(corner) == 0
    zigzag = np.array([[0, 0], [1, 0.1], [0, 0.2], [1, 0.3], [0, 0.4]])
    assert crossings([zigzag]) == 0


def test_nothing_to_cross():
    assert crossings([]) == 0
    assert crossings([np.zeros((0, 2))]) == 0
    assert crossings([np.array([[3.0, 4.0]])]) == 0  # a dot
    assert crossings([np.array([[3.0, 4.0], [3.0, 4.0]])]) == 0  # a dot of two points
    assert SnapPolicy().scribble([np.array([[0.0, 0.0], [1.0, 1.0]])]) is None


@pytest.mark.parametrize("scale", [1e-3, 1.0, 255.0, 1e5])
def test_the_count_is_the_same_at_any_size_place_and_point_density(scale):
    shift = np.array([1e3, -70.0])
    for shape, want, densities in ((_star, 5, (1, 10, 100)), (_figure_eight, 1, (20, 200, 2000))):
        for density in densities:
            pts = shape(density) * scale + shift
            assert crossings([pts]) == want, (shape.__name__, density)
            assert crossings([pts[:, ::-1]]) == want  # mirrored, turned a quarter
            assert crossings([pts * np.array([1.0, -1.0])]) == want  # y flipped


def test_the_grid_finds_every_crossing_that_testing_every_pair_finds():
    walk = random_walk(300, seed=4)
    strokes = np.split(walk, [100, 180])
    assert crossings([walk]) == _brute_force([walk]) > 50
    assert crossings(strokes) == _brute_force(strokes)
    assert crossings([_star(7)]) == _brute_force([_star(7)])


def test_a_random_walk_in_a_disc_is_a_scribble_in_one_stroke_or_several():
    walk = random_walk(1000, seed=1)
    assert crossings([walk]) >= SCRIBBLE_CROSSINGS and SnapPolicy().scribble([walk])
    assert SnapPolicy().scribble(np.split(walk, [300, 650]))
    assert SnapPolicy(scribble_crossings=10**6).scribble([walk]) is None


def test_no_real_dev_doodle_comes_near_the_scribble_limit(real_dev):
    """docs/training.md, "The snap policy": the most crossed real dev doodle (a hockey
    stick with a shaded blade) crosses itself 82 times; every stroke prefix, raw or
    simplified, stays under two thirds of the limit."""
    from training.replay import read_eval_drawings

    most = 0
    for kind in ("raw", "simplified"):
        for d in read_eval_drawings(real_dev / kind):
            most = max(most, *(crossings(d.strokes[:k]) for k in range(1, len(d.strokes) + 1)))
    assert 0 < most < SCRIBBLE_CROSSINGS / 1.5
