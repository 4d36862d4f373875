"""Many drawings into the simplified space at once: Google's procedure, batched.

`core.strokes.normalize_strokes` is the reference (align to 0, larger side 255,
resample at 1 px, Ramer-Douglas-Peucker with epsilon 2, round). It walks one stroke
and one RDP split at a time, which costs more than drawing a synthetic doodle.
Here the same arithmetic runs on all strokes of a batch of drawings together: the
resampling is vectorised over strokes, and RDP proceeds level by level, splitting
every open segment of every stroke in one pass (a segment's split never depends on
another segment, so the kept points are the same as the recursive version's).
`tests/training/test_synth.py` checks the output equals the reference point for point.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import numpy as np

from core.strokes import GRID, RDP_EPSILON


def normalize_batch(drawings: Sequence[Sequence[np.ndarray]]) -> list[tuple[np.ndarray, ...]]:
    """Screen strokes of many drawings -> their simplified strokes, as `normalize_strokes`.

    `drawings`: a sequence of drawings, each a non-empty sequence of (n, 2) float arrays
    (n >= 1). Returns, per drawing, a tuple of float32 (k, 2) arrays of integers 0..255.
    """
    strokes = [np.asarray(s, np.float64).reshape(-1, 2) for d in drawings for s in d]
    owner = np.repeat(np.arange(len(drawings)), [len(d) for d in drawings])
    sizes = np.array([len(s) for s in strokes], np.int64)
    pts, out_sizes = normalize_flat(np.concatenate(strokes), sizes, owner)
    return group_strokes(pts, out_sizes, owner, len(drawings))


def normalize_flat(
    pts: np.ndarray, sizes: np.ndarray, owner: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """The flat form of `normalize_batch`.

    `pts` (K, 2) float: every point of every stroke, stroke after stroke, drawing after
    drawing; `sizes` (S,) int: points per stroke (>= 1); `owner` (S,) int: the drawing
    of each stroke (non-decreasing). Returns (points (M, 2) float32 of integers 0..255,
    points per simplified stroke (S,)).
    """
    pts = np.asarray(pts, np.float64)
    n_draw = int(owner[-1]) + 1
    per_draw = np.bincount(owner, weights=sizes, minlength=n_draw).astype(np.int64)
    first = np.cumsum(per_draw) - per_draw
    lo = np.minimum.reduceat(pts, first, axis=0)  # (D, 2)
    hi = np.maximum.reduceat(pts, first, axis=0)
    extent = (hi - lo).max(axis=1)
    with np.errstate(divide="ignore"):
        scale = np.where(extent > 0, (GRID - 1) / extent, 1.0)
    scaled = (pts - np.repeat(lo, per_draw, axis=0)) * np.repeat(scale, per_draw)[:, None]
    x, y, keep, starts = _rdp_all(*_resample_all(scaled, sizes))
    kept = np.stack([x[keep], y[keep]], axis=1)
    out = np.clip(np.rint(kept.astype(np.float32)), 0, GRID - 1)
    counts = np.add.reduceat(keep, starts[:-1]).astype(np.int64)
    return out, counts


def group_strokes(
    pts: np.ndarray, sizes: np.ndarray, owner: np.ndarray, n_drawings: int
) -> list[tuple[np.ndarray, ...]]:
    """Flat points back into drawings: a tuple of (n, 2) arrays per drawing."""
    strokes = np.split(pts, np.cumsum(sizes)[:-1])
    bounds = np.searchsorted(owner, np.arange(n_drawings + 1))
    return [tuple(strokes[a:b]) for a, b in itertools.pairwise(bounds)]


def _resample_all(pts: np.ndarray, lens: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every stroke resampled at 1 px (as `core.strokes.resample`, float32-rounded).

    `pts` (K, 2) float64, `lens` (S,) points per stroke. Returns (x (P,), y (P,)
    float64, stroke start offsets (S + 1,) int64).
    """
    s_count = len(lens)
    # Strokes as rows of a padded array, so cumsum runs along each stroke exactly as
    # the reference's per-stroke cumsum does (same additions in the same order).
    mask = np.arange(int(lens.max()))[None, :] < lens[:, None]  # (S, n_max)
    seg = np.zeros(mask.shape)
    d = np.diff(pts, axis=0)  # (K - 1, 2), with jumps between strokes
    seg_all = np.sqrt(np.add.reduce(d * d, axis=1))
    seg[:, 1:][mask[:, 1:]] = seg_all[np.delete(np.arange(len(d)), np.cumsum(lens)[:-1] - 1)]
    cum_pad = np.cumsum(seg, axis=1)
    cum = cum_pad[mask]  # (K,) arc length at each knot, per stroke from 0
    last = np.cumsum(lens) - 1
    total = cum[last]
    n = np.maximum(np.floor(total), 1)
    single = (lens < 2) | (total <= 0)
    # targets 0, 1, ..., n-1 fall in the segment with cum[j] <= k < cum[j+1]
    stroke_of = np.repeat(np.arange(s_count), lens)
    n_k = n[stroke_of]
    lo_k = np.minimum(np.ceil(cum), n_k)
    count = np.zeros(len(pts), np.int64)
    count[:-1] = (lo_k[1:] - lo_k[:-1]).astype(np.int64)
    count[last] = 0
    count[np.repeat(single, lens)] = 0
    t_count = int(count.sum())
    seg_off = np.cumsum(count) - count
    knot = np.repeat(np.arange(len(pts)), count)  # (T,) the segment's start knot
    k = np.repeat(lo_k, count) + (np.arange(t_count) - np.repeat(seg_off, count))
    nxt = np.minimum(np.arange(len(pts)) + 1, len(pts) - 1)
    x0, y0 = pts[:, 0], pts[:, 1]
    with np.errstate(divide="ignore", invalid="ignore"):
        dc = cum[nxt] - cum
        sx = (x0[nxt] - x0) / dc
        sy = (y0[nxt] - y0) / dc
    off = k - cum[knot]
    tx = sx[knot] * off + x0[knot]
    ty = sy[knot] * off + y0[knot]
    # each stroke: its targets, then its last point (its first point if degenerate)
    n_out = np.bincount(stroke_of, weights=count, minlength=s_count).astype(np.int64) + 1
    starts = np.concatenate([[0], np.cumsum(n_out)])
    x = np.empty(starts[-1])
    y = np.empty(starts[-1])
    pos = np.arange(t_count) + stroke_of[knot]
    x[pos], y[pos] = tx, ty
    end = np.where(single, last - lens + 1, last)
    x[starts[1:] - 1], y[starts[1:] - 1] = x0[end], y0[end]
    x = x.astype(np.float32).astype(np.float64)
    y = y.astype(np.float32).astype(np.float64)
    return x, y, starts


def _rdp_all(
    x: np.ndarray, y: np.ndarray, starts: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """RDP (epsilon 2) of every stroke; segments of all strokes split level by level.

    Returns (x, y, keep (P,) bool, starts).
    """
    keep = np.zeros(len(x), bool)
    keep[starts[:-1]] = True
    keep[starts[1:] - 1] = True
    a = starts[:-1].copy()
    b = starts[1:] - 1
    while True:
        open_ = b - a >= 2
        a, b = a[open_], b[open_]
        if len(a) == 0:
            break
        n_in = b - a - 1
        offs = np.cumsum(n_in) - n_in
        total = int(n_in.sum())
        idx = np.repeat(a + 1 - offs, n_in) + np.arange(total)
        px, py = x[a], y[a]
        dx, dy = x[b] - px, y[b] - py
        length = np.hypot(dx, dy)
        xi, yi = x[idx], y[idx]
        rl = np.repeat(length, n_in)
        with np.errstate(divide="ignore", invalid="ignore"):
            dist = (
                np.abs(
                    np.repeat(dx, n_in) * (yi - np.repeat(py, n_in))
                    - np.repeat(dy, n_in) * (xi - np.repeat(px, n_in))
                )
                / rl
            )
        zero = length == 0
        if zero.any():
            z = np.repeat(zero, n_in)
            vx = xi[z] - np.repeat(px, n_in)[z]
            vy = yi[z] - np.repeat(py, n_in)[z]
            dist[z] = np.sqrt(vx * vx + vy * vy)
        best = np.maximum.reduceat(dist, offs)
        split = best > RDP_EPSILON
        if not split.any():
            break
        # the first inner point reaching its segment's maximum, as np.argmax picks
        hits = np.flatnonzero(dist == np.repeat(np.where(split, best, np.inf), n_in))
        seg = np.searchsorted(offs, hits, side="right") - 1
        first = np.ones(len(hits), bool)
        first[1:] = seg[1:] != seg[:-1]
        mid = idx[hits[first]]
        keep[mid] = True
        a = np.concatenate([a[split], mid])
        b = np.concatenate([mid, b[split]])
    return x, y, keep, starts
