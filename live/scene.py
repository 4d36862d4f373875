"""The render model: what the window (or the PNG exporter) draws, as plain data.

The controller builds a `Scene` for a moment in time; the pyglet window mirrors it
into its batch and `live/png.py` paints it with Pillow, so both show the same thing
and a test can look at it without a screen. Points are canvas coordinates (y up).

The snap transition morphs the ink into the template: each template point starts at
the ink point nearest to it and slides to its place while the ink fades out, so the
user sees the ink *become* the template rather than being swapped.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from live.canvas import ActiveStroke, Shape, ShapeState
from live.settings import LiveSettings


@dataclass(frozen=True)
class Polyline:
    """One stroke to draw: (n, 2) float32 canvas points (n >= 1), colour, opacity, width."""

    points: np.ndarray
    colour: tuple[int, int, int]
    alpha: float
    width: float
    kind: str  # "ink", "template" or "preview"
    growing: int | None = None  # the stroke being drawn (its number): it only grows


@dataclass(frozen=True)
class Panel:
    """The side panel's content."""

    # of the last shape that is more than a speck (a click's guesses are no drawing's):
    guesses: tuple[tuple[str, float], ...]  # the top 3 of its latest prediction
    model: str
    n_strokes: int  # its strokes (the shape being drawn, or the one just snapped)
    n_shapes: int
    threshold: float | None
    auto_snap: bool
    status: str
    error: str | None  # e.g. a missing checkpoint; shown in red
    help: tuple[tuple[str, str], ...]  # (keys, what they do), for the help overlay
    help_visible: bool
    status_error: bool = False  # the status is an error (a save that failed): in red
    no_model: bool = False  # none could be loaded: no guesses will come, nor room for them


@dataclass(frozen=True)
class Scene:
    """Everything on screen at one moment."""

    canvas_size: tuple[int, int]
    lines: tuple[Polyline, ...]  # in drawing order
    panel: Panel
    animating: bool  # a transition is running: draw again next frame


def ease(p: float) -> float:
    """Smoothstep on [0, 1]: the transition starts and ends gently."""
    p = min(max(p, 0.0), 1.0)
    return p * p * (3.0 - 2.0 * p)


def morph(start: np.ndarray, end: np.ndarray, progress: float) -> np.ndarray:
    """Template points on their way from `start` (n, 2) to `end` (n, 2) at progress 0..1."""
    e = np.float32(ease(progress))
    return (start + (end - start) * e).astype(np.float32)


def shape_lines(shape: Shape, settings: LiveSettings, now: float) -> tuple[Polyline, ...]:
    """A shape's strokes to draw at time `now`: its ink, or its template (mid-morph, over
    the fading ink, while its snap is recent)."""
    s = settings
    ink = dict(colour=s.colours.ink, width=s.ink_width, kind="ink")
    snap = shape.snap
    if shape.state is not ShapeState.SNAPPED or snap is None:
        return tuple(Polyline(p, alpha=1.0, **ink) for p in shape.ink())
    p = _progress(shape, settings, now)
    lines = []
    if p < 1.0:
        lines += [Polyline(pts, alpha=1.0 - ease(p), **ink) for pts in shape.ink()]
    for start, end in zip(snap.start, snap.template, strict=True):
        pts = morph(start, end, p) if p < 1.0 else end
        alpha = 0.4 + 0.6 * ease(p)
        lines.append(Polyline(pts, s.colours.template, alpha, s.template_width, "template"))
    return tuple(lines)


def _progress(shape: Shape, settings: LiveSettings, now: float) -> float:
    """How far a snapped shape's transition is at `now`: 1 (or more) once it is over."""
    return 1.0 if settings.transition_s <= 0 else (now - shape.snap.at) / settings.transition_s


def _active_line(active: ActiveStroke, settings: LiveSettings) -> Polyline:
    s = settings
    return Polyline(active.points, s.colours.ink, 1.0, s.ink_width, "ink", active.number)


class CanvasLines:
    """The strokes to draw at time `now`: ink, templates (mid-morph while a snap is
    recent), the stroke being drawn (`active`) last; and whether a transition is still
    running. It remembers: a shape whose strokes, state and snap are what they
    were at the last call, and that is not mid-transition, gets the same `Polyline`
    objects again. So a scene costs a look-up a shape rather than a Polyline a stroke,
    and the window tells the ink it already draws by identity (a drag event with 300
    shapes on the canvas rebuilt them all)."""

    def __init__(self) -> None:
        # id(shape) -> (shape, its strokes, state, snap, settings, lines); the shape is
        # held, so its id is not reused while it is here
        self._kept: dict[int, tuple] = {}

    def __call__(
        self,
        shapes: Sequence[Shape],
        active: ActiveStroke | None,
        settings: LiveSettings,
        now: float,
    ) -> tuple[tuple[Polyline, ...], bool]:
        lines: list[Polyline] = []
        animating = False
        kept: dict[int, tuple] = {}
        for shape in shapes:
            snapped = shape.state is ShapeState.SNAPPED and shape.snap is not None
            if snapped and _progress(shape, settings, now) < 1.0:  # mid-morph
                animating = True  # new points and alpha every frame
                lines += shape_lines(shape, settings, now)
                continue
            last = self._kept.get(id(shape))
            if (
                last is None
                or last[0] is not shape
                or last[1] != shape.strokes  # Stroke compares by identity
                or last[2] is not shape.state
                or last[3] is not shape.snap
                or last[4] is not settings
            ):
                drawn = shape_lines(shape, settings, now)
                last = (shape, list(shape.strokes), shape.state, shape.snap, settings, drawn)
            kept[id(shape)] = last
            lines += last[5]
        self._kept = kept
        if active is not None:
            lines.append(_active_line(active, settings))
        return tuple(lines), animating


def preview_lines(template: Sequence[np.ndarray], settings: LiveSettings) -> tuple[Polyline, ...]:
    """The completion preview: the template the shape being drawn would snap to, fitted
    to its ink, drawn faint (under the ink: the scene lists it first)."""
    s = settings
    return tuple(
        Polyline(pts, s.colours.template, s.preview_alpha, s.template_width, "preview")
        for pts in template
    )
