"""An eye's lashes: short strokes sticking out of the shape drawn, which no part of its
template is for and `core.fit` leaves out of the placement.

People often draw an eye with lashes, short strokes radiating from the upper lid (4 of
the 11 real dev eyes, a third of the synthetic ones). Fitted with its lashes, the eye's
template grew or stretched to take them in: its upper lid ran through the lashes' tips,
well above the lid drawn, and the snapped eye stood up to 1.75 times as tall as the eye
drawn (a real eye 128 canvas units tall, 216 with its lashes, snapped to one 224 tall).
A lash is short and open (shorter than SHORT of the ink's larger side, its ends at
least OPEN of its length apart: a pupil or an iris is a loop), and lies mostly
(OUTSIDE of its length) outside the rest of the drawing: the convex hull of the ink
without the short open strokes, the eye's lids. A piece of an iris or a pupil lies
inside them. Lashes are never most of a drawing (less than MOST of the ink's length): a
lid drawn in short pieces round an iris lies outside the iris, and is not a lash. (An
eyebrow is long, so no lash, and still holds the template up, as do lashes drawn up to
it, which lie inside the hull it spans: none of the real dev eyes has one.)
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from core.registration import sample_strokes

SHORT = 0.5  # a lash is shorter than this much of the ink's larger side
OPEN = 0.5  # and its ends lie at least this much of its length apart (not a loop)
OUTSIDE = 0.5  # of its length lies outside the hull of the rest of the ink
MOST = 0.5  # the lashes are less than this much of the ink's length
SAMPLES = 16  # points along a stroke where it is tested


def lashes(strokes: Sequence[np.ndarray]) -> tuple[int, ...]:
    """Which of the strokes (each (n, 2)) are lashes: short open strokes lying mostly
    outside the convex hull of the ink without them."""
    points = np.concatenate([s for s in strokes if len(s)])
    lo, larger = points.min(axis=0), float(np.ptp(points, axis=0).max())
    if larger == 0.0:  # a dot
        return ()
    strokes = [(np.asarray(s, np.float64) - lo) / larger for s in strokes]  # any size alike
    lengths = [_length(s) for s in strokes]
    short = _short_open(strokes, lengths)
    rest = [s for i, s in enumerate(strokes) if i not in short and len(s)]
    if not short or not rest:
        return ()
    hull = convex_hull(np.concatenate(rest))
    if len(hull) < 3:  # the rest is a line or a dot: nothing to stick out of
        return ()
    found = []
    for i in short:
        along = sample_strokes([strokes[i]], SAMPLES)
        points = np.stack([along.real, along.imag], axis=1)
        if np.mean(~inside(points, hull)) >= OUTSIDE:
            found.append(i)
    if sum(lengths[i] for i in found) >= MOST * sum(lengths):
        return ()
    return tuple(found)


def _short_open(strokes: Sequence[np.ndarray], lengths: list[float]) -> tuple[int, ...]:
    """The strokes that could be lashes: short and open, not a dot (the ink's larger
    side is 1)."""
    out = []
    for i, (s, length) in enumerate(zip(strokes, lengths, strict=True)):
        gap = float(np.hypot(*(s[-1] - s[0]))) if len(s) else 0.0
        if 0.0 < length < SHORT and gap >= OPEN * length:
            out.append(i)
    return tuple(out)


def convex_hull(points: np.ndarray) -> np.ndarray:
    """The convex hull (Andrew's monotone chain) of points (n, 2): its corners (k, 2),
    counter-clockwise with y up (clockwise as seen on a y-down screen)."""
    p = np.unique(np.asarray(points, np.float64), axis=0)  # sorted by x, then y
    if len(p) < 3:
        return p

    def half(ordered: list) -> list:
        chain: list = []
        for q in ordered:
            while len(chain) >= 2 and _cross(chain[-2], chain[-1], q) <= 0:
                chain.pop()
            chain.append(q)
        return chain

    ordered = p.tolist()  # Python floats: a loop over numpy scalars is ten times slower
    lower, upper = half(ordered), half(ordered[::-1])
    return np.array(lower[:-1] + upper[:-1], np.float64).reshape(-1, 2)


def inside(points: np.ndarray, hull: np.ndarray) -> np.ndarray:
    """Whether each point (n, 2) lies inside (or on) a convex hull (`convex_hull`'s
    corners, at least 3): (n,) bool."""
    a, b = hull, np.roll(hull, -1, axis=0)
    edge, to = b - a, points[:, None, :] - a[None]
    cross = edge[None, :, 0] * to[:, :, 1] - edge[None, :, 1] * to[:, :, 0]
    return np.all(cross >= 0, axis=1)


def _cross(o: list[float], a: list[float], b: list[float]) -> float:
    return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])


def _length(stroke: np.ndarray) -> float:
    return float(np.hypot(*np.diff(stroke, axis=0).T).sum()) if len(stroke) > 1 else 0.0
