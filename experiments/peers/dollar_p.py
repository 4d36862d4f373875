"""The $P point-cloud recogniser, a classical peer for the trained models.

Vatavu, Anthony and Wobbrock, "Gestures as Point Clouds: A $P Recognizer for User
Interface Prototypes" (ICMI 2012). A drawing is a cloud of points, stroke order and
direction forgotten: resampled to n = 32 points spaced evenly along its strokes
(the pen-up gaps are not ink), scaled uniformly by its larger bounding-box side and
moved to put its centroid at the origin. Two clouds are compared by a greedy
matching: from each of about sqrt(n) starting points, every point in turn takes the
nearest point of the other cloud not yet taken, and the distances are summed with
weights falling from 1 to 1/n (early matches are trusted more); both directions are
tried and the smallest sum is the distance. The guess is the class of the nearest
template.

Here the templates are the real dev doodles themselves; when those same doodles are
evaluated, each is left out of its own template set (leave-one-out). The greedy
matching of one query against all templates runs as numpy over the templates and
starting points at once; it is the paper's algorithm, step for step.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from core.classes import CLASSES, class_index

N_POINTS = 32
EPSILON = 0.5  # starts every floor(n^(1 - epsilon)) points: sqrt(n) starting points
MAX_K = 8


def resample(strokes: Sequence[np.ndarray], n: int = N_POINTS) -> np.ndarray:
    """(n, 2) points evenly spaced along the strokes' ink (gaps between strokes skipped)."""
    pts = [np.asarray(s, np.float64).reshape(-1, 2) for s in strokes if len(s)]
    if not pts:
        raise ValueError("a drawing needs at least one point")
    seg_start = np.concatenate([p[:-1] for p in pts if len(p) > 1] or [np.zeros((0, 2))])
    seg_end = np.concatenate([p[1:] for p in pts if len(p) > 1] or [np.zeros((0, 2))])
    seg_len = np.linalg.norm(seg_end - seg_start, axis=1)  # (S,)
    total = seg_len.sum()
    if total == 0:  # dots only: the cloud is the dots, repeated
        allp = np.concatenate(pts)
        return allp[np.arange(n) % len(allp)]
    cum = np.concatenate([[0.0], np.cumsum(seg_len)])  # (S + 1,)
    at = np.linspace(0, total, n)  # (n,) arc length of each new point
    seg = np.clip(np.searchsorted(cum, at, side="right") - 1, 0, len(seg_len) - 1)  # (n,)
    with np.errstate(invalid="ignore", divide="ignore"):
        frac = np.where(seg_len[seg] > 0, (at - cum[seg]) / seg_len[seg], 0.0)
    frac = np.clip(frac, 0, 1)[:, None]
    return seg_start[seg] + frac * (seg_end[seg] - seg_start[seg])  # (n, 2)


def normalize(points: np.ndarray) -> np.ndarray:
    """Scale by the larger bounding-box side, then translate the centroid to the origin."""
    lo, hi = points.min(0), points.max(0)
    size = float((hi - lo).max())
    p = (points - lo) / size if size > 0 else points - lo
    return p - p.mean(0)


def cloud(strokes: Sequence[np.ndarray], n: int = N_POINTS) -> np.ndarray:
    """A drawing as a normalised $P point cloud (n, 2)."""
    return normalize(resample(strokes, n))


def _greedy(dist: np.ndarray) -> np.ndarray:
    """Weighted greedy matching sums, (M,) from distances (M, n, n) (rows: the matching cloud).

    For each start s in 0, step, 2 step, ...: point (s + t) mod n, t = 0..n-1, takes
    the nearest column not yet taken, weighted 1 - t / n; the minimum over starts.
    """
    m, n, _ = dist.shape
    step = max(1, int(np.floor(n ** (1 - EPSILON))))
    starts = np.arange(0, n, step)  # (S,)
    taken = np.zeros((len(starts), m, n), bool)  # (S, M, n)
    total = np.zeros((len(starts), m))  # (S, M)
    si, mi = np.arange(len(starts))[:, None], np.arange(m)[None, :]
    for t in range(n):
        rows = dist[:, (starts + t) % n, :].transpose(1, 0, 2)  # (S, M, n)
        rows = np.where(taken, np.inf, rows)
        j = rows.argmin(-1)  # (S, M)
        total += (1 - t / n) * rows[si, mi, j]
        taken[si, mi, j] = True
    return total.min(0)  # (M,)


def cloud_distances(query: np.ndarray, templates: np.ndarray) -> np.ndarray:
    """$P distance (both matching directions) from one cloud (n, 2) to M clouds (M, n, 2)."""
    d = np.linalg.norm(query[None, :, None, :] - templates[:, None, :, :], axis=-1)  # (M, n, n)
    return np.minimum(_greedy(d), _greedy(d.transpose(0, 2, 1)))  # (M,)


class DollarP:
    """$P over a set of labelled template drawings."""

    def __init__(self, templates: Sequence[Sequence[np.ndarray]], labels: Sequence[int]):
        if len(templates) != len(labels) or not len(templates):
            raise ValueError("$P needs at least one template, each with a label")
        self.clouds = np.stack([cloud(t) for t in templates])  # (M, n, 2)
        self.labels = np.asarray(labels, np.int64)  # (M,)

    def distances(self, strokes: Sequence[np.ndarray], exclude: int | None = None) -> np.ndarray:
        """(M,) distance to every template; the template `exclude` is at infinity."""
        d = cloud_distances(cloud(strokes), self.clouds)
        if exclude is not None:
            d[exclude] = np.inf
        return d

    def scores(self, strokes: Sequence[np.ndarray], exclude: int | None = None) -> np.ndarray:
        """(C,) a score per class: minus the distance to its nearest template."""
        d = self.distances(strokes, exclude)
        best = np.full(len(CLASSES), np.inf)
        np.minimum.at(best, self.labels, d)
        return -best

    def recognize(self, strokes: Sequence[np.ndarray], exclude: int | None = None) -> int:
        """The class index of the nearest template (leaving out template `exclude`)."""
        d = self.distances(strokes, exclude)
        return int(self.labels[int(np.argmin(d))])


def evaluate_leave_one_out(
    drawings: Sequence, progress: Callable[[int, int], None] | None = None
) -> dict[str, Any]:
    """$P on drawings whose own set is the templates, each query leaving itself out.

    Each drawing is recognised on its first k strokes, k = 1..min(strokes, 8) (the
    guess for larger k is the whole drawing's). Returns top-1, the report's
    accuracy_at_stroke rows ("so_far": after min(k, strokes) strokes, over all
    drawings) and the median milliseconds of recognising one whole drawing; "alone",
    the drawings alone in their class, which no template can match (every one: the
    accuracies are None, not a meaningless 0).
    """
    drawings = [d for d in drawings if any(len(s) for s in d.strokes)]
    labels = [class_index(d.word) for d in drawings]
    p = DollarP([d.strokes for d in drawings], labels)
    guesses: list[list[int]] = []  # per drawing, the guess after k = 1.. strokes
    times = []
    for i, d in enumerate(drawings):
        row = []
        for k in range(1, min(d.n_strokes, MAX_K) + 1):
            t0 = time.perf_counter()
            row.append(p.recognize(d.strokes[:k], exclude=i))
            if k == min(d.n_strokes, MAX_K):
                times.append(time.perf_counter() - t0)
        if d.n_strokes > MAX_K:  # the final guess is on the whole drawing
            t0 = time.perf_counter()
            row[-1] = p.recognize(d.strokes, exclude=i)
            times[-1] = time.perf_counter() - t0
        guesses.append(row)
        if progress is not None:
            progress(i + 1, len(drawings))
    final = np.array([g[-1] for g in guesses]) == np.array(labels)
    # a drawing alone in its class has no template of its class once left out: never
    # right, whatever the recogniser; counted wrong (the models' set is scored whole),
    # but with every drawing alone (one a class) the 0% says nothing: no score
    count = Counter(labels)
    alone = sum(count[y] == 1 for y in labels)
    scored = alone < len(drawings)
    rows = []
    for k in range(1, MAX_K + 1):
        have = [i for i, g in enumerate(guesses) if drawings[i].n_strokes >= k]
        at_k = [guesses[i][k - 1] == labels[i] for i in have]
        so_far = [g[min(k, len(g)) - 1] == y for g, y in zip(guesses, labels, strict=True)]
        rows.append(
            {
                "k": k,
                "n": len(have),
                "top1": float(np.mean(at_k)) if at_k and scored else None,
                "so_far": float(np.mean(so_far)) if scored else None,
            }
        )
    return {
        "label": "$P (leave-one-out)",
        "n": len(drawings),
        "templates": len(drawings) - 1,
        "alone": alone,
        "top1": float(final.mean()) if scored else None,
        "accuracy_at_stroke": rows,
        "ms_per_drawing": float(np.median(times) * 1000),
        "points": N_POINTS,
    }


def evaluate_directory(
    eval_dir: str | Path, progress: Callable[[int, int], None] | None = None
) -> dict[str, Any]:
    """$P leave-one-out on every drawing of a directory of <class>.ndjson."""
    from training.replay import read_eval_drawings

    rep = evaluate_leave_one_out(read_eval_drawings(eval_dir), progress)
    rep["data"] = str(eval_dir)
    return rep
