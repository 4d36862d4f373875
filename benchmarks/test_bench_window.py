"""The drawing window's drag event at the end of a long stroke: ink follows the pen.

A real headless window (pyglet, EGL): each drag event appends a point to the stroke
being drawn and mirrors it into the window's batch. The stroke grows a piece at a
time, so an event should cost the same at the 100th point as at the 4,000th (a slow
scribble, or a pen at a high event rate); the goal is well under a frame at 60 Hz.
No model is loaded: a drag never classifies.
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
