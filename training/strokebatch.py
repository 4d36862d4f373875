"""Many drawings' strokes in flat arrays, and their frames in one vectorised pass.

Training touches thousands of drawings a second (augmented on the fly), so instead of
a Python list of arrays per drawing a batch is held ragged:

- ``points``: (P, 2) float32, every point of every stroke, drawing after drawing;
- ``stroke_len``: (S,) int64, points in each stroke (0 allowed: an empty stroke);
- ``n_strokes``: (N,) int64, strokes in each drawing.

`rasterize` draws all strokes of all drawings in one pass of core.raster and yields
exactly the frames of `core.raster.rasterize` (a test checks it), several times faster
than drawing each drawing on its own.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from core.raster import rasterize_flat


@dataclass(frozen=True)
class StrokeBatch:
    """Strokes of N drawings in flat arrays (see the module docstring)."""

    points: np.ndarray  # (P, 2) float32
    stroke_len: np.ndarray  # (S,) int64
    n_strokes: np.ndarray  # (N,) int64

    def __len__(self) -> int:
        return len(self.n_strokes)

    @staticmethod
    def from_strokes(drawings: Sequence[Sequence[np.ndarray]]) -> StrokeBatch:
        """A list of drawings (each a sequence of (n, 2) strokes) -> a StrokeBatch."""
        strokes = [np.asarray(s, np.float32).reshape(-1, 2) for d in drawings for s in d]
        points = np.concatenate(strokes) if strokes else np.zeros((0, 2), np.float32)
        return StrokeBatch(
            points=points,
            stroke_len=np.asarray([len(s) for s in strokes], np.int64),
            n_strokes=np.asarray([len(d) for d in drawings], np.int64),
        )

    @property
    def stroke_start(self) -> np.ndarray:
        """(S + 1,) offsets of each stroke's first point in `points`."""
        return np.concatenate([[0], np.cumsum(self.stroke_len)])

    @property
    def drawing_start(self) -> np.ndarray:
        """(N + 1,) offsets of each drawing's first stroke."""
        return np.concatenate([[0], np.cumsum(self.n_strokes)])

    def stroke_drawing(self) -> np.ndarray:
        """(S,) the drawing each stroke belongs to."""
        return np.repeat(np.arange(len(self.n_strokes)), self.n_strokes)

    def point_drawing(self) -> np.ndarray:
        """(P,) the drawing each point belongs to."""
        return np.repeat(self.stroke_drawing(), self.stroke_len)

    def drawing(self, i: int) -> list[np.ndarray]:
        """The strokes of drawing i, as (n, 2) float32 arrays (views)."""
        ds, ss = self.drawing_start, self.stroke_start
        return [self.points[ss[k] : ss[k + 1]] for k in range(ds[i], ds[i + 1])]

    def to_strokes(self) -> list[list[np.ndarray]]:
        """Back to a list of drawings, each a list of strokes."""
        return [self.drawing(i) for i in range(len(self))]

    def keep_strokes(self, keep: np.ndarray) -> StrokeBatch:
        """A batch without the strokes where `keep` (S,) bool is False."""
        per_point = np.repeat(keep, self.stroke_len)
        n = np.bincount(self.stroke_drawing()[keep], minlength=len(self.n_strokes))
        return StrokeBatch(self.points[per_point], self.stroke_len[keep], n.astype(np.int64))

    def reorder_strokes(self, order: np.ndarray) -> StrokeBatch:
        """A batch with its strokes in `order` (S,), a permutation of stroke indices
        that keeps every drawing's strokes within that drawing's block."""
        starts = self.stroke_start
        lens = self.stroke_len[order]
        first = np.repeat(starts[:-1][order], lens)
        within = np.arange(int(lens.sum())) - np.repeat(np.cumsum(lens) - lens, lens)
        return StrokeBatch(self.points[first + within], lens, self.n_strokes)

    def split_strokes(self, stroke: np.ndarray, cut: np.ndarray) -> StrokeBatch:
        """A batch where each given stroke (K,) ascending, is cut in two at its point
        `cut` (K,), 1 <= cut <= len - 2: the first part ends at that point and the
        second starts there (the point is in both), as when the pen lifts and lands
        again where it was. The drawing's ink is unchanged; it has one stroke more."""
        at = self.stroke_start[stroke] + cut  # (K,) the shared point
        points = np.insert(self.points, at, self.points[at], axis=0)
        lens = self.stroke_len.copy()
        lens[stroke] = cut + 1
        lens = np.insert(lens, stroke + 1, self.stroke_len[stroke] - cut)
        n = self.n_strokes + np.bincount(
            self.stroke_drawing()[stroke], minlength=len(self.n_strokes)
        )
        return StrokeBatch(points, lens, n)


def rasterize(batch: StrokeBatch, pad_len: int = 8, m: int = 64) -> tuple[np.ndarray, np.ndarray]:
    """Cumulative frames of every drawing: (N, pad_len, m, m) uint8 0/1, lengths (N,) int64.

    Identical to `core.raster.rasterize` drawing by drawing (core.raster draws them);
    lengths are the stroke counts clipped to pad_len.
    """
    return rasterize_flat(batch.points, batch.stroke_len, batch.n_strokes, pad_len, m)
