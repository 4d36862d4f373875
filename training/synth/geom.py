"""Plane geometry for planning doodles: ovals, polygons, corners, closures, splits.

Everything works in the unit canvas of `pen.Sketch` (x right, y down) on float64
arrays of shape (n, 2). These are the pieces people build shapes from: an oval
that is never quite round and never quite closes, a polygon whose sides are
uneven, a corner that is rounded or sharp, a closed outline split into strokes.
"""

from __future__ import annotations

import itertools
import math

import numpy as np

_LINSPACE: dict[int, np.ndarray] = {}


def unit_steps(n: int) -> np.ndarray:
    """np.linspace(0, 1, n), cached (read-only: callers must not write to it)."""
    a = _LINSPACE.get(n)
    if a is None:
        a = np.linspace(0.0, 1.0, n)
        a.flags.writeable = False
        _LINSPACE[n] = a
    return a


def pt(x: float, y: float) -> np.ndarray:
    """A point or offset (2,)."""
    return np.array([x, y])


def rotation(angle: float) -> np.ndarray:
    """2x2 rotation matrix (radians; y points down, so positive turns clockwise on screen)."""
    c, s = math.cos(angle), math.sin(angle)
    return np.array([[c, -s], [s, c]])


def affine(rot: float = 0.0, sx: float = 1.0, sy: float = 1.0, shear: float = 0.0) -> np.ndarray:
    """2x2 map: scale (aspect), then horizontal shear, then rotation."""
    c, s = math.cos(rot), math.sin(rot)
    # rotation @ [[1, shear], [0, 1]] @ diag(sx, sy), multiplied out
    return np.array([[c * sx, (c * shear - s) * sy], [s * sx, (s * shear + c) * sy]])


def oval(
    center: tuple[float, float] | np.ndarray,
    rx: float,
    ry: float,
    start: float,
    sweep: float,
    *,
    rng: np.random.Generator | None = None,
    lumpy: float = 0.0,
    boxy: float = 2.0,
    drift: float = 0.0,
    tilt: float = 0.0,
    per_radian: float = 9.0,
) -> np.ndarray:
    """Points along a hand-drawn ellipse arc.

    `start`, `sweep` in radians (y down, so a positive sweep runs clockwise on
    screen); `lumpy` the amplitude of the low harmonics of the radius (a potato,
    not an ellipse); `boxy` the superellipse exponent (2 = ellipse, 3 = squarish);
    `drift` the relative change of radius from start to end (a spiral that misses
    its start); `tilt` rotates the whole oval. Returns (n, 2).
    """
    n = max(int(abs(sweep) * per_radian), 3)
    u = unit_steps(n)
    t = start + sweep * u
    c, s = np.cos(t), np.sin(t)
    if boxy != 2.0:
        e = 2.0 / boxy
        c = np.copysign(np.abs(c) ** e, c)
        s = np.copysign(np.abs(s) ** e, s)
    r = 1.0 + drift * u
    if lumpy > 0 and rng is not None:
        a = rng.normal(0.0, lumpy, 3)
        p = rng.uniform(0.0, 2 * math.pi, 3)
        r = r + a[0] * np.cos(2 * t + p[0]) + a[1] * np.cos(3 * t + p[1]) + a[2] * np.cos(t + p[2])
    pts = np.empty((n, 2))
    pts[:, 0] = rx * r * c
    pts[:, 1] = ry * r * s
    if tilt:
        pts = pts @ rotation(tilt).T
    return pts + center


def ngon(
    n: int, rng: np.random.Generator, *, irregular: float = 0.1, flat_top: float = 0.6
) -> np.ndarray:
    """Vertices (n, 2) of a roughly regular polygon of radius ~0.5, in screen order.

    `irregular` jitters the angles (as a fraction of the step) and the radii;
    `flat_top` is the chance of a side on top rather than a corner.
    """
    step = 2 * math.pi / n
    phase = -math.pi / 2 + (step / 2 if rng.random() < flat_top else 0.0)
    ang = phase + step * (np.arange(n) + rng.uniform(-irregular, irregular, n) * 0.8)
    rad = 0.5 * (1.0 + rng.uniform(-irregular, irregular, n) * 0.5)
    return np.stack([rad * np.cos(ang), rad * np.sin(ang)], axis=1)


def rect(w: float, h: float, center: tuple[float, float] = (0.0, 0.0)) -> np.ndarray:
    """The 4 corners of an axis-aligned rectangle from its top-left, clockwise on screen."""
    cx, cy = center
    return np.array(
        [
            [cx - w / 2, cy - h / 2],
            [cx + w / 2, cy - h / 2],
            [cx + w / 2, cy + h / 2],
            [cx - w / 2, cy + h / 2],
        ]
    )


def chamfered(w: float, h: float, cuts: np.ndarray) -> np.ndarray:
    """A rectangle with its corners cut off: 8 vertices clockwise from the top left.

    `cuts` (4,): how much of each corner (TL, TR, BR, BL) is cut, as a fraction of
    the shorter side (~0.29 gives a regular octagon; small cuts a rounded square).
    """
    c = np.asarray(cuts) * min(w, h)
    lf, r, t, b = -w / 2, w / 2, -h / 2, h / 2
    return np.array(
        [
            [lf, t + c[0]], [lf + c[0], t], [r - c[1], t], [r, t + c[1]],
            [r, b - c[2]], [r - c[2], b], [lf + c[3], b], [lf, b - c[3]],
        ]
    )  # fmt: skip


def pointed(w: float, h: float, inset: tuple[float, float]) -> np.ndarray:
    """A flat-topped hexagon: a rectangle whose left and right sides come to a point.

    `inset` is how far in from the sides the top and bottom edges start (fractions of w).
    """
    a, b = inset[0] * w, inset[1] * w
    return np.array(
        [
            [-w / 2, 0.0],
            [-w / 2 + a, -h / 2],
            [w / 2 - b, -h / 2],
            [w / 2, 0.0],
            [w / 2 - b, h / 2],
            [-w / 2 + a, h / 2],
        ]
    )


def loop_from(verts: np.ndarray, start: int, reverse: bool) -> np.ndarray:
    """The vertices of a closed polygon starting at `start`, optionally the other way round,
    with the start repeated at the end: (n + 1, 2)."""
    v = np.roll(verts, -start, axis=0)
    if reverse:
        v = np.vstack([v[:1], v[:0:-1]])
    return np.vstack([v, v[:1]])


def close_loosely(path: np.ndarray, over: float) -> np.ndarray:
    """Change how a closed path meets its start: `over` > 0 runs on past the start along
    the first side (an overshoot), `over` < 0 stops short of it (a gap); both as a
    fraction of the first side's length."""
    if over == 0 or len(path) < 3:
        return path
    first = path[1] - path[0]
    if over > 0:
        return np.vstack([path, path[0] + first * min(over, 0.9)])
    last = path[-1] - path[-2]
    return np.vstack([path[:-1], path[-1] + last * max(over, -0.9)])


def round_corners(path: np.ndarray, frac: float, *, closed_start: bool = False) -> np.ndarray:
    """Replace the interior corners of a polyline by short quadratic curves.

    `frac` is the radius as a fraction of the shorter adjacent side (0 = sharp).
    """
    if frac <= 0 or len(path) < 3:
        return path
    prev, mid, nxt = path[:-2], path[1:-1], path[2:]
    a, b = prev - mid, nxt - mid
    la = np.hypot(a[:, 0], a[:, 1])[:, None] + 1e-12
    lb = np.hypot(b[:, 0], b[:, 1])[:, None] + 1e-12
    r = frac * np.minimum(la, lb)
    p0 = mid + a / la * r  # (m, 2) where the curve leaves the incoming side
    p2 = mid + b / lb * r
    ts = np.array([0.0, 0.35, 0.65, 1.0])[None, :, None]  # (1, 4, 1)
    curve = (1 - ts) ** 2 * p0[:, None] + 2 * (1 - ts) * ts * mid[:, None] + ts**2 * p2[:, None]
    return np.vstack([path[:1], curve.reshape(-1, 2), path[-1:]])


def bow_sides(path: np.ndarray, amounts: np.ndarray) -> np.ndarray:
    """Bend each side of a polyline: a midpoint pushed sideways by `amounts` (one per
    side, signed, as a fraction of the side's length). (n, 2) -> (2n - 1, 2)."""
    if len(path) < 2:
        return path
    d = np.diff(path, axis=0)  # (n-1, 2)
    mid = path[:-1] + d / 2 + np.stack([-d[:, 1], d[:, 0]], axis=1) * amounts[: len(d), None]
    out = np.empty((2 * len(path) - 1, 2))
    out[0::2] = path
    out[1::2] = mid
    return out


def extend_ends(path: np.ndarray, start: float, end: float) -> np.ndarray:
    """Run a polyline on past its ends along its first and last segments (fractions of
    those segments): the overshoot where a stroke should have stopped at a corner."""
    if len(path) < 2:
        return path
    out = path.copy()
    out[0] = path[0] + (path[0] - path[1]) * start
    out[-1] = path[-1] + (path[-1] - path[-2]) * end
    return out


def split_path(path: np.ndarray, cuts: list[int]) -> list[np.ndarray]:
    """Cut a polyline at vertex indices: pieces share their cut vertex."""
    bounds = [0, *sorted(set(cuts)), len(path) - 1]
    return [path[a : b + 1] for a, b in itertools.pairwise(bounds) if b > a]


def bow(a: np.ndarray, b: np.ndarray, amount: float, n: int = 5) -> np.ndarray:
    """A line from a to b that bulges sideways by `amount` times its length."""
    t = unit_steps(n)[:, None]
    d = b - a
    normal = np.array([-d[1], d[0]])
    return a + t * d + (4 * amount * t * (1 - t)) * normal


def arc_through(a: np.ndarray, b: np.ndarray, bulge: float, n: int = 12) -> np.ndarray:
    """A circular-ish arc from a to b; `bulge` is the sagitta over the chord (signed:
    positive bulges to the left of a->b on screen)."""
    t = unit_steps(n)[:, None]
    d = b - a
    normal = np.array([d[1], -d[0]])
    return a + t * d + bulge * _half_sine(n)[:, None] * normal


_HALF_SINE: dict[int, np.ndarray] = {}


def _half_sine(n: int) -> np.ndarray:
    """sin(pi * t) at n steps of t in [0, 1], cached."""
    a = _HALF_SINE.get(n)
    if a is None:
        a = np.sin(math.pi * unit_steps(n))
        a.flags.writeable = False
        _HALF_SINE[n] = a
    return a


def scribble_dot(center: np.ndarray, r: float, rng: np.random.Generator) -> np.ndarray:
    """A small filled-in blob: a tight spiral of two turns."""
    t = np.linspace(0.0, 4 * math.pi, 14) + rng.uniform(0, 2 * math.pi)
    rr = r * np.linspace(1.0, 0.2, 14)
    return np.asarray(center) + np.stack([rr * np.cos(t), rr * np.sin(t)], axis=1)
