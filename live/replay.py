"""Replaying recorded doodles through the drawing window's own input handlers.

Used by the end-to-end test (real doodles, with their timing, drawn as a person
would: press, drag, release), by `frankenstein draw --replay` (and `--score`, which
replays each doodle alone and reports how many snaps were right), and to make the
README's screenshot. Doodles are placed side by side in a grid over the canvas, each scaled
into its cell; the window's clock is a `ManualClock` that the replay advances to each
point's recorded time.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from core.strokes import Drawing
from live.geometry import flip_y


@dataclass
class ManualClock:
    """A clock that only moves when told: the window's time during a replay."""

    t: float = 0.0

    def __call__(self) -> float:
        return self.t


@dataclass(frozen=True)
class PlacedDrawing:
    """A doodle moved onto the canvas: strokes (n, 2) canvas y up, times (n,) seconds."""

    drawing: Drawing
    strokes: tuple[np.ndarray, ...]
    times: tuple[np.ndarray, ...]


def place_drawings(
    drawings: Sequence[Drawing],
    canvas_size: tuple[int, int],
    cols: int | None = None,
    margin: float = 0.2,
) -> list[PlacedDrawing]:
    """Lay doodles out in a grid over the canvas, each scaled to fit its cell.

    Drawings without times (simplified) get 10 ms per point and 300 ms between strokes.
    """
    n = len(drawings)
    if n == 0:
        return []
    cw, ch = canvas_size
    cols = cols or math.ceil(math.sqrt(n * cw / ch))
    rows = math.ceil(n / cols)
    cell_w, cell_h = cw / cols, ch / rows
    placed = []
    for i, d in enumerate(drawings):
        r, c = divmod(i, cols)
        pts = d.points().astype(np.float64)  # float32's span of ±3e38 would overflow
        lo, hi = pts.min(axis=0), pts.max(axis=0)
        extent = max(float((hi - lo).max()), 1.0)
        scale = min(cell_w, cell_h) * (1 - 2 * margin) / extent
        size = (hi - lo) * scale
        offset = np.array([c * cell_w, r * cell_h]) + (np.array([cell_w, cell_h]) - size) / 2
        strokes = tuple(
            flip_y((np.asarray(s, np.float64) - lo) * scale + offset, ch) for s in d.strokes
        )
        placed.append(PlacedDrawing(d, strokes, _times(d)))
    return placed


def _times(d: Drawing) -> tuple[np.ndarray, ...]:
    if d.times is not None:
        return tuple(np.asarray(t, np.float64) / 1000.0 for t in d.times)
    out, t = [], 0.0
    for s in d.strokes:
        out.append(t + 0.01 * np.arange(len(s)))
        t = out[-1][-1] + 0.3
    return tuple(out)


def replay_drawing(window, placed: PlacedDrawing, clock: ManualClock) -> None:
    """Draw a placed doodle through `window`'s mouse handlers, advancing `clock`."""
    import pyglet
    from pyglet.window import mouse

    dispatch = pyglet.event.EventDispatcher.dispatch_event
    start = clock.t
    for stroke, times in zip(placed.strokes, placed.times, strict=True):
        view = window.controller.layout.to_view(stroke)
        xy = [(round(float(x)), round(float(y))) for x, y in view]
        clock.t = start + float(times[0])
        window.update()  # the clock ticked while the pen was up
        dispatch(window, "on_mouse_press", *xy[0], mouse.LEFT, 0)
        prev = xy[0]
        for (x, y), t in zip(xy[1:], times[1:], strict=True):
            clock.t = start + float(t)
            dispatch(window, "on_mouse_drag", x, y, x - prev[0], y - prev[1], mouse.LEFT, 0)
            prev = (x, y)
        dispatch(window, "on_mouse_release", *prev, mouse.LEFT, 0)
    # The person stops drawing: the pause after the last stroke finishes the shape.
    clock.t += window.controller.settings.pause_s + 0.1
    window.update()


@dataclass(frozen=True)
class ReplayedDoodle:
    """One doodle replayed alone on a cleared canvas: its class and the shapes left snapped."""

    cls: str
    snapped: tuple  # live.canvas.Shape, each with a snap
    key_id: str | None = None  # the doodle's, where it has one


def replay_one_by_one(
    window, drawings: Sequence[Drawing], progress: Callable[[int, int], None] | None = None
):
    """Replay each doodle alone (the canvas cleared before it); yields `ReplayedDoodle`s."""
    c = window.controller
    for i, d in enumerate(drawings):
        c.clear()
        (placed,) = place_drawings([d], c.settings.canvas_size)
        replay_drawing(window, placed, window.clock)
        snapped = tuple(s for s in c.shapes if s.snap is not None)
        yield ReplayedDoodle(d.word, snapped, d.key_id)
        if progress is not None:
            progress(i + 1, len(drawings))


def snap_score(replays: Sequence[ReplayedDoodle]) -> dict:
    """Snaps left on the canvas: precision (share to the doodle's class, every snap
    counted) and recall (share of doodles with a snap to their class), overall and
    per class; and each wrong snap (`wrong`: the doodle's key_id, class, and the class
    a shape of it snapped to)."""
    per_class: dict[str, list[int]] = {}
    snaps = right = recalled = 0
    wrong = []
    for r in replays:
        hits = sum(s.snap.cls == r.cls for s in r.snapped)
        wrong += [
            {"key_id": r.key_id, "true": r.cls, "snapped": s.snap.cls}
            for s in r.snapped
            if s.snap.cls != r.cls
        ]
        snaps, right, recalled = snaps + len(r.snapped), right + hits, recalled + (hits > 0)
        row = per_class.setdefault(r.cls, [0, 0])
        row[0], row[1] = row[0] + 1, row[1] + (hits > 0)
    n = len(replays)
    return {
        "n": n,
        "snaps": snaps,
        "precision": right / snaps if snaps else None,
        "recall": recalled / n if n else None,
        "recall_per_class": {k: hit / total for k, (total, hit) in sorted(per_class.items())},
        "wrong": wrong,
    }
