"""Registering a point set on ink by a 2-D similarity (and a stretch of the point set
along its height, `stretch_step`): the geometry under `core.fit`.

Points are complex numbers x + iy (y down), so a similarity is ``z * p + shift`` with
z = scale * e^(i angle), and every operation runs on a batch of S starting placements
at once, as arrays (S, ...). A `Shape` is one side of the match: points spaced evenly
along it and its segments, so a distance is to the nearest point on a segment, not
to the nearest sample (which would stall the fit where the samples fall).

Two steps share one pairing: each template point with its nearest point on the ink,
and each ink point with its nearest point on the template (a symmetric chamfer).

- `point_step`: iterative closest point (Besl & McKay 1992) with the closed-form
  similarity of Umeyama (1991). Robust from far away, slow near the optimum.
- `plane_step`: one Gauss-Newton step on point-to-line distances (Chen & Medioni
  1991); converges in a few steps where point-to-point creeps (an angle that barely
  changes the shape, a hexagon or a smiley's face). A small point-to-point term pins
  the directions the normals leave free, such as sliding along a line.

An angle limit ``(lo, hi)`` restricts the rotation (``(0, 0)``: none; arrays (S,): one
limit a start, so that fits with different limits run as one batch). For fixed pairs
the point-to-point objective is a cosine in the angle, so clipping its optimum to the
limit is exact; the plane step re-solves scale and shift at the clipped angle.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

PLANE_LAMBDA = 0.05  # weight of point-to-point distance in the plane step
AngleLimit = tuple[float, float] | tuple[np.ndarray, np.ndarray] | None


def as_complex(points) -> np.ndarray:
    """(n, 2) x, y -> (n,) complex128."""
    a = np.asarray(points, np.float64).reshape(-1, 2)
    return a[:, 0] + 1j * a[:, 1]


def sample_strokes(strokes: Sequence[np.ndarray], n: int) -> np.ndarray:
    """n points evenly spaced along all strokes' length, plus both ends of every stroke
    (of at most about n of them, `_spread`).

    Returns complex (k,) points. A zero-length stroke is a dot (one point); the jumps
    between strokes are not ink and get no points. The ends are kept so that a shape
    cannot shrink inside its ink unnoticed (a line's length is measured exactly).
    """
    return stroke_samples(strokes, n)[0]


def stroke_samples(strokes: Sequence[np.ndarray], n: int) -> tuple[np.ndarray, np.ndarray]:
    """`sample_strokes`' points (k,) complex, and the index of the stroke each lies on (k,) int."""
    starts, vectors, owners, ends, end_owners = [], [], [], [], []
    for stroke, s in enumerate(strokes):
        p = as_complex(s)
        if len(p) == 0:
            continue
        seg = np.diff(p)
        if not np.any(seg):
            ends.append(p[:1])
            end_owners.append([stroke])
            continue
        starts.append(p[:-1])
        vectors.append(seg)
        owners.append(np.full(len(seg), stroke))
        ends.append(p[[0, -1]])
        end_owners.append([stroke, stroke])
    if ends:
        keep = _spread(np.concatenate(ends), n)
        ends, end_owners = np.concatenate(ends)[keep], np.concatenate(end_owners)[keep]
    else:
        ends, end_owners = np.zeros(0, complex), np.zeros(0, int)
    if not starts:
        return ends, end_owners
    a, v, owner = np.concatenate(starts), np.concatenate(vectors), np.concatenate(owners)
    length = np.abs(v)
    cum = np.cumsum(length)
    at = (np.arange(n) + 0.5) * (cum[-1] / n)
    i = np.minimum(np.searchsorted(cum, at, side="right"), len(v) - 1)
    frac = (at - (cum[i] - length[i])) / np.maximum(length[i], 1e-12)
    return np.concatenate([a[i] + frac * v[i], ends]), np.concatenate([owner[i], end_owners])


def _spread(ends: np.ndarray, n: int) -> np.ndarray:
    """Which of the strokes' ends to keep, at most about n (a thousand short strokes would
    otherwise make a fit take seconds): evenly spaced in drawing order, with the four
    outermost, so the sample still spans the ink's box."""
    if len(ends) <= n:
        return np.arange(len(ends))
    keep = np.linspace(0, len(ends) - 1, n).round().astype(int)
    extremes = [ends.real.argmin(), ends.real.argmax(), ends.imag.argmin(), ends.imag.argmax()]
    return np.unique(np.concatenate([keep, extremes]))


@dataclass(frozen=True, eq=False)
class Shape:
    """One side of a match: points along it (M,) and its segments a + u v, u in [0, 1] (K,)."""

    points: np.ndarray
    a: np.ndarray
    v: np.ndarray
    inv_vv: np.ndarray  # 1 / |v|^2 (huge for the zero-length segment of a dot)

    @classmethod
    def of(cls, strokes: Sequence[np.ndarray], n_points: int, max_segments: int) -> Shape:
        """Sample strokes; long polylines (raw screen ink) keep every k-th vertex, and
        ink of more strokes than `max_segments` every k-th segment."""
        polylines = [as_complex(s) for s in strokes if len(s)]
        total = sum(max(len(p) - 1, 1) for p in polylines)
        step = max(1, math.ceil(total / max_segments))
        starts, vectors = [], []
        for p in polylines:
            if step > 1 and len(p) > 2:
                p = np.concatenate([p[:-1:step], p[-1:]])
            if len(p) == 1:
                p = np.concatenate([p, p])
            starts.append(p[:-1])
            vectors.append(np.diff(p))
        a, v = np.concatenate(starts), np.concatenate(vectors)
        if len(a) > max_segments:  # many strokes of a segment or two each
            keep = np.linspace(0, len(a) - 1, max_segments).round().astype(int)
            a, v = a[keep], v[keep]
        inv_vv = 1.0 / np.maximum(v.real**2 + v.imag**2, 1e-24)
        return cls(sample_strokes(strokes, n_points), a, v, inv_vv)

    def stretched(self, k: np.ndarray) -> Shape:
        """This (unbatched) shape made k times as tall for each start: a batch of S shapes
        (points (S, M), segments (S, K)) for k (S,). The points keep their places along
        the outline (no longer evenly spaced where k is far from 1)."""
        k = np.asarray(k, np.float64)[:, None]

        def tall(c: np.ndarray) -> np.ndarray:
            return c.real + 1j * (k * c.imag)

        v = tall(self.v)
        inv_vv = 1.0 / np.maximum(v.real**2 + v.imag**2, 1e-24)
        return Shape(tall(self.points), tall(self.a), v, inv_vv)

    def centroid(self) -> complex:
        """Centre of mass of the outline (segments weighted by length)."""
        length = np.abs(self.v)
        return complex(((self.a + self.v / 2) * length).sum() / max(length.sum(), 1e-24))


def nearest(x: np.ndarray, shape: Shape) -> tuple[np.ndarray, np.ndarray]:
    """Nearest point on the shape's segments to each of x (S, n): points and distances (S, n).
    The shape is one for all S, or a batch of S (`Shape.stretched`), one for each row."""
    s, n = x.shape
    batched = shape.a.ndim == 2
    a, v, inv_vv = (c[:, None, :] if batched else c for c in (shape.a, shape.v, shape.inv_vv))
    rx = x.real[:, :, None] - a.real  # (S, n, K)
    ry = x.imag[:, :, None] - a.imag
    vx, vy = v.real, v.imag
    u = np.clip((rx * vx + ry * vy) * inv_vv, 0.0, 1.0)
    rx -= u * vx
    ry -= u * vy
    d2 = (rx * rx + ry * ry).reshape(s * n, -1)  # (S * n, K)
    k = np.argmin(d2, axis=1)
    rows = np.arange(s * n)
    at = u.reshape(s * n, -1)[rows, k]
    if batched:
        row = rows // n
        on = shape.a[row, k] + at * shape.v[row, k]
    else:
        on = shape.a[k] + at * shape.v[k]
    return on.reshape(s, n), np.sqrt(d2[rows, k]).reshape(s, n)


@dataclass(frozen=True)
class Pairs:
    """Closest-point pairs of each start: src (template frame) ~ dst (ink), (S, M + N)."""

    src: np.ndarray
    dst: np.ndarray
    weight: np.ndarray  # (M + N,): each direction weighs a half in total
    chamfer: np.ndarray  # (S,) symmetric mean closest-point distance, in ink units
    from_ink: np.ndarray  # (S,) its ink half: the ink's mean distance to the template


def pair(template: Shape, mirrored: np.ndarray, ink: Shape, z, shift) -> Pairs:
    """Pair both ways for each start: F(p) placed by z * F(p) + shift, where F mirrors the
    template (p -> -conj(p), left-right about its centre) on the starts marked mirrored."""
    flip = mirrored[:, None]  # (S, 1)
    p = np.where(flip, -np.conj(template.points), template.points)  # (S, M)
    on_ink, d_to_ink = nearest(z[:, None] * p + shift[:, None], ink)  # (S, M)
    # Ink points taken into each start's template frame (unmirrored there, so that one
    # set of segments serves all starts) find the template's nearest point.
    in_frame = (ink.points[None, :] - shift[:, None]) / z[:, None]  # (S, N)
    on, d = nearest(np.where(flip, -np.conj(in_frame), in_frame), template)
    on_template = np.where(flip, -np.conj(on), on)
    m, n = p.shape[1], len(ink.points)
    from_ink = (d * np.abs(z[:, None])).mean(axis=1)
    return Pairs(
        src=np.concatenate([p, on_template], axis=1),
        dst=np.concatenate([on_ink, np.broadcast_to(ink.points, in_frame.shape)], axis=1),
        weight=np.concatenate([np.full(m, 0.5 / m), np.full(n, 0.5 / n)]),
        chamfer=0.5 * (d_to_ink.mean(axis=1) + from_ink),
        from_ink=from_ink,
    )


def point_step(pairs: Pairs, limit: AngleLimit) -> tuple[np.ndarray, np.ndarray]:
    """Umeyama's closed-form similarity for the pairs, angle clipped to the limit: z, shift (S,)."""
    w = pairs.weight
    src_mean, dst_mean = pairs.src @ w, pairs.dst @ w  # (S,)
    a, b = pairs.src - src_mean[:, None], pairs.dst - dst_mean[:, None]
    h = (np.conj(a) * b) @ w  # (S,): the best z is h / var when any angle is allowed
    var = (a.real**2 + a.imag**2) @ w
    angle = np.angle(h) if limit is None else np.clip(np.angle(h), *limit)
    scale = np.maximum((h * np.exp(-1j * angle)).real / np.maximum(var, 1e-24), 1e-9)
    z = scale * np.exp(1j * angle)
    return z, dst_mean - z * src_mean


def plane_step(pairs: Pairs, z, shift, limit: AngleLimit) -> tuple[np.ndarray, np.ndarray]:
    """Gauss-Newton on point-to-line distances from the placement z, shift: new z, shift (S,)."""
    z_new, shift_new, _ = _plane(pairs, z, shift, limit, None)
    return z_new, shift_new


def stretch_step(pairs: Pairs, z, shift, k, limit: AngleLimit, most: float):
    """`plane_step` that also solves how tall the template is: the pairs' src are a
    template made k (S,) times as tall (`Shape.stretched`), and the step returns z,
    shift and the new k, kept within 1/most to most. The placement z * (x + i k y)
    is linear in z and in k apart: the step is Gauss-Newton's on both at once."""
    tall = z[:, None] * 1j * (pairs.src.imag / k[:, None])  # how the ink moves with k
    z_new, shift_new, dk = _plane(pairs, z, shift, limit, tall)
    return z_new, shift_new, np.clip(k + dk, 1.0 / most, most)


def _plane(pairs: Pairs, z, shift, limit: AngleLimit, extra):
    r = z[:, None] * pairs.src + shift[:, None] - pairs.dst
    n = r / np.maximum(np.abs(r), 1e-12)  # unit residual directions (0 where r is 0)
    if limit is not None and not np.any(limit[0]) and not np.any(limit[1]):
        clipped = np.zeros(len(z))  # no start may turn
    else:
        z_new, shift_new, more = _solve_plane(pairs, pairs.src, n, True, extra)
        if limit is None:
            return z_new, shift_new, more
        angle = np.angle(z_new)
        clipped = np.clip(angle, *limit)
        if np.array_equal(clipped, angle):
            return z_new, shift_new, more
    turn = np.exp(1j * clipped)
    scale, shift_new, more = _solve_plane(pairs, turn[:, None] * pairs.src, n, False, extra)
    # A negative scale would be a half turn, which the angle limit excludes.
    return np.maximum(scale.real, 1e-9) * turn, shift_new, more


def _solve_plane(pairs: Pairs, src, n, free: bool, extra=None):
    """Least squares for z * src + shift (+ extra * t) ~ dst along normals n (plus
    PLANE_LAMBDA of all).

    z is any complex number with free=True, else real; `extra` (S, R), where given, is
    one more unknown's column t. Returns z, shift, t (S,) (t None without `extra`).
    """
    cs = np.conj(n) * src
    one, zero = np.ones_like(src.real), np.zeros_like(src.real)
    # One column per unknown (Re z, Im z, Re shift, Im shift[, t]), one row per
    # equation: the distance along the normal, then the x and y offsets.
    plane = [cs.real, -cs.imag, n.real, n.imag]
    along_x = [src.real, -src.imag, one, zero]
    along_y = [src.imag, src.real, zero, one]
    cols = [0, 1, 2, 3] if free else [0, 2, 3]
    if extra is not None:
        plane.append((np.conj(n) * extra).real)
        along_x.append(extra.real)
        along_y.append(extra.imag)
        cols.append(4)
    rows = np.stack(
        [np.concatenate([plane[c], along_x[c], along_y[c]], axis=1) for c in cols], axis=2
    )  # (S, 3R, P)
    dst = pairs.dst
    target = np.concatenate([(np.conj(n) * dst).real, dst.real, dst.imag], axis=1)  # (S, 3R)
    w = pairs.weight
    weight = np.concatenate([w, PLANE_LAMBDA * w, PLANE_LAMBDA * w])  # (3R,)
    weighted = np.swapaxes(rows, 1, 2) * weight  # (S, P, 3R)
    a = weighted @ rows  # (S, P, P)
    b = weighted @ target[:, :, None]  # (S, P, 1)
    x = np.linalg.solve(a, b)[:, :, 0]  # (S, P)
    t = x[:, -1] if extra is not None else None
    if free:
        return x[:, 0] + 1j * x[:, 1], x[:, 2] + 1j * x[:, 3], t
    return x[:, 0] + 0j, x[:, 1] + 1j * x[:, 2], t
