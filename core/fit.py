"""Fitting a class's template to a drawing's ink: the similarity transform that snaps.

The transform maps template coordinates (the unit box of `core.shapes`) to ink
coordinates: ``ink = scale * R(rotation) @ F(p) + translation``, where F mirrors the
template left-right (x -> 1 - x) when ``mirrored`` and R turns by ``rotation`` radians
(y is down, so a positive angle turns clockwise on the screen).

It minimises the symmetric chamfer distance between template and ink (see
`core.registration`): from several rotation starts (and the mirror image where the
class allows it), a few point-to-point ICP steps for every start, then point-to-line
Gauss-Newton steps for the best few until they settle. The class's template decides
which rotations exist: none for a circle, a small tilt for an upright shape, any for
the rest, reported modulo the shape's symmetry.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import cache

import numpy as np

from core.errors import FrankensteinError
from core.registration import (
    AngleLimit,
    Shape,
    as_complex,
    pair,
    plane_step,
    point_step,
)
from core.shapes import Template, template

N_INK = 64  # points sampled along the ink
N_TEMPLATE = 64  # points sampled along the template
MAX_INK_SEGMENTS = 96  # longer ink keeps every k-th vertex
MAX_TEMPLATE_SEGMENTS = 64
FREE_STARTS = 4  # rotation starts over one symmetry period of a freely turning shape
ELONGATED = 0.3  # (|second moment| / spread) above which the long axis gives a start
UPRIGHT_STARTS = 3  # rotation starts spread over an upright shape's tilt range
COARSE_ITERATIONS = 2  # point-to-point steps for every start
FINE_STARTS = 3  # the best starts after the coarse steps go on
FINE_ITERATIONS = 20  # at most; stops when the transform settles
SETTLED = 3e-3  # a step moving scale and shift by less than this (relative) is the last
_UNIT_CENTRE = 0.5 + 0.5j


class FitError(FrankensteinError, ValueError):
    """Ink that cannot be fitted at all (no points, NaN or infinite coordinates)."""


@dataclass(frozen=True, eq=False)
class Fit:
    """A template placed on ink, and how well it matches.

    `error` is the symmetric chamfer distance (the mean distance from template to
    ink and from ink to template, averaged) over the diagonal of the ink's bounding
    box: 0 is perfect, about 0.05 good, above 0.15 a poor match. Ink whose points all
    coincide (a dot) gets ``scale=0`` and ``error=inf``: there is nothing to fit.
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
        p = as_complex(points)
        if self.mirrored:
            p = 1.0 - np.conj(p)
        z = self.scale * np.exp(1j * self.rotation)
        out = z * p + complex(self.translation[0], self.translation[1])
        return np.stack([out.real, out.imag], axis=1).astype(np.float32)


def fit_template(ink: Sequence[np.ndarray], cls: str) -> Fit:
    """Place the template of class `cls` on ink: strokes, each (n, 2) x, y with y down.

    Raises FitError (a ValueError) for ink without points or with NaN or infinite
    coordinates, and UnknownClassError for an unknown class name.
    """
    t = template(cls)
    strokes = [np.asarray(s, np.float64).reshape(-1, 2) for s in ink]
    if not any(len(s) for s in strokes):
        raise FitError(f"cannot fit a {t.name}: the ink has no points")
    if not all(np.isfinite(s).all() for s in strokes):
        raise FitError(f"cannot fit a {t.name}: the ink has NaN or infinite coordinates")
    points = np.concatenate(strokes)
    lo, hi = complex(*points.min(axis=0)), complex(*points.max(axis=0))
    diag = abs(hi - lo)
    if diag == 0.0:  # a dot: every placement of a zero-size template fits equally
        return _make_fit(t, 0j, lo, False, math.inf)
    ink_shape = Shape.of(strokes, N_INK, MAX_INK_SEGMENTS)

    shape = _template_shape(t.name)
    limit = _angle_limit(t)
    angles, mirrored = _starts(t, shape, ink_shape)
    z, shift = _initial_placement(shape, mirrored, angles, lo, hi)
    for _ in range(COARSE_ITERATIONS):
        z, shift = point_step(pair(shape, mirrored, ink_shape, z, shift), limit)
    pairs = pair(shape, mirrored, ink_shape, z, shift)
    keep = _best_starts(pairs.chamfer, mirrored)
    mirrored, z, shift = mirrored[keep], z[keep], shift[keep]
    for _ in range(FINE_ITERATIONS):
        pairs = pair(shape, mirrored, ink_shape, z, shift)
        z_new, shift_new = plane_step(pairs, z, shift, limit)
        settled = np.all(np.abs(z_new - z) <= SETTLED * np.abs(z)) and np.all(
            np.abs(shift_new - shift) <= SETTLED * diag
        )
        z, shift = z_new, shift_new
        if settled:
            break
    chamfer = pair(shape, mirrored, ink_shape, z, shift).chamfer  # (S,)
    best = int(np.argmin(chamfer))
    centre = shape.centroid()
    if mirrored[best]:
        centre = -centre.conjugate()
    z_best, shift_best = _canonical_rotation(t, z[best], shift[best], centre)
    # `shift` places the centred template; in unit-box coordinates it moves by z * centre.
    translation = shift_best - z_best * _UNIT_CENTRE
    return _make_fit(t, z_best, translation, bool(mirrored[best]), chamfer[best] / diag)


@cache
def _template_shape(cls: str) -> Shape:
    """The template centred on the unit box's centre (so a mirror is p -> -conj(p))."""
    centred = [np.asarray(s, np.float64) - 0.5 for s in template(cls).strokes]
    return Shape.of(centred, N_TEMPLATE, MAX_TEMPLATE_SEGMENTS)


def _angle_limit(t: Template) -> AngleLimit:
    if t.symmetry == 0:
        return (0.0, 0.0)  # turning changes nothing, so the angle stays 0
    if t.upright:
        return (-t.max_tilt, t.max_tilt)
    return None


def _starts(t: Template, shape: Shape, ink: Shape) -> tuple[np.ndarray, np.ndarray]:
    """Rotation starts (S,) and whether each places the mirrored template (S,) bool.

    An elongated shape that turns freely (a paper clip, a line) also starts with its
    long axis along the ink's, either way round: the basin a grid start may miss.
    """
    flips = [False, True] if t.mirror else [False]
    angles, mirrored = [], []
    for flip in flips:
        if t.symmetry == 0:
            a = np.zeros(1)
        elif t.upright:
            a = np.linspace(-t.max_tilt, t.max_tilt, UPRIGHT_STARTS)
        else:
            period = 2 * math.pi / t.symmetry
            k = max(2, math.ceil(FREE_STARTS / t.symmetry))
            a = np.arange(k) * (period / k)
            points = -np.conj(shape.points) if flip else shape.points
            ink_axis, template_axis = _long_axis(ink.points), _long_axis(points)
            if ink_axis is not None and template_axis is not None:
                a = np.concatenate([a, ink_axis - template_axis + np.array([0.0, math.pi])])
        angles.append(a)
        mirrored.append(np.full(len(a), flip))
    return np.concatenate(angles), np.concatenate(mirrored)


def _long_axis(points: np.ndarray) -> float | None:
    """Angle of the points' principal axis, or None if they are not clearly elongated."""
    d = points - points.mean()
    moment = (d * d).sum()  # its angle is twice the axis angle
    spread = (d.real**2 + d.imag**2).sum()
    if spread == 0 or abs(moment) < ELONGATED * spread:
        return None
    return 0.5 * math.atan2(moment.imag, moment.real)


def _best_starts(chamfer: np.ndarray, mirrored: np.ndarray) -> np.ndarray:
    """The FINE_STARTS best starts, always with the best mirrored and the best plain one:
    a few coarse steps cannot yet tell a mirror image from a half turn (a paper clip)."""
    order = np.argsort(chamfer)
    firsts = [order[mirrored[order] == m][0] for m in np.unique(mirrored)]
    rest = [i for i in order if i not in firsts]
    return np.array(firsts + rest)[: max(FINE_STARTS, len(firsts))]


def _initial_placement(shape: Shape, mirrored, angles, lo: complex, hi: complex):
    """Scale and shift that put each start's turned template on the ink's bounding box."""
    p = np.where(mirrored[:, None], -np.conj(shape.points), shape.points)  # (S, M)
    turned = p * np.exp(1j * angles)[:, None]
    t_lo = turned.real.min(1) + 1j * turned.imag.min(1)  # (S,)
    t_hi = turned.real.max(1) + 1j * turned.imag.max(1)
    scale = abs(hi - lo) / np.maximum(np.abs(t_hi - t_lo), 1e-12)
    return scale * np.exp(1j * angles), (lo + hi) / 2 - scale * (t_lo + t_hi) / 2


def _canonical_rotation(t: Template, z: complex, shift: complex, centre: complex):
    """A k-fold symmetric shape's turn reported within +-180/k degrees, the shape kept in place.

    Turning such a template by 360/k degrees about its centre of symmetry (the
    centroid of its outline) leaves it unchanged, so that centre stays where it was.
    """
    if t.upright or t.symmetry < 2:
        return z, shift
    period = 2 * math.pi / t.symmetry
    angle = math.atan2(z.imag, z.real)
    wrapped = angle - period * round(angle / period)
    z2 = abs(z) * complex(math.cos(wrapped), math.sin(wrapped))
    return z2, z * centre + shift - z2 * centre


def _make_fit(t: Template, z: complex, translation: complex, mirrored: bool, error: float) -> Fit:
    fit = Fit(
        cls=t.name,
        scale=float(abs(z)),
        rotation=float(math.atan2(z.imag, z.real)),
        mirrored=mirrored,
        translation=np.array([translation.real, translation.imag]),
        error=float(error),
        strokes=(),
    )
    return replace(fit, strokes=tuple(fit.apply(s) for s in t.strokes))
