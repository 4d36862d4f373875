"""Running the drawing window: build the controller, open the window, schedule its tick.

`run` is what `frankenstein draw` calls. It opens the window first, its panel saying
the model is loading, draws that frame, and loads the model a few frames later on the
event loop (`start`): importing torch and reading the checkpoint take seconds (2.5 s
cold), which used to pass before anything was on screen. The load runs on the main
thread, which it blocks for that time: input that comes meanwhile waits in the OS's
queue and is handled after, in order. A model that cannot be loaded is reported
through `report` (the command line prints it) and shown in the window: drawing works,
there are just no guesses. `screenshot` renders a window headless (after an optional
replay of doodles) into a PNG, e.g. for the README; it and `score_replays` load the
model before they open theirs, and a model that cannot be loaded is an error there.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from core.errors import FrankensteinError
from core.strokes import Drawing
from live.controller import Controller, Loader, load_classifier
from live.settings import LiveSettings

if TYPE_CHECKING:
    from pyglet.clock import Clock

    from live.window import DrawingWindow

FPS = 60.0
# The model loads this long after the window opened: the event loop first handles what
# the window system sent as it appeared (expose, resize) and draws a few frames (three).
LOAD_AFTER_S = 3 / FPS


def _one_thread() -> None:
    """Inference here is one small frame at a time: a single torch thread is fastest
    (measured: 4 ms a stroke vs 130 ms with two threads on a busy 2-core machine)."""
    import torch

    torch.set_num_threads(1)


def open_window(controller: Controller, **kwargs):
    """A `DrawingWindow` on `controller`; a FrankensteinError if no window can be opened."""
    try:
        from live.window import DrawingWindow

        return DrawingWindow(controller, **kwargs)
    except BaseException as e:
        if not _cannot_open(e):
            raise
        raise FrankensteinError(
            f"cannot open a window ({e}); is a display available? "
            "(PYGLET_HEADLESS=1 renders off-screen)"
        ) from None


def _cannot_open(e: BaseException) -> bool:
    """Whether `e` is pyglet failing to open a window: no display, no GL context or
    config, no GL library. pyglet raises unrelated classes for these (no X display is
    `pyglet.display.xlib.NoSuchDisplayException`, not `pyglet.window`'s), raised while
    `pyglet.window` is first imported, so they are told apart by where they come from
    without touching `pyglet.window` again (that would import it, and raise, anew)."""
    if isinstance(e, KeyboardInterrupt | SystemExit):
        return False
    # ImportError, OSError: e.g. no libGL; pyglet's shader errors are BaseExceptions.
    return isinstance(e, ImportError | OSError) or type(e).__module__.startswith("pyglet.")


def run(
    settings: LiveSettings,
    *,
    loader: Loader = load_classifier,
    report: Callable[[str], None] | None = None,
    replay: Sequence[Drawing] = (),
) -> None:
    """Open the drawing window, load the model into it, and run until it is closed."""
    import pyglet

    window = start(settings, loader=loader, report=report, replay=replay)
    try:
        pyglet.app.run()
    finally:
        gc.unfreeze()
        pyglet.clock.unschedule(window.update)
        pyglet.clock.unschedule(_load)


def start(
    settings: LiveSettings,
    *,
    loader: Loader = load_classifier,
    report: Callable[[str], None] | None = None,
    replay: Sequence[Drawing] = (),
    clock: Clock | None = None,
) -> DrawingWindow:
    """Open the window on a controller that has not loaded its model (the panel says it
    is loading), draw that frame, and schedule on `clock` (pyglet's, by default) the
    load, `LOAD_AFTER_S` later, then the replay, and the window's tick; the window."""
    import pyglet

    clock = pyglet.clock.get_default() if clock is None else clock
    window = open_window(Controller(settings, loader=loader, load=False))
    window.switch_to()
    window.on_draw()  # on screen before the event loop runs: the load will hold it
    window.flip()
    clock.schedule_once(_load, LOAD_AFTER_S, window, report, replay)
    clock.schedule_interval(window.update, 1.0 / FPS)
    return window


def _load(
    dt: float,
    window: DrawingWindow,
    report: Callable[[str], None] | None,
    replay: Sequence[Drawing],
) -> None:
    """The window's model, loaded (on the event loop, which waits); then the replay."""
    _one_thread()
    error = window.controller.load()
    if error is not None and report is not None:
        report(f"{error} (the window draws without guesses)")
    if replay:
        _replay(window, replay)
    window.refresh()
    # What is loaded by now (torch, pyglet, the model: 200k objects) lives as long as the
    # window; left out of the garbage collector's full passes, it no longer stalls a
    # frame in each of them (137 ms a pass, measured). `run` thaws it at the end.
    gc.collect()
    gc.freeze()


def _replay(window, drawings: Sequence[Drawing]) -> None:
    from live.replay import ManualClock, place_drawings, replay_drawing

    # Replayed on a clock of its own that starts at 0: against the real clock its
    # snaps are long past, so their transitions show as finished.
    clock, real = ManualClock(), window.clock
    window.clock = clock
    try:
        for placed in place_drawings(drawings, window.controller.settings.canvas_size):
            replay_drawing(window, placed, clock)
    finally:
        window.clock = real


def screenshot(
    settings: LiveSettings,
    path: str | Path,
    *,
    loader: Loader = load_classifier,
    replay: Sequence[Drawing] = (),
) -> Path:
    """Replay doodles into a (headless) window and save what it shows as a PNG. A model
    that cannot be loaded is an error here, and nothing is written: a picture of the
    window without its guesses ("model: none") is not what was asked for."""
    from PIL import Image

    from core.atomic import atomic_open

    _one_thread()
    controller = Controller(settings, loader=loader)
    if controller.error is not None:
        raise FrankensteinError(controller.error)
    window = open_window(controller)
    try:
        _replay(window, replay)
        window.clock = lambda: float("inf")  # every transition finished
        window.refresh()
        pixels = window.frame()
        path = Path(path)
        with atomic_open(path, "wb") as f:
            Image.fromarray(pixels[:, :, :3]).save(f, format="PNG")
    finally:
        window.close()
    return path


def score_replays(
    settings: LiveSettings,
    drawings: Sequence[Drawing],
    *,
    loader: Loader = load_classifier,
    progress: Callable[[int, int], None] | None = None,
) -> dict:
    """Replay each doodle alone through a (headless) window; `live.replay.snap_score`,
    and why the snaps were not checked for familiarity (`familiarity_note`, or None).
    A model that cannot be loaded is an error here (nothing to score), not a warning."""
    from live.replay import ManualClock, replay_one_by_one, snap_score

    _one_thread()
    controller = Controller(settings, loader=loader)
    if controller.error is not None:
        raise FrankensteinError(controller.error)
    window = open_window(controller, clock=ManualClock())
    try:
        score = snap_score(list(replay_one_by_one(window, drawings, progress)))
    finally:
        window.close()
    heed = controller.policy.heed_familiarity
    return {**score, "familiarity_note": controller.classifier.unchecked_familiarity(heed)}
