"""The ending prior: what "the drawing is finished now" says about its class.

After stroke k the classifier's guess is P(class | first k strokes), learnt over
drawings that had at least k strokes, so it hedges for what may still come: one
round stroke is a circle, or the outline of a smiley face, a sun, a donut or an eye.
When the drawing is known to be over (the person paused, or a replay reached its
end), that is evidence too. With h_c(k) = P(N = k | N >= k, class c), the share of
class c's drawings that stop at stroke k among those that reach it,

    P(c | strokes, N = k)  is proportional to  P(c | strokes, N >= k) * h_c(k)

taking stopping to depend on the class, not on how the strokes look. A lone round
stroke that ends the drawing is then a circle: smiley faces hardly ever stop there.

`EndingPrior` holds how many strokes each class was drawn with in a model's own
training data (counted when the temperature is fitted; training/finish.py) and
stored in its checkpoint; hazards are Laplace-smoothed, so a stroke count never
seen there scales a class by a half, not to zero.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from core.classes import CLASSES
from core.errors import FrankensteinError

MAX_COUNTED = 32  # counts[:, -1] holds the drawings with this many strokes or more
SMOOTHING = 1.0  # Laplace: (stopped + 1) / (reached + 2)


class EndingPriorError(FrankensteinError, ValueError):
    """Stroke counts that cannot be a prior: wrong shape, negative or not whole numbers."""


class EndingPrior:
    """Per-class stroke-count statistics and the finished-drawing reweighting."""

    def __init__(self, counts: np.ndarray | Sequence[Sequence[int]]):
        try:
            c = np.asarray(counts, dtype=np.float64)
        except (TypeError, ValueError):
            c = np.zeros(0)  # not a table of numbers: refused just below
        if c.ndim != 2 or c.shape[0] != len(CLASSES) or c.shape[1] < 1:
            raise EndingPriorError(
                f"stroke counts must be ({len(CLASSES)}, K) (a row per class), got {c.shape}"
            )
        if not np.all(np.isfinite(c)) or (c < 0).any() or (c != np.round(c)).any():
            raise EndingPriorError("stroke counts must be whole numbers >= 0")
        self.counts = c.astype(np.int64)  # (C, K): column j = drawings of j + 1 strokes
        reached = np.cumsum(c[:, ::-1], axis=1)[:, ::-1]  # drawings with >= j + 1 strokes
        self._hazard = (c + SMOOTHING) / (reached + 2 * SMOOTHING)  # (C, K)

    @classmethod
    def from_drawings(
        cls, labels: Sequence[int] | np.ndarray, n_strokes: Sequence[int] | np.ndarray
    ) -> EndingPrior:
        """Count the strokes of some drawings (class indices and stroke counts)."""
        labels = np.asarray(labels, np.int64)
        n = np.asarray(n_strokes, np.int64)
        if labels.shape != n.shape:
            raise EndingPriorError(f"{len(labels)} labels but {len(n)} stroke counts")
        if len(n) and n.min() < 1:
            raise EndingPriorError("every drawing needs at least one stroke")
        counts = np.zeros((len(CLASSES), MAX_COUNTED), np.int64)
        np.add.at(counts, (labels, np.minimum(n, MAX_COUNTED) - 1), 1)
        return cls(counts)

    @classmethod
    def pooled(cls, priors: Sequence[EndingPrior]) -> EndingPrior:
        """One prior from the stroke counts of several (each counted the same way)."""
        shapes = {p.counts.shape for p in priors}
        if len(shapes) != 1:
            raise EndingPriorError(f"stroke-count tables of different shapes: {sorted(shapes)}")
        return cls(sum(p.counts for p in priors))

    def hazard(self, n_strokes: int) -> np.ndarray:
        """(C,) P(the drawing stops at stroke n | it reached stroke n), per class."""
        if n_strokes < 1:
            raise EndingPriorError(f"n_strokes must be >= 1, got {n_strokes}")
        return self._hazard[:, min(n_strokes, self.counts.shape[1]) - 1]

    def finish(self, probs: np.ndarray, n_strokes: int) -> np.ndarray:
        """Class probabilities after `n_strokes` strokes, given that the drawing ends there."""
        weighted = np.asarray(probs, np.float64) * self.hazard(n_strokes)
        total = weighted.sum()
        return weighted / total if total > 0 else np.asarray(probs, np.float64)
