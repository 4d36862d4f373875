"""The templates: well-formed, in drawing order, and honest about their symmetries."""

import math

import numpy as np
import pytest

from core.classes import CLASSES, UnknownClassError
from core.shapes import TEMPLATES, Template, template
from tests.core.geometry import centroid, hausdorff, turn_about


def closed(stroke: np.ndarray) -> bool:
    return bool(np.allclose(stroke[0], stroke[-1], atol=1e-4))


def extent(stroke: np.ndarray) -> float:
    return float((stroke.max(axis=0) - stroke.min(axis=0)).max())


def test_one_template_per_class_in_class_order():
    assert tuple(TEMPLATES) == CLASSES
    assert all(t.name == name for name, t in TEMPLATES.items())


@pytest.mark.parametrize("name", CLASSES)
def test_template_is_well_formed(name):
    t = TEMPLATES[name]
    assert t.n_strokes >= 1
    for form in (t.strokes, *t.variants):  # each variant in a unit box of its own
        for s in form:
            assert s.dtype == np.float32 and s.ndim == 2 and s.shape[1] == 2 and len(s) >= 2
            assert np.isfinite(s).all()
            assert s.min() >= -1e-6 and s.max() <= 1 + 1e-6
        pts = np.concatenate(form)
        size = pts.max(axis=0) - pts.min(axis=0)
        assert size.max() == pytest.approx(1.0, abs=1e-5)  # the larger side fills the box
        centre = (pts.max(axis=0) + pts.min(axis=0)) / 2
        assert centre == pytest.approx([0.5, 0.5], abs=1e-5)
    assert t.symmetry >= 0 and 0 < t.max_tilt < math.pi / 2
    assert all(0 <= i < t.n_strokes for i in t.optional) and len(t.optional) < t.n_strokes


def test_template_lookup_is_forgiving_and_strict():
    assert template("Hockey_Stick") is TEMPLATES["hockey stick"]
    with pytest.raises(UnknownClassError, match="did you mean 'octagon'"):
        template("octagonn")


# (number of strokes, which strokes are closed) in the order people draw them.
STRUCTURE = {
    "circle": (1, [True]),
    "cloud": (1, [True]),
    "donut": (2, [True, True]),
    "eye": (4, [False, False, True, True]),
    "fish": (3, [True, True, False]),
    "hexagon": (1, [True]),
    "hockey stick": (2, [False, False]),
    "hourglass": (4, [True, True, False, False]),
    "house": (3, [True, False, False]),
    "ice cream": (6, [True, False, False, False, False, True]),
    "line": (1, [False]),
    "mountain": (1, [False]),
    "octagon": (1, [True]),
    "paper clip": (1, [False]),
    "smiley face": (4, [True, True, True, False]),
    "square": (1, [True]),
    "sun": (9, [True] + [False] * 8),
    "triangle": (1, [True]),
}


@pytest.mark.parametrize("name", CLASSES)
def test_strokes_come_in_drawing_order(name):
    n, closures = STRUCTURE[name]
    t = TEMPLATES[name]
    assert t.n_strokes == n
    assert [closed(s) for s in t.strokes] == closures


@pytest.mark.parametrize(
    ("name", "corners"), [("triangle", 3), ("square", 4), ("hexagon", 6), ("octagon", 8)]
)
def test_polygons_have_their_corners(name, corners):
    (outline,) = TEMPLATES[name].strokes
    assert len(outline) == corners + 1
    sides = np.linalg.norm(np.diff(outline, axis=0), axis=1)
    assert sides == pytest.approx(np.full(corners, sides[0]), rel=1e-5)  # regular


def test_house_is_walls_then_roof_then_door():
    walls, roof, door = TEMPLATES["house"].strokes
    assert roof[1, 1] == pytest.approx(0.0)  # the apex is the top of the house
    assert walls[:, 1].min() == pytest.approx(roof[:, 1].max())  # the roof sits on the walls
    assert door[:, 1].max() == pytest.approx(walls[:, 1].max())  # the door stands on the floor
    assert walls[:, 0].min() < door[:, 0].min() < door[:, 0].max() < walls[:, 0].max()


def test_sun_is_a_disc_then_rays_around_it():
    disc, *rays = TEMPLATES["sun"].strokes
    centre = disc.mean(axis=0)
    radius = np.linalg.norm(disc - centre, axis=1).max()
    for ray in rays:
        assert np.linalg.norm(ray - centre, axis=1).min() > radius


def test_smiley_face_holds_its_eyes_above_its_mouth():
    face, left, right, mouth = TEMPLATES["smiley face"].strokes
    centre, radius = face.mean(axis=0), 0.5
    for part in (left, right, mouth):
        assert np.linalg.norm(part - centre, axis=1).max() < radius
    assert left[:, 0].mean() < right[:, 0].mean()
    assert max(left[:, 1].max(), right[:, 1].max()) < mouth[:, 1].min()


def test_ice_cream_is_cone_hatch_then_scoop_on_top():
    strokes = TEMPLATES["ice cream"].strokes
    cone, scoop = strokes[0], strokes[-1]
    assert cone[:, 1].max() == pytest.approx(1.0)  # the cone's tip is the bottom
    assert scoop[:, 1].min() == pytest.approx(0.0)  # the scoop is the top
    for line in strokes[1:-1]:  # the cross-hatch stays inside the cone
        assert cone[:, 0].min() <= line[:, 0].min() and line[:, 0].max() <= cone[:, 0].max()


def test_donut_eye_and_fish_parts():
    outer, inner = TEMPLATES["donut"].strokes
    assert extent(inner) < extent(outer)
    upper, lower, iris, pupil = TEMPLATES["eye"].strokes
    assert upper[:, 1].mean() < lower[:, 1].mean() and extent(pupil) < extent(iris)
    body, eye, fin = TEMPLATES["fish"].strokes
    assert extent(body) == pytest.approx(1.0) and extent(eye) < 0.1 and fin[:, 1].min() < 0.25


def test_paper_clip_is_one_nested_loop():
    (wire,) = TEMPLATES["paper clip"].strokes
    length = np.linalg.norm(np.diff(wire, axis=0), axis=1).sum()
    assert length > 3.5  # about four times its height: the wire doubles back three times
    turns = np.sum(np.diff(np.sign(np.diff(wire[:, 1]))) != 0)  # up <-> down changes
    assert turns >= 3


def test_mountain_is_open_at_the_bottom():
    t = TEMPLATES["mountain"]
    for (ridge,), peaks in zip([t.strokes, *t.variants], (2, 1, 3), strict=True):
        assert ridge[0, 1] == pytest.approx(1.0) and ridge[-1, 1] == pytest.approx(1.0)
        assert ridge[:, 1].min() == pytest.approx(0.0)
        y = ridge[:, 1]
        assert np.sum((y[1:-1] < y[:-2]) & (y[1:-1] < y[2:])) == peaks  # y is down


# ------------------------------------------------------------- declared symmetry


def mirrored(t: Template) -> list[np.ndarray]:
    return [np.stack([1.0 - s[:, 0], s[:, 1]], axis=1) for s in t.strokes]


def best_turn_match(a, b, angles) -> float:
    """Smallest Hausdorff distance between b and a turned by any of `angles` (centroids aligned)."""
    ca, cb = centroid(a), centroid(b)
    shifted = [s + np.array([cb.real - ca.real, cb.imag - ca.imag]) for s in a]
    return min(hausdorff(turn_about(shifted, x, cb), b, n=200) for x in angles)


@pytest.mark.parametrize("name", CLASSES)
def test_declared_rotational_symmetry_holds_and_is_the_largest(name):
    t = TEMPLATES[name]
    c = centroid(t.strokes)
    if t.symmetry == 0:
        for angle in (0.3, 1.7, 3.0):
            assert hausdorff(turn_about(t.strokes, angle, c), t.strokes) < 3e-3
        return
    k = t.symmetry
    if k >= 2:
        assert hausdorff(turn_about(t.strokes, 2 * math.pi / k, c), t.strokes) < 3e-3
    # Half the declared period (or, for k = 1, any proper fraction of a turn) is not a symmetry.
    periods = [2 * math.pi / (2 * k)] if k >= 2 else [2 * math.pi / j for j in range(2, 9)]
    for angle in periods:
        assert hausdorff(turn_about(t.strokes, angle, c), t.strokes) > 0.03


@pytest.mark.parametrize("name", CLASSES)
def test_mirror_is_allowed_exactly_where_the_template_is_chiral(name):
    t = TEMPLATES[name]
    if not t.mirror:
        # Its mirror image is itself (up to a turn it may take anyway).
        k = max(t.symmetry, 1)
        turns = [2 * math.pi * j / k for j in range(k)]
        assert best_turn_match(mirrored(t), list(t.strokes), turns) < 3e-3
    else:
        # No turn at all brings its mirror image onto it: the mirrored fit matters.
        turns = np.radians(np.arange(0, 360, 2))
        assert best_turn_match(mirrored(t), list(t.strokes), turns) > 0.05


@pytest.mark.parametrize("name", ["house", "ice cream", "mountain", "smiley face", "hourglass"])
def test_shapes_with_a_ground_are_upright(name):
    assert TEMPLATES[name].upright


@pytest.mark.parametrize(
    ("name", "k"),
    [
        ("circle", 0),
        ("donut", 0),
        ("square", 4),
        ("hexagon", 6),
        ("octagon", 8),
        ("triangle", 3),
        ("line", 2),
    ],
)
def test_regular_shapes_turn_freely_with_their_symmetry(name, k):
    t = TEMPLATES[name]
    assert t.symmetry == k and not t.upright
