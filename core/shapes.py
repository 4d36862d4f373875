"""Clean vector templates of the 18 shapes: what a confident sketch snaps to.

A template is a tuple of strokes, each a float32 (n, 2) polyline of x, y with y DOWN,
in a unit box: the larger side spans 0..1 and the shape is centred in [0, 1]^2. The
strokes come in the order and direction most people draw them in the Quick, Draw!
doodles (a house is walls, roof, door; a sun is its disc, then the rays), so the
synthetic generator and the live window can replay a template stroke by stroke.

Each template also says which placements of it are the same shape, which restricts
the rotation `core.fit` may use:

- ``symmetry``: 0 = any rotation leaves it unchanged (circle, donut); k >= 2 = it is
  unchanged by a turn of 360/k degrees, so fitted rotations are reported modulo that;
  1 = no rotational symmetry.
- ``upright``: the orientation carries meaning (a house stands on its floor, a
  smiley's mouth is below its eyes), so only a tilt of up to ``max_tilt`` radians is
  allowed; a house on its side is a bad fit, not a rotated house.
- ``mirror``: a left-right mirrored fit is allowed. Only set where the template is
  chiral, so the choice matters (a fish facing either way); a mirror-symmetric
  template gains nothing from it.
- ``stretch``: how far the fit may stretch the template along its own height
  (``1/stretch`` to ``stretch`` times as tall for its width): people draw squares as
  rectangles, circles as ovals and hourglasses tall; 1 for none (a line has no height).
- ``optional``: strokes people often leave out (a third of the real smiley faces are
  eyes and a mouth, no face): the fit also places the template without them and takes
  that placement where it is clearly closer; the snapped shape is the whole template.
- ``variants``: other forms of the shape, each in its own unit box, fitted beside the
  template and snapped where clearly closer (a mountain of one peak or of three).
- ``lashes``: people often draw short strokes sticking out of the shape that no part of
  the template is for (an eye's lashes): the fit leaves them out (`core.lashes`).
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np

from core.classes import CLASSES, class_index


@dataclass(frozen=True, eq=False)
class Template:
    """A class's clean shape: unit-box strokes in drawing order, and its symmetries."""

    name: str
    strokes: tuple[np.ndarray, ...]
    symmetry: int = 1
    upright: bool = False
    mirror: bool = False
    max_tilt: float = math.radians(20)
    stretch: float = 1.0
    optional: tuple[int, ...] = ()
    variants: tuple[tuple[np.ndarray, ...], ...] = ()
    lashes: bool = False

    @property
    def n_strokes(self) -> int:
        return len(self.strokes)

    def points(self) -> np.ndarray:
        """All vertices, (N, 2) float32."""
        return np.concatenate(self.strokes, axis=0)


# ----------------------------------------------------------------------- geometry
# Angles are the usual counter-clockwise ones as seen on the screen (0 = right,
# 90 = up), so with y down a point is (cx + r cos a, cy - r sin a).


def _arc(cx: float, cy: float, r: float, a0: float, a1: float, n: int = 32) -> np.ndarray:
    """Circular arc from angle a0 to a1 (degrees, screen counter-clockwise)."""
    a = np.radians(np.linspace(a0, a1, n))
    return np.stack([cx + r * np.cos(a), cy - r * np.sin(a)], axis=1)


def _ellipse(cx: float, cy: float, rx: float, ry: float, a0: float = 90, n: int = 48):
    """Closed ellipse, starting at angle a0 and going counter-clockwise."""
    a = np.radians(np.linspace(a0, a0 + 360, n))
    return np.stack([cx + rx * np.cos(a), cy - ry * np.sin(a)], axis=1)


def _polygon(k: int, a0: float, r: float = 0.5, closed: bool = True) -> np.ndarray:
    """Regular k-gon around (0.5, 0.5) with its first vertex at angle a0, counter-clockwise."""
    a = np.radians(a0 + np.arange(k + closed) * 360.0 / k)
    return np.stack([0.5 + r * np.cos(a), 0.5 - r * np.sin(a)], axis=1)


def _bulge(p, q, h: float, away_from, n: int = 12) -> np.ndarray:
    """Circular arc from p to q whose middle stands h off the chord, away from a point."""
    p, q, away_from = (np.asarray(v, np.float64) for v in (p, q, away_from))
    chord = q - p
    c = float(np.hypot(*chord))
    mid = (p + q) / 2
    normal = np.array([-chord[1], chord[0]]) / c
    if np.dot(normal, mid - away_from) < 0:
        normal = -normal
    r = (c * c / 4 + h * h) / (2 * h)
    centre = mid - normal * (r - h)
    half = math.acos(float(np.clip(np.dot(p - centre, normal) / r, -1.0, 1.0)))
    mid_angle = math.atan2(normal[1], normal[0])
    start = math.atan2(*(p - centre)[::-1])
    sign = 1.0 if _angle_close(start, mid_angle - half) else -1.0
    a = mid_angle + sign * np.linspace(-half, half, n)
    return centre + r * np.stack([np.cos(a), np.sin(a)], axis=1)


def _angle_close(a: float, b: float) -> bool:
    return abs((a - b + math.pi) % (2 * math.pi) - math.pi) < 1e-6


def _unit_box(strokes: list[np.ndarray]) -> tuple[np.ndarray, ...]:
    """Scale so the larger side is 1 and centre in [0, 1]^2; float32 copies."""
    pts = np.concatenate(strokes)
    lo, hi = pts.min(axis=0), pts.max(axis=0)
    size = float((hi - lo).max())
    offset = (1.0 - (hi - lo) / size) / 2
    return tuple(((np.asarray(s) - lo) / size + offset).astype(np.float32) for s in strokes)


# ---------------------------------------------------------------------- templates


def _circle() -> list[np.ndarray]:
    return [_ellipse(0.5, 0.5, 0.5, 0.5, a0=90, n=64)]


def _cloud() -> list[np.ndarray]:
    # Scallops on an ellipse: round bumps on the top and sides, flatter ones below,
    # as most clouds in the doodles sit on a flattish base.
    centre = (0.5, 0.5)
    angles = np.radians([200, 160, 125, 90, 55, 20, -20, -65, -115])
    anchors = np.stack([0.5 + 0.42 * np.cos(angles), 0.5 - 0.25 * np.sin(angles)], axis=1)
    heights = [0.07, 0.09, 0.1, 0.1, 0.09, 0.07, 0.05, 0.04, 0.05]
    parts = []
    for i, h in enumerate(heights):
        arc = _bulge(anchors[i], anchors[(i + 1) % len(anchors)], h, centre)
        parts.append(arc if i == 0 else arc[1:])
    return [np.concatenate(parts)]


def _donut() -> list[np.ndarray]:
    return [_ellipse(0.5, 0.5, 0.5, 0.5, n=64), _ellipse(0.5, 0.5, 0.2, 0.2, n=32)]


def _eye() -> list[np.ndarray]:
    upper = _bulge((0.0, 0.5), (1.0, 0.5), 0.3, (0.5, 1.0), n=24)
    lower = _bulge((0.0, 0.5), (1.0, 0.5), 0.3, (0.5, 0.0), n=24)
    return [
        upper,
        lower,
        _ellipse(0.5, 0.5, 0.22, 0.22, n=32),
        _ellipse(0.5, 0.5, 0.07, 0.07, n=12),
    ]


def _fish() -> list[np.ndarray]:
    # Facing left: from the nose along the back to the tail, round the tail fin and
    # back along the belly to the nose, in one stroke.
    back = _bulge((0.0, 0.5), (0.75, 0.5), 0.26, (0.4, 1.0), n=20)
    belly = _bulge((0.75, 0.5), (0.0, 0.5), 0.26, (0.4, 0.0), n=20)
    tail = np.array([[0.75, 0.5], [1.0, 0.25], [1.0, 0.75], [0.75, 0.5]])
    body = np.concatenate([back, tail[1:], belly[1:]])
    eye = _ellipse(0.17, 0.44, 0.035, 0.035, n=12)
    fin = np.array([[0.28, 0.25], [0.34, 0.1], [0.5, 0.26]])
    return [body, eye, fin]


def _hexagon() -> list[np.ndarray]:
    return [_polygon(6, 120)]  # flat top, as people draw it; start at the top-left corner


def _hockey_stick() -> list[np.ndarray]:
    # Shaft from the grip down and a little to the right, then the blade along the
    # ground with the toe turned up; right-handed (mirror allowed).
    shaft = np.array([[0.0, 0.0], [0.32, 0.9]])
    blade = np.concatenate([_arc(0.42, 0.9, 0.1, 180, 270, 8), [[0.95, 1.0], [1.0, 0.93]]])
    return [shaft, blade]


def _hourglass() -> list[np.ndarray]:
    upper = np.array([[0.1, 0.05], [0.9, 0.05], [0.5, 0.5], [0.1, 0.05]])
    lower = np.array([[0.5, 0.5], [0.9, 0.95], [0.1, 0.95], [0.5, 0.5]])
    return [
        upper,
        lower,
        np.array([[0.0, 0.05], [1.0, 0.05]]),
        np.array([[0.0, 0.95], [1.0, 0.95]]),
    ]


def _house() -> list[np.ndarray]:
    walls = np.array([[0.0, 0.45], [0.0, 1.0], [0.8, 1.0], [0.8, 0.45], [0.0, 0.45]])
    roof = np.array([[0.0, 0.45], [0.4, 0.0], [0.8, 0.45]])
    door = np.array([[0.3, 1.0], [0.3, 0.72], [0.5, 0.72], [0.5, 1.0]])
    return [walls, roof, door]


def _ice_cream() -> list[np.ndarray]:
    left, right, tip = np.array([0.15, 0.42]), np.array([0.85, 0.42]), np.array([0.5, 1.0])
    cone = np.array([left, tip, right, left])
    hatch = []
    for t in (0.35, 0.7):  # lines parallel to each side of the cone, across it
        a = left + t * (right - left)
        hatch.append(np.array([a, a + (tip - right) * t]))
    for t in (0.35, 0.7):
        a = right + t * (left - right)
        hatch.append(np.array([a, a + (tip - left) * t]))
    # The scoop overhangs the cone: a dome, then a scalloped rim back to the start.
    dome = _bulge((0.08, 0.44), (0.92, 0.44), 0.42, tip, n=28)
    xs = itertools.pairwise(np.linspace(0.92, 0.08, 4))
    rim = [_bulge((a, 0.44), (b, 0.44), 0.07, (0.5, 0.0), n=8)[1:] for a, b in xs]
    return [cone, *hatch, np.concatenate([dome, *rim])]


def _line() -> list[np.ndarray]:
    return [np.array([[0.0, 0.5], [1.0, 0.5]])]


def _mountain() -> list[np.ndarray]:
    # A tall peak with a lower shoulder to its right, open at the bottom.
    return [np.array([[0.0, 1.0], [0.38, 0.0], [0.6, 0.5], [0.75, 0.3], [1.0, 1.0]])]


def _lone_peak() -> list[np.ndarray]:
    return [np.array([[0.0, 1.0], [0.5, 0.0], [1.0, 1.0]])]


def _mountain_range() -> list[np.ndarray]:
    # A high peak between two lower ones.
    peaks = [
        [0.0, 1.0],
        [0.2, 0.4],
        [0.32, 0.62],
        [0.5, 0.0],
        [0.68, 0.55],
        [0.82, 0.3],
        [1.0, 1.0],
    ]
    return [np.array(peaks)]


def _octagon() -> list[np.ndarray]:
    return [_polygon(8, 112.5)]  # flat top


def _paper_clip() -> list[np.ndarray]:
    # One wire: the free inner end, down, a small turn, up, the wide turn at the top,
    # down the outer side, the big turn at the bottom and up to the outer free end.
    inner = np.array([[0.12, 0.3], [0.12, 0.78]])
    turn1 = _arc(0.21, 0.78, 0.09, 180, 360, 10)
    middle = np.array([[0.3, 0.78], [0.3, 0.18]])
    turn2 = _arc(0.15, 0.18, 0.15, 0, 180, 14)
    outer = np.array([[0.0, 0.18], [0.0, 0.86]])
    turn3 = _arc(0.2, 0.86, 0.2, 180, 360, 16)
    last = np.array([[0.4, 0.86], [0.4, 0.25]])
    return [np.concatenate([inner, turn1, middle, turn2, outer, turn3, last])]


def _smiley_face() -> list[np.ndarray]:
    face = _ellipse(0.5, 0.5, 0.5, 0.5, n=64)
    eyes = [_ellipse(x, 0.36, 0.05, 0.05, n=10) for x in (0.34, 0.66)]
    mouth = _arc(0.5, 0.5, 0.27, 200, 340, 16)
    return [face, *eyes, mouth]


def _square() -> list[np.ndarray]:
    return [np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 1.0], [1.0, 0.0], [0.0, 0.0]])]


def _sun() -> list[np.ndarray]:
    rays = []
    for a in np.radians(np.arange(8) * 45.0 + 90):
        d = np.array([math.cos(a), -math.sin(a)])
        rays.append(np.array([0.5 + 0.34 * d, 0.5 + 0.5 * d]))
    return [_ellipse(0.5, 0.5, 0.26, 0.26, n=40), *rays]


def _triangle() -> list[np.ndarray]:
    return [_polygon(3, 90)]  # apex up, drawn down the left side first


_BUILDERS = {
    # name: (builder, symmetry, upright, mirror, max_tilt in degrees)
    "circle": (_circle, 0, False, False, 20),
    "cloud": (_cloud, 1, True, False, 20),  # flattish base down; mirror-symmetric
    "donut": (_donut, 0, False, False, 20),
    "eye": (_eye, 2, True, False, 20),  # an eye on end reads as a fish or a donut
    "fish": (_fish, 1, True, True, 25),  # swims either way, never belly up
    "hexagon": (_hexagon, 6, False, False, 20),
    # The shaft leans anywhere from upright to 45 degrees; the blade stays down.
    "hockey stick": (_hockey_stick, 1, True, True, 40),
    "hourglass": (_hourglass, 2, True, False, 20),
    "house": (_house, 1, True, False, 20),
    "ice cream": (_ice_cream, 1, True, False, 25),
    "line": (_line, 2, False, False, 20),
    "mountain": (_mountain, 1, True, True, 15),  # the high peak can be left or right
    "octagon": (_octagon, 8, False, False, 20),
    "paper clip": (_paper_clip, 1, False, True, 20),  # drawn upright or aslant; chiral
    "smiley face": (_smiley_face, 1, True, False, 25),
    "square": (_square, 4, False, False, 20),
    "sun": (_sun, 8, False, False, 20),
    "triangle": (_triangle, 3, False, False, 20),
}


# How far each template may be stretched (Template.stretch); the rest 2. Round things
# stay near round (a sun's disc, a smiley's face), a square may be a long rectangle.
_STRETCH = {
    "circle": 1.6,
    "donut": 1.6,
    "hexagon": 1.6,
    "line": 1.0,
    "octagon": 1.6,
    "smiley face": 1.4,
    "square": 3.0,
    "sun": 1.25,
}


# Strokes often left out (Template.optional), by index: a smiley face's outline.
_OPTIONAL = {"smiley face": (0,)}

# Other forms of a shape (Template.variants): of the 21 real dev mountains, a third are
# one peak and a few a range of three, which the two-peak template fitted with a false
# shoulder or a missing peak.
_VARIANTS = {"mountain": (_lone_peak, _mountain_range)}

# Shapes drawn with short strokes sticking out that the template has no part for
# (Template.lashes): 4 of the 11 real dev eyes have lashes.
_LASHES = {"eye"}


def _floats(strokes: list) -> list[np.ndarray]:
    return [np.asarray(s, np.float64) for s in strokes]


def _build(name: str) -> Template:
    builder, symmetry, upright, mirror, tilt = _BUILDERS[name]
    return Template(
        name=name,
        strokes=_unit_box(_floats(builder())),
        symmetry=symmetry,
        upright=upright,
        mirror=mirror,
        max_tilt=math.radians(tilt),
        stretch=_STRETCH.get(name, 2.0),
        optional=_OPTIONAL.get(name, ()),
        variants=tuple(_unit_box(_floats(v())) for v in _VARIANTS.get(name, ())),
        lashes=name in _LASHES,
    )


TEMPLATES: dict[str, Template] = {name: _build(name) for name in CLASSES}


def template(name: str) -> Template:
    """The template of a class (name forgiving of case, '_' and '-')."""
    return TEMPLATES[CLASSES[class_index(name)]]
