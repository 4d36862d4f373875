"""Keys pressed while a stroke is being drawn (the pen down), on the real headless window."""

import numpy as np
import pytest
from PIL import Image
from pyglet.window import key, mouse

from tests.live.helpers import circle
from tests.live.window_helpers import at, dark, dispatch, near, press, stroke


def begin(window, points):
    """Press and drag through `points` (view coordinates), the pen left down."""
    pts = [(round(x), round(y)) for x, y in points]
    dispatch(window, "on_mouse_press", *pts[0], mouse.LEFT, 0)
    for (x, y), (px, py) in zip(pts[1:], pts, strict=False):
        window.clock.t += 0.01
        dispatch(window, "on_mouse_drag", x, y, x - px, y - py, mouse.LEFT, 0)
    return pts[-1]


def exported(window):
    return sorted((window.controller.settings.save_dir / "png").glob("*.png"))


def test_e_waits_for_the_stroke_being_drawn_as_s_does(open_window):
    """E exported half the stroke; with only that stroke on the canvas it said the
    canvas was empty, the ink on screen."""
    w = open_window(frankenstein="circle", auto_snap=False)
    c = w.controller
    end = begin(w, [(500, 100), (600, 200), (700, 100)])
    press(w, key.E)
    assert c.status == "finish the stroke first" and not exported(w)
    stroke(w, circle(200, 300, 80))  # a press ends the stroke the release of was missed
    end = begin(w, [(500, 500), (600, 550), (700, 500)])
    for symbol in (key.E, key.S):
        press(w, symbol)
        assert c.status == "finish the stroke first" and not exported(w)
    dispatch(w, "on_mouse_release", *end, mouse.LEFT, 0)
    press(w, key.E)
    (png,) = exported(w)
    image = np.asarray(Image.open(png).convert("RGB"))
    assert dark(tuple(int(v) for v in image[600 - 550, 600])), "the whole stroke, once lifted"


@pytest.mark.parametrize(
    ("symbol", "modifiers", "status"),
    [
        (key.Z, key.MOD_CTRL, "stroke cancelled: lift the pen to draw again"),
        (key.BACKSPACE, 0, "stroke cancelled: lift the pen to draw again"),
        (key.C, 0, "cleared; stroke cancelled: lift the pen to draw again"),
    ],
)
def test_undo_or_clear_mid_drag_cancels_the_stroke_and_says_the_rest_draws_nothing(
    open_window, symbol, modifiers, status
):
    w = open_window(auto_snap=False)
    c = w.controller
    stroke(w, circle(200, 300, 80))
    begin(w, [(400, 200), (450, 200)])
    press(w, symbol, modifiers)
    assert c.status == status and not c.drawing
    assert w.scene_view.status.text.replace("\n", " ") == status
    for x in range(460, 700, 10):  # the drag goes on
        dispatch(w, "on_mouse_drag", x, 200, 10, 0, mouse.LEFT, 0)
    px = w.frame()
    assert all(near(at(px, x, 200), c.settings.colours.canvas) for x in range(400, 700, 20))
    dispatch(w, "on_mouse_release", 690, 200, mouse.LEFT, 0)
    assert [s.n_strokes for s in c.shapes] == ([] if symbol == key.C else [1])
    assert c.status == status  # the release adds nothing, nor says anything
