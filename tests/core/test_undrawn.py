"""Undrawn template strokes drawn round the ink (`core.undrawn`)."""

import numpy as np
import pytest

from core.undrawn import UNDRAWN_MOST, shrunk

CIRCLE = np.stack([np.cos(np.linspace(0, 2 * np.pi, 65)), np.sin(np.linspace(0, 2 * np.pi, 65))], 1)


def placed(p):
    return 3.0 * np.asarray(p) + 10.0  # a placement: scale 3, shift 10


def test_a_large_undrawn_stroke_shrinks_to_half_as_large_again_as_the_ink():
    ink = np.array([[-0.2, 0.0], [0.2, 0.0], [0.0, 0.1]])  # 0.4 across: the circle is 2
    out = shrunk(CIRCLE, ink, placed)
    assert np.ptp(out, axis=0).max() == pytest.approx(UNDRAWN_MOST * 0.4 * 3)
    middle = (out.min(axis=0) + out.max(axis=0)) / 2
    assert middle == pytest.approx([10.0, 10.0])  # shrunk about the middle of its box


def test_it_never_cuts_through_the_ink():
    ink = np.array([[-0.6, 0.0], [0.6, 0.0], [0.0, 0.05]])  # wide and flat: 1.5 times 1.2
    out = (shrunk(CIRCLE, ink, placed) - 10.0) / 3.0
    radius = np.abs(out[:, 0]).max()
    assert radius >= 0.6 * 1.1 - 1e-9  # holds the ink, a tenth to spare
    assert radius < 1.0


def test_it_is_never_made_larger():
    ink = np.array([[-3.0, 0.0], [3.0, 0.0]])
    assert shrunk(CIRCLE, ink, placed) == pytest.approx(placed(CIRCLE))
    assert shrunk(CIRCLE, np.zeros((0, 2)), placed) == pytest.approx(placed(CIRCLE))
