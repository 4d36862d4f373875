"""Doodles of nothing: the outliers of outlier exposure (Hendrycks et al., ICLR 2019).

Some real doodles show none of the 18 shapes: a scribble, a word, an aeroplane drawn
for "octagon". A classifier trained only on the 18 shapes names them confidently, and
a confident wrong guess is a wrong snap. Training on doodles of nothing with a target
of equal odds for every class teaches it to hold back on ink that matches no shape.

What they are drawn from: scribbles (the pen going back and forth over a patch),
wandering curves that turn several times, and handwriting-like rows of loops, with a
few of each mixed and scattered. Each stroke turns several times, so no single stroke
is a line, an arc or a loop that one of the classes begins with.
"""

from __future__ import annotations

import math

import numpy as np

from training.synth.geom import round_corners
from training.synth.pen import Sketch


def _wander(sk: Sketch, start: np.ndarray, size: float, turns: int) -> np.ndarray:
    """A smooth curve that changes direction `turns` times, about `size` across."""
    rng = sk.rng
    heading = rng.uniform(0, 2 * math.pi)
    pts = [start]
    for _ in range(turns + 1):
        heading += rng.choice((-1.0, 1.0)) * rng.uniform(1.0, 2.6)
        step = size * rng.uniform(0.25, 0.6)
        pts.append(pts[-1] + step * np.array([math.cos(heading), math.sin(heading)]))
    return round_corners(np.array(pts), sk.u(0.3, 0.5))


def _scribble(sk: Sketch, centre: np.ndarray, size: float) -> np.ndarray:
    """Back and forth over a patch, drifting sideways: crossing out, shading."""
    rng = sk.rng
    n = sk.n(8, 20)
    along = rng.uniform(0, math.pi)
    u = np.array([math.cos(along), math.sin(along)])
    v = np.array([-u[1], u[0]])
    # dense: the strokes a few percent of the patch apart, unlike a mountain's zigzag
    offs = np.linspace(-0.5, 0.5, n) * size * n * sk.u(0.015, 0.03)
    ends = np.where(np.arange(n) % 2 == 0, -0.5, 0.5) * size
    ends = ends * rng.uniform(0.6, 1.0, n)
    pts = centre + ends[:, None] * u + offs[:, None] * v
    return round_corners(pts, 0.2)


def _writing(sk: Sketch, left: np.ndarray, height: float) -> np.ndarray:
    """A row of joined loops and humps, like a handwritten word."""
    rng = sk.rng
    n = sk.n(3, 7)
    t = np.linspace(0, n * 2 * math.pi, n * 10)
    x = left[0] + t / (2 * math.pi) * height * sk.u(0.5, 0.9) + 0.25 * height * np.sin(t)
    y = left[1] - height * 0.5 * (1 - np.cos(t)) * rng.uniform(0.6, 1.2)
    return np.stack([x, y], axis=1)


def scrawl(sk: Sketch) -> None:
    """Plan a doodle of nothing: 1 to 8 strokes of scribble, wandering curves or writing."""
    rng = sk.rng
    style = sk.pick((0.3, 0.45, 0.25))  # scribbles, wandering curves, writing
    n_strokes = (1, 2, 3, 4, 5, 6, 8)[sk.pick((0.15, 0.15, 0.2, 0.15, 0.15, 0.1, 0.1))]
    for _ in range(n_strokes):
        kind = style if rng.random() < 0.7 else sk.n(0, 2)
        at = rng.uniform(-0.5, 0.5, 2)
        size = sk.u(0.15, 0.8)
        if kind == 0:
            sk.add(_scribble(sk, at, size))
        elif kind == 1:
            sk.add(_wander(sk, at, size, sk.n(3, 6)))
        else:
            sk.add(_writing(sk, at - np.array([0.4, 0.0]), size * 0.4))
