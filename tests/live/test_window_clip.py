"""What is drawn on the canvas stays on it, in the real headless window: a template
fitted past the canvas's edge (a real eyes-and-mouth smiley drawn by the canvas's edge
gets a face around them, half as wide again), its completion preview, and a stroke
dragged off the canvas are cut at the canvas's edge (`live.clip`); the letterbox band
and the side panel keep their pixels."""

from pathlib import Path

import numpy as np
import pytest
from pyglet.window import key, mouse

from core.strokes import iter_ndjson
from live.clip import scissor_box
from live.geometry import Rect
from live.replay import place_drawings
from tests.live.window_helpers import at, dispatch, near, press, stroke

# a real smiley of eyes and mouth only: its face is fitted around them, half as wide
# again (`core.undrawn`); placed as `draw --score` places it, then moved to the canvas's
# left edge, the face reaches past it
EYES_AND_MOUTH = "4778829828587520"
BY_THE_EDGE = 10  # the ink's distance from the canvas's edge


def _smiley(real_dev: Path, mirrored: bool, canvas_size) -> list[np.ndarray]:
    path = real_dev / "raw" / "smiley face.ndjson"
    drawing = next(d for d in iter_ndjson(path) if d.key_id == EYES_AND_MOUTH)
    strokes = [s.copy() for s in place_drawings([drawing], canvas_size)[0].strokes]
    left = min(float(s[:, 0].min()) for s in strokes)
    for s in strokes:
        s[:, 0] += BY_THE_EDGE - left
    for s in strokes if mirrored else []:  # its face past the right edge, over the panel
        s[:, 0] = canvas_size[0] - s[:, 0]
    return strokes


def _without_canvas_lines(w) -> np.ndarray:
    """The same frame drawn again with no line on the canvas (the groups of the preview,
    the ink and the templates hidden): what the window shows around the canvas when
    nothing on the canvas reaches past it."""
    view = w.scene_view
    groups = [view.under, view.groups[1], view.templates]
    for g in groups:
        g.visible = False
    w.on_draw()
    px = w.pixels()
    for g in groups:
        g.visible = True
    return px


def _outside(w, px) -> np.ndarray:
    """`px`'s pixels off the canvas, as a flat (n, 4) array."""
    c = w.controller.layout.canvas
    ys, xs = np.mgrid[: px.shape[0], : px.shape[1]]
    ys = px.shape[0] - 1 - ys  # y up
    on = (xs + 0.5 >= c.x) & (xs + 0.5 < c.x + c.w) & (ys + 0.5 >= c.y) & (ys + 0.5 < c.y + c.h)
    return px[~on]


def _template_pixels(w, px, x0, x1) -> int:
    """How many pixels of columns x0..x1 (view) show the template's colour."""
    colour = np.array(w.controller.settings.colours.template)
    return int((np.abs(px[:, x0:x1, :3].astype(int) - colour).sum(-1) < 60).sum())


@pytest.mark.parametrize(
    ("mirrored", "size", "where"),
    [(False, (1360, 600), "the letterbox band"), (True, (1060, 600), "the side panel")],
)
def test_a_template_fitted_past_the_canvas_is_cut_at_its_edge(
    open_window, real_dev, mirrored, size, where
):
    """Over the letterbox band the face was drawn; the side panel, drawn after the
    canvas's groups, hid it already, and is drawn in full still (not cut)."""
    w = open_window(frankenstein="smiley face", size=size, auto_snap=False, preview=True)
    w.frame()  # the window's own first resize event comes with its first frame
    c = w.controller
    canvas = c.layout.canvas
    for points in _smiley(real_dev, mirrored, c.settings.canvas_size):
        stroke(w, c.layout.to_view(points))
    preview = np.concatenate(c.preview_template())  # the face, faint, under the ink
    edge = canvas.x + canvas.w if mirrored else canvas.x
    past = preview[:, 0].max() - c.settings.canvas_size[0] if mirrored else -preview[:, 0].min()
    assert past > 30  # the case: the face reaches past the canvas, over `where`
    px = w.frame()
    assert np.array_equal(_outside(w, px), _outside(w, _without_canvas_lines(w))), where

    press(w, key.SPACE)
    shape = c.shapes[0]
    assert shape.snap is not None and shape.snap.cls == "smiley face"
    for t in (shape.snap.at + 0.15, shape.snap.at + 1.0):  # mid-morph, then in place
        w.clock.t = t
        px = w.frame()
        assert np.array_equal(_outside(w, px), _outside(w, _without_canvas_lines(w))), where
    # the face is still drawn up to the canvas's edge, inside it
    inside = (round(edge) - 6, round(edge)) if mirrored else (round(edge), round(edge) + 6)
    assert _template_pixels(w, px, *inside) > 10
    assert _template_pixels(w, px, 0, px.shape[1]) > 3000
    panel = c.layout.panel
    assert near(at(px, round(panel.x) + 4, 4), c.settings.colours.panel)


def test_a_stroke_dragged_off_the_canvas_stays_on_it(open_window):
    """The stroke being drawn follows the canvas's edge (its points are clamped), and
    its width, past the edge, is cut: in a large window the pen's ink is thick."""
    w = open_window(size=(2000, 1200), auto_snap=False, preview=False)
    w.frame()  # drawing area 1740 x 1200: the canvas at scale 2, from x = 70
    c = w.controller
    assert c.layout.scale == 2 and c.layout.canvas.x == 70
    dispatch(w, "on_mouse_press", 400, 600, mouse.LEFT, 0)
    for x in range(390, 0, -10):  # off the canvas, into the band on its left
        dispatch(w, "on_mouse_drag", x, 600, -10, 0, mouse.LEFT, 0)
    px = w.frame()  # still drawing: the growing stroke
    assert np.array_equal(_outside(w, px), _outside(w, _without_canvas_lines(w)))
    ink = c.settings.colours.ink
    row = px[px.shape[0] - 1 - 600]
    assert near(tuple(int(v) for v in row[70, :3]), ink, tol=40)  # up to the edge
    assert near(tuple(int(v) for v in row[69, :3]), c.settings.colours.background)
    dispatch(w, "on_mouse_release", 1, 600, mouse.LEFT, 0)
    px = w.frame()
    assert np.array_equal(_outside(w, px), _outside(w, _without_canvas_lines(w)))


def test_the_scissor_box_holds_the_pixels_the_canvas_covers():
    """Pixels whose centres lie in the rectangle, in framebuffer pixels (HiDPI: 2 a
    view pixel)."""
    assert scissor_box(Rect(0, 0, 800, 600)) == (0, 0, 800, 600)
    assert scissor_box(Rect(70.0, 0.0, 1740.0, 1200.0)) == (70, 0, 1740, 1200)
    assert scissor_box(Rect(10.25, 20.5, 100.5, 50.0)) == (10, 20, 101, 50)
    assert scissor_box(Rect(10.25, 20.5, 100.5, 50.0), ratio=2.0) == (20, 41, 201, 100)
    assert scissor_box(Rect(5.0, 5.0, 0.0, 0.0)) == (5, 5, 0, 0)
