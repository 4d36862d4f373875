"""The drawing window's events, in a real headless window (pyglet, EGL).

A drag event at the end of a long stroke appends a point to the stroke being drawn
and mirrors it into the window's batch. The stroke grows a piece at a time, so an
event should cost the same at the 100th point as at the 4,000th (a slow scribble, or
a pen at a high event rate); the goal is well under a frame at 60 Hz. So should a
drag event, or a refresh, with 10 or 300 doodles on the canvas: the ink that did not
change is the same objects, not built or read again. And a frame of a snap's morph
after a very long stroke: the fading ink is recoloured, not built again.
No model is loaded but for the morph: a drag never classifies.
"""

import itertools
import os

import numpy as np
import pytest

os.environ.setdefault("PYGLET_HEADLESS", "1")  # before pyglet.window is imported


def _no_model(name, checkpoint):
    from core.errors import FrankensteinError

    raise FrankensteinError("no model: a drag event never classifies")


def _spiral(n: int) -> np.ndarray:
    """n view points on a spiral across the default canvas, whole pixels."""
    a = np.linspace(0, 40 * np.pi, n)
    r = 20 + 250 * a / a[-1]
    return np.stack([400 + r * np.cos(a), 300 + r * np.sin(a)], 1).round().astype(int)


@pytest.mark.parametrize("points", [100, 4000])
def test_drag_event_at_the_end_of_a_long_stroke(benchmark, points):
    import pyglet
    from pyglet.window import mouse

    from live.controller import Controller
    from live.replay import ManualClock
    from live.settings import LiveSettings
    from live.window import DrawingWindow

    dispatch = pyglet.event.EventDispatcher.dispatch_event
    controller = Controller(LiveSettings(auto_snap=False), loader=_no_model)
    window = DrawingWindow(controller, clock=ManualClock())
    try:
        path = _spiral(points + 2000)  # the rounds go on along the same spiral
        dispatch(window, "on_mouse_press", *path[0], mouse.LEFT, 0)
        for p, q in itertools.pairwise(path[:points]):
            dispatch(window, "on_mouse_drag", *q, *(q - p), mouse.LEFT, 0)
        rest = iter(path[points:])
        before = len(controller._active)  # the stroke being drawn

        def drag():
            x, y = next(rest)
            dispatch(window, "on_mouse_drag", x, y, 1, 1, mouse.LEFT, 0)

        benchmark.pedantic(drag, rounds=1000, warmup_rounds=5)
        drawn = len(controller._active)
        benchmark.extra_info["stroke_points"] = drawn
        assert controller.drawing and drawn > before  # the rounds grew the same stroke
    finally:
        window.close()


def test_the_panel_laid_out_anew_after_a_stroke(benchmark):
    """What the panel costs when the status changes (each stroke's end, a snap): its
    labels laid out again, the text broken into lines by the glyphs' widths
    (`live.drawables.show_text`). A long status, as a snap refused for its fit gives."""
    from live.controller import Controller
    from live.replay import ManualClock
    from live.settings import LiveSettings
    from live.window import DrawingWindow

    controller = Controller(LiveSettings(), loader=_no_model)
    window = DrawingWindow(controller, clock=ManualClock())
    statuses = itertools.cycle(
        f"finished, not snapped: hexagon 0.{n:02d} below threshold 0.80; the template "
        "fits the ink badly (fit error 0.21 above 0.15), so the ink stays"
        for n in range(50)
    )
    try:

        def relayout():
            controller.status = next(statuses)
            controller._changed()
            assert window.refresh()

        benchmark.pedantic(relayout, rounds=300, warmup_rounds=5)
        assert window.scene_view.status.text.count("\n") >= 2  # wrapped, as it must be
    finally:
        window.close()


@pytest.fixture(scope="module")
def doodles_on_a_canvas():
    """canvas(n): a controller (no model) with n of the 300 real raw dev doodles drawn
    side by side over the canvas, through its pen events: the ink of a long session,
    n shapes (small, far enough apart that the gap rule keeps each a shape of its own)."""
    from core.classes import CLASSES
    from core.strokes import iter_ndjson
    from live.controller import Controller
    from live.replay import place_drawings
    from live.settings import LiveSettings
    from tests.conftest import REAL_DEV

    drawings = []
    for cls in CLASSES:
        path = REAL_DEV / "raw" / f"{cls}.ndjson"
        if not path.exists():
            pytest.fail(f"real dev doodles not found at {REAL_DEV}")
        drawings.append(list(iter_ndjson(path)))
    rows = itertools.zip_longest(*drawings)  # the 300, classes mixed
    drawings = [d for row in rows for d in row if d is not None]

    def canvas(n: int) -> Controller:
        c = Controller(LiveSettings(auto_snap=False, preview=False), loader=_no_model)
        t = 0.0
        for placed in place_drawings(drawings[:n], c.settings.canvas_size, margin=0.35):
            for points in placed.strokes:
                c.pen_down(*c.layout.to_view(points[:1])[0], t)
                for p in c.layout.to_view(points[1:]):
                    t += 0.01
                    c.pen_move(*p, t)
                c.pen_up(*c.layout.to_view(points[-1:])[0], t)
                t += 0.3
        return c

    return canvas


@pytest.mark.parametrize("doodles", [10, 100, 300])
def test_drag_event_with_doodles_on_the_canvas(benchmark, doodles_on_a_canvas, doodles):
    """A drag event while the canvas holds 10 to 300 doodles: the scene's ink is the
    same objects as before, so the event should cost about what it costs on an empty
    canvas (every stroke's Polyline was built and its points read: 3.6 ms at 300)."""
    from pyglet.window import mouse

    from live.replay import ManualClock
    from live.window import DrawingWindow

    dispatch = _dispatch()
    controller = doodles_on_a_canvas(doodles)
    window = DrawingWindow(controller, clock=ManualClock())
    try:
        path = _spiral(4000)  # a scribble over the doodles, never released
        moves = np.r_[True, np.any(np.diff(path, axis=0) != 0, axis=1)]
        path = itertools.cycle(path[moves])  # every event a new point
        dispatch(window, "on_mouse_press", *next(path), mouse.LEFT, 0)

        def drag():
            x, y = next(path)
            dispatch(window, "on_mouse_drag", x, y, 1, 1, mouse.LEFT, 0)

        benchmark.pedantic(drag, rounds=1000, warmup_rounds=5)
        benchmark.extra_info["shapes"] = len(controller.shapes)
        benchmark.extra_info["strokes"] = sum(s.n_strokes for s in controller.shapes)
        assert controller.drawing and len(controller.shapes) == doodles
    finally:
        window.close()


@pytest.mark.parametrize("doodles", [10, 100, 300])
def test_a_refresh_with_doodles_on_the_canvas(benchmark, doodles_on_a_canvas, doodles):
    """The scene shown anew with its ink unchanged (a key, a status, the tick after a
    pause): 3.0 ms at 300 shapes when every stroke was looked up by its points."""
    from live.replay import ManualClock
    from live.window import DrawingWindow

    controller = doodles_on_a_canvas(doodles)
    window = DrawingWindow(controller, clock=ManualClock())
    try:

        def refresh():
            controller._changed()
            assert window.refresh()

        benchmark.pedantic(refresh, rounds=300, warmup_rounds=5)
        benchmark.extra_info["shapes"] = len(controller.shapes)
    finally:
        window.close()


def test_a_snaps_morph_frame_after_a_long_stroke(benchmark):
    """One frame of a snap's transition (the ink fades out as the template slides into
    place) after a stroke of 20,000 pen events (17,341 points): its ink was built again
    every frame (130 ms a frame here, 206 to 380 ms in a review at a higher load: seconds
    of a frozen window for a third of a second's animation)."""
    import torch
    from pyglet.window import mouse

    from core.modelconfig import model_config
    from core.models import build_model
    from live.controller import Controller
    from live.replay import ManualClock
    from live.settings import LiveSettings
    from live.window import DrawingWindow
    from tests.live.helpers import biased, loader_of

    torch.manual_seed(0)
    model = biased(build_model(model_config("frankenstein")).eval(), "circle")
    settings = LiveSettings(auto_snap=False, preview=False, max_fit_error=10.0)
    controller = Controller(settings, loader=loader_of({"frankenstein": model}))
    window = DrawingWindow(controller, clock=ManualClock())
    dispatch = _dispatch()
    try:
        a = np.linspace(0, 60 * np.pi, 20000)
        r = 20 + 1.3 * a
        path = np.stack([400 + r * np.cos(a), 300 + r * np.sin(a)], 1).round().astype(int)
        dispatch(window, "on_mouse_press", *path[0], mouse.LEFT, 0)
        for p in path[1:]:
            dispatch(window, "on_mouse_drag", *p, 1, 1, mouse.LEFT, 0)
        dispatch(window, "on_mouse_release", *path[-1], mouse.LEFT, 0)
        assert controller.classify_now() == "circle"
        window.refresh()
        shape = controller.shapes[0]
        frames = itertools.cycle(np.linspace(0, settings.transition_s, 23)[1:-1])

        def frame():
            window.clock.t = shape.snap.at + next(frames)
            window.refresh()

        benchmark.pedantic(frame, rounds=63, warmup_rounds=1)
        benchmark.extra_info["stroke_points"] = len(shape.strokes[0].points)
        assert controller.scene(window.clock()).animating
    finally:
        window.close()


def _dispatch():
    import pyglet  # not at the top: PYGLET_HEADLESS first

    return pyglet.event.EventDispatcher.dispatch_event


@pytest.mark.parametrize("doodles", [10, 300])
def test_a_frame_drawn_with_doodles_on_the_canvas(benchmark, doodles_on_a_canvas, doodles):
    """A frame drawn (clear, the batch drawn, glFinish for the GPU's share): the canvas's
    groups are drawn cut to the canvas (a scissor set and unset once a frame)."""
    import pyglet

    from live.replay import ManualClock
    from live.window import DrawingWindow

    controller = doodles_on_a_canvas(doodles)
    window = DrawingWindow(controller, clock=ManualClock())
    try:

        def frame():
            window.on_draw()
            pyglet.gl.glFinish()

        benchmark.pedantic(frame, rounds=200, warmup_rounds=5)
        benchmark.extra_info["shapes"] = len(controller.shapes)
    finally:
        window.close()
