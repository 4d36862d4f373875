"""Drawing programs for the simple objects: line, hockey stick, hourglass, paper clip."""

from __future__ import annotations

import math

import numpy as np

from training.synth.geom import arc_through, bow, loop_from, oval, pt, rotation, round_corners
from training.synth.pen import Sketch, pose


def line(sk: Sketch) -> None:
    rng = sk.rng
    a, b = np.array([-0.5, 0.0]), np.array([0.5, 0.0])
    style = sk.pick((0.84, 0.07, 0.05, 0.04))
    curve = rng.normal(0, 0.015) if rng.random() < 0.7 else rng.normal(0, 0.05)
    if style == 0:
        sk.add(bow(a, b, curve, n=6))
    elif style == 1:  # in two pieces
        m = a + (b - a) * sk.u(0.3, 0.7)
        sk.add(bow(a, m + sk.jitter(0.01), curve, n=4))
        sk.add(bow(m + sk.jitter(0.01), b, curve, n=4))
    elif style == 2:  # two or three lines side by side
        for i in range(sk.n(2, 3)):
            off = np.array([rng.normal(0, 0.05), 0.06 * i + rng.normal(0, 0.02)])
            sk.add(bow(a * sk.u(0.7, 1.0) + off, b * sk.u(0.7, 1.0) + off, curve, n=5))
    else:  # gone over again
        sk.add(bow(a, b, curve, n=6))
        sk.add(bow(b + sk.jitter(0.01), a + sk.jitter(0.01), curve, n=6))
    if rng.random() < 0.5:
        sk.plan = [p[::-1] for p in sk.plan]
    kind = sk.pick((0.6, 0.12, 0.28))
    angle = (rng.normal(0, 0.07), math.pi / 2 + rng.normal(0, 0.07), rng.uniform(-1.3, 1.3))[kind]
    sk.transform(rotation(angle))


def hockey_stick(sk: Sketch) -> None:
    rng = sk.rng
    # the shaft leans either way; the blade stays roughly level, pointing away
    lean = float(np.clip(rng.normal(-0.3, 0.35), -1.1, 0.35))
    heel = np.array([0.0, 0.4])
    top = heel + np.array([math.sin(lean), -math.cos(lean)])
    blade = sk.u(0.28, 0.6)
    ang = rng.normal(-0.1, 0.15)
    toe = heel + blade * np.array([math.cos(ang), math.sin(ang)])
    style = sk.pick((0.35, 0.3, 0.2, 0.08, 0.07))
    frac = sk.u(0.1, 0.45)
    shaft = bow(top, heel, rng.normal(0.0, 0.03), n=6)
    blade_line = arc_through(heel, toe, rng.normal(0.04, 0.08), n=5)
    if style == 0:  # one stroke, down the shaft and along the blade
        sk.add(
            round_corners(np.vstack([shaft[:-1], heel, toe]), frac)
            if rng.random() < 0.3
            else np.vstack(
                [
                    shaft[:-1],
                    round_corners(np.vstack([shaft[-2], heel, toe]), frac)[1:-1],
                    blade_line[1:],
                ]
            )
        )
    elif style == 1:  # shaft, then blade
        sk.add(shaft)
        sk.add(blade_line + sk.jitter(0.01))
    elif style == 2:  # an outline of shaft and blade, one stroke
        t = sk.u(0.04, 0.08)
        outline = np.array(
            [
                top + pt(-t, 0),
                heel + pt(-t, t),
                toe + pt(0, t),
                toe + pt(0, -t),
                heel + pt(t, -t),
                top + pt(t, 0),
            ]
        )
        if rng.random() < 0.5:
            outline = np.vstack([outline, outline[:1]])
        sk.add(round_corners(outline, frac * 0.5))
    elif style == 3:  # the shaft as two lines, then the blade
        t = sk.u(0.03, 0.06)
        sk.add(np.vstack([top + pt(-t, 0), heel + pt(-t, t)]))
        sk.add(np.vstack([top + pt(t, 0), heel + pt(t, -t)]))
        sk.add(np.vstack([heel + pt(-t, t), toe + pt(0, t), toe + pt(0, -t), heel + pt(t, -t)]))
    else:  # drawn from the blade up
        sk.add(np.vstack([blade_line[::-1], shaft[-2::-1]]))
    if sk.maybe(0.12):  # a puck
        p = toe + pt(sk.u(0.05, 0.2), sk.u(-0.02, 0.05))
        if rng.random() < 0.5:
            sk.dot(p)
        else:
            sk.add(oval(p, 0.05, 0.025, 0, 2 * math.pi, rng=rng))
    if rng.random() < 0.5:
        sk.transform(np.diag([-1.0, 1.0]))
    pose(sk, tilt=0.1, aspect=0.1, shear=0.05)


def hourglass(sk: Sketch) -> None:
    rng = sk.rng
    w = sk.u(0.55, 0.9) / 2
    neck = sk.u(0.0, 0.08)
    tl, tr = np.array([-w, -0.5]), np.array([w, -0.5])
    bl, br = np.array([-w, 0.5]), np.array([w, 0.5])
    nl, nr = np.array([-neck, 0.0]), np.array([neck, 0.0])
    curved = rng.random() < 0.5
    bulge = sk.u(0.05, 0.15)

    def side(a: np.ndarray, m: np.ndarray, b: np.ndarray) -> np.ndarray:
        if not curved:
            return np.vstack([a, m, b])
        return np.vstack([arc_through(a, m, bulge, n=5)[:-1], arc_through(m, b, bulge, n=5)])

    style = sk.pick((0.35, 0.25, 0.15, 0.1, 0.15))
    if style == 0:  # one stroke: top, down across, bottom, back up across
        if curved:  # bulbs bulging outwards
            b = bulge * 1.5
            path = np.vstack(
                [
                    tl,
                    arc_through(tr, nr, b, n=5),
                    arc_through(nr, bl, -b, n=5)[1:],
                    arc_through(br, nl, -b, n=5),
                    arc_through(nl, tl, b, n=5)[1:],
                ]
            )
        else:
            path = np.vstack([tl, tr, nr, bl, br, nl, tl])
        path = path + rng.normal(0, 0.01, path.shape)
        sk.add(path if rng.random() < 0.8 else path[::-1])
    elif style == 1:  # two sides, then the bars (or the bars first)
        left = side(tl, nl, bl)
        right = side(tr, nr, br)
        bar = sk.u(1.0, 1.3)
        bars = [
            np.vstack([tl * [bar, 1], tr * [bar, 1]]),
            np.vstack([bl * [bar, 1], br * [bar, 1]]),
        ]
        parts = [left, right, *bars] if rng.random() < 0.4 else [*bars, left, right]
        for p in parts:
            sk.add(p)
    elif style == 2:  # two triangles
        sk.add(loop_from(np.vstack([tl, tr, nr]), 0, rng.random() < 0.3))
        sk.add(loop_from(np.vstack([bl, br, nl]), 0, rng.random() < 0.3))
    elif style == 3:  # an X and two bars
        sk.add(np.vstack([tl, br]))
        sk.add(np.vstack([tr, bl]))
        sk.add(np.vstack([tl, tr]) + sk.jitter(0.01))
        sk.add(np.vstack([bl, br]) + sk.jitter(0.01))
    else:  # a curved outline in one stroke, and the bars before or after it
        outline = np.vstack([side(tl, nl, bl), side(br, nr, tr)])
        outline = np.vstack([outline, outline[:1]])
        bars = [
            np.vstack([tl * [1.2, 1], tr * [1.2, 1]]),
            np.vstack([bl * [1.2, 1], br * [1.2, 1]]),
        ]
        bars = bars if rng.random() < 0.7 else []
        parts = [*bars, outline] if rng.random() < 0.5 else [outline, *bars]
        for p in parts:
            sk.add(p)
    if sk.maybe(0.35):  # sand
        kind = rng.integers(3)
        if kind == 0:
            for _ in range(sk.n(2, 6)):
                sk.dot([rng.uniform(-w * 0.5, w * 0.5), rng.uniform(0.2, 0.45)])
        elif kind == 1:
            sk.add(arc_through(np.array([-w * 0.8, 0.45]), np.array([w * 0.8, 0.45]), 0.25, n=6))
        else:
            sk.add(np.vstack([[0.0, 0.02], [0.0, 0.4]]))
            sk.add(np.vstack([[-w * 0.6, -0.3], [w * 0.6, -0.3]]))
    if sk.maybe(0.08):  # frame posts
        sk.add(np.vstack([tl * [1.25, 1], bl * [1.25, 1]]))
        sk.add(np.vstack([tr * [1.25, 1], br * [1.25, 1]]))
    pose(sk, tilt=0.06, aspect=0.12, shear=0.04)


def paper_clip(sk: Sketch) -> None:
    rng = sk.rng
    turns = (3, 2, 4)[sk.pick((0.5, 0.4, 0.1))]
    w = sk.u(0.15, 0.27)
    g = np.array([0.15, 0.55, 0.85, 1.0, 1.0])[: turns + 1]
    xs = w * g * np.where(np.arange(turns + 1) % 2 == 0, 1.0, -1.0)
    xs = xs + rng.normal(0, 0.02, len(xs))
    # wire k runs up (even k) or down (odd k); outer wires reach further
    depth = np.linspace(0.25, 0.0, turns + 1) + rng.uniform(0, 0.05, turns + 1)
    start_y = sk.u(-0.1, 0.25)
    pieces = [np.array([[xs[0], start_y]])]
    for k in range(turns):
        up = k % 2 == 0
        y = (-0.5 + depth[k]) if up else (0.5 - depth[k])
        a, b = np.array([xs[k], y]), np.array([xs[k + 1], y])
        # a U-turn: half an oval from wire k to wire k+1
        c = (a + b) / 2
        r = abs(b[0] - a[0]) / 2
        start = 0.0 if a[0] > b[0] else math.pi
        sweep = -math.pi if up == (a[0] > b[0]) else math.pi
        turn = oval(c, r, r * sk.u(0.8, 1.3), start, sweep, per_radian=5)
        pieces.append(turn)
    end_y = 0.5 - depth[turns] if turns % 2 == 1 else -0.5 + depth[turns]
    end_y = end_y * sk.u(0.2, 0.8)
    pieces.append(np.array([[xs[turns], end_y]]))
    path = np.vstack(pieces)
    if rng.random() < 0.3:
        path = path[::-1]
    if sk.maybe(0.06):
        cut = len(path) // 2
        sk.add(path[: cut + 1])
        sk.add(path[cut:])
    else:
        sk.add(path)
    spin = rng.normal(0, 0.2) + (rng.choice([-0.7, 0.7]) if rng.random() < 0.15 else 0.0)
    sk.transform(rotation(spin))
    pose(sk, tilt=0.02, aspect=0.1, shear=0.04)
