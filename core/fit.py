"""Fitting a class's template to a drawing's ink: the placement that snaps.

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

Then two freedoms more, each kept only where it fits clearly better (SIMPLER, CLOSER):
a shape that turns is also fitted level (an upright one straight up, one that turns
freely square to the page: a paper clip upside down or on its side, a square, a
hexagon pointing up), and the turned fit wins only where it earns its place
(`_turn_earned`); and the template may be stretched along its own height
(`Template.stretch`; ``ink = scale * R(rotation) @ F(T(p)) + translation``, T making it
`aspect` times as tall about the box's centre), from the placements so far and from
ones that match the ink's extent along each likely axis, so that a rectangle drawn for
a square snaps to that rectangle, not to a square turned to reach across it. A turn or
a stretch must be closer from the ink too, not only where no ink is yet (two thirds of
a circle stays a circle, not an oval over the arc).

A turn fits lopsided ink closer, the closest fit's turn is not the drawing's: a house
whose roof leans or whose wall slants, an hourglass with one side bulging more, a
square with a lead-in tail, a smiley face of one eye and a mouth to one side fitted
turned by 8 to 25 degrees, a few percent closer, though drawn level. So an upright
shape's lean must be closer by more the nearer it is to the shape's limit (LEAN_COST:
a quarter closer at the limit: a smiley face drawn straight stays straight though a
lean of 25 degrees fits its ink an eighth closer), and any turn by far more (LEVEL_COST)
where the ink's straight lines stand level (`core.plumb`: its long straight runs lie
along the level template's level and plumb edges rather than the turned one's).

A template with strokes people often leave out (`Template.optional`: a smiley face's
outline) is also placed by the rest, and a shape with other forms
(`Template.variants`: a mountain of one peak or three) in each form; the closest
snaps where it is clearly closer (`Fit.left_out`, `Fit.variant`), its ink measured
stroke by stroke (`core.parts`: each of the ink's strokes from the one part that
explains it), so that a lone circle is a smiley face's outline, not its eyes and mouth
at twice its size. The strokes left out are drawn round the ink, no larger than it
calls for (`core.undrawn`): nothing drawn says how large a face not drawn is.

Ink that no part of a template is for, drawn sticking out of the shape (`Template.lashes`:
an eye's lashes), is left out: the template is placed by the rest (`core.lashes`,
`Fit.lashes`), so that an eye snaps to the lids drawn, not to a larger eye through the
lashes' tips.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import cache

import numpy as np

from core.errors import FrankensteinError
from core.lashes import lashes
from core.parts import from_ink_by_stroke
from core.plumb import level_axes, stands_level, straight_runs
from core.registration import (
    AngleLimit,
    Pairs,
    Shape,
    as_complex,
    pair,
    plane_step,
    point_step,
    stretch_step,
    stroke_samples,
)
from core.shapes import Template, template
from core.undrawn import shrunk

N_INK = 64  # points sampled along the ink
N_TEMPLATE = 64  # points sampled along the template
MAX_INK_SEGMENTS = 96  # longer ink keeps every k-th vertex
MAX_TEMPLATE_SEGMENTS = 64
FREE_STARTS = 4  # rotation starts over one symmetry period of a freely turning shape
ELONGATED = 0.3  # (|second moment| / spread) above which the long axis gives a start
SLIGHTLY = 0.02  # the same for a stretched start: a stretch of 1.2 is elongated enough
UPRIGHT_STARTS = 3  # rotation starts spread over an upright shape's tilt range
COARSE_ITERATIONS = 2  # point-to-point steps for every start
FINE_STARTS = 3  # the best starts after the coarse steps go on
FINE_ITERATIONS = 20  # at most; stops when the transform settles
SETTLED = 3e-3  # a step moving scale and shift by less than this (relative) is the last
STRETCH_ITERATIONS = 20  # at most, for the stretched fits; stops when none gets closer
STRETCH_FINE_STARTS = 1  # of each tilt limit, after the coarse steps
SIMPLER = 0.05  # a lean or a stretch is kept only where its error is this much lower,
CLOSER = 0.001  # and lower by this much of the ink's diagonal (a clean shape: no noise)
LEAN_COST = 0.2  # an upright shape's lean, more by this times (lean / max_tilt) ** 4
LEVEL_COST = 0.4  # a turn of ink whose straight lines stand level, more by this
_UNIT_CENTRE = 0.5 + 0.5j
MAX_COORDINATE = 1e38  # float32 holds up to 3.4e38


class FitError(FrankensteinError, ValueError):
    """Ink that cannot be fitted at all (no points, NaN, infinite or huge coordinates)."""


@dataclass(frozen=True, eq=False)
class Fit:
    """A template placed on ink, and how well it matches.

    `error` is the symmetric chamfer distance (the mean distance from template to
    ink and from ink to template, averaged) over the diagonal of the ink's bounding
    box: 0 is perfect, about 0.05 good, above 0.15 a poor match. Ink whose points all
    coincide (a dot) gets ``scale=0`` and ``error=inf``: there is nothing to fit. A
    template placed without its optional strokes (`left_out`) has the error of the
    strokes it was placed by; `strokes` holds them all, those left out drawn round the
    ink (`core.undrawn`: smaller than `apply` would place them, where that is larger
    than the ink calls for). A template placed without the ink's lashes (`lashes`: an
    eye's, `core.lashes`) has the error of the rest of the ink, over its own diagonal.
    """

    cls: str
    scale: float
    rotation: float
    mirrored: bool
    translation: np.ndarray  # (2,) float64
    error: float
    strokes: tuple[np.ndarray, ...]  # the template's strokes in ink coordinates, float32
    aspect: float = 1.0  # how many times as tall as the template it was fitted
    left_out: tuple[int, ...] = ()  # the template's strokes the ink lacks (placed by the rest)
    variant: int = 0  # the form placed: 0 the template, i its variants[i - 1]
    lashes: tuple[int, ...] = ()  # the ink's strokes left out as lashes (`core.lashes`)

    def apply(self, points: np.ndarray) -> np.ndarray:
        """Template (unit box) coordinates (n, 2) -> ink coordinates (n, 2) float32."""
        p = as_complex(points)
        if self.aspect != 1.0:
            p = p.real + 1j * (_UNIT_CENTRE.imag + self.aspect * (p.imag - _UNIT_CENTRE.imag))
        if self.mirrored:
            p = 1.0 - np.conj(p)
        z = self.scale * np.exp(1j * self.rotation)
        out = z * p + complex(self.translation[0], self.translation[1])
        return np.stack([out.real, out.imag], axis=1).astype(np.float32)

    def to_template(self, points: np.ndarray) -> np.ndarray:
        """Ink coordinates (n, 2) -> template (unit box) coordinates (n, 2) float64: `apply`
        undone (a fit of scale 0, a dot's, maps every point to the box's centre)."""
        z = self.scale * np.exp(1j * self.rotation)
        p = as_complex(points) - complex(self.translation[0], self.translation[1])
        p = p / z if z != 0 else np.full(len(p), _UNIT_CENTRE)
        if self.mirrored:
            p = 1.0 - np.conj(p)
        if self.aspect != 1.0:
            p = p.real + 1j * (_UNIT_CENTRE.imag + (p.imag - _UNIT_CENTRE.imag) / self.aspect)
        return np.stack([p.real, p.imag], axis=1)


def fit_template(ink: Sequence[np.ndarray], cls: str) -> Fit:
    """Place the template of class `cls` on ink: strokes, each (n, 2) x, y with y down.

    Raises FitError (a ValueError) for strokes that are not (n, 2) numbers, ink
    without points, with NaN or infinite coordinates or any past ±1e38, and
    UnknownClassError for an unknown class name.
    """
    t = template(cls)
    strokes = [_stroke(s, i, t.name) for i, s in enumerate(ink)]
    if not any(len(s) for s in strokes):
        raise FitError(f"cannot fit a {t.name}: the ink has no points")
    if not all(np.isfinite(s).all() for s in strokes):
        raise FitError(f"cannot fit a {t.name}: the ink has NaN or infinite coordinates")
    if np.abs(np.concatenate(strokes)).max() > MAX_COORDINATE:
        raise FitError(
            f"cannot fit a {t.name}: coordinates past ±{MAX_COORDINATE:.0e} "
            "(the template is placed in float32)"
        )
    found = lashes(strokes) if t.lashes else ()
    if found:  # placed by the rest of the ink (`core.lashes`)
        rest = [s for i, s in enumerate(strokes) if i not in found]
        return replace(_fit(t, rest), lashes=found)
    return _fit(t, strokes)


def _fit(t: Template, strokes: list[np.ndarray]) -> Fit:
    """`fit_template` of ink already checked: strokes (n, 2) float64, finite."""
    points = np.concatenate(strokes)
    origin, far = points.min(axis=0), points.max(axis=0)
    size = float(np.hypot(*(far - origin)))
    if size == 0.0:  # a dot: every placement of a zero-size template fits equally
        return _make_fit(t, 0j, complex(*origin), False, math.inf)
    # Fitted in the ink's box scaled to a unit diagonal (squared distances of ink past
    # 1e154 would overflow), then placed back.
    strokes = [(s - origin) / size for s in strokes]
    lo, hi, diag = 0j, complex(*(far - origin)) / size, 1.0
    ink_shape = Shape.of(strokes, N_INK, MAX_INK_SEGMENTS)
    ink_stroke = stroke_samples(strokes, N_INK)[1]  # the stroke each of its points lies on

    runs = cache(lambda: straight_runs(strokes))  # measured where a turn is weighed
    shape = _template_shape(t.name)
    chosen = _place(t, shape, ink_shape, lo, hi, diag, runs, _template_axes(t.name))
    # The parts people draw without the ones they often leave out, then the other forms
    # of the shape: (variant, strokes left out), each taken where clearly closer, its ink
    # measured stroke by stroke.
    others = [(0, t.optional)] if t.optional else []
    others += [(i, ()) for i in range(1, len(t.variants) + 1)]
    variant, left_out = 0, ()
    closest = _chamfer_by_stroke(t.name, chosen, ink_shape, ink_stroke)
    for i, without in others:
        form = _template_shape(t.name, drawn_only=bool(without), variant=i)
        form_axes = _template_axes(t.name, bool(without), i)
        placed = _place(t, form, ink_shape, lo, hi, diag, runs, form_axes)
        by_stroke = _chamfer_by_stroke(t.name, placed, ink_shape, ink_stroke, bool(without), i)
        if _clearly_below(by_stroke, closest, diag):
            chosen, shape, variant, left_out, closest = placed, form, i, without, by_stroke
    c = shape.centroid()
    centre = c.real + 1j * chosen.k * c.imag
    if chosen.mirrored:
        centre = -centre.conjugate()
    z_best, shift_best = _canonical_rotation(t, chosen.z, chosen.shift, centre, chosen.k)
    # `shift` places the centred template; in unit-box coordinates it moves by z * centre.
    translation = shift_best - z_best * _UNIT_CENTRE
    z_best, translation = z_best * size, translation * size + complex(*origin)
    error = chosen.chamfer / diag  # of the strokes it was placed by
    form = t.strokes if variant == 0 else t.variants[variant - 1]
    fit = _make_fit(t, z_best, translation, chosen.mirrored, error, chosen.k, form)
    fit = replace(fit, left_out=left_out, variant=variant)
    if left_out:  # drawn round the ink, no larger than it calls for (`core.undrawn`)
        ink_here = fit.to_template(points)
        undrawn = {i: shrunk(form[i], ink_here, fit.apply) for i in left_out}
        strokes = tuple(undrawn.get(i, s) for i, s in enumerate(fit.strokes))
        fit = replace(fit, strokes=tuple(np.asarray(s, np.float32) for s in strokes))
    return fit


def _stroke(s, i: int, name: str) -> np.ndarray:
    """Stroke `i` as (n, 2) float64, or FitError: an (n, 3) array or an odd flat list
    reshaped into x, y pairs would be other points than the ones drawn."""
    try:
        a = np.asarray(s, np.float64)
    except (TypeError, ValueError):
        raise FitError(f"cannot fit a {name}: stroke {i} is not numbers") from None
    if a.size == 0:
        return a.reshape(0, 2)
    if a.ndim != 2 or a.shape[1] != 2:
        raise FitError(
            f"cannot fit a {name}: stroke {i} is not (n, 2) x, y points (shape {a.shape})"
        )
    return a


def _place(t: Template, shape: Shape, ink_shape: Shape, lo, hi, diag, runs, form_axes):
    """The best placement of the template's `shape` (its straight edges `form_axes`) on
    the ink: the similarity fits, level and turned, then stretched, the simplest unless
    a freer one is clearly closer (and a turn also earns its place, `_turn_earned`)."""
    limit = _angle_limit(t)
    angles, mirrored = _starts(t, shape, ink_shape)
    z, shift = _initial_placement(shape, mirrored, angles, lo, hi)
    for _ in range(COARSE_ITERATIONS):
        z, shift = point_step(pair(shape, mirrored, ink_shape, z, shift), limit)
    pairs = pair(shape, mirrored, ink_shape, z, shift)
    keep = _best_starts(pairs.chamfer, mirrored)
    mirrored, z, shift = mirrored[keep], z[keep], shift[keep]
    group = np.zeros(len(z), int)
    fits = _settle(shape, ink_shape, z, shift, mirrored, group, limit, diag)
    if t.stretch > 1.0:
        fits += _stretch(t, shape, ink_shape, fits, [limit], diag)
    turned = _simplest(fits, diag)  # straight, or stretched where clearly closer
    if t.symmetry == 0:  # round: no turn to weigh
        return turned
    # The same placement level (upright, or square to the page: turned about the
    # template's centre to the nearest such turn), straight and stretched; the turned one
    # is taken only where it earns its place.
    square = _square_turn(_symmetry(t, turned.k), t.upright, float(np.angle(turned.z)))
    level = _fixed(t, shape, ink_shape, fits[0], square, diag)
    return turned if _turn_earned(t, turned, level, diag, runs, form_axes) else level


def _fixed(t: Template, shape, ink_shape, start: _Placed, angle: float, diag) -> _Placed:
    """The placement `start` turned to `angle` about the template's centre and fitted
    there, straight and stretched: the simplest unless clearly closer."""
    z, shift = _levelled(shape, start.z, start.shift, start.mirrored, angle)
    limit = (angle, angle)
    fits = _settle(
        shape, ink_shape, np.array([z]), np.array([shift]),
        np.array([start.mirrored]), np.zeros(1, int), limit, diag,
    )  # fmt: skip
    if t.stretch > 1.0:
        fits += _stretch(t, shape, ink_shape, fits, [limit], diag)
    return _simplest(fits, diag)


def _simplest(fits: list[_Placed], diag: float) -> _Placed:
    """The first fit (the simplest), or a later, freer one where clearly closer."""
    chosen = fits[0]
    for placed in fits[1:]:
        if _clearly_closer(placed, chosen, diag):
            chosen = placed
    return chosen


def _levelled(shape: Shape, z: complex, shift: complex, mirrored: bool, angle: float):
    """The placement z, shift turned to `angle` about the template's centre (for a
    symmetric template its centre of symmetry, so from whichever of its symmetric turns
    is nearest)."""
    centre = shape.centroid()
    if mirrored:
        centre = -centre.conjugate()
    z_new = abs(z) * complex(math.cos(angle), math.sin(angle))
    return z_new, z * centre + shift - z_new * centre


def _square_turn(symmetry: int, upright: bool, angle: float) -> float:
    """The level turn nearest a placement's `angle` (radians): none for an upright shape;
    for one that turns freely, the quarter turn nearest any turn that leaves it the same
    (a paper clip upside down or on its side is level, and a hexagon pointing up)."""
    if upright or symmetry == 0:
        return 0.0
    same = angle + np.arange(symmetry) * (2 * math.pi / symmetry)
    square = np.round(same / (math.pi / 2)) * (math.pi / 2)
    i = int(np.argmin(np.abs(same - square)))
    return math.remainder(float(square[i]), 2 * math.pi)


def _turn_earned(t: Template, turned: _Placed, level: _Placed, diag, runs, form_axes) -> bool:
    """Whether a turned fit is taken over the level one: where clearly closer (SIMPLER,
    CLOSER), an upright shape's by more the nearer it leans to its limit (LEAN_COST),
    and by more again (LEVEL_COST) where the ink's straight lines stand level
    (`core.plumb`: `runs()` gives them, `form_axes` the template's level and plumb
    edges)."""
    if not _clearly_closer(turned, level, diag):
        return False
    margin = SIMPLER
    if t.upright:
        margin += LEAN_COST * (abs(_from_level(t, turned)) / t.max_tilt) ** 4
    if not turned.chamfer < level.chamfer * (1.0 - margin):
        return False
    if turned.chamfer < level.chamfer * (1.0 - margin - LEVEL_COST):
        return True  # the drawing's turn, whatever its straight lines
    most = t.max_tilt if t.upright else math.pi
    return not stands_level(runs(), form_axes, _from_level(t, turned), most)


def _from_level(t: Template, placed: _Placed) -> float:
    """How far a placement is turned from the nearest level turn (radians, signed)."""
    angle = float(np.angle(placed.z))
    square = _square_turn(_symmetry(t, placed.k), t.upright, angle)
    return math.remainder(angle - square, 2 * math.pi)


def _symmetry(t: Template, k: float) -> int:
    """The template's symmetry (`Template.symmetry`) made k times as tall: where k != 1,
    only a half turn leaves it the same, and only where one did (0: round, an oval)."""
    if k == 1.0:
        return t.symmetry
    return 2 if t.symmetry % 2 == 0 else 1


def _clearly_closer(placed: _Placed, than: _Placed, diag: float) -> bool:
    """Whether a freer fit (a lean or a stretch) is closer by enough to take it: in all,
    and from the ink too: a template squeezed onto part of a shape (two thirds of a
    circle drawn, as an oval over them) is closer only where no ink is yet."""
    return _clearly_below(placed.chamfer, than.chamfer, diag) and _clearly_below(
        placed.from_ink, than.from_ink, diag
    )


def _clearly_below(error: float, than: float, diag: float) -> bool:
    """Whether an error is lower by enough to count (SIMPLER, CLOSER)."""
    return error < than - max(SIMPLER * than, CLOSER * diag)


def _chamfer_by_stroke(
    cls: str,
    placed: _Placed,
    ink: Shape,
    ink_stroke: np.ndarray,
    drawn_only: bool = False,
    variant: int = 0,
) -> float:
    """The placement's symmetric chamfer with its ink half taken stroke by stroke
    (`core.parts`): the forms of a template are told apart by which part each stroke
    of the ink was drawn for. (Not from the ink alone: an outline-less smiley's mouth
    lies on the whole template's outline, as close to it.)"""
    to_ink = 2.0 * placed.chamfer - placed.from_ink  # the template's half
    parts = _template_parts(cls, drawn_only, variant)
    args = placed.z, placed.shift, placed.mirrored, placed.k
    return 0.5 * (to_ink + from_ink_by_stroke(parts, ink.points, ink_stroke, *args))


@dataclass(frozen=True)
class _Placed:
    """The best of a batch of placements: z, shift, mirrored, how tall (k), its chamfer."""

    z: complex
    shift: complex
    mirrored: bool
    k: float
    chamfer: float
    from_ink: float  # the ink's mean distance to the template


def _bests(z, shift, mirrored, k, pairs: Pairs, group) -> list[_Placed]:
    """The best placement of each group (0, 1, ...), by the pairs' chamfer."""
    out = []
    for g in range(group.max() + 1):
        i = np.flatnonzero(group == g)[np.argmin(pairs.chamfer[group == g])]
        placed = complex(z[i]), complex(shift[i]), bool(mirrored[i]), float(k[i])
        out.append(_Placed(*placed, pairs.chamfer[i], pairs.from_ink[i]))
    return out


def _limits(tilts: list, group: np.ndarray):
    """One angle limit for all starts, or each start its group's (arrays)."""
    if len(tilts) == 1:
        return tilts[0]
    return tuple(np.array([tilt[i] for tilt in tilts])[group] for i in (0, 1))


def _settle(shape, ink_shape, z, shift, mirrored, group, limit, diag: float) -> list[_Placed]:
    """Point-to-line steps from each placement until they settle; each group's best."""
    for _ in range(FINE_ITERATIONS):
        pairs = pair(shape, mirrored, ink_shape, z, shift)
        z_new, shift_new = plane_step(pairs, z, shift, limit)
        settled = np.all(np.abs(z_new - z) <= SETTLED * np.abs(z)) and np.all(
            np.abs(shift_new - shift) <= SETTLED * diag
        )
        z, shift = z_new, shift_new
        if settled:
            break
    pairs = pair(shape, mirrored, ink_shape, z, shift)
    return _bests(z, shift, mirrored, np.ones(len(z)), pairs, group)


def _stretch(t: Template, shape, ink_shape, fits: list, tilts: list, diag) -> list[_Placed]:
    """The best stretched placement (k times as tall, 1/t.stretch <= k <= t.stretch) for
    each tilt limit: from that limit's unstretched fit, and from placements that match
    the ink's extent turned to its angle, to no angle, and to the ink's long axis and
    across it where the limit allows (either way round, where a half turn is another
    shape). A few steps for all starts, then the best of each limit go on until none
    gets closer. A round template turns freely once stretched (an oval)."""
    if t.symmetry == 0:
        tilts = [None]
    axis = _long_axis(ink_shape.points, SLIGHTLY)
    turns = 2 if t.symmetry % 2 == 0 else 4  # quarter turns that are other shapes
    starts, group = [], []
    for g, (placed, limit) in enumerate(zip(fits, tilts, strict=False)):
        angles = [np.angle(placed.z), 0.0]
        if axis is not None:
            along = [math.remainder(axis + q * math.pi / 2, 2 * math.pi) for q in range(turns)]
            angles += [a for a in along if limit is None or limit[0] <= a <= limit[1]]
        here = [(placed.z, placed.shift, placed.mirrored, 1.0)]
        here += [_box_start(shape, ink_shape, a, placed.mirrored, t.stretch) for a in angles]
        starts += here
        group += [g] * len(here)
    z, shift, mirrored, k = (np.array(c) for c in zip(*starts, strict=True))
    group = np.array(group)
    previous = None
    for i in range(STRETCH_ITERATIONS + 1):
        pairs = pair(shape.stretched(k), mirrored, ink_shape, z, shift)
        if i == COARSE_ITERATIONS:  # the best few of each limit go on
            keep = np.concatenate(
                [
                    np.flatnonzero(group == g)[
                        np.argsort(pairs.chamfer[group == g])[:STRETCH_FINE_STARTS]
                    ]
                    for g in range(len(tilts))
                ]
            )
            z, shift, mirrored, k, group = (c[keep] for c in (z, shift, mirrored, k, group))
            pairs = pair(shape.stretched(k), mirrored, ink_shape, z, shift)
        elif previous is not None and np.all(previous - pairs.chamfer <= SETTLED * pairs.chamfer):
            break  # no start gets closer any more
        if i == STRETCH_ITERATIONS:
            break
        previous = pairs.chamfer
        z, shift, k = stretch_step(pairs, z, shift, k, _limits(tilts, group), t.stretch)
    return _bests(z, shift, mirrored, k, pairs, group)


def _box_start(shape, ink_shape, angle: float, flip: bool, most: float):
    """A placement turned by `angle` whose (stretched) template spans the ink's extent
    along that angle's axes: z, shift, mirrored, k."""
    turn = complex(math.cos(angle), math.sin(angle))
    ink = ink_shape.points / turn  # the ink seen in the turned frame
    p = -np.conj(shape.points) if flip else shape.points
    ink_w, ink_h = np.ptp(ink.real), np.ptp(ink.imag)
    t_w, t_h = max(np.ptp(p.real), 1e-12), max(np.ptp(p.imag), 1e-12)
    scale = max(ink_w / t_w, 1e-12)
    k = float(np.clip((ink_h / t_h) / scale, 1.0 / most, most)) if ink_w > 0 else 1.0
    if ink_w == 0:
        scale = max(ink_h / t_h, 1e-12)
    ink_mid = complex(ink.real.min() + ink_w / 2, ink.imag.min() + ink_h / 2)
    t_mid = complex(p.real.min() + t_w / 2, k * (p.imag.min() + t_h / 2))
    z = scale * turn
    return z, turn * ink_mid - z * t_mid, flip, k


@cache
def _template_shape(cls: str, drawn_only: bool = False, variant: int = 0) -> Shape:
    """The template centred on the unit box's centre (so a mirror is p -> -conj(p));
    `drawn_only`: without its optional strokes (`Template.optional`); `variant` i >= 1:
    its variants[i - 1] instead."""
    return Shape.of(_centred(cls, drawn_only, variant), N_TEMPLATE, MAX_TEMPLATE_SEGMENTS)


@cache
def _template_parts(cls: str, drawn_only: bool = False, variant: int = 0) -> tuple[Shape, ...]:
    """`_template_shape`'s strokes, each a shape of its own (in the same frame)."""
    centred = _centred(cls, drawn_only, variant)
    return tuple(Shape.of([s], N_TEMPLATE, MAX_TEMPLATE_SEGMENTS) for s in centred)


@cache
def _template_axes(cls: str, drawn_only: bool = False, variant: int = 0) -> tuple[float, ...]:
    """Which of level and plumb `_template_shape`'s straight edges run along
    (`core.plumb.level_axes`)."""
    return level_axes(_centred(cls, drawn_only, variant))


def _centred(cls: str, drawn_only: bool, variant: int) -> list[np.ndarray]:
    t = template(cls)
    form = t.strokes if variant == 0 else t.variants[variant - 1]
    kept = [s for i, s in enumerate(form) if not (drawn_only and i in t.optional)]
    return [np.asarray(s, np.float64) - 0.5 for s in kept]


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


def _long_axis(points: np.ndarray, elongated: float = ELONGATED) -> float | None:
    """Angle of the points' principal axis, or None if they are not that elongated."""
    d = points - points.mean()
    moment = (d * d).sum()  # its angle is twice the axis angle
    spread = (d.real**2 + d.imag**2).sum()
    if spread == 0 or abs(moment) < elongated * spread:
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


def _canonical_rotation(t: Template, z: complex, shift: complex, centre: complex, k: float):
    """A k-fold symmetric shape's turn reported within +-180/k degrees, the shape kept in place.

    Turning such a template by 360/k degrees about its centre of symmetry (the
    centroid of its outline) leaves it unchanged, so that centre stays where it was.
    Stretched (k != 1), only a half turn does, and only where k is even (0: round).
    """
    symmetry = _symmetry(t, k)
    if t.upright or symmetry < 2:
        return z, shift
    period = 2 * math.pi / symmetry
    angle = math.atan2(z.imag, z.real)
    wrapped = angle - period * round(angle / period)
    z2 = abs(z) * complex(math.cos(wrapped), math.sin(wrapped))
    return z2, z * centre + shift - z2 * centre


def _make_fit(
    t: Template,
    z: complex,
    translation: complex,
    mirrored: bool,
    error: float,
    k: float = 1.0,
    form: tuple[np.ndarray, ...] | None = None,
) -> Fit:
    fit = Fit(
        cls=t.name,
        scale=float(abs(z)),
        rotation=float(math.atan2(z.imag, z.real)),
        mirrored=mirrored,
        translation=np.array([translation.real, translation.imag]),
        error=float(error),
        strokes=(),
        aspect=float(k),
    )
    return replace(fit, strokes=tuple(fit.apply(s) for s in (form or t.strokes)))
