"""Scribbles: ink that crosses itself all over is no shape.

A person scrubbing the pen around (a random walk in a disc, crossing out, shading a
patch) draws ink that the classifiers can read as a sun or a cloud at 0.99, and the
familiarity check (core/familiar.py) stops only some of it. What no shape's doodle
has is many *self-crossings*: two pieces of ink crossing each other, within a stroke
or across strokes. `crossings` counts them on the ink resampled at a spacing set by
the ink's own size (a 64th of its bounding box's diagonal, or longer so that it has
at most `MAX_SEGMENTS` segments), so the count is the same for the same shape drawn
at any size, with any number of points, in screen or simplified coordinates.

Measured (`python -m experiments.probes.scribble`; docs/training.md, "Scribbles"): the
300 real dev doodles cross themselves at most 82 times (a hockey stick whose blade is
shaded in), the next most 28 (an ice cream with sprinkles), 1,800 synthetic doodles at
most 25; random walks in a disc of 500 to 2,000 points at least 223, smooth ones of
1,000 or more at least 139. A shape with `SCRIBBLE_CROSSINGS` or more crossings is a
scribble and never snaps (core/snap.py, rule 6). Counting takes about 0.4 ms for a
real doodle, 0.6 to 2 ms for a scribble of 1,000 points.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

SCRIBBLE_CROSSINGS = 150  # this many self-crossings or more: a scribble
PER_DIAGONAL = 64  # resampling spacing: the ink box's diagonal over this
MAX_SEGMENTS = 512  # or longer, so the ink has at most about this many segments
# the cells a segment's cell is paired with: itself and 4 of its 8 neighbours (the
# other 4 pair with it from their side), so each pair of cells is tested once
_NEIGHBOURS = ((0, 0), (1, -1), (1, 0), (1, 1), (0, 1))


def _resampled(strokes: Sequence[np.ndarray]) -> list[np.ndarray]:
    """Each stroke's points at equal steps along it of at most the spacing (the last
    step of a stroke too), so no segment is longer than the spacing; strokes without
    length (dots) dropped."""
    strokes = [np.asarray(s, np.float64).reshape(-1, 2) for s in strokes]
    strokes = [s for s in strokes if len(s) > 1]
    if not strokes:
        return []
    allp = np.concatenate(strokes)
    diagonal = math.hypot(*(allp.max(axis=0) - allp.min(axis=0)))
    steps = [np.hypot(*np.diff(s, axis=0).T) for s in strokes]
    length = float(sum(float(d.sum()) for d in steps))
    if not (diagonal > 0 and math.isfinite(length)):
        return []
    spacing = max(diagonal / PER_DIAGONAL, length / MAX_SEGMENTS)
    out = []
    for s, d in zip(strokes, steps, strict=True):
        moving = d > 0
        total = float(d.sum())
        if total == 0:
            continue
        along = np.concatenate([[0.0], np.cumsum(d[moving])])
        points = np.concatenate([s[:1], s[1:][moving]])
        at = np.linspace(0.0, total, math.ceil(total / spacing) + 1)
        out.append(
            np.stack([np.interp(at, along, points[:, 0]), np.interp(at, along, points[:, 1])], 1)
        )
    return out


def crossings(strokes: Sequence[np.ndarray]) -> int:
    """How many times the ink crosses itself: pairs of segments, of one stroke or of
    two, that cross (touching ends do not count, nor a segment and the next of its
    stroke), with the ink resampled as the module docstring says.

    Only segments whose midpoints lie in the same or neighbouring grid cells (a cell
    as wide as the longest segment) can cross, so only those pairs are tested: about
    13,000 for a scribble of 1,000 points, not the 130,000 of every pair."""
    resampled = _resampled(strokes)
    if not resampled:
        return 0
    a = np.concatenate([s[:-1] for s in resampled])  # (N, 2) segment starts
    r = np.concatenate([s[1:] for s in resampled]) - a  # (N, 2) start to end
    # the next segment of the same stroke shares an end with it: never a crossing
    follows = np.concatenate([np.r_[np.ones(len(s) - 2, bool), False] for s in resampled])
    cell_size = max(float(np.hypot(r[:, 0], r[:, 1]).max()), 1e-300)
    cell = np.floor((a + r / 2) / cell_size).astype(np.int64)
    cell -= cell.min(axis=0) - 1  # >= 1, so the neighbour below the row stays >= 0
    rows = int(cell[:, 1].max()) + 2
    key = cell[:, 0] * rows + cell[:, 1]
    order = np.argsort(key, kind="stable")
    sorted_keys = key[order]
    offsets = np.array([dx * rows + dy for dx, dy in _NEIGHBOURS])
    want = (key[None, :] + offsets[:, None]).ravel()  # (5 N,) the cells each is paired with
    lo = np.searchsorted(sorted_keys, want, "left")
    count = np.searchsorted(sorted_keys, want, "right") - lo
    i = np.repeat(np.tile(np.arange(len(key)), len(offsets)), count)
    first = np.repeat(lo - np.cumsum(count) + count, count)
    j = order[np.arange(len(i)) + first]
    same_cell = np.repeat(np.repeat(offsets == 0, len(key)), count)
    lo_ij = np.minimum(i, j)
    keep = ~(same_cell & (j <= i)) & ~((np.abs(i - j) == 1) & follows[lo_ij])
    return _crossing(a, r, i[keep], j[keep])


def _crossing(a: np.ndarray, r: np.ndarray, i: np.ndarray, j: np.ndarray) -> int:
    """How many of the segment pairs (i, j) (starts `a`, start to end `r`) cross
    properly: each strictly inside the other."""
    ax, ay, rx, ry = a[:, 0], a[:, 1], r[:, 0], r[:, 1]
    dx, dy = ax[j] - ax[i], ay[j] - ay[i]
    pr_x, pr_y, qs_x, qs_y = rx[i], ry[i], rx[j], ry[j]
    denom = pr_x * qs_y - pr_y * qs_x
    t_num = dx * qs_y - dy * qs_x  # along i: t = t_num / denom
    u_num = dx * pr_y - dy * pr_x  # along j: u = u_num / denom
    sign = np.sign(denom)
    t_num, u_num, denom = t_num * sign, u_num * sign, np.abs(denom)
    hit = (denom > 0) & (t_num > 0) & (t_num < denom) & (u_num > 0) & (u_num < denom)
    return int(np.count_nonzero(hit))
