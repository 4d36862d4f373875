"""Helpers for the shape and fit tests: placing strokes, comparing them as point sets."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from core.registration import Shape, nearest


def place(
    strokes: Sequence[np.ndarray],
    scale: float = 1.0,
    angle: float = 0.0,
    shift: Sequence[float] = (0.0, 0.0),
    mirror: bool = False,
) -> list[np.ndarray]:
    """Unit-box strokes mirrored (x -> 1 - x), scaled, turned by `angle` radians, shifted."""
    c, s = math.cos(angle), math.sin(angle)
    turn = np.array([[c, -s], [s, c]])
    out = []
    for st in strokes:
        p = np.asarray(st, np.float64).copy()
        if mirror:
            p[:, 0] = 1.0 - p[:, 0]
        out.append((scale * p @ turn.T + np.asarray(shift)).astype(np.float32))
    return out


def turn_about(strokes: Sequence[np.ndarray], angle: float, centre: complex) -> list[np.ndarray]:
    """Strokes turned by `angle` radians about a point."""
    z = complex(math.cos(angle), math.sin(angle))
    out = []
    for st in strokes:
        p = st[:, 0] + 1j * st[:, 1]
        q = z * (p - centre) + centre
        out.append(np.stack([q.real, q.imag], axis=1))
    return out


def hausdorff(a: Sequence[np.ndarray], b: Sequence[np.ndarray], n: int = 400) -> float:
    """Symmetric Hausdorff distance between two sets of polylines (n samples along each)."""
    sa, sb = Shape.of(a, n, 10_000), Shape.of(b, n, 10_000)
    _, d_ab = nearest(sa.points[None, :], sb)
    _, d_ba = nearest(sb.points[None, :], sa)
    return float(max(d_ab.max(), d_ba.max()))


def centroid(strokes: Sequence[np.ndarray]) -> complex:
    """Centre of mass of the strokes' outline."""
    return Shape.of(strokes, 1, 10_000).centroid()
