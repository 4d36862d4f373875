"""Drawing programs for the composite pictures: cloud, mountain, house, fish, ice cream.

These are built from parts that people add in a usual order (a house's walls and
roof, then a door, then windows; an ice cream's cone, then its scoop, then the
cross-hatch), each part optional or drawn in more or fewer strokes.
"""

from __future__ import annotations

import math

import numpy as np

from training.synth.geom import (
    arc_through,
    bow,
    bow_sides,
    loop_from,
    oval,
    pt,
    rect,
    round_corners,
    scribble_dot,
    unit_steps,
)
from training.synth.pen import Sketch, pose
from training.synth.shapes_polygons import draw_polygon
from training.synth.shapes_round import loop


def _scallops(anchors: np.ndarray, bulge: np.ndarray) -> np.ndarray:
    """Outward bumps between consecutive anchor points, joined into one path."""
    parts = [
        arc_through(anchors[i], anchors[i + 1], float(bulge[i]), n=7)[:-1]
        for i in range(len(anchors) - 1)
    ]
    return np.vstack([*parts, anchors[-1:]])


def cloud(sk: Sketch) -> None:
    rng = sk.rng
    rx, ry = 0.5, 0.5 * sk.u(0.4, 0.7)
    # People draw clouds with many small scallops, often all the way round.
    style = sk.pick((0.45, 0.15, 0.12, 0.08, 0.2))
    # bumps over the top, from the left end round to the right end
    n_top = sk.n(4, 8)
    t = np.linspace(math.pi * sk.u(0.85, 1.0), math.pi * sk.u(2.0, 2.15), n_top + 1)
    t[1:-1] += rng.normal(0, 0.1, n_top - 1) * (math.pi / n_top)
    top = _scallops(
        np.stack([rx * np.cos(t), ry * np.sin(t)], axis=1), rng.uniform(0.3, 0.6, n_top)
    )
    left, right = top[0], top[-1]
    if style in (0, 4):  # a bumpy underside too, with fewer, flatter bumps
        n_bot = sk.n(2, 5) if style == 0 else max(n_top - sk.n(0, 2), 2)
        tb = np.linspace(t[-1] - 2 * math.pi, t[0], n_bot + 1)
        anchors = np.stack([rx * np.cos(tb), ry * np.sin(tb)], axis=1)
        anchors[0], anchors[-1] = right, left
        lo, hi = (0.08, 0.3) if style == 0 else (0.2, 0.45)
        bottom = _scallops(anchors, rng.uniform(lo, hi, n_bot))
    else:
        bottom = bow(right, left, rng.normal(0, 0.03), n=6)
    path = np.vstack([top, bottom[1:]])
    start = sk.pick((0.5, 0.3, 0.2))  # the bottom left, the left end, somewhere on top
    if start == 0:
        k = len(top) + (len(bottom) - 1) * 2 // 3
        path = np.vstack([path[k:], path[1 : k + 1]])
    elif start == 2:
        k = sk.n(1, len(top) - 2)
        path = np.vstack([path[k:], path[1 : k + 1]])
    if rng.random() < 0.3:
        path = path[::-1]
    if style in (0, 4, 1):
        gap = rng.normal(0.0, 0.05)
        if gap < 0:  # stop short of the start
            path = path[: max(len(path) - int(-gap * 60), 4)]
        sk.add(path)
    elif style == 2:  # the bumps, then the underside
        sk.add(top)
        sk.add(bottom if rng.random() < 0.5 else bottom[::-1])
    else:  # in two halves
        cut = len(path) // 2 + sk.n(-4, 4)
        sk.add(path[: cut + 1])
        sk.add(path[cut:])
    if sk.maybe(0.08):  # rain
        for _ in range(sk.n(2, 5)):
            p = np.array([rng.uniform(-0.35, 0.35), ry + rng.uniform(0.1, 0.2)])
            if rng.random() < 0.3:
                sk.dot(p)
            else:
                sk.add(np.vstack([p, p + pt(rng.normal(0, 0.03), sk.u(0.08, 0.2))]))
    pose(sk, tilt=0.1, aspect=0.15, shear=0.05)


def mountain(sk: Sketch) -> None:
    rng = sk.rng
    k = (1, 2, 3, 4)[sk.pick((0.5, 0.25, 0.17, 0.08))]
    # peaks spread over the width, valleys between them, feet at the two ends
    peaks = -0.5 + (np.arange(k) + 0.5 + rng.uniform(-0.25, 0.25, k)) / k
    xs = np.empty(2 * k + 1)
    xs[1::2] = peaks
    xs[2:-1:2] = (peaks[:-1] + peaks[1:]) / 2 + rng.normal(0, 0.04, k - 1)
    xs[0], xs[-1] = -0.5 - rng.uniform(0, 0.1), 0.5 + rng.uniform(0, 0.1)
    ys = np.empty(len(xs))
    ys[0], ys[-1] = 0.5 + rng.normal(0, 0.05), 0.5 + rng.normal(0, 0.05)
    main = rng.integers(k)
    for i in range(k):
        ys[1 + 2 * i] = -0.5 if i == main else sk.u(-0.45, 0.05)
    for i in range(k - 1):
        lo = max(ys[1 + 2 * i], ys[3 + 2 * i])
        ys[2 + 2 * i] = lo + sk.u(0.25, 0.8) * (0.5 - lo)
    path = bow_sides(np.stack([xs, ys], axis=1), rng.normal(0.0, 0.05, len(xs)))
    if rng.random() < 0.25:  # rounded tops
        path = round_corners(path, sk.u(0.2, 0.45))
    style = sk.pick((0.77, 0.01, 0.2, 0.02))
    if style == 1:  # closed along the ground
        path = np.vstack([path, path[:1] + pt(0, rng.normal(0, 0.02))])
    if style == 2:  # up to the highest peak, then down from it, in two strokes
        top = int(np.argmin(path[:, 1]))
        sk.add(path[: top + 1])
        sk.add(path[top:] if rng.random() < 0.7 else path[top:][::-1])
    else:
        sk.add(path if rng.random() < 0.85 else path[::-1])
    if style == 3:  # a ground line
        sk.add(bow(np.array([-0.55, 0.5]), np.array([0.55, 0.5]), rng.normal(0, 0.02), n=4))
    if sk.maybe(0.2):  # snow on the highest peak
        p = np.array([xs[1 + 2 * main], ys[1 + 2 * main]])
        drop = sk.u(0.15, 0.35)
        left = p + (np.array([xs[2 * main], ys[2 * main]]) - p) * drop
        right = p + (np.array([xs[2 + 2 * main], ys[2 + 2 * main]]) - p) * drop
        n_z = sk.n(2, 4)
        zx = np.linspace(left[0], right[0], 2 * n_z + 1)
        zy = np.linspace(left[1], right[1], 2 * n_z + 1) + np.where(
            np.arange(2 * n_z + 1) % 2, drop * 0.25, 0
        )
        sk.add(np.stack([zx, zy], axis=1))
    if sk.maybe(0.08):  # a second mountain behind
        c = sk.u(-0.3, 0.3)
        sk.add(np.array([[c - 0.35, 0.5], [c, sk.u(-0.2, 0.2)], [c + 0.35, 0.5]]))
    pose(sk, tilt=0.05, aspect=0.25, shear=0.05, stretch=0.2)


def house(sk: Sketch) -> None:
    rng = sk.rng
    w, h = 0.9, sk.u(0.5, 0.85)
    top, bottom = 0.5 - h, 0.5
    walls = rect(w, h, (0, (top + bottom) / 2)) + rng.normal(0, 0.015, (4, 2))
    roof_h = sk.u(0.3, 0.6)
    eave = sk.u(0.0, 0.1)
    peak = np.array([rng.normal(0, 0.05), top - roof_h])
    le = walls[0] + pt(-eave, rng.normal(0, 0.02))
    re = walls[1] + pt(eave, rng.normal(0, 0.02))
    roof = np.vstack([le, peak, re])
    style = sk.pick((0.25, 0.12, 0.08, 0.12, 0.15, 0.08, 0.2))
    frac = sk.hand.roundness * 0.5
    u_walls = np.vstack([walls[0], walls[3], walls[2], walls[1]])  # left, bottom, right
    if style == 0:  # walls, then the roof
        draw_polygon(sk, walls, 1, corner=0.5)
        sk.add(roof)
    elif style == 1:  # roof first, then hanging walls
        sk.add(np.vstack([roof, le]) if rng.random() < 0.5 else roof)
        sk.add(round_corners(u_walls, frac))
    elif style == 2:  # the whole outline in one stroke
        outline = np.vstack([walls[3], walls[0], peak, walls[1], walls[2], walls[3]])
        sk.add(round_corners(outline, frac * 0.5))
    elif style == 3:  # walls open at the top, then a closed roof triangle
        sk.add(round_corners(u_walls, frac))
        sk.add(loop_from(np.vstack([peak, re, le]), 0, rng.random() < 0.5))
    elif style == 4:  # walls in several strokes, roof in one or two
        draw_polygon(sk, walls, sk.n(2, 4), corner=0.5)
        if rng.random() < 0.5:
            sk.add(roof)
        else:
            sk.add(roof[:2])
            sk.add(roof[1:])
    elif style == 5:
        draw_polygon(sk, walls, 1, corner=0.5)
        sk.add(roof[:2])
        sk.add(roof[1:])
    else:  # wall by wall, from the left, then the roof
        sides = [walls[[0, 3]], walls[[3, 2]], walls[[1, 2]]]
        if rng.random() < 0.5:
            sides = [sides[0], sides[2], sides[1]]  # both walls, then the floor
        for side in sides:
            sk.add(side + rng.normal(0, 0.012, (2, 2)))
        if rng.random() < 0.6:
            sk.add(roof)
        else:
            sk.add(roof[:2])
            sk.add(roof[1:])
    if sk.maybe(0.65):  # a door
        dw, dh = w * sk.u(0.15, 0.3), h * sk.u(0.35, 0.65)
        dx = rng.uniform(-w / 2 + dw, w / 2 - dw)
        door = np.array(
            [
                [dx - dw / 2, bottom],
                [dx - dw / 2, bottom - dh],
                [dx + dw / 2, bottom - dh],
                [dx + dw / 2, bottom],
            ]
        )
        sk.add(door + rng.normal(0, 0.01, (4, 2)))
        if sk.maybe(0.25):
            sk.dot([dx + dw * 0.25, bottom - dh / 2])
    if sk.maybe(0.45):  # windows
        for _ in range(sk.n(1, 2)):
            s = w * sk.u(0.12, 0.22)
            c = (rng.uniform(-w / 2 + s, w / 2 - s), rng.uniform(top + s, top + h * 0.5))
            draw_polygon(sk, rect(s, s, c), 1 if rng.random() < 0.8 else 2, corner=0.3)
            if rng.random() < 0.4:  # a cross
                sk.add(np.array([[c[0] - s / 2, c[1]], [c[0] + s / 2, c[1]]]))
                sk.add(np.array([[c[0], c[1] - s / 2], [c[0], c[1] + s / 2]]))
    if sk.maybe(0.2):  # a chimney on the right slope
        t = sk.u(0.45, 0.75)
        base = peak + (re - peak) * t
        cw, ch = sk.u(0.06, 0.12), sk.u(0.1, 0.22)
        b2 = peak + (re - peak) * min(t + cw / max(re[0] - peak[0], 0.1), 0.95)
        sk.add(np.array([base, [base[0], base[1] - ch], [b2[0], base[1] - ch], b2]))
    if sk.maybe(0.08):  # ground
        sk.add(bow(np.array([-0.7, bottom]), np.array([0.7, bottom]), rng.normal(0, 0.02), n=4))
    pose(sk, tilt=0.04, aspect=0.12, shear=0.06)


def _fish_side(nose: np.ndarray, joint: np.ndarray, height: float, blunt: float) -> np.ndarray:
    """One side of a fish's body from the nose to the tail joint: blunt at the head
    (`blunt` < 1 rounds it), tapering to a point at the tail. height < 0 is the belly."""
    t = unit_steps(14)
    x = nose[0] + (joint[0] - nose[0]) * t
    y = nose[1] + (joint[1] - nose[1]) * t - height * np.sin(math.pi * t**blunt)
    return np.stack([x, y], axis=1)


def fish(sk: Sketch) -> None:
    rng = sk.rng
    nose = np.array([-0.5, rng.normal(0, 0.03)])
    joint = np.array([sk.u(0.1, 0.3), rng.normal(0, 0.02)])
    hb = sk.u(0.13, 0.26)  # half the body's height
    blunt = sk.u(0.5, 0.9)
    tail_x = joint[0] + sk.u(0.15, 0.32)
    tail_h = hb * sk.u(0.5, 1.0)
    t_top, t_bot = np.array([tail_x, -tail_h]), np.array([tail_x, tail_h])
    upper = _fish_side(nose, joint, hb, blunt)
    lower = _fish_side(nose, joint, -hb * sk.u(0.8, 1.1), blunt)
    if rng.random() < 0.25:  # a forked tail
        tail = np.vstack([joint, t_top, np.array([tail_x - sk.u(0.05, 0.12), 0.0]), t_bot, joint])
    else:
        tail = np.vstack([joint, t_top, t_bot, joint])
    if rng.random() < 0.4:  # the tail left open where it meets the body
        tail = np.vstack([joint + pt(0, -0.03), *tail[1:-1], joint + pt(0, 0.03)])
    style = sk.pick((0.45, 0.17, 0.38))
    if style == 0:  # body, then tail
        if rng.random() < 0.3:  # an oval body
            length = joint[0] - nose[0]
            body = loop(sk, ((nose[0] + joint[0]) / 2, 0), length / 2, hb * 1.1, top_start=0.3)
        else:
            body = np.vstack([upper, lower[-2::-1]])
            body = body if rng.random() < 0.7 else body[::-1]
        sk.add(body)
        sk.add(tail if rng.random() < 0.8 else tail[::-1])
    elif style == 1:  # one stroke, crossing at the tail
        past = joint + (joint - upper[-3]) * 0.01
        sk.add(np.vstack([upper[:-1], past, t_bot, t_top, past, lower[-2::-1]]))
    else:  # upper and lower sides, then the tail
        sk.add(upper)
        sk.add(lower)
        sk.add(tail)
    eye_p = np.array([-0.5 + sk.u(0.1, 0.2), -hb * sk.u(0.1, 0.5)])
    eye_kind = sk.pick((0.5, 0.2, 0.1, 0.2))
    if eye_kind == 0:
        sk.dot(eye_p)
    elif eye_kind == 1:
        sk.add(oval(eye_p, 0.035, 0.035, 0, 2 * math.pi, rng=rng, lumpy=0.05))
    elif eye_kind == 2:
        sk.add(scribble_dot(eye_p, 0.025, rng))
    if sk.maybe(0.25):  # gills
        gx = eye_p[0] + sk.u(0.08, 0.15)
        sk.add(arc_through(np.array([gx, -hb * 0.7]), np.array([gx, hb * 0.7]), -0.25, n=6))
    if sk.maybe(0.3):  # a fin on top
        a = upper[5]
        sk.add(np.vstack([a, a + pt(0.12, -0.12), upper[8]]))
    if sk.maybe(0.15):  # a fin below
        a = lower[6]
        sk.add(np.vstack([a, a + pt(0.08, 0.1), lower[8]]))
    if sk.maybe(0.08):  # scales
        for _ in range(sk.n(2, 4)):
            c = np.array([sk.u(-0.1, 0.15), sk.u(-0.1, 0.1)])
            sk.add(arc_through(c + pt(0, -0.05), c + pt(0, 0.05), 0.4, n=5))
    if sk.maybe(0.05):  # bubbles
        for i in range(sk.n(1, 3)):
            sk.add(loop(sk, nose + pt(-0.08 - 0.05 * i, -0.1 - 0.12 * i), 0.03 + 0.01 * i))
    if rng.random() < 0.5:  # facing right
        sk.transform(np.diag([-1.0, 1.0]))
    pose(sk, tilt=0.1, aspect=0.15, shear=0.05)


def ice_cream(sk: Sketch) -> None:
    rng = sk.rng
    cw = sk.u(0.45, 0.7)
    top_y = sk.u(-0.1, 0.05)
    tip = np.array([rng.normal(0, 0.03), 0.5])
    cl, cr = np.array([-cw / 2, top_y]), np.array([cw / 2, top_y])
    cone_style = sk.pick((0.45, 0.2, 0.35))
    cone: list[np.ndarray] = []
    if cone_style == 0:
        cone.append(np.vstack([cl, tip, cr]) if rng.random() < 0.7 else np.vstack([cr, tip, cl]))
    elif cone_style == 1:
        cone.append(loop_from(np.vstack([cl, cr, tip]), 0, rng.random() < 0.5))
    else:
        cone.append(np.vstack([cl, tip]))
        cone.append(np.vstack([cr, tip]) if rng.random() < 0.5 else np.vstack([tip, cr]))
    scoop_h = sk.u(0.3, 0.5)
    ball = sk.pick((0.75, 0.25)) == 1
    scoops: list[np.ndarray] = []
    if ball:
        r = cw / 2 * sk.u(1.0, 1.45)
        scoops.append(loop(sk, (0, top_y - r * 0.8), r, r * sk.u(0.85, 1.0)))
    else:
        arc = oval(
            (0, top_y), cw / 2 * sk.u(1.0, 1.45), scoop_h, math.pi, math.pi, rng=rng, lumpy=0.05
        )
        if rng.random() < 0.4:  # a dripping, wavy rim
            n_w = sk.n(3, 5)
            x = np.linspace(cw / 2 * 1.1, -cw / 2 * 1.1, 4 * n_w + 1)
            y = top_y + 0.03 * np.abs(np.sin(np.linspace(0, n_w * math.pi, len(x))))
            arc = np.vstack([arc, np.stack([x, y], axis=1)])
        scoops.append(arc if rng.random() < 0.6 else arc[::-1])
    if sk.maybe(0.2):  # a second scoop
        r2 = cw / 2 * sk.u(0.8, 1.0)
        base = float(scoops[0][:, 1].min()) + r2 * 0.5
        scoops.append(
            oval((0, base), r2, r2 * 0.9, math.pi * 0.9, math.pi * 1.2, rng=rng, lumpy=0.05)
        )
    parts = [*cone, *scoops] if rng.random() < 0.6 or not sk.full else [*scoops, *cone]
    for p in parts:
        sk.add(p)
    if sk.maybe(0.45):  # cross-hatch on the cone
        for sign in (1, -1) if rng.random() < 0.8 else (1,):
            n_l = sk.n(2, 4)
            for i in range(n_l):
                t = (i + 1) / (n_l + 1)
                a = cl + (tip - cl) * t if sign > 0 else cr + (tip - cr) * t
                b = (
                    cr + (tip - cr) * max(t - 0.35, 0.0)
                    if sign > 0
                    else cl + (tip - cl) * max(t - 0.35, 0.0)
                )
                sk.add(np.vstack([a, b]))
    if sk.maybe(0.15):  # sprinkles
        lo = top_y - scoop_h * 0.8
        for _ in range(sk.n(3, 8)):
            p = np.array([rng.uniform(-cw / 3, cw / 3), rng.uniform(lo, top_y - 0.05)])
            sk.add(np.vstack([p, p + rng.normal(0, 0.03, 2)]))
    if sk.maybe(0.15):  # a cherry
        top = min(float(s[:, 1].min()) for s in scoops)
        c = np.array([rng.normal(0, 0.03), top - 0.05])
        sk.add(loop(sk, c, 0.05))
        sk.add(np.vstack([c + pt(0, -0.05), c + pt(0.05, -0.15)]))
    pose(sk, tilt=0.06, aspect=0.1, shear=0.04)
