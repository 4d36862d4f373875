"""Drawing programs for the polygons: square, triangle, hexagon, octagon.

People do not count sides (about a third of real octagons show 6 or 7, some
hexagons 7 or 8), start at a corner of their liking (mostly the top left), go
either way round, draw the outline in one stroke or a stroke per side or two,
and often leave the outline open or overshoot where it closes.
"""

from __future__ import annotations

import numpy as np

from training.synth.geom import (
    bow_sides,
    chamfered,
    close_loosely,
    extend_ends,
    loop_from,
    ngon,
    pointed,
    rect,
    rotation,
    round_corners,
    split_path,
)
from training.synth.pen import Sketch, pose


def draw_polygon(
    sk: Sketch,
    verts: np.ndarray,
    n_strokes: int,
    *,
    start: int | None = None,
    reverse: bool | None = None,
    open_sides: int = 0,
    corner: float = 1.0,
    gap: float = 0.012,
    bend: float = 1.0,
) -> None:
    """Plan a polygon outline as `n_strokes` strokes, the way a hand goes round it.

    `verts` (n, 2) in clockwise screen order; `start` the first vertex (default: the
    top-left one, mostly); `reverse` goes round anticlockwise (default: at random);
    `open_sides` sides left undrawn at the end; `corner`
    scales the hand's corner rounding; `gap` how far apart strokes start and end
    where they should meet; `bend` scales how much the sides bow.
    """
    rng, hand = sk.rng, sk.hand
    n = len(verts)
    if start is None:
        top_left = int(np.argmin(verts[:, 0] + 1.3 * verts[:, 1]))
        start = top_left if rng.random() < 0.65 else int(rng.integers(n))
    if reverse is None:
        reverse = rng.random() < 0.45
    path = loop_from(verts, start, reverse=reverse)
    if open_sides:
        path = path[: len(path) - open_sides]
    n_strokes = min(n_strokes, len(path) - 1)
    frac = hand.roundness * corner
    if n_strokes <= 1:
        if not open_sides:
            over = rng.normal(0.05, hand.closure * 2.5)
            path = close_loosely(path, float(np.clip(over, -0.5, 0.6)))
        sk.add(round_corners(_bent(sk, path, bend), frac))
        return
    inner = np.arange(1, len(path) - 1)
    if n_strokes - 1 >= len(inner):
        cuts = list(inner)
    else:
        cuts = sorted(rng.choice(inner, n_strokes - 1, replace=False).tolist())
    pieces = split_path(path, cuts)
    # a second stroke often starts again from the first stroke's start corner
    restart = len(pieces) == 2 and rng.random() < 0.5
    overshoot = rng.random() < 0.4  # this hand runs past corners where strokes meet
    for i, piece in enumerate(pieces):
        piece = _bent(sk, piece.copy(), bend)
        piece[0] += sk.jitter(gap)
        piece[-1] += sk.jitter(gap)
        if overshoot:
            r = rng.random(2)
            piece = extend_ends(piece, 0.12 * r[0] ** 2, 0.25 * r[1] ** 2)
        if (restart and i == 1) or (not restart and rng.random() < 0.12):
            piece = piece[::-1]
        sk.add(round_corners(piece, frac))


def _bent(sk: Sketch, path: np.ndarray, bend: float) -> np.ndarray:
    """Sides a little convex, concave or S-shaped, as a hand draws straight lines."""
    spread = (0.012 + 0.045 * sk.hand.sloppy) * bend
    return bow_sides(path, sk.rng.normal(0.0, spread, len(path)))


def square(sk: Sketch) -> None:
    rng = sk.rng
    w = 1.0
    h = float(np.exp(rng.normal(0.0, 0.12)))
    verts = rect(w, h) + rng.normal(0.0, 0.03 + 0.05 * sk.hand.sloppy, (4, 2))
    n_strokes = (1, 2, 3, 4)[sk.pick((0.72, 0.16, 0.05, 0.07))]
    draw_polygon(sk, verts, n_strokes, open_sides=1 if sk.maybe(0.03) else 0)
    diamond = sk.maybe(0.04)
    pose(sk, tilt=0.06, aspect=0.1, shear=0.12)
    if diamond:
        sk.transform(rotation(np.pi / 4))


def triangle(sk: Sketch) -> None:
    rng = sk.rng
    w = float(np.exp(rng.normal(0.05, 0.3)))  # wide and flat to tall and narrow
    apex_x = rng.normal(0.0, 0.15) * w
    verts = np.array([[apex_x, -0.5], [w / 2, 0.5], [-w / 2, 0.5]])
    verts += rng.normal(0.0, 0.02 + 0.03 * sk.hand.sloppy, (3, 2))
    choice = sk.pick((0.3, 0.3, 0.2, 0.2))
    start = (2, 0, 2, 1)[choice] if choice < 3 else None  # bottom left, apex, ...
    n_strokes = (1, 2, 3, 4)[sk.pick((0.62, 0.22, 0.14, 0.02))]
    draw_polygon(
        sk,
        verts,
        n_strokes,
        start=start,
        open_sides=1 if sk.maybe(0.03) else 0,
        corner=1.2,
        bend=1.8 if sk.maybe(0.6) else 1.0,
    )
    pose(sk, tilt=0.08, aspect=0.15, shear=0.08, spin=0.06 if sk.full else 0.0)


def _multi_sided(
    sk: Sketch,
    verts: np.ndarray,
    *,
    stretch: float,
    aspect: float,
    one_stroke: float,
    open_weights: tuple[float, float, float],
) -> None:
    """Hexagons and octagons: one stroke, a few, or a stroke per side; often left open
    (`open_weights`: the chances of 0, 1 and 2 sides missing)."""
    n = len(verts)
    rest = (1.0 - one_stroke) / 0.5
    mode = sk.pick((one_stroke, 0.15 * rest, 0.12 * rest, 0.1 * rest, 0.13 * rest))
    if mode == 0:
        n_strokes = 1
    elif mode == 1:
        n_strokes = 2
    elif mode == 2:
        n_strokes = sk.n(3, 4)
    elif mode == 3:
        n_strokes = sk.n(min(5, n - 1), n - 1)
    else:
        n_strokes = n  # a stroke per side
    open_sides = sk.pick(open_weights)
    if open_sides == 2 and n_strokes > 2:
        open_sides = 1
    start = reverse = None
    if open_sides and sk.rng.random() < 0.6:  # an arch: up one side, over, down the other
        start = int(np.argmax(verts[:, 1] - 0.5 * verts[:, 0]))  # the bottom-left corner
        reverse = False
    draw_polygon(
        sk,
        verts,
        n_strokes,
        start=start,
        reverse=reverse,
        open_sides=open_sides,
        corner=0.35,
        gap=0.025,
    )
    pose(sk, tilt=0.08, aspect=aspect, shear=0.06, stretch=stretch)


def hexagon(sk: Sketch) -> None:
    rng = sk.rng
    n = (6, 5, 7, 8)[sk.pick((0.78, 0.07, 0.1, 0.05))]
    if n == 6 and sk.pick((0.6, 0.4)) == 1:  # a box with pointed ends
        w, h = 1.0, sk.u(0.6, 0.95)
        verts = pointed(w, h, (sk.u(0.15, 0.35), sk.u(0.15, 0.35)))
        verts += rng.normal(0, 0.015 + 0.02 * sk.hand.sloppy, verts.shape)
        if rng.random() < 0.3:  # pointed top and bottom instead
            verts = verts[:, ::-1].copy()
    else:
        verts = ngon(n, rng, irregular=0.06 + 0.1 * sk.hand.sloppy, flat_top=0.7)
    _multi_sided(
        sk, verts, stretch=0.12, aspect=0.12, one_stroke=0.4, open_weights=(0.65, 0.22, 0.13)
    )


def octagon(sk: Sketch) -> None:
    rng = sk.rng
    n = (8, 7, 6, 9, 10)[sk.pick((0.62, 0.16, 0.12, 0.06, 0.04))]
    if n == 8 and sk.pick((0.5, 0.5)) == 1:  # a box with its corners cut
        w, h = 1.0, float(np.exp(rng.normal(0.05, 0.2)))
        verts = chamfered(w, h, rng.uniform(0.12, 0.4, 4))
        verts += rng.normal(0, 0.015 + 0.025 * sk.hand.sloppy, verts.shape)
    else:
        verts = ngon(n, rng, irregular=0.08 + 0.12 * sk.hand.sloppy, flat_top=0.85)
    _multi_sided(
        sk, verts, stretch=-0.05, aspect=0.18, one_stroke=0.5, open_weights=(0.72, 0.18, 0.1)
    )
