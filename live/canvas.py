"""What is on the canvas: shapes made of ink strokes, snapped templates, undo records
(what redo puts back is `live.redo`).

A *shape* is what one classifier state describes: strokes drawn close together (a
stroke that starts away from the previous ink starts another shape). Its state is

- ``ink``: still being drawn, or left unsnapped;
- ``snapped``: replaced by a template fitted to its ink (the ink is kept, for saving,
  for undo, and for a stroke that joins it, which reopens it as ink);
- ``held``: a snap reverted by undo; it stays ink and does not snap again until it
  changes (a stroke is added or removed).

All points are canvas coordinates (y up); times are seconds on the controller's clock.
"""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass, field, fields
from functools import cached_property
from typing import TYPE_CHECKING, Any

import numpy as np

from live.geometry import Box, bbox, flip_y

if TYPE_CHECKING:
    from core.classifier import Prediction


class ShapeState(enum.Enum):
    INK = "ink"
    SNAPPED = "snapped"
    HELD = "held"


@dataclass(frozen=True, eq=False)
class Stroke:
    """One pen-down..pen-up: points (n, 2) float32 canvas coordinates, times (n,) seconds,
    and `scale`, the window's view pixels per canvas unit when it was drawn: what the
    hand did on screen (a click's slip, a dot) is judged in screen pixels
    (`live.grouping`), whatever the window's size."""

    points: np.ndarray
    times: np.ndarray
    scale: float = 1.0

    @cached_property
    def box(self) -> Box:
        """(x_min, y_min, x_max, y_max), worked out once: the gap rule asks at every
        pen-up for every shape on the canvas. Empty (no points): inside out, so it
        widens no shape's box."""
        if not len(self.points):
            return math.inf, math.inf, -math.inf, -math.inf
        return bbox([self.points])


class ActiveStroke:
    """The stroke being drawn: points appended in O(1) amortised (a buffer that doubles),
    so a long stroke costs no more a point than a short one. `points` is a view that
    later points do not change; `number` tells one stroke being drawn from the next;
    `scale` is the window's (view pixels per canvas unit) at pen-down."""

    def __init__(
        self, number: int, point: tuple[float, float], t: float, scale: float = 1.0
    ) -> None:
        self.number = number
        self.scale = scale
        self._points = np.empty((64, 2), np.float32)
        self._times = np.empty(64, np.float64)
        self._n = 0
        self.append(point, t)

    def __len__(self) -> int:
        return self._n

    def append(self, point: tuple[float, float], t: float) -> bool:
        """Add a point (at time `t`); False (nothing added) if it is the last one again."""
        p = np.asarray(point, np.float32)
        if self._n and np.array_equal(p, self._points[self._n - 1]):
            return False
        if self._n == len(self._points):
            self._points = np.concatenate([self._points, np.empty_like(self._points)])
            self._times = np.concatenate([self._times, np.empty_like(self._times)])
        self._points[self._n], self._times[self._n] = p, t
        self._n += 1
        return True

    @property
    def points(self) -> np.ndarray:
        """(n, 2) float32 canvas points so far (a view)."""
        return self._points[: self._n]

    def stroke(self) -> Stroke:
        """The finished stroke (its own copy of the points)."""
        return Stroke(self.points.copy(), self._times[: self._n].copy(), self.scale)


@dataclass(frozen=True, eq=False)
class Snap:
    """A shape's snap: the class, its fit, and the template in canvas coordinates."""

    cls: str
    confidence: float
    reason: str
    fit: Any  # core.fit.Fit (fitted in screen coordinates, y down)
    template: tuple[np.ndarray, ...]  # (n, 2) float32 canvas polylines
    start: tuple[np.ndarray, ...]  # where each template point starts its morph: nearest ink
    at: float  # when it snapped (seconds)


@dataclass(eq=False)
class Shape:
    """Strokes of one shape, its state, and the classifier's predictions after each stroke."""

    id: int
    strokes: list[Stroke] = field(default_factory=list)
    state: ShapeState = ShapeState.INK
    snap: Snap | None = None
    history: list[Prediction] = field(default_factory=list)
    final: Prediction | None = None  # the finished guess, once the shape was judged finished
    # model name -> (the strokes it read, its history, its finished guess): what each
    # model said of this ink, kept when the model switches or the canvas clears
    seen: dict[str, tuple[tuple[Stroke, ...], list[Prediction], Prediction | None]] = field(
        default_factory=dict
    )

    @property
    def n_strokes(self) -> int:
        return len(self.strokes)

    def box(self) -> Box:
        """The bounding box of its strokes (it must have some)."""
        boxes = np.array([s.box for s in self.strokes])
        lo, hi = boxes[:, :2].min(axis=0), boxes[:, 2:].max(axis=0)
        return float(lo[0]), float(lo[1]), float(hi[0]), float(hi[1])

    def ink(self) -> list[np.ndarray]:
        """The strokes' points, canvas coordinates (y up)."""
        return [s.points for s in self.strokes]

    def screen_ink(self, canvas_height: float) -> list[np.ndarray]:
        """The strokes' points with y down (core's convention), (n, 2) float32 each."""
        return [flip_y(s.points, canvas_height) for s in self.strokes]

    @property
    def guess(self) -> Prediction | None:
        """The latest guess: the finished one once the shape was judged finished, else
        the live one after its last stroke (None before any)."""
        if self.final is not None:
            return self.final
        return self.history[-1] if self.history else None

    def label(self) -> str | None:
        """The snapped class, else the latest top guess, else None."""
        if self.snap is not None:
            return self.snap.cls
        guess = self.guess
        return None if guess is None else guess.label

    def copy(self) -> Shape:
        return Shape(
            self.id,
            list(self.strokes),
            self.state,
            self.snap,
            list(self.history),
            self.final,
            dict(self.seen),
        )

    def restore(self, before: Shape) -> None:
        """Take back every field of `before`, a `copy` of this shape made earlier (redo,
        `live.redo`), as a copy again."""
        copy = before.copy()
        for f in fields(self):
            setattr(self, f.name, getattr(copy, f.name))

    def keep_guesses(self, model: str) -> None:
        """Remember the guesses it holds now as `model`'s of its ink as it is."""
        self.seen[model] = (tuple(self.strokes), self.history, self.final)

    def kept_guesses(self, model: str) -> bool:
        """Take back `model`'s guesses of its ink as it is now, if kept; whether it did.
        None kept (kept while the model was loading: no guesses) are none to take back."""
        strokes, history, final = self.seen.get(model, ((), [], None))
        if not self.strokes or strokes != tuple(self.strokes) or not history:
            return False
        self.history, self.final = list(history), final
        return True


# Undo records, newest last. Each says how to take one step back.


@dataclass(frozen=True)
class AddedStroke:
    """A stroke went into a shape, which then gathered these earlier ink shapes
    (each with its place in the shape list) that its ink had come near."""

    shape_id: int
    gathered: tuple[tuple[int, Shape], ...] = ()


@dataclass(frozen=True)
class Snapped:
    shape_id: int


@dataclass(frozen=True)
class Reopened:
    """A stroke joined a snapped shape: its snap was lifted (undo puts it back)."""

    shape_id: int
    snap: Snap


@dataclass(frozen=True)
class Cleared:
    shapes: tuple[Shape, ...]


UndoRecord = AddedStroke | Snapped | Reopened | Cleared
