"""Lines drawn see-through, in the real headless window: the completion preview (30%)
and the ink fading out while a snap's template takes its place. Read back from the
window's pixels, such a line is one colour along its length: its quads and discs
overlap at every point, and blended each over the other they showed a darker bead at
every one. A grey ink fading out stays grey (the headless framebuffer was RGB565:
(247, 243, 247) for ink fading over white)."""

from itertools import pairwise

import numpy as np
import pytest

from live.scene import shape_lines
from live.settings import Colours
from tests.live.helpers import circle
from tests.live.window_helpers import at, stroke

GREY = (0, 0, 0)  # ink of equal channels: over white, every shade of it is grey too


def _off(points: np.ndarray, lines: list[np.ndarray], gap: float) -> np.ndarray:
    """Those of `points` farther than `gap` from every segment of `lines`."""
    keep = np.ones(len(points), bool)
    for pts in lines:
        for a, b in pairwise(pts):
            d = b - a
            t = np.clip(((points - a) @ d) / max(float(d @ d), 1e-9), 0, 1)
            keep &= np.linalg.norm(points - (a + t[:, None] * d), axis=1) > gap
    return points[keep]


def _mid_morph(open_window):
    """A circle snapped to a square (the model reads a square), halfway through its
    morph: the window's pixels, the circle's fading ink and the template where they are
    then (view == canvas coordinates at the default size)."""
    w = open_window(
        frankenstein="square", max_fit_error=10.0, transition_s=1.0, colours=Colours(ink=GREY)
    )
    stroke(w, circle(400, 300, 150, n=24))
    (shape,) = w.controller.shapes
    assert shape.snap is not None and shape.snap.cls == "square"
    w.clock.t = shape.snap.at + 0.5
    lines = shape_lines(shape, w.controller.settings, w.clock.t)
    (ink,) = [ln for ln in lines if ln.kind == "ink"]
    assert 0.3 < ink.alpha < 0.7
    templates = [ln.points for ln in lines if ln.kind == "template"]
    return w.frame(), ink, templates


def test_ink_fading_out_stays_grey(open_window):
    px, ink, templates = _mid_morph(open_window)
    points = _off(ink.points, templates, gap=8)  # where no template lies over it
    mids = _off((ink.points[1:] + ink.points[:-1]) / 2, templates, gap=8)
    assert len(points) > 5 and len(mids) > 5
    seen = [at(px, round(x), round(y)) for x, y in [*points, *mids]]
    for rgb in seen:
        assert max(rgb) - min(rgb) <= 1, rgb  # no tint
        assert rgb[0] < 250  # the ink, not the canvas


def test_ink_fading_out_is_one_colour_at_its_points_and_between(open_window):
    px, ink, templates = _mid_morph(open_window)
    points = _off(ink.points, templates, gap=8)
    mids = _off((ink.points[1:] + ink.points[:-1]) / 2, templates, gap=8)
    seen = {at(px, round(x), round(y)) for x, y in [*points, *mids]}
    (rgb,) = seen  # one colour, the ink's halfway between it and the canvas
    assert rgb == pytest.approx((128, 128, 128), abs=40)


def test_the_preview_is_one_colour_at_its_corners_and_along_its_sides(open_window):
    """A circle read as a square, auto-snap off: the preview is the square fitted to it,
    its corners off the ink; they were darker than its sides."""
    w = open_window(frankenstein="square", max_fit_error=10.0, auto_snap=False)
    circle_points = circle(400, 300, 150, n=24)
    stroke(w, circle_points)
    (square,) = w.controller.preview_template()
    px = w.frame()
    corners = _off(square[:-1], [circle_points], gap=8)
    sides = _off(np.linspace(square[0], square[1], 41)[1:-1], [circle_points], gap=8)
    assert len(corners) == 4 and len(sides) > 10
    corner_colours = {at(px, round(x), round(y)) for x, y in corners}
    side_colours = {at(px, round(x), round(y)) for x, y in sides}
    assert corner_colours == side_colours and len(side_colours) == 1
    s = w.controller.settings
    alpha = round(s.preview_alpha * 255) / 255
    faint = [c * alpha + 255 * (1 - alpha) for c in s.colours.template]
    assert side_colours.pop() == pytest.approx(faint, abs=1.5)  # 30% over the canvas
