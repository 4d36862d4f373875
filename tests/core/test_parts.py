"""The ink's distance to a template stroke by stroke (core/parts.py), and the stroke
each sampled ink point lies on (core/registration.stroke_samples)."""

import numpy as np
import pytest

from core.parts import from_ink_by_stroke
from core.registration import Shape, nearest, sample_strokes, stroke_samples

BOTTOM = np.array([[0.0, 0.0], [1.0, 0.0]])
TOP = np.array([[0.0, 1.0], [1.0, 1.0]])
PARTS = [Shape.of([BOTTOM], 16, 16), Shape.of([TOP], 16, 16)]


def by_stroke(ink, z=1 + 0j, shift=0j, mirrored=False, k=1.0) -> float:
    points, stroke = stroke_samples(ink, 64)
    return from_ink_by_stroke(PARTS, points, stroke, z, shift, mirrored, k)


def test_strokes_each_on_a_part_are_explained():
    assert by_stroke([BOTTOM, TOP]) == pytest.approx(0.0, abs=1e-12)


def test_one_stroke_through_two_parts_is_far_from_each():
    """A U through both parts: every point is within half a unit of one of them, but the
    stroke as a whole lies on neither (a third on each, a third between)."""
    u = np.array([[0.0, 0.0], [1.0, 0.0], [1.0, 1.0], [0.0, 1.0]])
    points, _ = stroke_samples([u], 64)
    nearest_part = np.min([nearest(points[None], p)[1][0] for p in PARTS], axis=0)
    assert nearest_part.mean() < 0.1
    assert by_stroke([u]) > 0.4


def test_the_parts_are_placed_as_the_fit_places_the_template():
    """z * F(T(p)) + shift: turned, scaled, mirrored and stretched parts with ink drawn
    on them, each stroke on its own part."""
    z, shift, k = 3 * np.exp(0.4j), 5 - 2j, 1.5
    placed = []
    for s in (BOTTOM, TOP):
        p = s[:, 0] + 1j * k * s[:, 1]
        q = z * -np.conj(p) + shift
        placed.append(np.stack([q.real, q.imag], axis=1))
    assert by_stroke(placed, z, shift, True, k) == pytest.approx(0.0, abs=1e-9)
    assert by_stroke(placed, z, shift, False, k) > 0.5


def test_each_sampled_point_lies_on_the_stroke_it_is_labelled_with():
    ink = [BOTTOM, np.array([[5.0, 5.0]]), np.zeros((0, 2)), TOP + 3.0]  # a dot, an empty one
    points, stroke = stroke_samples(ink, 16)
    assert np.array_equal(points, sample_strokes(ink, 16))
    assert set(stroke) == {0, 1, 3}
    for i, s in enumerate(ink):
        on = points[stroke == i]
        if len(on):
            assert nearest(on[None], Shape.of([s], 4, 4))[1].max() < 1e-12
