"""What the window builds again when it shows a new scene: nothing for the ink it
already draws. A refresh or a drag with 300 shapes on the canvas rebuilt a Polyline and
read every point of every stroke, a snap's morph rebuilt the fading ink every frame,
and a long stroke's end built it again as one line. The picture, each time, is the one
a window that built the scene from nothing shows."""

from dataclasses import fields, replace

import numpy as np
import pytest
from pyglet.graphics import Batch
from pyglet.window import key, mouse

import live.drawables as drawables
import live.scene as scene_module
from live.drawables import GrowingLine, InkLine, SceneView
from live.scene import Polyline, ease
from tests.live.helpers import circle, draw, line, square
from tests.live.window_helpers import dispatch, press, stroke


@pytest.fixture
def built(monkeypatch) -> list:
    """The InkLines (each its own vertex list) built from now on."""
    made = []

    class Counted(InkLine):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            made.append(self)

    monkeypatch.setattr(drawables, "InkLine", Counted)
    return made


@pytest.fixture
def polylines(monkeypatch) -> list:
    """The Polylines the scenes make from now on."""
    made = []

    def counted(*args, **kwargs):
        made.append(Polyline(*args, **kwargs))
        return made[-1]

    monkeypatch.setattr(scene_module, "Polyline", counted)
    return made


def fresh(w) -> np.ndarray:
    """The pixels of the scene the window shows now, drawn by a view that builds it from
    nothing: one batch, every stroke allocated anew in the scene's order."""
    view, batch = w.scene_view, w.batch
    w.batch = Batch()
    w.scene_view = SceneView(w.batch, w.controller.settings.colours)
    try:
        w.scene_view.show(w.controller.scene(w.clock()), w.controller.layout)
        w.on_draw()
        return w.pixels()
    finally:
        w.scene_view, w.batch = view, batch


def same_picture(w) -> None:
    shown = w.frame()
    np.testing.assert_array_equal(shown, fresh(w))


def drawables_of(view) -> list:
    return [d for _, d in view._lines.values()]


def parts(drawable) -> list:
    """An InkLine, or a GrowingLine's pieces and tail."""
    if isinstance(drawable, GrowingLine):
        return [*drawable._pieces, drawable._tail]
    return [drawable]


def spiral(n: int, cx=400, cy=300) -> list[tuple[int, int]]:
    a = np.linspace(0, 12 * np.pi, n)
    pts = np.stack([cx + (20 + 6 * a) * np.cos(a), cy + (20 + 6 * a) * np.sin(a)], 1)
    return [(round(x), round(y)) for x, y in pts]


def test_a_drag_and_a_refresh_build_nothing_for_the_ink_on_the_canvas(
    open_window, built, polylines
):
    w = open_window(auto_snap=False)
    for i in range(12):
        stroke(w, circle(100 + 120 * (i % 6), 150 + 250 * (i // 6), 40))
    w.frame()
    view = w.scene_view
    drawn = drawables_of(view)
    assert len(drawn) == 12
    built.clear()
    polylines.clear()
    press(w, key.H)  # the help, and away: scenes anew, the ink as it was
    press(w, key.H)
    assert built == [] and polylines == []
    dispatch(w, "on_mouse_press", 50, 550, mouse.LEFT, 0)
    for x in range(52, 120, 2):
        before = len(polylines), len(built)
        dispatch(w, "on_mouse_drag", x, 550, 2, 0, mouse.LEFT, 0)
        assert len(polylines) - before[0] == 1  # the stroke being drawn, no other
        assert len(built) - before[1] <= 2  # its tail, and a piece when one is full
    assert all(a is b for a, b in zip(drawables_of(view), drawn, strict=True))
    dispatch(w, "on_mouse_release", 120, 550, mouse.LEFT, 0)
    assert all(a is b for a, b in zip(drawables_of(view), drawn, strict=False))
    assert len(drawables_of(view)) == 13
    same_picture(w)


def test_a_scene_of_the_same_lines_is_shown_without_reading_them(open_window):
    """The view compares the scene's lines with those it shows by identity: with 100
    strokes or 1,000 the cost is the same (it read every point, `tobytes`, each time)."""
    w = open_window(auto_snap=False)
    for i in range(4):
        stroke(w, square(150 + 180 * i, 300, 50))
    scene, layout = w.controller.scene(), w.controller.layout

    class Watched(Polyline):
        reads = 0

        def __getattribute__(self, name):
            if name == "points":
                type(self).reads += 1
            return object.__getattribute__(self, name)

    lines = tuple(
        Watched(**{f.name: getattr(ln, f.name) for f in fields(ln)})
        for ln in scene.lines * 25  # each stroke 25 times: 100 lines
    )
    w.scene_view.show(replace(scene, lines=lines), layout)
    assert len(drawables_of(w.scene_view)) == 100  # a stroke drawn twice is two lines
    Watched.reads = 0
    panel = replace(scene.panel, status="another status")
    w.scene_view.show(replace(scene, lines=lines, panel=panel), layout)
    assert Watched.reads == 0


def test_the_scene_keeps_the_lines_of_shapes_that_did_not_change(make_controller):
    c = make_controller(frankenstein="circle", auto_snap=False, preview=False)
    draw(c, line(100, 100, 300, 100), t0=0)
    draw(c, line(100, 500, 300, 500), t0=1)
    first = c.scene().lines
    again = c.scene(5.0).lines
    assert len(first) == 2 and all(a is b for a, b in zip(first, again, strict=True))
    draw(c, line(100, 520, 300, 520), t0=2)  # joins the second shape
    lines = c.scene().lines
    assert lines[0] is first[0] and lines[1] is not first[1]
    np.testing.assert_array_equal(lines[1].points, first[1].points)
    draw(c, circle(600, 300, 100), t0=3)
    c.classify_now()  # snapped now: the morph's lines are new every frame
    at = c.shapes[-1].snap.at
    mid = c.scene(at + 0.1)
    assert mid.animating and c.scene(at + 0.1).lines[-1] is not mid.lines[-1]
    done = c.scene(at + 5.0)
    assert not done.animating and c.scene(at + 5.0).lines[-1] is done.lines[-1]
    back = c.scene(at + 0.1)  # a clock that went back: the morph again
    assert back.animating and back.lines[-1].alpha < 1.0
    c.undo()  # the snap: ink again
    assert [ln.kind for ln in c.scene().lines][-1] == "ink"


def test_a_snaps_fading_ink_is_recoloured_in_place_not_built_again(open_window, built):
    w = open_window(frankenstein="circle")
    stroke(w, line(200, 300, 600, 300, n=40))  # snapped, then joined by the circle:
    stroke(w, circle(400, 300, 150, n=300))  # a long stroke, pieces of 64 segments
    shape = w.controller.shapes[0]  # both fade
    assert shape.n_strokes == 2 and shape.snap is not None
    view = w.scene_view
    ink = {k: d for k, (_, d) in view._lines.items() if k[1] == "ink"}
    pieces = [p for d in ink.values() for p in parts(d)]
    assert len(ink) == 2 and len(pieces) >= 5
    built.clear()
    settings = w.controller.settings
    for k in range(1, 12):
        p = k / 12
        w.clock.t = shape.snap.at + settings.transition_s * p
        same_picture(w)  # the template over its fading ink, as a fresh view draws it
        assert {k: d for k, (_, d) in view._lines.items() if k[1] == "ink"} == ink
        k = round((1 - ease(p)) * 255) / 255  # drawn opaque, as it looks on the canvas
        c = settings.colours
        faded = [round(i * k + b * (1 - k)) for i, b in zip(c.ink, c.canvas, strict=True)]
        for piece in pieces:
            colours = np.ctypeslib.as_array(piece._vertex_list.colors).reshape(-1, 4)
            assert (colours[:, 3] == 255).all() and piece._user_group is view.faded
            assert (colours[:, :3] == faded).all()
    ours = [b for b in built if b._batch is w.batch]  # not the fresh views'
    assert ours and all(b._user_group is view.templates for b in ours)  # templates only
    w.clock.t = shape.snap.at + 1.0
    same_picture(w)
    assert [k[1] for k in view._lines] == ["template"]


@pytest.mark.parametrize("extra_point", [False, True])
def test_a_long_strokes_pieces_are_the_finished_strokes_drawable(open_window, built, extra_point):
    w = open_window(auto_snap=False)
    stroke(w, line(100, 100, 700, 100, n=30))  # ink drawn before
    pts = spiral(1500)
    dispatch(w, "on_mouse_press", *pts[0], mouse.LEFT, 0)
    for x, y in pts[1:]:
        dispatch(w, "on_mouse_drag", x, y, 0, 0, mouse.LEFT, 0)
    growing = w.scene_view._growing
    built.clear()
    end = (pts[-1][0] + 5, pts[-1][1]) if extra_point else pts[-1]
    dispatch(w, "on_mouse_release", *end, mouse.LEFT, 0)
    assert w.scene_view._growing is None
    assert drawables_of(w.scene_view)[-1] is growing  # not built again as one line
    assert len(built) == (1 if extra_point else 0)  # a new tail, with the last point
    np.testing.assert_array_equal(growing.points, w.controller.shapes[-1].strokes[-1].points)
    same_picture(w)


def test_the_window_shows_what_a_view_built_anew_shows(open_window):
    """Through a session: the preview, a snap's morph, undo and redo, a resize, a clear."""
    w = open_window(frankenstein="square", auto_snap=False, preview=True, preview_min=0.0)
    stroke(w, line(150, 150, 650, 450, n=60))
    stroke(w, square(400, 300, 100)[:30])
    same_picture(w)
    stroke(w, square(400, 300, 100)[29:])
    same_picture(w)
    press(w, key.SPACE)
    at = w.controller.shapes[-1].snap.at
    for k in range(7):
        w.clock.t = at + 0.06 * k
        same_picture(w)
    press(w, key.BACKSPACE)
    same_picture(w)
    press(w, key.Y, key.MOD_CTRL)
    w.clock.t += 0.1
    same_picture(w)
    dispatch(w, "on_resize", 660, 300)
    same_picture(w)
    dispatch(w, "on_resize", 1060, 600)
    press(w, key.C)
    same_picture(w)
    press(w, key.Z, key.MOD_CTRL)
    same_picture(w)


def test_an_ink_lines_vertex_data_is_all_written_where_another_one_was(open_window):
    """InkLine writes its attributes with numpy into memory a deleted line may have
    used: every vertex's position, colour, translation and rotation are its own."""
    open_window()  # a GL context
    batch = Batch()
    old = InkLine(np.array([[10, 10], [200, 50], [90, 300]], np.float32), 9.0, (1, 2, 3, 4), batch)
    region = old._vertex_list
    for name in ("translation", "rotation"):
        getattr(region, name)[:] = [7.0] * len(getattr(region, name))
    start = region.start
    old.delete()
    points = np.array([[5, 5], [50, 80]], np.float32)
    new = InkLine(points, 3.0, (20, 30, 40, 128), batch)
    vl = new._vertex_list
    assert vl.start == start  # the same memory
    np.testing.assert_array_equal(np.array(vl.position, np.float32), new._get_vertices())
    assert len(vl.position) == 2 * (6 + 2 * 3 * 8)  # a segment's quad, a disc a point
    assert (np.array(vl.colors).reshape(-1, 4) == (20, 30, 40, 128)).all()
    assert not np.any(vl.translation) and not np.any(vl.rotation)
