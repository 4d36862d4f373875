"""Drawing programs for the round shapes: circle, donut, smiley face, sun, eye.

A hand-drawn circle is one stroke that starts near the top, mostly runs
counter-clockwise, is a little boxy or lumpy, and misses its start: it overshoots
into a short tail or stops short. The other round classes add parts to such loops.
"""

from __future__ import annotations

import math

import numpy as np

from training.synth.geom import arc_through, bow, oval, pt, scribble_dot
from training.synth.pen import Sketch, pose


def loop(
    sk: Sketch,
    center: tuple[float, float] | np.ndarray,
    rx: float,
    ry: float | None = None,
    *,
    top_start: float = 0.7,
    ccw: float = 0.65,
    closure: float = 1.0,
) -> np.ndarray:
    """A hand-drawn closed loop (n, 2): starts near the top with probability `top_start`,
    runs counter-clockwise on screen with probability `ccw`, over- or undershoots."""
    rng, hand = sk.rng, sk.hand
    ry = rx if ry is None else ry
    if rng.random() < top_start:
        start = -math.pi / 2 + rng.normal(0.25, 0.45)
    else:
        start = rng.uniform(0, 2 * math.pi)
    direction = -1.0 if rng.random() < ccw else 1.0
    over = float(np.clip(rng.normal(0.12, 0.25 + 2 * hand.closure) * closure, -0.7, 1.4))
    return oval(
        center,
        rx,
        ry,
        start,
        direction * (2 * math.pi + over),
        rng=rng,
        lumpy=0.015 + 0.05 * hand.sloppy,
        boxy=2.0 + abs(rng.normal(0.0, 0.3)),
        drift=rng.normal(0.0, 0.035),
        tilt=rng.uniform(-0.5, 0.5),
    )


def circle(sk: Sketch) -> None:
    style = sk.pick((0.9, 0.04, 0.03, 0.03))
    if style == 0:
        sk.add(loop(sk, (0, 0), 0.5))
    elif style == 1:  # two halves
        rng = sk.rng
        start = -math.pi / 2 + rng.normal(0, 0.4)
        d = -1.0 if rng.random() < 0.6 else 1.0
        sk.add(oval((0, 0), 0.5, 0.5, start, d * sk.u(2.6, 3.5), rng=rng, lumpy=0.03))
        sk.add(oval((0, 0), 0.5, 0.5, start, -d * sk.u(2.6, 3.6), rng=rng, lumpy=0.03))
    elif style == 2:  # a loop and a stray mark
        sk.add(loop(sk, (0, 0), 0.5))
        if sk.rng.random() < 0.5:
            sk.dot(sk.rng.uniform(-0.3, 0.3, 2))
        else:
            a = sk.rng.uniform(-0.6, 0.6, 2)
            sk.add(np.vstack([a, a + sk.rng.normal(0, 0.15, 2)]))
    else:  # gone over twice
        sk.add(loop(sk, (0, 0), 0.5))
        sk.add(loop(sk, sk.jitter(0.02), 0.5 * sk.u(0.9, 1.05)))
    pose(sk, tilt=0.3, aspect=0.1, shear=0.05)


def donut(sk: Sketch) -> None:
    rng = sk.rng
    outer = loop(sk, (0, 0), 0.5, closure=0.6)
    perspective = sk.maybe(0.35)  # seen from the side: a flat ring, the hole small and high
    k = sk.u(0.22, 0.45) if perspective else sk.u(0.25, 0.55)
    c = sk.jitter(0.03) - (pt(0, 0.05) if perspective else 0)
    inner = loop(sk, c, 0.5 * k, 0.5 * k * (sk.u(0.7, 1.0) if perspective else 1.0), closure=0.6)
    style = sk.pick((0.8, 0.08, 0.06, 0.06))
    if style == 0:
        sk.add(outer)
        sk.add(inner)
    elif style == 1:  # inner ring first
        sk.add(inner)
        sk.add(outer)
    elif style == 2:  # one stroke: round the outside, then in
        sk.add(np.vstack([outer, inner]))
    else:  # the outside in two arcs
        half = len(outer) // 2 + sk.n(-3, 3)
        sk.add(outer[: half + 1])
        sk.add(outer[half:])
        sk.add(inner)
    if sk.maybe(0.12):  # icing
        sk.add(
            oval(
                c * 0.5,
                0.5 * (k + 1) / 2 + 0.05,
                0.5 * (k + 1) / 2,
                0,
                2 * math.pi,
                rng=rng,
                lumpy=0.08,
            )
        )
    if sk.maybe(0.2):  # sprinkles between the rings
        for _ in range(sk.n(3, 9)):
            a = rng.uniform(0, 2 * math.pi)
            rad = 0.5 * rng.uniform(k + 0.1, 0.9)
            p = np.array([rad * math.cos(a), rad * math.sin(a)])
            if rng.random() < 0.35:
                sk.dot(p)
            else:
                d = rng.normal(0, 0.04, 2)
                sk.add(np.vstack([p - d, p + d]))
    if perspective:
        a = sk.u(1.35, 2.1)
        sk.transform(np.diag([math.sqrt(a), 1 / math.sqrt(a)]))
    pose(sk, tilt=0.15, aspect=0.12, shear=0.05, stretch=0.08)


def _eyes_and_mouth(sk: Sketch, r: float, *, eye_kind: int, outline: bool) -> None:
    """Two eyes and a smile inside a face of radius r centred at 0."""
    rng = sk.rng
    ey = -r * sk.u(0.2, 0.45)
    ex = r * sk.u(0.25, 0.45)
    for side in (-1, 1):
        p = np.array([side * ex, ey]) + sk.jitter(0.02 * r)
        if eye_kind == 0:
            sk.dot(p)
        elif eye_kind == 1:
            sk.add(
                oval(
                    p,
                    r * sk.u(0.07, 0.14),
                    r * sk.u(0.07, 0.16),
                    rng.uniform(0, 6),
                    2 * math.pi * 1.05,
                )
            )
        elif eye_kind == 2:
            sk.add(np.vstack([p - pt(0, r * 0.1), p + pt(0, r * 0.1)]))
        else:
            sk.add(scribble_dot(p, r * 0.06, rng))
        if sk.maybe(0.2):  # gone over again
            sk.dot(p + sk.jitter(0.02 * r))
    if sk.maybe(0.1):  # eyebrows
        for side in (-1, 1):
            c = np.array([side * ex, ey - r * sk.u(0.15, 0.3)])
            sk.add(arc_through(c - pt(r * 0.12, 0), c + pt(r * 0.12, 0), 0.25, n=5))
    if sk.maybe(0.2):  # a nose
        p = np.array([0.0, r * sk.u(-0.05, 0.15)])
        if rng.random() < 0.5:
            sk.dot(p)
        else:
            sk.add(np.vstack([p - pt(0, r * 0.12), p, p + pt(r * 0.08, 0)]))
    my = r * sk.u(0.2, 0.45)
    mx = r * sk.u(0.35, 0.65) * (1.25 if not outline else 1.0)
    left, right = np.array([-mx, my]), np.array([mx, my])
    if rng.random() < 0.25:
        left, right = right, left
    depth = sk.u(0.25, 0.6)
    smile = arc_through(left, right, -depth if left[0] < right[0] else depth, n=12)
    if sk.maybe(0.1):  # an open mouth: the smile closed by a straight lip
        smile = np.vstack([smile, smile[:1]])
    sk.add(smile)


def smiley_face(sk: Sketch) -> None:
    rng = sk.rng
    r = 0.5
    outline = sk.pick((0.8, 0.2)) == 0
    eye_kind = sk.pick((0.55, 0.25, 0.12, 0.08))
    order = sk.pick((0.62, 0.28, 0.1))  # face first, face last, face between
    face = loop(sk, (0, 0), r, r * sk.u(0.9, 1.1))
    if outline and order == 0:
        sk.add(face)
    first = len(sk.plan)
    _eyes_and_mouth(sk, r, eye_kind=eye_kind, outline=outline)
    if outline and order == 1:
        sk.add(face)
    elif outline and order == 2:
        sk.plan.insert(first + 2, face)  # eyes, face, mouth
    if sk.maybe(0.06):  # hair or ears
        for _ in range(sk.n(2, 4)):
            a = -math.pi / 2 + rng.normal(0, 0.4)
            p = np.array([math.cos(a), math.sin(a)]) * r
            sk.add(np.vstack([p, p * sk.u(1.15, 1.35)]))
    pose(sk, tilt=0.1, aspect=0.08, shear=0.04)


def sun(sk: Sketch) -> None:
    rng = sk.rng
    style = sk.pick((0.82, 0.1, 0.05, 0.03))
    r = sk.u(0.22, 0.34)
    disc = loop(sk, (0, 0), r)
    n_rays = sk.n(5, 16)
    ray_len = r * sk.u(0.4, 1.1)
    gap = r * sk.u(0.0, 0.35)
    a0 = rng.uniform(0, 2 * math.pi)
    direction = -1.0 if rng.random() < 0.5 else 1.0
    angles = (
        a0 + direction * 2 * math.pi * (np.arange(n_rays) + rng.normal(0, 0.12, n_rays)) / n_rays
    )
    if style in (0, 3):
        sk.add(disc)
        if style == 0 and sk.maybe(0.3):  # rays across first: top, bottom, left, right
            angles = np.concatenate([angles[::2], angles[1::2]])
        for a in angles:
            u = np.array([math.cos(a), math.sin(a)])
            length = ray_len * sk.u(0.75, 1.25)
            inner = u * (r + gap * sk.u(0.6, 1.4))
            if style == 3:  # a little triangle per ray
                side = np.array([-u[1], u[0]]) * length * 0.3
                sk.add(np.vstack([inner - side, inner + u * length, inner + side]))
            elif rng.random() < 0.8:
                sk.add(np.vstack([inner, inner + u * length]))
            else:
                sk.add(bow(inner, inner + u * length, sk.u(-0.15, 0.15), n=4))
    else:
        # rays as one zigzag around the disc (with the disc, or the zigzag alone)
        n_z = sk.n(8, 16)
        t = a0 + direction * np.linspace(0, 2 * math.pi, 2 * n_z + 1)
        rad = np.where(np.arange(2 * n_z + 1) % 2 == 0, r + gap * 0.3, r + ray_len)
        rad = rad * (1 + rng.normal(0, 0.05, len(rad)))
        zig = np.stack([rad * np.cos(t), rad * np.sin(t)], axis=1)
        if style == 1:
            sk.add(disc)
        sk.add(zig)
    if sk.maybe(0.12):  # a face
        _eyes_and_mouth(sk, r * 0.9, eye_kind=0 if rng.random() < 0.7 else 1, outline=True)
    pose(sk, tilt=0.2, aspect=0.06, shear=0.04)


def eye(sk: Sketch) -> None:
    rng = sk.rng
    w = 0.5
    top = sk.u(0.2, 0.38)
    bottom = sk.u(0.14, 0.32)
    left = np.array([-w, 0.0]) + sk.jitter(0.02)
    right = np.array([w, 0.0]) + sk.jitter(0.02)
    upper = arc_through(left, right, top, n=12)
    lower = arc_through(left, right, -bottom, n=12)
    style = sk.pick((0.5, 0.28, 0.22))
    if style == 0:  # upper lid, then lower lid, both from the left corner
        sk.add(upper)
        sk.add(lower if rng.random() < 0.75 else lower[::-1])
    elif style == 1:  # one almond stroke
        over = rng.normal(0.0, 0.05)
        path = np.vstack([upper, lower[-2::-1]])
        if over > 0:
            path = np.vstack([path, path[0] + (path[1] - path[0]) * over * 8])
        sk.add(path)
    else:  # an oval eye
        sk.add(
            oval(
                (0, 0),
                w,
                (top + bottom) / 2,
                -math.pi,
                -2 * math.pi * sk.u(0.95, 1.08),
                rng=rng,
                lumpy=0.03,
                boxy=sk.u(2.0, 3.0),
            )
        )
    # iris, a little above centre, touching the lids
    ir = (top + bottom) / 2 * sk.u(0.75, 1.1)
    ic = np.array([rng.normal(0, 0.05), -(top - bottom) / 2])
    iris_kind = sk.pick((0.8, 0.12, 0.08))
    if iris_kind == 0:
        sk.add(loop(sk, ic, ir, ir * sk.u(0.9, 1.1), top_start=0.5, closure=0.5))
    elif iris_kind == 1:  # an arc cut off by the lids
        sk.add(oval(ic, ir, ir, -math.pi * 0.8, -math.pi * 1.6, rng=rng, lumpy=0.03))
    pupil = sk.pick((0.45, 0.3, 0.25)) if iris_kind != 2 else 1
    pr = ir * sk.u(0.25, 0.5)
    if pupil == 0:
        sk.add(scribble_dot(ic, pr, rng))
    elif pupil == 1:
        sk.add(loop(sk, ic, pr, top_start=0.5, closure=0.4))
    else:
        sk.dot(ic)
    if sk.maybe(0.35):  # lashes on the upper lid
        n_l = sk.n(3, 6)
        fan = np.array([0.0, sk.u(0.3, 2.0)])  # lashes fan out from below, or stand upright
        length = sk.u(0.08, 0.25)
        lid = upper if style != 2 else oval((0, 0), w, top, -math.pi, math.pi, per_radian=4)
        for i in range(n_l):
            t = (i + 1) / (n_l + 1)
            p = lid[int(t * (len(lid) - 1))]
            d = p - fan
            d = d / (np.hypot(*d) + 1e-9)
            sk.add(np.vstack([p, p + d * length * sk.u(0.8, 1.2)]))
    if sk.maybe(0.1):  # an eyebrow
        sk.add(arc_through(left + pt(0, -top * 0.9), right + pt(0, -top * 0.9), top * 0.4, n=8))
    pose(sk, tilt=0.08, aspect=0.1, shear=0.04, stretch=0.1)
