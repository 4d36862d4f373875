"""Fitting a class's template to a drawing's ink: the similarity transform that snaps.

The transform maps template coordinates (the unit box of `core.shapes`) to ink
coordinates: ``ink = scale * R(rotation) @ F(p) + translation``, where F mirrors the
template left-right (x -> 1 - x) when ``mirrored`` and R turns by ``rotation`` radians
(with y down, a positive angle turns clockwise on the screen).

It minimises the symmetric chamfer distance between points spaced evenly along the
template and along the ink, by iterative closest point (Besl & McKay 1992) with the
closed-form similarity step of Umeyama (1991): every iteration pairs each template
point with its nearest ink point and each ink point with its nearest template point,
then solves for the scale, rotation and shift that best map the pairs. The rotation
is restricted by the template's symmetry and orientation: none for a circle, a small
tilt for an upright shape (the step's optimal angle clipped to the tilt range, which
is exact for fixed pairs since the objective is a cosine in the angle), free for the
rest. ICP finds a local optimum, so it runs from several rotation starts (and from
the mirror image where allowed), all at once as one batch of complex-number arrays.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import cache

import numpy as np

from core.errors import FrankensteinError
from core.shapes import Template, template

N_INK = 64  # points sampled along the ink
N_TEMPLATE = 64  # points sampled along the template
MAX_INK_SEGMENTS = 96  # longer ink keeps every k-th vertex
MAX_TEMPLATE_SEGMENTS = 64
FREE_STARTS = 8  # rotation starts over one symmetry period of a freely turning shape
UPRIGHT_STARTS = 5  # rotation starts spread over an upright shape's tilt range
COARSE_ITERATIONS = 2  # point-to-point steps for every start
FINE_STARTS = 3  # the best starts after the coarse steps go on
FINE_ITERATIONS = 20  # at most; stops when the transform settles
PLANE_LAMBDA = 0.05  # weight of point-to-point distance in the fine steps
SETTLED = 1e-3  # a step that moves scale and shift less than this (relative) is the last
_UNIT_CENTRE = 0.5 + 0.5j


class FitError(FrankensteinError, ValueError):
    """Ink that cannot be fitted at all (no points, NaN or infinite coordinates)."""


@dataclass(frozen=True, eq=False)
class Fit:
    """A template placed on ink, and how well it matches.

    `error` is the symmetric chamfer distance (the mean nearest-point distance from
    template to ink and from ink to template, averaged) over the diagonal of the ink's
    bounding box: 0 is perfect, about 0.05 good, above 0.15 a poor match. Ink whose
    points all coincide (a dot) gets ``scale=0`` and ``error=inf``: nothing to fit.
    """

    cls: str
    scale: float
    rotation: float
    mirrored: bool
    translation: np.ndarray  # (2,) float64
    error: float
    strokes: tuple[np.ndarray, ...]  # the template's strokes in ink coordinates, float32

    def apply(self, points: np.ndarray) -> np.ndarray:
        """Template (unit box) coordinates (n, 2) -> ink coordinates (n, 2) float32."""
        p = _complex(points)
        if self.mirrored:
            p = 1.0 - np.conj(p)
        z = self.scale * np.exp(1j * self.rotation)
        t = complex(self.translation[0], self.translation[1])
        return _real(z * p + t)


def _complex(points: np.ndarray) -> np.ndarray:
    a = np.asarray(points, np.float64).reshape(-1, 2)
    return a[:, 0] + 1j * a[:, 1]


def _real(z: np.ndarray) -> np.ndarray:
    return np.stack([z.real, z.imag], axis=1).astype(np.float32)


def sample_strokes(strokes: Sequence[np.ndarray], n: int) -> np.ndarray:
    """n points evenly spaced along all strokes' length, plus every one-point stroke.

    Returns complex (k,) points x + iy. Strokes of zero length count as dots; the
    jumps between strokes are not ink and get no points.
    """
    starts, vectors, dots = [], [], []
    for s in strokes:
        p = _complex(s)
        if len(p) == 0:
            continue
        seg = np.diff(p)
        if len(seg) == 0 or not np.any(seg):
            dots.append(p[:1])
            continue
        starts.append(p[:-1])
        vectors.append(seg)
    if not starts:
        return np.concatenate(dots) if dots else np.zeros(0, complex)
    a, v = np.concatenate(starts), np.concatenate(vectors)
    cum = np.cumsum(np.abs(v))
    at = (np.arange(n) + 0.5) * (cum[-1] / n)
    i = np.minimum(np.searchsorted(cum, at, side="right"), len(v) - 1)
    before = cum[i] - np.abs(v[i])
    frac = (at - before) / np.maximum(np.abs(v[i]), 1e-12)
    return np.concatenate([a[i] + frac * v[i], *dots])


def _segments(strokes: Sequence[np.ndarray], max_segments: int) -> tuple[np.ndarray, ...]:
    """The polylines' segments as start points a (K,) and vectors v (K,), complex.

    A one-point stroke is a segment of length 0. Long polylines (raw screen ink) keep
    every k-th vertex so K stays near max_segments.
    """
    polylines = [_complex(s) for s in strokes if len(s)]
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
    return a, v, 1.0 / np.maximum((v * np.conj(v)).real, 1e-24)


@dataclass(frozen=True, eq=False)
class _Shape:
    """What the fit needs of one side: points along it and its segments."""

    points: np.ndarray  # (M,) complex
    a: np.ndarray  # (K,) segment starts
    v: np.ndarray  # (K,) segment vectors
    inv_vv: np.ndarray  # (K,) 1 / squared segment lengths


@cache
def _template_shapes(cls: str) -> tuple[_Shape, _Shape]:
    """The template centred on the unit box's centre, plain and mirrored left-right."""
    strokes = [_complex(s) - _UNIT_CENTRE for s in template(cls).strokes]
    out = []
    for flip in (False, True):
        s = [-np.conj(p) if flip else p for p in strokes]
        pairs = [np.stack([p.real, p.imag], axis=1) for p in s]
        out.append(
            _Shape(sample_strokes(pairs, N_TEMPLATE), *_segments(pairs, MAX_TEMPLATE_SEGMENTS))
        )
    return out[0], out[1]


def _starts(t: Template) -> tuple[np.ndarray, np.ndarray]:
    """Rotation starts (S,) and a mirrored flag (S,) for each."""
    if t.symmetry == 0:
        angles = np.zeros(1)
    elif t.upright:
        angles = np.linspace(-t.max_tilt, t.max_tilt, UPRIGHT_STARTS)
    else:
        period = 2 * math.pi / t.symmetry
        k = max(2, math.ceil(FREE_STARTS / t.symmetry))
        angles = np.arange(k) * (period / k)
    flags = [False, True] if t.mirror else [False]
    return np.tile(angles, len(flags)), np.repeat(flags, len(angles))


def fit_template(ink: Sequence[np.ndarray], cls: str) -> Fit:
    """Place the template of class `cls` on ink (strokes, each (n, 2) x, y with y down).

    Raises FitError for ink without points or with non-finite coordinates, and
    UnknownClassError for an unknown class name.
    """
    t = template(cls)
    q = sample_strokes(ink, N_INK)
    if len(q) == 0:
        raise FitError(f"cannot fit a {t.name}: the ink has no points")
    if not np.all(np.isfinite(q)):
        raise FitError(f"cannot fit a {t.name}: the ink has NaN or infinite coordinates")
    lo = complex(q.real.min(), q.imag.min())
    hi = complex(q.real.max(), q.imag.max())
    diag = abs(hi - lo)
    if diag == 0.0:  # a dot: every placement of a zero-size template fits equally
        return _make_fit(t, 0j, complex(q[0]), False, math.inf)
    ink_shape = _Shape(q, *_segments(ink, MAX_INK_SEGMENTS))
    shapes = _template_shapes(t.name)

    # Coarse: every start for a few steps; fine: the best few until they settle.
    angles, flags = _starts(t)
    z, shift = _initial_placement(shapes, flags, angles, lo, hi)
    for _ in range(COARSE_ITERATIONS):
        z, shift = _icp_step(shapes, flags, ink_shape, z, shift, t)
    keep = np.argsort(_chamfer(shapes, flags, ink_shape, z, shift))[:FINE_STARTS]
    flags, z, shift = flags[keep], z[keep], shift[keep]
    for _ in range(FINE_ITERATIONS):
        z_new, shift_new = _plane_step(shapes, flags, ink_shape, z, shift, t)
        settled = np.all(np.abs(z_new - z) <= SETTLED * np.abs(z)) and np.all(
            np.abs(shift_new - shift) <= SETTLED * diag
        )
        z, shift = z_new, shift_new
        if settled:
            break
    errors = _chamfer(shapes, flags, ink_shape, z, shift)  # (S,)
    best = int(np.argmin(errors))
    z_best, shift_best = _canonical_rotation(t, z[best], shift[best], shapes[0])
    # `shift` places the centred template; in unit-box coordinates it moves by z * centre.
    return _make_fit(
        t, z_best, shift_best - z_best * _UNIT_CENTRE, bool(flags[best]), errors[best] / diag
    )


def _nearest(x: np.ndarray, shape: _Shape) -> tuple[np.ndarray, np.ndarray]:
    """Nearest point on a shape's segments to each of x (S, n): points (S, n), distances."""
    s, n = x.shape
    rx = x.real[:, :, None] - shape.a.real  # (S, n, K)
    ry = x.imag[:, :, None] - shape.a.imag
    vx, vy = shape.v.real, shape.v.imag
    u = np.clip((rx * vx + ry * vy) * shape.inv_vv, 0.0, 1.0)
    rx -= u * vx
    ry -= u * vy
    d2 = (rx * rx + ry * ry).reshape(s * n, -1)  # (S * n, K)
    k = np.argmin(d2, axis=1)
    rows = np.arange(s * n)
    nearest = shape.a[k] + u.reshape(s * n, -1)[rows, k] * shape.v[k]
    return nearest.reshape(s, n), np.sqrt(d2[rows, k]).reshape(s, n)


def _template_points(shapes, flags) -> np.ndarray:
    """Each start's template samples, plain or mirrored, (S, M)."""
    return np.where(flags[:, None], shapes[1].points[None, :], shapes[0].points[None, :])


def _initial_placement(shapes, flags, angles, lo, hi):
    """Scale and shift that put each start's turned template on the ink's bounding box."""
    turned = _template_points(shapes, flags) * np.exp(1j * angles)[:, None]  # (S, M)
    t_lo = turned.real.min(1) + 1j * turned.imag.min(1)
    t_hi = turned.real.max(1) + 1j * turned.imag.max(1)
    scale = abs(hi - lo) / np.maximum(np.abs(t_hi - t_lo), 1e-12)  # (S,)
    z = scale * np.exp(1j * angles)
    shift = (lo + hi) / 2 - scale * (t_lo + t_hi) / 2
    return z, shift


def _pairs(shapes, flags, ink: _Shape, z, shift):
    """Closest-point pairs both ways: template-frame points (S, M + N) -> ink points, dists."""
    p = _template_points(shapes, flags)  # (S, M)
    on_ink, d_to_ink = _nearest(z[:, None] * p + shift[:, None], ink)  # (S, M)
    # Ink points taken into each start's template frame find the template's nearest point.
    in_frame = (ink.points[None, :] - shift[:, None]) / z[:, None]  # (S, N)
    on_template = np.empty_like(in_frame)
    d_to_template = np.empty(in_frame.shape)
    for flip in (False, True):
        rows = flags == flip
        if rows.any():
            near, d = _nearest(in_frame[rows], shapes[int(flip)])
            on_template[rows], d_to_template[rows] = near, d * np.abs(z[rows, None])
    src = np.concatenate([p, on_template], axis=1)
    dst = np.concatenate([on_ink, np.broadcast_to(ink.points, in_frame.shape)], axis=1)
    return src, dst, d_to_ink, d_to_template


def _icp_step(shapes, flags, ink: _Shape, z, shift, t: Template):
    """One ICP iteration for all starts: pair closest points both ways, solve the similarity."""
    src, dst, _, _ = _pairs(shapes, flags, ink, z, shift)
    m, n = len(shapes[0].points), len(ink.points)
    w = np.concatenate([np.full(m, 0.5 / m), np.full(n, 0.5 / n)])  # each direction counts half
    src_mean, dst_mean = src @ w, dst @ w  # (S,)
    a, b = src - src_mean[:, None], dst - dst_mean[:, None]
    h = (np.conj(a) * b) @ w  # (S,): the best z is h / var when any angle is allowed
    var = (a.real**2 + a.imag**2) @ w
    angle = _allowed_angle(np.angle(h), t)
    scale = np.maximum((h * np.exp(-1j * angle)).real / np.maximum(var, 1e-24), 1e-9)
    z = scale * np.exp(1j * angle)
    return z, dst_mean - z * src_mean


def _plane_step(shapes, flags, ink: _Shape, z, shift, t: Template):
    """One Gauss-Newton step on point-to-line distances (Chen & Medioni 1991), all starts.

    Point-to-point ICP creeps where the shape barely changes with the angle (a
    hexagon, a smiley's face); the distance along each pair's normal converges in a
    few steps. A small point-to-point term (PLANE_LAMBDA) pins the directions the
    normals leave free, such as sliding along a line.
    """
    src, dst, _, _ = _pairs(shapes, flags, ink, z, shift)  # (S, R) each
    r = z[:, None] * src + shift[:, None] - dst
    n = r / np.maximum(np.abs(r), 1e-12)  # unit residual directions (0 where r is 0)
    m, k = len(shapes[0].points), len(ink.points)
    w = np.concatenate([np.full(m, 0.5 / m), np.full(k, 0.5 / k)])
    angle = np.zeros(len(z)) if t.symmetry == 0 else None
    if angle is None:
        z_new, shift_new = _solve_plane(src, dst, n, w, free=True)
        angle = np.angle(z_new)
        if not t.upright:
            return z_new, shift_new
        clipped = np.clip(angle, -t.max_tilt, t.max_tilt)
        if np.array_equal(clipped, angle):
            return z_new, shift_new
        angle = clipped
    turn = np.exp(1j * angle)[:, None]
    s_new, shift_new = _solve_plane(turn * src, dst, n, w, free=False)
    # A negative scale would be a half turn, which the angle limits exclude.
    return np.maximum(s_new, 1e-9) * turn[:, 0], shift_new


def _solve_plane(src, dst, n, w, free: bool):
    """Least squares for z * src + shift ~ dst along normals n (plus PLANE_LAMBDA of the rest).

    With free=True z is any complex number (scale and angle); otherwise z is real.
    Returns z (S,) and shift (S,).
    """
    cs = np.conj(n) * src
    one, zero = np.ones_like(src.real), np.zeros_like(src.real)
    # Rows of the linear system in (Re z, Im z, Re shift, Im shift), one per equation.
    plane = [cs.real, -cs.imag, n.real, n.imag]
    along_x = [src.real, -src.imag, one, zero]
    along_y = [src.imag, src.real, zero, one]
    cols = [0, 1, 2, 3] if free else [0, 2, 3]
    rows = np.stack(
        [np.concatenate([plane[c], along_x[c], along_y[c]], axis=1) for c in cols], axis=2
    )  # (S, 3R, P)
    target = np.concatenate([(np.conj(n) * dst).real, dst.real, dst.imag], axis=1)  # (S, 3R)
    weight = np.concatenate([w, PLANE_LAMBDA * w, PLANE_LAMBDA * w])  # (3R,)
    a = np.einsum("srp,r,srq->spq", rows, weight, rows)
    b = np.einsum("srp,r,sr->sp", rows, weight, target)
    x = np.linalg.solve(a, b[:, :, None])[:, :, 0]  # (S, P)
    if free:
        return x[:, 0] + 1j * x[:, 1], x[:, 2] + 1j * x[:, 3]
    return x[:, 0], x[:, 1] + 1j * x[:, 2]


def _allowed_angle(angle: np.ndarray, t: Template) -> np.ndarray:
    if t.symmetry == 0:
        return np.zeros_like(angle)
    if t.upright:
        return np.clip(angle, -t.max_tilt, t.max_tilt)
    return angle


def _chamfer(shapes, flags, ink: _Shape, z, shift) -> np.ndarray:
    """Symmetric mean closest-point distance of each start, (S,)."""
    _, _, d_to_ink, d_to_template = _pairs(shapes, flags, ink, z, shift)
    return 0.5 * (d_to_ink.mean(axis=1) + d_to_template.mean(axis=1))


def _canonical_rotation(t: Template, z: complex, shift: complex, shape: _Shape):
    """Report a symmetric shape's turn in (-180/k, 180/k] degrees, the same shape in place.

    Turning a k-fold symmetric template by 360/k degrees about its centre of symmetry
    (the centroid of its outline) leaves it unchanged, so that centre is kept in place.
    """
    if t.upright or t.symmetry < 2:
        return z, shift
    period = 2 * math.pi / t.symmetry
    angle = math.atan2(z.imag, z.real)
    wrapped = angle - period * round(angle / period)
    length = np.abs(shape.v)
    centre = complex(((shape.a + shape.v / 2) * length).sum() / length.sum())
    kept = z * centre + shift
    z2 = abs(z) * complex(math.cos(wrapped), math.sin(wrapped))
    return z2, kept - z2 * centre


def _make_fit(t: Template, z: complex, translation: complex, mirrored: bool, error: float) -> Fit:
    fit = Fit(
        cls=t.name,
        scale=float(abs(z)),
        rotation=float(math.atan2(z.imag, z.real)) if z != 0 else 0.0,
        mirrored=mirrored,
        translation=np.array([translation.real, translation.imag]),
        error=float(error),
        strokes=(),
    )
    strokes = tuple(fit.apply(s) for s in t.strokes)
    return replace(fit, strokes=strokes)
