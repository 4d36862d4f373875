"""Fitting templates to ink: recovery of known placements, symmetry, real doodles, bad ink."""

import itertools
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.classes import CLASSES, UnknownClassError
from core.fit import Fit, FitError, fit_template
from core.registration import Shape
from core.shapes import TEMPLATES
from core.strokes import iter_ndjson
from tests.core.geometry import centroid, hausdorff, place, turn_about


def random_placement(rng: np.random.Generator, name: str) -> dict:
    """A placement the class allows: any scale and shift; a turn and mirror where allowed
    (an upright shape leaning by 3 degrees at least: a lean of a degree or two is
    fitted straight up, `test_a_shape_leaning_a_hair_is_fitted_straight_up`)."""
    t = TEMPLATES[name]
    if t.upright:
        angle = rng.choice([-1, 1]) * rng.uniform(math.radians(3), 0.9 * t.max_tilt)
    else:
        angle = rng.uniform(-0.9, 0.9) * math.pi
    return dict(
        scale=rng.uniform(20, 400),
        angle=angle,
        shift=rng.uniform(-200, 300, size=2),
        mirror=bool(t.mirror and rng.integers(2)),
    )


def angle_gap(a: float, b: float, period: float) -> float:
    """Distance between two angles modulo a period."""
    d = (a - b) % period
    return min(d, period - d)


@pytest.mark.parametrize("name", CLASSES)
def test_fit_recovers_a_known_placement(name):
    t = TEMPLATES[name]
    rng = np.random.default_rng(CLASSES.index(name))
    for _ in range(4):
        p = random_placement(rng, name)
        ink = place(t.strokes, **p)
        fit = fit_template(ink, name)
        assert fit.cls == name
        assert fit.error < 2e-3
        assert fit.aspect == 1.0  # drawn as the template is: not stretched
        assert hausdorff(fit.strokes, ink) < 5e-3 * p["scale"]
        assert fit.scale == pytest.approx(p["scale"], rel=5e-3)
        if t.symmetry == 0:
            assert fit.rotation == 0.0
        else:
            period = 2 * math.pi / t.symmetry
            assert angle_gap(fit.rotation, p["angle"], period) < math.radians(1)
        if t.symmetry == 1:  # no symmetry: the whole placement is determined
            assert fit.mirrored == p["mirror"]
            assert fit.translation == pytest.approx(p["shift"], abs=0.01 * p["scale"])


@pytest.mark.parametrize("name", CLASSES)
def test_fit_strokes_are_the_template_placed_by_the_fit(name):
    t = TEMPLATES[name]
    ink = place(t.strokes, scale=80, angle=0.1, shift=(30, 40))
    fit = fit_template(ink, name)
    assert isinstance(fit, Fit) and len(fit.strokes) == t.n_strokes
    for s, fitted in zip(t.strokes, fit.strokes, strict=True):
        assert fitted.dtype == np.float32 and fitted.shape == s.shape
        assert fit.apply(s) == pytest.approx(fitted)


# ------------------------------------------------------- symmetry and orientation


@pytest.mark.parametrize("name", [n for n in CLASSES if TEMPLATES[n].upright])
@pytest.mark.parametrize("degrees", [30, -45, 90, 180])
def test_upright_shapes_only_tilt(name, degrees):
    t = TEMPLATES[name]
    ink = place(t.strokes, scale=100, angle=math.radians(degrees))
    fit = fit_template(ink, name)
    assert abs(fit.rotation) <= t.max_tilt + 1e-9
    if t.symmetry >= 2 and degrees % (360 // t.symmetry) == 0:
        assert fit.error < 2e-3  # turned onto itself (an hourglass upside down)
    elif abs(degrees) >= 45:  # well past the tilt allowed: a poor fit, not a turned shape
        assert fit.error > 5e-3


def wobbly(strokes, rng: np.random.Generator, jitter: float) -> list[np.ndarray]:
    """A wobbly hand's copy of strokes: densified, every point jittered by `jitter`."""
    out = []
    for s in strokes:
        fine = np.concatenate(
            [np.linspace(a, b, 8, endpoint=False) for a, b in itertools.pairwise(s)] + [s[-1:]]
        )
        out.append(fine + rng.normal(0, jitter, fine.shape))
    return out


@pytest.mark.parametrize("name", [n for n in CLASSES if TEMPLATES[n].upright])
def test_an_upright_shape_drawn_leaning_is_fitted_leaning(name):
    """A clear lean is kept, however wobbly the hand (the straight-up fit is preferred
    only where a lean fits a hair closer, or not much closer near the shape's limit or
    where the ink's straight lines stand level: the real doodles below)."""
    t = TEMPLATES[name]
    for seed in range(3):
        ink = place(t.strokes, scale=200, angle=math.radians(12))
        leaning = fit_template(wobbly(ink, np.random.default_rng(seed), 6.0), name)
        assert leaning.rotation > math.radians(5)


def stretched(strokes, k: float) -> list[np.ndarray]:
    """Unit-box strokes made k times as tall about the box's centre."""
    return [np.column_stack([s[:, 0], 0.5 + k * (s[:, 1] - 0.5)]) for s in strokes]


@pytest.mark.parametrize("name", [n for n in CLASSES if TEMPLATES[n].stretch > 1])
def test_a_stretched_shape_is_fitted_stretched(name):
    """A template drawn taller or flatter than its own proportions (within its
    `stretch`), turned as the class allows, is fitted as drawn: a square drawn as a
    rectangle snaps to that rectangle, an hourglass drawn tall to a tall one."""
    t = TEMPLATES[name]
    rng = np.random.default_rng(7 + CLASSES.index(name))
    for k in (0.85 / t.stretch**0.5 + 0.15, t.stretch**0.9):
        p = random_placement(rng, name)
        ink = place(stretched(t.strokes, k), **p)
        fit = fit_template(ink, name)
        size = p["scale"] * max(k, 1.0)
        assert hausdorff(fit.strokes, ink) < 0.01 * size, (k, fit)
        assert fit.error < 3e-3
        if t.upright:  # no turn can stand in for the stretch
            assert fit.aspect == pytest.approx(k, rel=0.02)


def test_part_of_a_circle_is_completed_by_a_circle_not_squeezed_into_an_oval():
    """Two thirds of a circle (a stroke on its way, the window's completion preview): an
    oval over the arc left less template where no ink is yet, so it fitted closer in
    all; a stretch is taken only where it is closer from the ink too."""
    for start in np.radians([0, 90, 180, 270]):
        for way in (1, -1):  # counter-clockwise and clockwise
            a = start + way * np.linspace(0, 2 * np.pi, 49)[:30]
            arc = [np.stack([400 + 120 * np.cos(a), 300 + 120 * np.sin(a)], 1)]
            fit = fit_template(arc, "circle")
            assert fit.aspect == 1.0
            assert fit.scale == pytest.approx(240, rel=0.1)  # near the circle's diameter


def test_a_rectangle_drawn_for_a_square_is_not_a_turned_square():
    """The similarity fit alone put a square turned by 16 degrees across a 2:1
    rectangle (fit error 0.08, under the window's 0.15): now the rectangle itself."""
    rectangle = [np.array([[0, 0], [200, 0], [200, 100], [0, 100], [0, 0]], np.float32)]
    fit = fit_template(rectangle, "square")
    assert fit.error < 1e-3
    assert hausdorff(fit.strokes, rectangle) < 1.0
    assert min(fit.aspect, 1 / fit.aspect) == pytest.approx(0.5, rel=1e-2)


def test_a_house_tilted_too_far_leans_only_as_far_as_allowed():
    t = TEMPLATES["house"]
    fit = fit_template(place(t.strokes, scale=100, angle=math.radians(30)), "house")
    assert fit.rotation == pytest.approx(t.max_tilt, abs=math.radians(3))
    upright = fit_template(place(t.strokes, scale=100, angle=math.radians(10)), "house")
    assert upright.error < 1e-3 < fit.error


@pytest.mark.parametrize(
    ("name", "turn"),
    [
        ("square", 90),
        ("square", 180),
        ("hexagon", 60),
        ("octagon", 45),
        ("triangle", 120),
        ("line", 180),
        ("sun", 45),
    ],
)
def test_a_turn_by_the_symmetry_is_the_same_fit(name, turn):
    t = TEMPLATES[name]
    base = place(t.strokes, scale=120, angle=0.2, shift=(10, 20))
    turned = turn_about(base, math.radians(turn), centroid(base))
    a, b = fit_template(base, name), fit_template(turned, name)
    assert a.rotation == pytest.approx(0.2, abs=math.radians(0.3))
    assert b.rotation == pytest.approx(a.rotation, abs=math.radians(0.3))
    assert b.scale == pytest.approx(a.scale, rel=1e-3)
    assert b.translation == pytest.approx(a.translation, abs=0.1)
    assert hausdorff(a.strokes, b.strokes) < 0.5


@pytest.mark.parametrize("name", ["square", "hexagon", "octagon", "triangle", "line", "sun"])
def test_rotation_is_reported_within_half_a_symmetry_period(name):
    t = TEMPLATES[name]
    half = math.pi / t.symmetry
    for degrees in (0, 50, 100, 170, 260, 330):
        fit = fit_template(place(t.strokes, scale=90, angle=math.radians(degrees)), name)
        assert -half - 1e-6 <= fit.rotation <= half + 1e-6


@pytest.mark.parametrize("name", ["circle", "donut"])
def test_round_shapes_never_turn(name):
    ink = place(TEMPLATES[name].strokes, scale=70, angle=1.0, shift=(5, 5))
    fit = fit_template(ink, name)
    assert fit.rotation == 0.0 and fit.error < 2e-3


@pytest.mark.parametrize("name", [n for n in CLASSES if TEMPLATES[n].mirror])
def test_a_mirrored_drawing_fits_mirrored(name):
    t = TEMPLATES[name]
    assert fit_template(place(t.strokes, scale=100, angle=0.1, mirror=True), name).mirrored
    assert not fit_template(place(t.strokes, scale=100, angle=0.1), name).mirrored


def test_a_paper_clip_is_found_at_any_turn_either_way_round():
    t = TEMPLATES["paper clip"]
    for degrees in range(0, 360, 30):
        for mirror in (False, True):
            ink = place(t.strokes, scale=100, angle=math.radians(degrees), mirror=mirror)
            fit = fit_template(ink, "paper clip")
            assert fit.mirrored == mirror and fit.error < 2e-3, (degrees, mirror)


@pytest.mark.parametrize("name", [n for n in CLASSES if not TEMPLATES[n].mirror])
def test_classes_without_mirror_never_fit_mirrored(name):
    t = TEMPLATES[name]
    assert not fit_template(place(t.strokes, scale=100, mirror=True), name).mirrored


# ---------------------------------------------------------------- real doodles

# For each class, one that looks nothing like it.
UNLIKE = {
    "circle": "triangle",
    "cloud": "line",
    "donut": "mountain",
    "eye": "hockey stick",
    "fish": "square",
    "hexagon": "line",
    "hockey stick": "circle",
    "hourglass": "circle",
    "house": "circle",
    "ice cream": "line",
    "line": "circle",
    "mountain": "donut",
    "octagon": "mountain",
    "paper clip": "sun",
    "smiley face": "triangle",
    "square": "line",
    "sun": "square",
    "triangle": "circle",
}


@pytest.fixture(scope="module")
def real_drawings(real_dev):
    files = sorted((real_dev / "simplified").glob("*.ndjson"))
    return [d for f in files for d in iter_ndjson(f)]


def test_real_smiley_faces_that_lean_only_a_hair_closer_are_fitted_straight_up(real_drawings):
    """Two real smiley faces, drawn straight, that a lean of 25 degrees (the limit)
    fitted a hair closer (0.062 against 0.063, 0.048 against 0.049): the snapped face's
    eyes stood askew. A lean is kept only where it fits clearly closer (SIMPLER)."""
    faces = {d.key_id: d for d in real_drawings if d.word == "smiley face"}
    for key_id in ("4778829828587520", "6687215381905408"):
        fit = fit_template(faces[key_id].strokes, "smiley face")
        assert fit.rotation == 0.0 and fit.error < 0.07


@pytest.fixture(scope="module")
def raw_drawings(real_dev):
    """The real dev doodles as drawn (`raw`: the ink the window fits), by key_id."""
    files = sorted((real_dev / "raw").glob("*.ndjson"))
    return {d.key_id: d for f in files for d in iter_ndjson(f)}


# Real doodles drawn level that snapped turned (the window's review): a house whose
# right wall slants, -8 degrees; an hourglass with one side bulging, its bars level, +8;
# a square with a lead-in tail along its top, -8; a smiley face of one eye and a mouth
# to one side, +25 (the limit: its eyes on a slant, one where no eye was drawn).
DRAWN_LEVEL = {
    "6190295400054784": "house",
    "6210714295336960": "hourglass",
    "6276591292252160": "square",
    "5807623746093056": "smiley face",
}


@pytest.mark.parametrize("key_id", DRAWN_LEVEL)
def test_real_shapes_drawn_level_fit_level(raw_drawings, key_id):
    """A turn that fits a lopsided drawing closer is kept only where it earns its place:
    not where the ink's straight lines stand level (`core.plumb`), nor, for an upright
    shape, where it leans to its limit for a few percent."""
    name = DRAWN_LEVEL[key_id]
    fit = fit_template(raw_drawings[key_id].strokes, name)
    period = 2 * math.pi / TEMPLATES[name].symmetry
    assert angle_gap(fit.rotation, 0.0, period) < math.radians(3), math.degrees(fit.rotation)


@pytest.mark.parametrize(
    ("key_id", "name"),
    [
        ("4828882911887360", "square"),
        ("5902858052435968", "hourglass"),
        ("6601807495168000", "house"),
    ],
)
@pytest.mark.parametrize("degrees", [15, -15])
def test_real_shapes_turned_fit_turned(raw_drawings, key_id, name, degrees):
    """Real doodles drawn level (a square, an hourglass, a house), turned by 15 degrees:
    the fit turns with them (a few degrees off where the drawing is lopsided: this
    house alone fits 3.4 degrees off level)."""
    ink = [np.asarray(s, np.float64) for s in raw_drawings[key_id].strokes]
    fit = fit_template(turn_about(ink, math.radians(degrees), centroid(ink)), name)
    turn = math.radians(degrees)
    assert angle_gap(fit.rotation, turn, 2 * math.pi / TEMPLATES[name].symmetry) < math.radians(4)


@pytest.mark.parametrize(
    ("key_id", "name", "degrees"),
    [("5204164265115648", "smiley face", 12.7), ("6010395712028672", "eye", 13.4)],
)
def test_real_shapes_drawn_turned_fit_turned(raw_drawings, key_id, name, degrees):
    """A real smiley face drawn turned (its eyes and its mouth's ends each a line sloping
    down to the right) and a real eye drawn aslant keep their turn."""
    fit = fit_template(raw_drawings[key_id].strokes, name)
    assert math.degrees(fit.rotation) == pytest.approx(degrees, abs=1.5)


def test_a_smiley_face_drawn_without_its_outline_gets_a_face_around_what_was_drawn():
    """Eyes and a mouth alone (a third of the real smiley faces): the template's outline
    hugged the mouth, half the size, its eyes and mouth nowhere near the drawn ones.
    Placed by the drawn parts, the whole face snaps around them."""
    t = TEMPLATES["smiley face"]
    features = place(t.strokes[1:], scale=200, shift=(30, 40))
    fit = fit_template(features, "smiley face")
    assert len(fit.strokes) == len(t.strokes) and fit.left_out == (0,)  # the whole face
    assert hausdorff(fit.strokes[1:], features) < 0.005 * 200
    assert fit.scale == pytest.approx(200, rel=5e-3) and fit.error < 2e-3
    whole = fit_template(place(t.strokes, scale=200), "smiley face")  # an outline drawn
    assert whole.error < 2e-3 and whole.scale == pytest.approx(200, rel=5e-3)
    assert whole.left_out == ()


def test_real_smiley_faces_without_an_outline_snap_to_a_face_around_them(real_drawings):
    """The five real smiley faces of eyes and a mouth alone were fitted with the outline
    on the mouth: the snapped face now holds the drawing inside it (its outline wider
    than the drawn parts by a fifth at least), and no larger than half as large again
    (`core.undrawn`)."""
    faces = {d.key_id: d for d in real_drawings if d.word == "smiley face"}
    for key_id in (
        "4778829828587520",
        "5204164265115648",
        "4526167170220032",
        "5852955716616192",
        "4758494517395456",
    ):
        ink = faces[key_id].strokes
        outline = fit_template(ink, "smiley face").strokes[0]
        drawn = np.concatenate(ink)
        assert np.ptp(outline[:, 0]) > 1.2 * np.ptp(drawn[:, 0]), key_id
        assert np.ptp(outline, axis=0).max() <= 1.5 * np.ptp(drawn, axis=0).max() + 1e-3


@pytest.mark.parametrize("folder", ["raw", "simplified"])
def test_an_undrawn_face_is_drawn_round_the_ink_not_twice_its_size(real_dev, folder):
    """A real smiley of a mouth and two tiny eye marks, no face: the template's face,
    twice the size of its eyes and mouth, was placed round them twice the ink's size,
    off the canvas and into the next doodle's cell (error 0.029, of the drawn parts
    alone). The face not drawn is drawn round the ink, no larger than half as large
    again, and holding all of it; the parts drawn stay where they were fitted."""
    path = real_dev / folder / "smiley face.ndjson"
    ink = next(d for d in iter_ndjson(path) if d.key_id == "4778829828587520").strokes
    fit = fit_template(ink, "smiley face")
    assert fit.left_out == (0,) and fit.error < 0.035
    drawn = np.concatenate(ink)
    face = fit.strokes[0]
    assert np.ptp(face, axis=0).max() <= 1.5 * np.ptp(drawn, axis=0).max() + 1e-3
    assert (np.ptp(face, axis=0) > 1.3 * np.ptp(drawn, axis=0)).all()
    # every ink point inside the face: within its box, taken as an ellipse, in the
    # template's own frame
    here, outline = fit.to_template(drawn), fit.to_template(face)
    lo, hi = outline.min(axis=0), outline.max(axis=0)
    assert ((((here - (lo + hi) / 2) / ((hi - lo) / 2)) ** 2).sum(axis=1) < 1).all()
    drawn_parts = zip(TEMPLATES["smiley face"].strokes[1:], fit.strokes[1:], strict=True)
    for template_stroke, placed in drawn_parts:
        assert fit.apply(template_stroke) == pytest.approx(placed)


def test_a_lone_circle_is_a_smiley_faces_outline_not_its_eyes_and_mouth():
    """A circle fitted as a smiley face (snapped or previewed where that is the top
    guess) was read as the eyes and mouth of a face twice its size: the circle ran
    through both eyes and along the mouth (error 0.035, from those parts alone), and the
    outline spilled off the canvas. Each stroke is drawn for one part: it is the outline."""
    ink = place(TEMPLATES["circle"].strokes, scale=300, shift=(250, 150))
    fit = fit_template(ink, "smiley face")
    assert fit.left_out == ()
    assert hausdorff(fit.strokes[:1], ink) < 0.05 * 300  # the outline on the circle
    box = np.concatenate(fit.strokes)
    assert (box.min(axis=0) > [250 - 15, 150 - 15]).all()
    assert (box.max(axis=0) < [550 + 15, 450 + 15]).all()


def test_real_doodles_of_one_stroke_fitted_as_a_smiley_face_keep_its_outline(real_drawings):
    """15 of the 18 real circles, and most one-stroke squares, octagons and triangles,
    fitted as a smiley face were its eyes and mouth, the face round them half again as
    wide as the drawing: one stroke cannot be both eyes and a mouth."""
    lone = [d for d in real_drawings if len(d.strokes) == 1]
    assert len(lone) > 100
    for d in lone:
        fit = fit_template(d.strokes, "smiley face")
        assert fit.left_out == (), (d.word, d.key_id)
        ink, face = np.concatenate(d.strokes), np.concatenate(fit.strokes[:1])
        if d.word == "circle":  # the outline about the size of the circle (drawn: 2 times)
            assert np.ptp(face, axis=0) == pytest.approx(np.ptp(ink, axis=0), rel=0.15), d.key_id


def test_a_mountain_of_one_peak_or_three_snaps_to_that_form():
    """The two-peak template put a false shoulder on a lone peak and dropped a peak of a
    range: each form drawn is fitted with its own (Template.variants), the template's
    own two peaks with the template."""
    t = TEMPLATES["mountain"]
    for variant, form in enumerate([t.strokes, *t.variants]):
        ink = place(form, scale=180, angle=math.radians(4), shift=(20, 30))
        fit = fit_template(ink, "mountain")
        assert fit.variant == variant and fit.error < 2e-3
        assert hausdorff(fit.strokes, ink) < 0.005 * 180


def test_real_mountains_of_a_lone_peak_fit_without_a_false_shoulder(real_drawings):
    """Three real lone peaks, which the two-peak template fitted with a false shoulder,
    fit the one-peak form."""
    mountains = {d.key_id: d for d in real_drawings if d.word == "mountain"}
    for key_id in ("4932772613324800", "5542719004868608", "4791460941529088"):
        fit = fit_template(mountains[key_id].strokes, "mountain")
        assert fit.variant == 1, key_id


def test_real_doodles_fit_their_own_class_better_than_an_unlike_one(real_drawings):
    assert len(real_drawings) == 300
    own = np.array([fit_template(d.strokes, d.word).error for d in real_drawings])
    unlike = np.array([fit_template(d.strokes, UNLIKE[d.word]).error for d in real_drawings])
    assert np.isfinite(own).all()
    assert np.mean(own < unlike) >= 0.85  # measured: 0.95
    assert np.median(own) < 0.05  # measured: 0.022 (0.030 as a similarity), "good"


@pytest.mark.slow
def test_nearest_template_often_names_the_class(real_drawings):
    """Template fit alone is a weak classifier: the own class ranks high among all 18."""
    sample = real_drawings[::5]
    ranks = []
    for d in sample:
        errors = {c: fit_template(d.strokes, c).error for c in CLASSES}
        ranks.append(sorted(errors, key=errors.get).index(d.word))
    ranks = np.array(ranks)
    assert np.mean(ranks < 3) >= 0.7  # measured: 0.88; chance: 3/18


# ---------------------------------------------------------------- awkward ink


def test_empty_ink_is_a_clear_error():
    with pytest.raises(FitError, match="no points"):
        fit_template([], "circle")
    with pytest.raises(ValueError, match="no points"):
        fit_template([np.zeros((0, 2), np.float32)], "square")


def test_non_finite_ink_is_a_clear_error():
    with pytest.raises(FitError, match="NaN or infinite"):
        fit_template([np.array([[0, 0], [np.nan, 3]], np.float32)], "line")


def test_strokes_that_are_not_x_y_pairs_are_a_clear_error():
    """An (n, 3) array was read as other (x, y) points, and an odd flat list raised
    numpy's reshape error."""
    for stroke, why in [
        (np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]), r"stroke 0 is not \(n, 2\).*\(2, 3\)"),
        ([1.0, 2.0, 3.0], r"stroke 0 is not \(n, 2\).*\(3,\)"),
        ([["a", "b"]], "stroke 0 is not numbers"),
    ]:
        with pytest.raises(FitError, match=why):
            fit_template([stroke], "line")


@pytest.mark.parametrize("size", [1e-300, 1e-9, 1e30])  # 1e-300: a LinAlgError once
def test_a_drawing_of_any_size_fits_the_same(size):
    house = [np.asarray(s, np.float64) * size + 3 * size for s in TEMPLATES["house"].strokes]
    fit = fit_template(house, "house")
    assert fit.error < 1e-6 and fit.scale == pytest.approx(size, rel=1e-6)
    assert fit.translation == pytest.approx([3 * size, 3 * size], rel=1e-6)


@pytest.mark.parametrize("far", [1e39, 1e200, 1e308])
def test_ink_past_float32_is_a_clear_error(far):
    with pytest.raises(FitError, match="past ±1e"):
        fit_template([np.array([[-far, 0.0], [far, 0.0]])], "line")


def test_unknown_class_is_a_clear_error():
    with pytest.raises(UnknownClassError, match="did you mean 'circle'"):
        fit_template([np.array([[0, 0], [5, 5]])], "circel")


@pytest.mark.parametrize("name", CLASSES)
def test_a_dot_has_nothing_to_fit(name):
    fit = fit_template([np.array([[40.0, 50.0]]), np.array([[40.0, 50.0], [40.0, 50.0]])], name)
    assert fit.scale == 0.0 and fit.error == math.inf
    for s in fit.strokes:
        assert s == pytest.approx(np.tile([40.0, 50.0], (len(s), 1)))


@pytest.mark.parametrize("name", CLASSES)
def test_a_straight_stroke_fits_every_class_without_trouble(name):
    fit = fit_template([np.array([[10.0, 10.0], [200.0, 120.0]])], name)
    assert np.isfinite(fit.error) and fit.scale > 0
    assert all(np.isfinite(s).all() for s in fit.strokes)
    if name == "line":
        assert fit.error < 1e-3
        assert fit.scale == pytest.approx(math.hypot(190, 110), rel=1e-3)


def test_dots_next_to_strokes_count_as_ink():
    square = place(TEMPLATES["square"].strokes, scale=100)
    with_dot = fit_template([*square, np.array([[300.0, 300.0]])], "square")
    assert with_dot.error > fit_template(square, "square").error


@pytest.mark.parametrize("name", CLASSES)
def test_noisy_ink_still_fits(name):
    rng = np.random.default_rng(7)
    t = TEMPLATES[name]
    clean = place(t.strokes, scale=150, angle=0.1 if t.symmetry else 0.0, shift=(20, 20))
    fit = fit_template(wobbly(clean, rng, 2.0), name)  # ~1.5% of the size
    assert fit.error < 0.03
    assert fit.scale == pytest.approx(150, rel=0.05)
    assert hausdorff(fit.strokes, clean) < 0.08 * 150


def test_raw_screen_ink_with_many_points_fits():
    t = TEMPLATES["circle"]
    a = np.linspace(0, 2 * np.pi, 3000)
    ink = [np.stack([800 + 300 * np.cos(a), 500 + 300 * np.sin(a)], axis=1)]
    fit = fit_template(ink, "circle")
    assert fit.error < 2e-3 and fit.scale == pytest.approx(600, rel=5e-3)
    assert t.n_strokes == len(fit.strokes)


def dashes(n: int, r: float = 300.0) -> list[np.ndarray]:
    """A circle of radius r drawn as n short two-point strokes, gaps between them."""
    a = np.linspace(0, 2 * np.pi, 2 * n, endpoint=False).reshape(n, 2)
    return [np.stack([800 + r * np.cos(p), 500 + r * np.sin(p)], axis=1) for p in a]


def test_a_circle_of_a_thousand_dashes_fits_like_one_stroke():
    fit = fit_template(dashes(1000), "circle")
    assert fit.error < 5e-3 and fit.scale == pytest.approx(600, rel=5e-3)


def test_many_strokes_are_matched_by_a_bounded_sample_that_spans_the_ink():
    ink = dashes(1000)
    shape = Shape.of(ink, 64, 96)
    assert len(shape.a) <= 96 and len(shape.points) <= 2 * 64 + 4
    x, y = np.concatenate(ink).T
    assert shape.points.real.min() == x.min() and shape.points.real.max() == x.max()
    assert shape.points.imag.min() == y.min() and shape.points.imag.max() == y.max()
    few = Shape.of(ink[:20], 64, 96)  # few strokes: every end and segment kept
    assert len(few.a) == 20 and len(few.points) == 64 + 40


def test_part_of_a_shape_fits_worse_than_all_of_it():
    house = place(TEMPLATES["house"].strokes, scale=100)
    assert fit_template(house[:1], "house").error > 5 * fit_template(house, "house").error


def test_lists_are_accepted_as_strokes():
    fit = fit_template([[[0, 0], [0, 10], [10, 10], [10, 0], [0, 0]]], "square")
    assert fit.error < 1e-3 and fit.scale == pytest.approx(10, rel=1e-3)


points = st.lists(
    st.tuples(st.floats(-1000, 1000), st.floats(-1000, 1000)), min_size=1, max_size=12
)


@settings(max_examples=40, deadline=None)
@given(strokes=st.lists(points, min_size=1, max_size=4), name=st.sampled_from(CLASSES))
def test_any_finite_ink_fits_without_crashing(strokes, name):
    t = TEMPLATES[name]
    fit = fit_template([np.array(s, np.float32) for s in strokes], name)
    assert fit.error >= 0 and fit.scale >= 0
    assert all(np.isfinite(s).all() for s in fit.strokes)
    if t.upright:
        assert abs(fit.rotation) <= t.max_tilt + 1e-9
    if t.symmetry == 0 and fit.aspect == 1.0:  # an oval turns, a circle never
        assert fit.rotation == 0.0
    if not t.mirror:
        assert not fit.mirrored
