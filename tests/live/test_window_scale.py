"""What the hand does is judged in screen pixels, whatever the window's size: a click's
slip, a dot, the gap between two shapes (the real headless window, scaled)."""

import numpy as np
import pytest
from pyglet.window import key

from live.canvas import ShapeState
from tests.live.helpers import circle, line, square
from tests.live.window_helpers import dispatch, press, stroke

SMALL = (320, 240)  # drawing area 192 x 240: 0.24 view px a canvas unit
LARGE = (2120, 1200)  # drawing area 1860 x 1200: 2 view px a canvas unit


def rest(window):
    window.clock.t += window.controller.settings.pause_s + 0.1
    window.update()


def test_a_click_that_slips_two_pixels_in_a_small_window_is_a_speck(open_window):
    """At scale 0.24 a 2 px slip is 8 canvas units: judged in canvas units it was more
    than a speck, so the rest judged the click instead of the square before it."""
    w = open_window(
        frankenstein="square", window_size=SMALL, steady_override=1.0, max_fit_error=10.0
    )
    c = w.controller
    assert c.layout.scale == pytest.approx(0.24)
    canvas = c.layout.canvas
    stroke(w, square(canvas.x + 60, canvas.y + 120, 40))
    drawn = c.shapes[0]
    assert drawn.state is ShapeState.INK  # waits for the rest
    x, y = canvas.x + 170, canvas.y + 30
    stroke(w, [(x, y), (x + 2, y)])  # a stray click, elsewhere
    click = c.shapes[1]
    assert "a speck" in c.status
    rest(w)
    assert drawn.state is ShapeState.SNAPPED and c.status.startswith("snapped to square")
    assert click.state is ShapeState.INK
    press(w, key.SPACE)
    assert click.state is ShapeState.INK and "already snapped" in c.status


def test_a_ten_pixel_dash_in_a_large_window_is_not_a_speck(open_window):
    """At scale 2 a 10 px dash is 5 canvas units: judged in canvas units it was a dot,
    and Space would not snap it."""
    w = open_window(frankenstein="line", window_size=LARGE, auto_snap=False, max_fit_error=10.0)
    c = w.controller
    assert c.layout.scale == 2.0
    x, y = c.layout.canvas.x + 800, c.layout.canvas.y + 600
    stroke(w, [(x + i, y) for i in range(0, 11, 2)])
    assert "a speck" not in c.status
    press(w, key.SPACE)
    assert c.shapes[0].snap is not None and c.status.startswith("snapped to line")


def test_a_window_resized_after_a_dot_keeps_it_a_dot(open_window):
    """The scale is the one the stroke was drawn at: enlarging the window later does
    not make a dot a drawing."""
    w = open_window(frankenstein="line", auto_snap=False)
    w.frame()
    x, y = 400, 300
    stroke(w, [(x, y), (x + 4, y)])
    dispatch(w, "on_resize", *LARGE)
    press(w, key.SPACE)
    assert w.controller.status == "nothing to snap: a speck (a click, a dot) never snaps"
    assert np.ptp(w.controller.shapes[0].strokes[0].points[:, 0]) == 4


SCALES = [((660, 300), 0.5), ((1060, 600), 1.0), (LARGE, 2.0)]


@pytest.mark.parametrize(("size", "scale"), SCALES)
def test_the_same_drawing_on_screen_groups_alike_in_any_window(open_window, size, scale):
    """Two 30 px circles 20 px apart are one shape, 40 px apart two, at any scale: the
    24 px minimum gap was in canvas units, so at scale 2 the 40 px were 20 units and
    one shape, at scale 0.5 the 20 px were 40 units and two."""
    for gap, shapes in [(20, 1), (40, 2)]:
        w = open_window(auto_snap=False, window_size=size)
        c = w.controller
        assert c.layout.scale == scale
        x, y = c.layout.canvas.x + 100, c.layout.canvas.y + 100
        stroke(w, circle(x, y, 15))
        stroke(w, circle(x + 30 + gap, y, 15))
        assert len(c.shapes) == shapes, (gap, [s.n_strokes for s in c.shapes])


@pytest.mark.parametrize(("size", "scale"), SCALES)
def test_a_stroke_reopens_a_snap_as_near_on_screen_in_any_window(open_window, size, scale):
    """Beside an 80 px circle, a dash 20 px away reopens its snap and one 30 px away
    does not (the 24 px minimum of reopen_gap), at any scale."""
    for gap, shapes in [(20, 1), (30, 2)]:
        w = open_window(frankenstein="circle", auto_snap=False, window_size=size)
        c = w.controller
        x, y = c.layout.canvas.x + 100, c.layout.canvas.y + 100
        stroke(w, circle(x, y, 40))
        press(w, key.SPACE)
        assert c.shapes[0].state is ShapeState.SNAPPED
        stroke(w, line(x + 40 + gap, y, x + 40 + gap, y + 30))
        assert len(c.shapes) == shapes, gap
