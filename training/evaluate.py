"""Evaluation metrics of stroke-by-stroke predictions: the report of `frankenstein eval`.

Input, per drawing: its class index and the calibrated probabilities after each of
its strokes, (n_strokes, C), as the stateful classifier gave them (training/replay.py).
The report (a JSON-able dict; these top-level keys are a contract):

- ``n``: drawings; ``top1`` / ``top3``: accuracy of the finished guess: after the
  last stroke, knowing the drawing ends there (the ending prior, core/ending.py);
- ``per_class``: {class: {"n", "top1", "top3"}};
- ``confusion``: {"classes": [...], "matrix": rows = true class, columns = guess};
- ``accuracy_at_stroke``: one row per k = 1..8: "n" drawings with at least k strokes
  and "top1" of the guess after stroke k over them; "so_far": over all drawings, the
  guess after min(k, strokes) strokes (the last stroke so far); these are the live
  guesses, which do not know whether more strokes come; each after stroke k sees the
  first k strokes at the finished drawing's scale, as the file holds them;
- ``accuracy_at_stroke_live`` (`frankenstein eval`'s report only, after
  ``accuracy_at_stroke``): the same rows as the drawing window sees each drawing, its
  first k strokes normalised on their own bounding box (training/replay.py
  `replay_live`), since the window cannot know the finished drawing;
- ``ece``: expected calibration error of the final guess, 15 equal-width bins (Guo
  et al. 2017);
- ``snap``: the snap replay (training/replay.py): "threshold", "precision" (share of
  snaps to the right class; null if none), "recall" (share of drawings snapped to the
  right class), "strokes_saved" (mean over drawings of the share of strokes left
  undrawn by a right snap, 0 when not snapped or snapped wrong), "snaps", "wrong"
  (snaps to another class), "premature" (wrong snaps of drawings whose finished guess
  is right: waiting would have been right), and "sweep": the same at other thresholds;
- ``intervals``: 95% Wilson score intervals (training/stats.py) as [low, high] of
  "top1", "top3", "snap_precision" and "snap_recall" (null where nothing was counted):
  on a few hundred drawings a share near 90% is only known to within about 3 points.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from core.classes import CLASSES
from training.stats import wilson_interval

MAX_K = 8
ECE_BINS = 15


def top_k_hits(probs: np.ndarray, labels: np.ndarray, k: int) -> np.ndarray:
    """(N,) bool: is the label among the k most probable classes? probs (N, C)."""
    if len(probs) == 0:
        return np.zeros(0, bool)
    top = np.argsort(-probs, axis=1, kind="stable")[:, :k]  # (N, k)
    return (top == labels[:, None]).any(axis=1)


def expected_calibration_error(
    probs: np.ndarray, labels: np.ndarray, bins: int = ECE_BINS
) -> float:
    """Sum over confidence bins of |accuracy - confidence| weighted by the bin's share."""
    if len(probs) == 0:
        return float("nan")
    conf = probs.max(axis=1)
    hit = probs.argmax(axis=1) == labels
    which = np.minimum((conf * bins).astype(int), bins - 1)  # (N,) bin of each
    ece = 0.0
    for b in range(bins):
        sel = which == b
        if sel.any():
            ece += sel.mean() * abs(hit[sel].mean() - conf[sel].mean())
    return float(ece)


def accuracy_at_stroke(
    step_probs: Sequence[np.ndarray], labels: np.ndarray, max_k: int = MAX_K
) -> list[dict]:
    """Rows k = 1..max_k: n and top1 over drawings with >= k strokes, and "so_far"."""
    rows = []
    for k in range(1, max_k + 1):
        have = [i for i, p in enumerate(step_probs) if len(p) >= k]
        at_k = [int(step_probs[i][k - 1].argmax() == labels[i]) for i in have]
        so_far = [
            int(p[min(k, len(p)) - 1].argmax() == y)
            for p, y in zip(step_probs, labels, strict=True)
        ]
        rows.append(
            {
                "k": k,
                "n": len(have),
                "top1": float(np.mean(at_k)) if at_k else None,
                "so_far": float(np.mean(so_far)) if so_far else None,
            }
        )
    return rows


def confusion_matrix(pred: np.ndarray, labels: np.ndarray, n_classes: int) -> np.ndarray:
    """(C, C) int counts: row = true class, column = guess."""
    m = np.zeros((n_classes, n_classes), np.int64)
    np.add.at(m, (labels, pred), 1)
    return m


def report(
    step_probs: Sequence[np.ndarray],
    labels: Sequence[int],
    snap: dict,
    classes=CLASSES,
    *,
    final: Sequence[np.ndarray] | None = None,
) -> dict:
    """The evaluation report (see the module docstring) of N replayed drawings.

    step_probs: per drawing, (n_strokes, C) calibrated probabilities after each stroke.
    final: per drawing, (C,) the guess once it is known to be finished (the ending
    prior's); the whole-drawing scores use it. By default, the last step's.
    """
    labels = np.asarray(labels, np.int64)
    if final is None:
        final = [p[-1] for p in step_probs]
    final = np.stack(final) if len(final) else np.zeros((0, len(classes)))  # (N, C)
    top1 = top_k_hits(final, labels, 1)
    top3 = top_k_hits(final, labels, 3)
    per_class = {}
    for c, name in enumerate(classes):
        sel = labels == c
        if sel.any():
            per_class[name] = {
                "n": int(sel.sum()),
                "top1": float(top1[sel].mean()),
                "top3": float(top3[sel].mean()),
            }
    pred = final.argmax(axis=1) if len(final) else np.zeros(0, np.int64)
    return {
        "n": len(labels),
        "top1": float(top1.mean()) if len(labels) else float("nan"),
        "top3": float(top3.mean()) if len(labels) else float("nan"),
        "per_class": per_class,
        "confusion": {
            "classes": list(classes),
            "matrix": confusion_matrix(pred, labels, len(classes)).tolist(),
        },
        "accuracy_at_stroke": accuracy_at_stroke(step_probs, labels),
        "ece": expected_calibration_error(final, labels),
        "snap": snap,
        "intervals": intervals(int(top1.sum()), int(top3.sum()), len(labels), snap),
    }


def intervals(top1_hits: int, top3_hits: int, n: int, snap: dict) -> dict:
    """The report's "intervals": 95% Wilson intervals of its shares, [low, high] or None."""

    def ci(successes: int, total: int) -> list[float] | None:
        bounds = wilson_interval(successes, total)
        return None if bounds is None else list(bounds)

    out = {"top1": ci(top1_hits, n), "top3": ci(top3_hits, n)}
    if "snaps" in snap:
        right = snap["snaps"] - snap["wrong"]
        out["snap_precision"] = ci(right, snap["snaps"])
        out["snap_recall"] = ci(right, n)
    else:
        out["snap_precision"] = out["snap_recall"] = None
    return out


def confusion_text(rep: dict, *, width: int = 5) -> str:
    """The confusion matrix as a fixed-width text table (classes abbreviated)."""
    names = rep["confusion"]["classes"]
    matrix = rep["confusion"]["matrix"]
    short = [n.replace(" ", "")[:width] for n in names]
    head = " " * 13 + "".join(f"{s:>{width + 1}}" for s in short)
    lines = [head]
    for name, row in zip(names, matrix, strict=True):
        cells = "".join(f"{v if v else '.':>{width + 1}}" for v in row)
        lines.append(f"{name[:12]:<13}{cells}")
    return "\n".join(lines)
