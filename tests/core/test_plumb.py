"""The ink's straight runs and whether they stand level (`core.plumb`)."""

import math

import numpy as np
import pytest

from core.plumb import LEVEL_RUNS, level_axes, lines_turn, stands_level, straight_runs
from core.shapes import TEMPLATES
from tests.core.geometry import place

SQUARE_WITH_A_TAIL = [np.array([[-60, 0], [0, 0], [100, 0], [100, 100], [0, 100], [0, 10]], float)]


def test_a_squares_runs_are_its_sides_and_its_tail():
    runs = straight_runs(SQUARE_WITH_A_TAIL)
    degrees = sorted(np.degrees(runs.angle).round(1) % 180)
    assert degrees == [0.0, 0.0, 90.0, 90.0]  # the top with its tail, the bottom, the sides
    assert runs.length.max() == pytest.approx(160 / math.hypot(160, 100))


def test_curves_short_strokes_and_dots_have_no_runs():
    circle = place(TEMPLATES["circle"].strokes, scale=200)
    assert len(straight_runs(circle).length) == 0
    assert len(straight_runs([np.zeros((1, 2)), np.array([[0, 0], [1, 0]], float)]).length) == 1
    assert len(straight_runs([np.zeros((3, 2))]).length) == 0


@pytest.mark.parametrize(
    ("name", "axes"),
    [
        ("house", (0.0, math.pi / 2)),
        ("hourglass", (0.0,)),
        ("triangle", (0.0,)),
        ("smiley face", ()),
    ],
)
def test_the_level_and_plumb_edges_of_a_template(name, axes):
    assert level_axes(TEMPLATES[name].strokes) == pytest.approx(axes)


def test_the_turn_the_runs_stand_at():
    for degrees in (0, 7, -12, 40):
        square = place(TEMPLATES["square"].strokes, scale=100, angle=math.radians(degrees))
        turn = lines_turn(straight_runs(square), (0.0, math.pi / 2), math.pi)
        assert math.degrees(turn) == pytest.approx((degrees + 45) % 90 - 45, abs=0.3)


def test_a_square_with_a_tail_stands_level_not_leaning():
    """Its tail pulls the closest fit 8 degrees round; its sides say otherwise."""
    runs = straight_runs(SQUARE_WITH_A_TAIL)
    assert stands_level(runs, (0.0, math.pi / 2), math.radians(-8), math.pi)


def test_a_turned_square_does_not_stand_level():
    turned = place(SQUARE_WITH_A_TAIL, scale=1, angle=math.radians(20))
    runs = straight_runs(turned)
    for lean in (12, 20):  # the closest fit's turn, short of the drawing's, or all of it
        assert not stands_level(runs, (0.0, math.pi / 2), math.radians(lean), math.pi)


def test_a_few_level_runs_say_nothing():
    """A wobbly hand's chance runs: less than LEVEL_RUNS of the diagonal in all."""
    short = [np.array([[0, 0], [20, 0]], float), np.array([[0, 5], [100, 100]], float)]
    runs = straight_runs(short)
    assert runs.length[np.abs(np.sin(runs.angle)) < 0.01].sum() < LEVEL_RUNS
    assert not stands_level(runs, (0.0, math.pi / 2), math.radians(-8), math.pi)
