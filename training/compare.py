"""Two models replayed on the same drawings, compared drawing by drawing.

`frankenstein eval --model A --compare B` answers "is A more accurate than B here?"
for the whole drawing and after each of the first strokes. Both models read the same
drawings, so the comparison is paired: it counts the drawings only A reads right and
those only B reads right, and the exact McNemar test (training/stats.py) gives the
chance of a split at least that uneven if the two were equally accurate. The rows:

- "whole": the finished guess (after the last stroke, with the ending prior), as the
  report's top-1;
- k = 1..MAX_K: the live guess after stroke k, over the drawings with at least k
  strokes, as the report's accuracy_at_stroke "top1".

Each row: "k" (None for the whole drawing), "n", "a" and "b" (top-1 of each), "only_a",
"only_b" and "p" (the McNemar p-value; 1.0 when they never disagree).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from training.evaluate import MAX_K
from training.stats import mcnemar_p


class PairingError(ValueError):
    """The two replays are not of the same drawings."""


def _row(k: int | None, a_right: np.ndarray, b_right: np.ndarray) -> dict:
    only_a = int((a_right & ~b_right).sum())
    only_b = int((b_right & ~a_right).sum())
    n = len(a_right)
    return {
        "k": k,
        "n": n,
        "a": float(a_right.mean()) if n else None,
        "b": float(b_right.mean()) if n else None,
        "only_a": only_a,
        "only_b": only_b,
        "p": mcnemar_p(only_a, only_b),
    }


def paired_comparison(a: Sequence, b: Sequence, max_k: int = MAX_K) -> list[dict]:
    """Rows (see the module docstring) from two lists of `training.replay.Replayed`
    of the same drawings in the same order."""
    if len(a) != len(b):
        raise PairingError(f"{len(a)} replays against {len(b)}: not the same drawings")
    for i, (ra, rb) in enumerate(zip(a, b, strict=True)):
        if ra.label != rb.label or len(ra.history) != len(rb.history):
            raise PairingError(f"replay {i} differs in class or stroke count: not the same drawing")
    rows = [_row(None, _right(a, None), _right(b, None))]
    rows += [_row(k, _right(a, k), _right(b, k)) for k in range(1, max_k + 1)]
    return rows


def _right(replays: Sequence, k: int | None) -> np.ndarray:
    """(n,) bool: is the guess right, finished (k None) or after stroke k (over the
    drawings with at least k strokes)?"""
    if k is None:
        return np.array([int(np.argmax(r.final_probs)) == r.label for r in replays], bool)
    return np.array(
        [int(np.argmax(r.history[k - 1].probs)) == r.label for r in replays if len(r.history) >= k],
        bool,
    )
