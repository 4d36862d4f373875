"""The completion preview: under the shape being drawn, while it is ink, the template
its top guess would snap to, fitted to the ink and drawn faint; P turns it off and on."""

from __future__ import annotations

import numpy as np
from PIL import Image
from pyglet.window import key

from live.canvas import ShapeState
from tests.live.helpers import circle, draw, line, square
from tests.live.window_helpers import at, near, press, stroke


def previews(c) -> list:
    return [ln for ln in c.scene().lines if ln.kind == "preview"]


def test_the_preview_is_what_space_would_snap_drawn_faint_under_the_ink(make_controller):
    c = make_controller(frankenstein="square", auto_snap=False)
    draw(c, square(400, 300, 100), t0=0)
    lines = c.scene().lines
    shown = previews(c)
    assert shown and lines[: len(shown)] == tuple(shown)  # listed first: under the ink
    assert {ln.kind for ln in lines[len(shown) :]} == {"ink"}
    assert all(ln.alpha == c.settings.preview_alpha for ln in shown)
    assert c.classify_now() == "square"
    template = c.shapes[0].snap.template
    assert len(template) == len(shown)
    for drawn, snapped in zip(shown, template, strict=True):
        np.testing.assert_array_equal(drawn.points, snapped)
    assert previews(c) == []  # snapped: the template itself is drawn


def test_no_preview_while_the_pen_is_down_and_it_follows_each_stroke(make_controller):
    c = make_controller(frankenstein="circle", auto_snap=False)
    draw(c, circle(400, 300, 100)[:25], t0=0)  # the top half
    half = np.concatenate([ln.points for ln in previews(c)])
    c.pen_down(300, 300, 1.0)
    c.pen_move(400, 200, 1.1)
    assert previews(c) == []  # it showed the ink before this stroke
    c.pen_up(500, 300, 1.2)  # the bottom half
    whole = np.concatenate([ln.points for ln in previews(c)])
    assert half[:, 1].mean() > whole[:, 1].mean() + 20  # fitted again, lower


def test_an_unsure_guess_a_held_shape_and_a_bad_fit_show_none(make_controller, tiny_models):
    c = make_controller(auto_snap=False)  # the random model: about 1/18 for every class
    draw(c, circle(400, 300, 100), t0=0)
    assert c.shapes[0].guess.confidence < 0.5 and previews(c) == []
    c = make_controller(auto_snap=False, preview_min=0.0)
    draw(c, circle(400, 300, 100), t0=0)
    assert previews(c)  # shown however unsure, when asked
    c = make_controller(frankenstein="circle")
    draw(c, circle(400, 300, 100), t0=0)
    assert c.undo() and c.shapes[0].state is ShapeState.HELD
    assert previews(c) == []  # its snap was just taken back: no nudge to take it again
    c = make_controller(frankenstein="line", auto_snap=False, max_fit_error=0.1)
    draw(c, circle(400, 300, 120), t0=0)
    assert previews(c) == []  # a line fits a circle too badly to snap


def test_p_turns_the_preview_off_and_on(make_controller):
    c = make_controller(frankenstein="square", auto_snap=False)
    draw(c, square(400, 300, 100), t0=0)
    c.perform("toggle_preview")
    assert not c.preview and previews(c) == [] and c.status == "completion preview off"
    c.perform("toggle_preview")
    assert c.preview and previews(c)
    off = make_controller(frankenstein="square", auto_snap=False, preview=False)
    draw(off, square(400, 300, 100), t0=0)
    assert previews(off) == []


def test_an_exported_png_holds_the_drawing_not_the_preview(make_controller, tmp_path):
    c = make_controller(frankenstein="square", auto_snap=False)
    draw(c, square(400, 300, 100), t0=0)
    draw(c, line(320, 300, 480, 300), t0=1)
    assert previews(c)
    with_preview = c.export_png(tmp_path / "a.png")
    c.toggle_preview()
    without = c.export_png(tmp_path / "b.png")
    assert np.array_equal(np.asarray(Image.open(with_preview)), np.asarray(Image.open(without)))


def test_the_window_draws_the_preview_faint_under_the_ink_and_p_hides_it(open_window):
    w = open_window(frankenstein="circle", auto_snap=False)
    c = w.controller
    stroke(w, circle(400, 300, 120)[:30])  # most of a circle: its template closes it
    template = np.concatenate([ln.points for ln in previews(c)])
    gap = [tuple(np.round(p).astype(int)) for p in template if p[1] < 240]  # no ink there

    def bluish(rgb) -> bool:  # the template's blue, faint: neither the canvas nor ink
        r, _, b = rgb
        return b > r + 40 and r > 60

    px = w.frame()
    assert gap and sum(bluish(at(px, x, y)) for x, y in gap) >= len(gap) * 3 // 4
    press(w, key.P)
    plain = w.frame()
    assert all(near(at(plain, x, y), c.settings.colours.canvas) for x, y in gap)
    canvas = np.s_[:, :800, :3]  # the panel's status line changed too
    inked = plain[canvas].astype(int).sum(axis=2) < 200
    assert inked.sum() > 500 and np.array_equal(px[canvas][inked], plain[canvas][inked])
