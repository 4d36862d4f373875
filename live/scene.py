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


def canvas_lines(
    shapes: Sequence[Shape], active: ActiveStroke | None, settings: LiveSettings, now: float
) -> tuple[tuple[Polyline, ...], bool]:
    """The strokes to draw at time `now`: ink, templates (mid-morph while a snap is
    recent), the stroke being drawn (`active`) last; and whether a transition is still
    running."""
    s = settings
    ink = dict(colour=s.colours.ink, width=s.ink_width, kind="ink")
    lines: list[Polyline] = []
    animating = False
    for shape in shapes:
        snap = shape.snap
        if shape.state is not ShapeState.SNAPPED or snap is None:
            lines += [Polyline(p, alpha=1.0, **ink) for p in shape.ink()]
            continue
        p = 1.0 if s.transition_s <= 0 else (now - snap.at) / s.transition_s
        if p < 1.0:
            animating = True
            lines += [Polyline(pts, alpha=1.0 - ease(p), **ink) for pts in shape.ink()]
        for start, end in zip(snap.start, snap.template, strict=True):
            pts = morph(start, end, p) if p < 1.0 else end
            alpha = 0.4 + 0.6 * ease(p)
            lines.append(Polyline(pts, s.colours.template, alpha, s.template_width, "template"))
    if active is not None:
        lines.append(Polyline(active.points, alpha=1.0, growing=active.number, **ink))
    return tuple(lines), animating


def preview_lines(template: Sequence[np.ndarray], settings: LiveSettings) -> tuple[Polyline, ...]:
    """The completion preview: the template the shape being drawn would snap to, fitted
    to its ink, drawn faint (under the ink: the scene lists it first)."""
    s = settings
    return tuple(
        Polyline(pts, s.colours.template, s.preview_alpha, s.template_width, "preview")
        for pts in template
    )
