"""Pure geometry of the drawing window: layout, canvas <-> view transforms, hit tests.

Three coordinate systems, all in pixels:

- **view**: the window, y up (pyglet's mouse events and drawing).
- **canvas**: the drawing's own fixed-size space (`LiveSettings.canvas_size`), y up;
  shapes live here, so resizing the window rescales them without touching them.
- **screen** (core's convention): canvas with y down, what is saved and fitted.

The canvas is scaled uniformly into the drawing area (the window minus the side
panel on the right) and centred; the rest of the drawing area is letterbox, a band
of background beside the canvas (or above and below it).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Rect:
    """An axis-aligned rectangle: lower-left corner (x, y), width w, height h."""

    x: float
    y: float
    w: float
    h: float

    def contains(self, px: float, py: float) -> bool:
        return self.x <= px <= self.x + self.w and self.y <= py <= self.y + self.h


@dataclass(frozen=True)
class Layout:
    """Where the canvas and the panel are in a window of a given size."""

    window: tuple[int, int]
    canvas_size: tuple[int, int]
    panel: Rect
    canvas: Rect  # the canvas's rectangle in view pixels
    scale: float  # view pixels per canvas unit

    def to_canvas(self, x: float, y: float) -> tuple[float, float]:
        """View point -> canvas point (not clamped)."""
        return (x - self.canvas.x) / self.scale, (y - self.canvas.y) / self.scale

    def to_view(self, points: np.ndarray) -> np.ndarray:
        """Canvas points (n, 2) -> view points (n, 2) float32."""
        pts = np.asarray(points, np.float32).reshape(-1, 2)
        return pts * np.float32(self.scale) + np.array([self.canvas.x, self.canvas.y], np.float32)

    def in_canvas(self, x: float, y: float) -> bool:
        """Whether a view point falls on the canvas."""
        return self.canvas.contains(x, y)

    def in_drawing_area(self, x: float, y: float) -> bool:
        """Whether a view point falls left of the panel: on the canvas, or on the band of
        background beside it (a press there starts a stroke at the canvas's edge, as a
        stroke that leaves the canvas follows it: a pen set down a hair off the edge
        meant the canvas)."""
        return self.in_canvas(x, y) or (0 <= x < self.panel.x and 0 <= y <= self.window[1])


def make_layout(window: tuple[int, int], canvas_size: tuple[int, int], panel_width: int) -> Layout:
    """Lay out a window: the panel on the right (at most 40% of the width), the canvas
    fitted into the rest, centred."""
    ww, wh = max(int(window[0]), 1), max(int(window[1]), 1)
    pw = min(panel_width, int(ww * 0.4))
    panel = Rect(ww - pw, 0, pw, wh)
    aw, ah = ww - pw, wh
    cw, ch = canvas_size
    scale = max(min(aw / cw, ah / ch), 1e-6)
    w, h = cw * scale, ch * scale
    canvas = Rect((aw - w) / 2, (ah - h) / 2, w, h)
    return Layout((ww, wh), (cw, ch), panel, canvas, scale)


def fit_window(window: tuple[int, int], minimum: tuple[int, int]) -> tuple[tuple[int, int], float]:
    """The size to lay a window out at, and its zoom (window pixels per layout pixel):
    the window's own size at zoom 1 when it is at least `minimum` both ways; else a size
    of the window's proportions and at least `minimum` both ways, shown zoomed out to
    fill the window (all of the layout in view, smaller, none of it cut off)."""
    w, h = max(int(window[0]), 1), max(int(window[1]), 1)
    zoom = min(1.0, w / minimum[0], h / minimum[1])
    return (max(round(w / zoom), minimum[0]), max(round(h / zoom), minimum[1])), zoom


def clamp_to_canvas(x: float, y: float, canvas_size: tuple[int, int]) -> tuple[float, float]:
    """A canvas point pulled onto the canvas (strokes that leave it follow its edge)."""
    return min(max(x, 0.0), float(canvas_size[0])), min(max(y, 0.0), float(canvas_size[1]))


def flip_y(points: np.ndarray, height: float) -> np.ndarray:
    """Canvas (y up) <-> screen (y down) for (n, 2) points; the same map both ways."""
    out = np.array(points, np.float32).reshape(-1, 2)
    out[:, 1] = height - out[:, 1]
    return out


Box = tuple[float, float, float, float]  # x_min, y_min, x_max, y_max


def bbox(strokes: Sequence[np.ndarray]) -> Box:
    """(x_min, y_min, x_max, y_max) over all points of (n, 2) strokes."""
    pts = np.concatenate([np.asarray(s, np.float32).reshape(-1, 2) for s in strokes])
    lo, hi = pts.min(axis=0), pts.max(axis=0)
    return float(lo[0]), float(lo[1]), float(hi[0]), float(hi[1])


def bbox_gap(a: Box, b: Box) -> float:
    """Distance between two bounding boxes (0 when they touch or overlap)."""
    dx = max(a[0] - b[2], b[0] - a[2], 0.0)
    dy = max(a[1] - b[3], b[1] - a[3], 0.0)
    return float(np.hypot(dx, dy))


def nearest_points(points: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """For each of `points` (n, 2), the nearest of `targets` (k, 2); (n, 2) float32."""
    p = np.asarray(points, np.float32).reshape(-1, 2)
    t = np.asarray(targets, np.float32).reshape(-1, 2)
    d = ((p[:, None, :] - t[None, :, :]) ** 2).sum(-1)  # (n, k)
    return t[d.argmin(axis=1)]
