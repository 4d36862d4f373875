"""Whether a drawing's straight lines stand level: the evidence `core.fit` weighs a
turn against.

The chamfer distance cannot tell a turned shape from a lopsided one: a house whose roof
leans to one side or whose wall slants, an hourglass with one side bulging more, a
square with a lead-in tail fit a turned template closer, by as much as a shape truly
drawn turned does. People draw the lines of a shape that run level or plumb (walls and
floors, an hourglass's bars, a square's sides) level and plumb, and in a turned shape
those lines turn with it; so where the template has such edges, the ink's long straight
runs (its strokes simplified by Ramer-Douglas-Peucker) tell: where the turn that lays
most of them along the template's level and plumb edges is none, the drawing stands
level, whatever a lopsided part makes the closest fit.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

STRAIGHT = 0.015  # a run strays at most this much of the ink's diagonal from its chord
LONG_RUN = 0.15  # runs shorter than this much of the ink's diagonal say nothing
PRECISE = 0.03  # nor do runs whose points stray (RMS) more than this much of their length
LEVEL = math.radians(3)  # a run within this of an edge's direction lies along it
LEVEL_RUNS = 0.3  # of the ink's diagonal: fewer such runs (a wobbly hand's) say nothing
EDGE = 0.1  # a template segment this long (of its unit box) is an edge
PLUMB = math.radians(1)  # a template edge this near level or plumb is one
STEP = math.radians(0.25)  # the turns `lines_turn` tries


@dataclass(frozen=True)
class Runs:
    """The ink's straight runs: lengths (over the ink's diagonal) and directions
    (radians modulo pi)."""

    length: np.ndarray
    angle: np.ndarray


def straight_runs(strokes: Sequence[np.ndarray]) -> Runs:
    """The straight runs of strokes ((n, 2) each): pieces of a stroke that stay within
    STRAIGHT of their chord (Ramer-Douglas-Peucker), LONG_RUN long at least and PRECISE,
    each in the direction of its line of best fit (a wobbly hand's runs, their
    directions a guess, say nothing)."""
    points = [np.asarray(s, np.float64) for s in strokes if len(s) > 1]
    if not points:
        return Runs(np.zeros(0), np.zeros(0))
    diag = float(np.hypot(*np.ptp(np.concatenate(points), axis=0)))
    if diag == 0.0:
        return Runs(np.zeros(0), np.zeros(0))
    length, angle = [], []
    for p in points:
        ends = _simplified(p, STRAIGHT * diag)
        for i, j in itertools.pairwise(ends):
            chord = float(np.hypot(*(p[j] - p[i])))
            if chord < LONG_RUN * diag:
                continue
            direction, spread = _line(p[i : j + 1])
            if spread <= PRECISE * chord:
                length.append(chord / diag)
                angle.append(direction)
    return Runs(np.array(length), np.array(angle))


def _line(p: np.ndarray) -> tuple[float, float]:
    """The direction (radians modulo pi) of a polyline's line of best fit (its length
    weighted evenly) and its points' RMS distance from that line."""
    a, b = p[:-1], p[1:]
    w = np.hypot(*(b - a).T)
    w = w / max(w.sum(), 1e-300)
    mean = w @ (a + b) / 2
    a, b = a - mean, b - mean
    ends = np.einsum("k,ki,kj->ij", w, a, a) + np.einsum("k,ki,kj->ij", w, b, b)
    cross = np.einsum("k,ki,kj->ij", w, a, b)
    second = ends / 3 + (cross + cross.T) / 6  # along each segment, evenly
    values, vectors = np.linalg.eigh(second)
    x, y = vectors[:, 1]
    return math.atan2(y, x) % math.pi, math.sqrt(max(values[0], 0.0))


def _simplified(p: np.ndarray, tolerance: float) -> np.ndarray:
    """Ramer-Douglas-Peucker: the indices of the polyline's vertices that keep it within
    `tolerance`."""
    keep = np.zeros(len(p), bool)
    keep[[0, -1]] = True
    spans = [(0, len(p) - 1)]
    while spans:
        i, j = spans.pop()
        if j <= i + 1:
            continue
        chord = p[j] - p[i]
        rest = p[i + 1 : j] - p[i]
        norm = math.hypot(*chord)
        if norm > 0:
            off = np.abs(chord[0] * rest[:, 1] - chord[1] * rest[:, 0]) / norm
        else:
            off = np.hypot(rest[:, 0], rest[:, 1])
        k = int(np.argmax(off))
        if off[k] > tolerance:
            keep[i + 1 + k] = True
            spans += [(i, i + 1 + k), (i + 1 + k, j)]
    return np.flatnonzero(keep)


def level_axes(strokes: Sequence[np.ndarray]) -> tuple[float, ...]:
    """Which of level (0) and plumb (pi/2) a template's straight edges (segments EDGE
    long at least) run along, within PLUMB: a house both, an hourglass level (its bars),
    a smiley face neither. Stretching or mirroring a template keeps them."""
    v = np.concatenate([np.diff(np.asarray(s, np.float64), axis=0) for s in strokes])
    v = v[np.hypot(v[:, 0], v[:, 1]) >= EDGE]
    angle = np.arctan2(v[:, 1], v[:, 0]) % math.pi
    return tuple(a for a in (0.0, math.pi / 2) if np.any(np.abs(_gap(angle, a)) <= PLUMB))


def along(runs: Runs, directions: Sequence[float], within: float) -> float:
    """How long the runs that lie within `within` of one of the directions are in all
    (over the ink's diagonal)."""
    if not len(directions) or not len(runs.length):
        return 0.0
    gaps = np.abs(_gap(runs.angle[None, :], np.asarray(directions)[:, None]))
    return float(runs.length[(gaps <= within).any(axis=0)].sum())


def lines_turn(runs: Runs, axes: Sequence[float], most: float) -> float | None:
    """The turn (radians, at most `most` either way, and modulo a quarter turn where the
    template has level and plumb edges, else a half) that lays the most of the ink's
    straight runs along the axes, each within LEVEL, and LEVEL_RUNS of them at least
    (in steps of STEP): the least-squares turn of those runs. None where no turn lays
    that many; of turns laying as many, the least."""
    if not len(axes) or not len(runs.length):
        return None
    period = math.pi / len(axes)
    most = min(most, period / 2)
    turns = np.arange(-most, most + STEP / 2, STEP)
    turns = turns[np.argsort(np.abs(turns), kind="stable")]  # the least first
    off = _gap(runs.angle[None, None, :], (np.asarray(axes)[None, :] + turns[:, None])[..., None])
    off = np.take_along_axis(off, np.argmin(np.abs(off), axis=1)[:, None, :], axis=1)[:, 0]
    on = np.abs(off) <= LEVEL  # (turns, runs)
    laid = on @ runs.length
    best = int(np.argmax(laid))
    if laid[best] < LEVEL_RUNS:
        return None
    w = runs.length * on[best]
    return float(turns[best] + (w @ off[best]) / w.sum())


def stands_level(runs: Runs, axes: Sequence[float], lean: float, most: float) -> bool:
    """Whether the ink's straight runs stand level rather than turned by `lean` (radians
    from level): more of them lie along the template's level and plumb edges than along
    those edges turned by the lean (LEVEL_RUNS at least, each within LEVEL or half the
    lean, where that is less), and the turn, at most `most` either way, that lays the
    most of them along the edges (`lines_turn`) is nearer none than the lean."""
    within = min(LEVEL, abs(lean) / 2)
    on_level = along(runs, axes, within)
    if on_level < LEVEL_RUNS or on_level <= along(runs, np.asarray(axes) + lean, within):
        return False
    turn = lines_turn(runs, axes, most)
    period = math.pi / len(axes)
    return turn is not None and abs(turn) < abs(math.remainder(turn - lean, period))


def _gap(angle, axis: float):
    """Signed difference of directions modulo pi, in [-pi/2, pi/2)."""
    return (np.asarray(angle) - axis + math.pi / 2) % math.pi - math.pi / 2
