"""Random changes to training drawings, made on strokes before they are rasterised.

Per drawing: a smooth bend (warp), a left-right mirror, a rotation (a small tilt
only for classes with an upright orientation: a house on its side is no longer a
house), an aspect change, a per-stroke shift (jitter), occasionally dropping one small
detail stroke (an eye dot, a sprinkle, a window), cutting a stroke in two or swapping
two strokes' order, then a placement in the 256 grid: the larger side scaled to a
random share of the grid and the drawing shifted within the room left over. Points
are transformed about the drawing's centre, so the shape stays whole.

All of it is vectorised over a `StrokeBatch` and driven by an explicit
`numpy.random.Generator`, so a batch's augmentation is fixed by its seed whatever
process or worker makes it.
"""

from __future__ import annotations

import numpy as np

from core.classes import CLASSES
from training.config import AugmentSection
from training.strokebatch import StrokeBatch

GRID_MAX = 255.0  # the simplified space is 0..255
WAVES = 3  # sine waves per axis in a warp


def upright_classes() -> frozenset[str]:
    """Classes whose orientation carries meaning, from the templates in core.shapes."""
    from core.shapes import TEMPLATES

    return frozenset(name for name, t in TEMPLATES.items() if t.upright)


class Augmenter:
    """Applies `AugmentSection`'s random changes to batches of drawings."""

    def __init__(self, cfg: AugmentSection):
        self.cfg = cfg
        upright = upright_classes()
        # Max rotation per class index, in radians.
        self.max_angle = np.radians(
            [cfg.tilt if name in upright else cfg.rotate for name in CLASSES]
        )
        self.free_angle = float(np.radians(cfg.rotate))

    def __call__(
        self, batch: StrokeBatch, labels: np.ndarray, rng: np.random.Generator
    ) -> StrokeBatch:
        """An augmented copy of `batch`; labels (N,) are class indices, or negative for a
        doodle of nothing (rotated freely, as a class without an upright)."""
        cfg = self.cfg
        n = len(batch)
        if n == 0 or not cfg.enabled:
            return batch
        if cfg.drop_detail > 0:
            batch = self._drop_detail(batch, rng)
        if cfg.split > 0:
            batch = self._split(batch, rng)
        if cfg.reorder > 0:
            batch = self._reorder(batch, rng)
        pd = batch.point_drawing()  # (P,)
        pts = batch.points.astype(np.float64)  # (P, 2)
        lo, hi = _bbox(pts, pd, n)
        centre = (lo + hi) / 2  # (N, 2)

        max_angle = np.where(labels >= 0, self.max_angle[np.maximum(labels, 0)], self.free_angle)
        angle = rng.uniform(-1, 1, n) * max_angle  # (N,)
        stretch = np.exp(rng.uniform(-1, 1, n) * np.log1p(cfg.aspect))  # (N,)
        sx = np.sqrt(stretch) * np.where(rng.random(n) < cfg.flip, -1.0, 1.0)
        sy = 1 / np.sqrt(stretch)
        cos, sin = np.cos(angle), np.sin(angle)
        # A = R(angle) @ diag(sx, sy); rows are drawings: (N, 2, 2)
        a = np.stack([np.stack([cos * sx, -sin * sy], 1), np.stack([sin * sx, cos * sy], 1)], 1)
        rel = pts - centre[pd]  # (P, 2)
        if cfg.warp > 0:
            rel = self._warp(rel, pd, (hi - lo).max(axis=1), rng)
        pts = np.einsum("pij,pj->pi", a[pd], rel)  # (P, 2)
        if cfg.jitter > 0:
            shift = rng.normal(0, cfg.jitter, (len(batch.stroke_len), 2))  # (S, 2)
            pts += np.repeat(shift, batch.stroke_len, axis=0)

        # Place in the grid: larger side = scale * 255, shifted within the free room.
        lo, hi = _bbox(pts, pd, n)
        size = np.maximum((hi - lo).max(axis=1), 1e-6)  # (N,)
        target = rng.uniform(cfg.scale[0], cfg.scale[1], n) * GRID_MAX  # (N,)
        k = target / size  # (N,)
        extent = (hi - lo) * k[:, None]  # (N, 2)
        room = GRID_MAX - extent
        offset = room * rng.random((n, 2)) * cfg.translate  # (N, 2)
        pts = (pts - lo[pd]) * k[pd, None] + offset[pd]
        return StrokeBatch(pts.astype(np.float32), batch.stroke_len, batch.n_strokes)

    def _drop_detail(self, batch: StrokeBatch, rng: np.random.Generator) -> StrokeBatch:
        """Drop one small stroke from a `drop_detail` share of the drawings that have one."""
        n = len(batch)
        sd = batch.stroke_drawing()  # (S,)
        if len(sd) == 0:
            return batch
        sp = np.repeat(np.arange(len(sd)), batch.stroke_len)  # (P,) stroke of each point
        slo, shi = _bbox(batch.points.astype(np.float64), sp, len(sd))  # (S, 2)
        dlo, dhi = _bbox(batch.points.astype(np.float64), sd[sp], n)  # (N, 2)
        diag = np.hypot(*(shi - slo).T)  # (S,)
        ddiag = np.hypot(*(dhi - dlo).T)  # (N,)
        small = (diag < self.cfg.detail_size * ddiag[sd]) & (batch.n_strokes[sd] > 1)
        if not small.any():
            return batch
        pick = _one_stroke_each(small, sd, n, self.cfg.drop_detail, rng)
        return batch.keep_strokes(~pick) if pick.any() else batch

    def _warp(
        self, rel: np.ndarray, pd: np.ndarray, size: np.ndarray, rng: np.random.Generator
    ) -> np.ndarray:
        """Bend each drawing by a smooth random displacement field (elastic distortion).

        Per drawing and axis, WAVES sine waves of about one cycle across the drawing
        with random directions and phases; the sum shifts no point by more than `warp`
        times the drawing's size. Straight sides bow a little, corners move, parts
        shift against each other, as they do between two people's drawings of a shape.
        """
        n = len(size)
        size = np.maximum(size, 1e-6)
        freq = rng.normal(0.0, 1.0, (n, 2, WAVES, 2))  # (N, axis, wave, xy), cycles/size
        phase = rng.uniform(0, 2 * np.pi, (n, 2, WAVES))
        amp = rng.uniform(0, 1, (n, 2, WAVES))
        amp *= self.cfg.warp / amp.sum(axis=2, keepdims=True)  # |shift| <= warp * size
        u = rel / size[pd, None]  # (P, 2) in sizes
        arg = 2 * np.pi * np.einsum("pawk,pk->paw", freq[pd], u) + phase[pd]  # (P, 2, W)
        shift = (amp[pd] * np.sin(arg)).sum(axis=2)  # (P, 2)
        return rel + shift * size[pd, None]

    def _reorder(self, batch: StrokeBatch, rng: np.random.Generator) -> StrokeBatch:
        """Swap two random strokes of a `reorder` share of the drawings with several.

        The final frame stays the same; the frames on the way change. People add the
        parts of a drawing in orders the generator does not plan, and the LSTM, which
        sees the frames in turn, should not count on one order.
        """
        n_strokes = batch.n_strokes
        chosen = np.flatnonzero((n_strokes > 1) & (rng.random(len(batch)) < self.cfg.reorder))
        if not len(chosen):
            return batch
        k = n_strokes[chosen]
        i = (rng.random(len(chosen)) * k).astype(np.int64)
        j = (rng.random(len(chosen)) * (k - 1)).astype(np.int64)
        j += j >= i  # a different stroke
        order = np.arange(len(batch.stroke_len))
        first = batch.drawing_start[chosen]
        order[first + i], order[first + j] = first + j, first + i
        return batch.reorder_strokes(order)

    def _split(self, batch: StrokeBatch, rng: np.random.Generator) -> StrokeBatch:
        """Cut one stroke in two, at a random inner point, in a `split` share of the
        drawings that have a stroke of 3 points or more.

        The ink stays the same; the frames on the way change. People lift the pen
        where the generator's hand does not (half a circle, then the other half; a
        house's walls, then its roof), and the LSTM should not count on one stroke
        count per shape. The per-stroke jitter then shifts the two parts apart a little.
        """
        n = len(batch)
        sd = batch.stroke_drawing()  # (S,)
        long = batch.stroke_len >= 3  # (S,) strokes with an inner point
        if not long.any():
            return batch
        stroke = np.flatnonzero(_one_stroke_each(long, sd, n, self.cfg.split, rng))
        if not len(stroke):
            return batch
        inner = batch.stroke_len[stroke] - 2  # (K,) inner points to cut at
        cut = 1 + (rng.random(len(stroke)) * inner).astype(np.int64)
        return batch.split_strokes(stroke, cut)


def _one_stroke_each(
    eligible: np.ndarray, sd: np.ndarray, n: int, share: float, rng: np.random.Generator
) -> np.ndarray:
    """(S,) bool: one random eligible stroke (the one with the top random key) in each of
    a `share` of the n drawings that have one; `sd` (S,) is each stroke's drawing."""
    key = np.where(eligible, rng.random(len(sd)), -1.0)
    best = np.full(n, -1.0)
    np.maximum.at(best, sd, key)
    return eligible & (key == best[sd]) & (rng.random(n) < share)[sd]


def _bbox(pts: np.ndarray, group: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Per-group min and max of points (P, 2) grouped by `group` (P,) -> (n, 2) each.

    Groups with no points get lo = hi = 0.
    """
    lo = np.full((n, 2), np.inf)
    hi = np.full((n, 2), -np.inf)
    if len(pts):
        np.minimum.at(lo, group, pts)
        np.maximum.at(hi, group, pts)
    empty = ~np.isfinite(lo[:, 0])
    lo[empty] = 0
    hi[empty] = 0
    return lo, hi
