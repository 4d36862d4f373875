"""The hand that draws a synthetic doodle: its habits, and how it turns plans into ink.

A drawing program plans strokes as clean polylines in a unit canvas (the drawing is
about 1 across, y down) and hands them to a `Sketch`. The sketch's `Hand` (sampled
once per drawing, as one person draws a whole doodle the same way) inks them:

- **wobble**: a smooth drift of the pen, three low-frequency sinusoids of the arc
  length (wavelengths from a fifth of the drawing's size to more than its size) whose
  summed amplitude is at most 1.5 % of the drawing's size. Quick, Draw! ink is smooth, never furry: jitter at
  the sampling rate turns straight sides into fur (see ../shared/SIM2REAL.md);
- **tremor**: a much smaller, smoothed per-point noise (most of it falls under the
  RDP tolerance, as in real mouse and finger strokes);
- **hooks**: now and then a stroke starts or ends with a short flick.

Structural choices (which style, which optional parts) go through `Sketch.pick` and
`Sketch.maybe`, so `variety="one-style"` can pin every class to its first style
with no optional parts, and `variety="flat"` can draw every option of a `pick` more
evenly (its weights half as given, half uniform: the given ones are guesses at how
often people draw each way); continuous variation (proportions, wobble) stays.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from training.synth.geom import affine

STEP = 0.02  # ink sample spacing in canvas units (about 5 px in the 0..255 space)


@dataclass(frozen=True)
class Hand:
    """One person's drawing habits, fixed for a whole drawing."""

    wobble: float  # peak of the slow drift, in canvas units (the drawing is ~1 across)
    freqs: tuple[float, float, float]  # cycles per canvas unit of arc length
    phases: tuple[float, ...]  # six phases: three for x, three for y
    tremor: float  # amplitude of the small smoothed noise
    roundness: float  # corner radius as a fraction of the shorter adjacent side
    closure: float  # spread of over/undershoot where a path returns to its start
    sloppy: float  # 0..1: how far proportions and vertices stray from the ideal
    hook: float  # chance that a stroke ends or starts in a flick

    @staticmethod
    def sample(rng: np.random.Generator) -> Hand:
        r = rng.random(16).tolist()
        return Hand(
            wobble=0.004 + 0.011 * r[0],
            freqs=(0.6 + 1.0 * r[1], 1.6 + 1.6 * r[2], 3.2 + 2.3 * r[3]),
            phases=tuple(2 * math.pi * v for v in r[4:10]),
            tremor=0.004 * r[10],
            roundness=0.08 * r[11] if r[15] < 0.45 else 0.08 + 0.27 * r[11],
            closure=0.02 + 0.1 * r[12],
            sloppy=0.1 + 0.7 * r[13] ** 1.3,
            hook=0.2 * r[14],
        )


class Sketch:
    """Collects the planned strokes of one drawing and inks them with a hand."""

    def __init__(
        self,
        rng: np.random.Generator,
        *,
        full: bool = True,
        flat: bool = False,
        hand: Hand | None = None,
    ):
        self.rng = rng
        self.full = full
        self.flat = flat
        self.hand = hand if hand is not None else Hand.sample(rng)
        self.plan: list[np.ndarray] = []

    # ---- structural choices (pinned to the first option in one-style variety)

    def pick(self, weights: tuple[float, ...] | list[float]) -> int:
        """Index of an option drawn with these weights; always 0 in one-style variety,
        and with the weights half flattened to uniform in flat variety."""
        if not self.full:
            return 0
        if self.flat:
            total = sum(weights)
            weights = [0.5 * w / total + 0.5 / len(weights) for w in weights]
        x = self.rng.random() * sum(weights)
        for i, w in enumerate(weights):
            x -= w
            if x < 0:
                return i
        return len(weights) - 1

    def maybe(self, p: float) -> bool:
        """An optional part, drawn with probability p; never in one-style variety."""
        return self.full and self.rng.random() < p

    def u(self, lo: float, hi: float) -> float:
        return float(self.rng.uniform(lo, hi))

    def n(self, lo: int, hi: int) -> int:
        """An integer in lo..hi inclusive."""
        return int(self.rng.integers(lo, hi + 1))

    def jitter(self, scale: float) -> np.ndarray:
        """A random offset (2,), scaled by the hand's sloppiness."""
        return self.rng.normal(0.0, scale * (0.5 + self.hand.sloppy), 2)

    # ---- planning

    def add(self, points: np.ndarray) -> None:
        """Plan one stroke: a polyline (n, 2) in canvas units, n >= 1."""
        p = np.asarray(points, np.float64).reshape(-1, 2)
        if len(p):
            self.plan.append(p)

    def dot(self, p: np.ndarray) -> None:
        """A dot (an eye, a sprinkle). In real files most dots are two points on the same
        pixel (the pen moved a fraction of a pixel), a few one point, some a tiny dash."""
        p = np.asarray(p, np.float64).reshape(1, 2)
        kind = self.rng.random()
        if kind < 0.1:
            self.add(p)
        else:
            size = 0.003 if kind < 0.8 else 0.03
            self.add(np.vstack([p, p + self.rng.normal(0.0, size, 2)]))

    def stray_marks(self, p_mark: float = 0.04, p_retrace: float = 0.03) -> None:
        """What people add by the way: now and then a stray dot or dash somewhere, or a
        short stretch of a stroke gone over again (to close a gap, to darken a line)."""
        if not self.plan:
            return
        pts = np.concatenate(self.plan)
        lo, hi = pts.min(axis=0), pts.max(axis=0)
        if self.maybe(p_mark):
            at = lo + self.rng.random(2) * (hi - lo)
            if self.rng.random() < 0.5:
                self.dot(at)
            else:
                self.add(np.vstack([at, at + self.rng.normal(0.0, 0.06, 2)]))
        if self.maybe(p_retrace):
            stroke = self.plan[int(self.rng.integers(len(self.plan)))]
            if len(stroke) >= 3:
                a = int(self.rng.integers(len(stroke) - 2))
                b = min(len(stroke), a + int(self.rng.integers(2, 6)))
                self.add(stroke[a:b] + self.jitter(0.01))

    def transform(self, matrix: np.ndarray, origin: np.ndarray | None = None) -> None:
        """Apply a 2x2 linear map (rotation, skew, aspect) to every planned stroke."""
        o = np.zeros(2) if origin is None else origin
        self.plan = [(p - o) @ matrix.T + o for p in self.plan]

    # ---- inking

    def ink(self) -> list[np.ndarray]:
        """The planned strokes as the hand draws them: list of (n, 2) float64."""
        pts, sizes, _ = ink_batch([self])
        return np.split(pts, np.cumsum(sizes)[:-1])

    def hooked_plan(self) -> list[np.ndarray]:
        """The plan with a short flick where the pen lands or lifts, now and then."""
        plan = self.plan
        r = self.rng.random((len(plan), 4))  # (S, 4): chance, size, angle, which end
        out = []
        for p, (chance, size, ang, end) in zip(plan, r, strict=True):
            if len(p) >= 2 and chance < self.hand.hook:
                size = 0.015 + 0.03 * size
                flick = size * np.array([math.cos(6.283 * ang), math.sin(6.283 * ang)])
                p = np.vstack([p[:1] + flick, p]) if end < 0.5 else np.vstack([p, p[-1:] + flick])
            out.append(p)
        return out


def ink_batch(sketches: list[Sketch]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Ink many planned drawings at once (each with its own hand).

    Returns the flat form `simplify.normalize_flat` takes: points (K, 2) float64 of
    every stroke of every drawing in order, points per stroke (S,), and the drawing
    of each stroke (S,). Each drawing's randomness comes from its own sketch's generator.
    """
    plans = [sk.hooked_plan() for sk in sketches]
    owner = np.repeat(np.arange(len(sketches)), [len(p) for p in plans])
    dense, sizes = _densify([s for p in plans for s in p], STEP)
    per_draw = np.bincount(owner, weights=sizes, minlength=len(sketches)).astype(np.int64)
    hands = [sk.hand for sk in sketches]
    params = np.array([(h.wobble, *h.freqs, *h.phases, h.tremor) for h in hands])  # (D, 11)
    per_point = np.repeat(params, per_draw, axis=0)  # (K, 11)
    step = np.hypot(*np.diff(dense, axis=0).T)
    # (K,) arc length along each drawing's pen path, from 0 at the drawing's first point
    ends = np.cumsum(per_draw)
    s = np.concatenate(
        [np.cumsum(np.r_[0.0, step[a : b - 1]]) for a, b in zip(ends - per_draw, ends, strict=True)]
    )
    arg = s[:, None] * (2 * math.pi) * per_point[:, 1:4]  # (K, 3)
    amp = per_point[:, :1] * _WOBBLE_SHARE  # (K, 3)
    wob_x = (np.sin(arg + per_point[:, 4:7]) * amp).sum(axis=1)
    wob_y = (np.sin(arg + per_point[:, 7:10]) * amp).sum(axis=1)
    # each drawing's tremor from its own generator, so a drawing never depends on its batch
    noise = np.concatenate(
        [sk.rng.normal(0.0, 1.0, (int(k), 2)) for sk, k in zip(sketches, per_draw, strict=True)]
    )
    noise *= per_point[:, 10:11]
    edges = np.concatenate([ends - per_draw, ends - 1])  # a drawing's first and last point
    raw = noise[edges]
    noise[1:-1] = (noise[:-2] + noise[1:-1] + noise[2:]) / 3
    noise[edges] = raw  # smoothing never reaches across drawings
    ink = dense + np.stack([wob_x, wob_y], axis=1) + noise
    return ink, sizes, owner


_WOBBLE_SHARE = np.array([0.4, 0.35, 0.25])[None, :]  # shares of the peak wobble, by frequency


def _densify(plan: list[np.ndarray], step: float) -> tuple[np.ndarray, np.ndarray]:
    """All strokes resampled along their segments every ~`step` (corners kept).

    Returns (points (N, 2), points per stroke (S,)). One-point strokes stay one point.
    """
    lens = np.array([len(p) for p in plan])
    pts = np.concatenate(plan)  # (P, 2)
    seg = np.diff(pts, axis=0)  # (P-1, 2), including the jumps between strokes
    seg_len = np.hypot(seg[:, 0], seg[:, 1])
    ends = np.cumsum(lens) - 1
    inside = np.ones(len(seg), bool)
    inside[ends[:-1]] = False  # a jump from one stroke's end to the next's start
    # each inside segment becomes k samples (its start and k-1 between), then the
    # stroke's last point closes the stroke
    k = np.where(inside, np.maximum(np.ceil(seg_len / step), 1), 0).astype(np.int64)
    reps = np.concatenate([k, [0]])
    reps[ends] += 1
    src = np.repeat(np.arange(len(pts)), reps)
    first = np.cumsum(reps) - reps
    t = (np.arange(len(src)) - first[src]) / np.maximum(np.append(k, 1)[src], 1)
    seg_full = np.vstack([seg, np.zeros((1, 2))])
    is_end = np.zeros(len(pts), bool)
    is_end[ends] = True
    t[is_end[src]] = 0.0
    dense = pts[src] + seg_full[src] * t[:, None]
    sizes = np.bincount(np.repeat(np.arange(len(plan)), lens), weights=reps, minlength=len(plan))
    return dense, sizes.astype(np.int64)


def pose(
    sk: Sketch,
    *,
    tilt: float,
    aspect: float,
    shear: float,
    spin: float = 0.0,
    stretch: float = 0.0,
) -> None:
    """Pose the whole planned drawing: a small tilt (normal, radians), an aspect change
    (log-normal around exp(`stretch`); > 1 is wider), a perspective-like shear, and
    with probability `spin` any rotation at all."""
    rng = sk.rng
    rot = rng.uniform(-math.pi, math.pi) if rng.random() < spin else rng.normal(0.0, tilt)
    a = math.exp(rng.normal(stretch, aspect))
    m = affine(rot=rot, sx=math.sqrt(a), sy=1 / math.sqrt(a), shear=rng.normal(0.0, shear))
    sk.transform(m)
