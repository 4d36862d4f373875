import numpy as np
import pytest
from pydantic import ValidationError

from core.classes import CLASSES, class_index
from core.classifier import Prediction
from core.snap import SnapDecision, SnapPolicy


def guess(n_strokes: int, **probs: float) -> Prediction:
    """A prediction with the given class probabilities (names with '_' for spaces);
    the rest of the mass is spread evenly over the other classes."""
    p = np.zeros(len(CLASSES))
    for name, v in probs.items():
        p[class_index(name)] = v
    rest = [i for i in range(len(CLASSES)) if p[i] == 0]
    p[rest] = (1 - p.sum()) / len(rest)
    return Prediction(p, n_strokes)


POLICY = SnapPolicy(
    threshold=0.8,
    margin=0.2,
    steady_classes=("circle", "line", "square", "triangle"),
    steady_steps=2,
    steady_override=0.95,
)


def test_nothing_to_snap_without_strokes():
    assert POLICY.decide([]) is None
    assert POLICY.explain([]) == "no strokes yet"


def test_a_confident_complete_guess_snaps():
    decision = POLICY.decide([guess(1, hexagon=0.9)])
    assert decision == SnapDecision("hexagon", pytest.approx(0.9), decision.reason)
    assert "hexagon 0.90 >= 0.80" in decision.reason


def test_below_threshold_waits():
    assert POLICY.decide([guess(1, hexagon=0.79)]) is None
    assert "below threshold" in POLICY.explain([guess(1, hexagon=0.79)])


def test_a_guess_just_below_the_threshold_is_not_shown_as_equal_to_it():
    assert POLICY.explain([guess(1, hexagon=0.797)]) == "hexagon 0.797 below threshold 0.800"
    policy = POLICY.model_copy(update={"threshold": 0.5, "margin": 0.3})
    close = [guess(2, house=0.6485, square=0.3495)]
    assert policy.explain(close) == "house leads square by 0.299 < margin 0.300"
    at_one = POLICY.model_copy(update={"threshold": 1.0})
    assert at_one.explain([guess(1, hexagon=1 - 1e-14)]).startswith("hexagon 0.99999999999999")


def test_margin_to_the_runner_up():
    policy = POLICY.model_copy(update={"threshold": 0.5, "margin": 0.3})
    close = [guess(2, house=0.55, square=0.35)]
    assert policy.decide(close) is None
    assert "leads square by 0.20" in policy.explain(close)
    assert policy.decide([guess(2, house=0.6, square=0.25)]).cls == "house"


def test_a_smiley_face_waits_for_its_strokes():
    history = [guess(1, circle=0.5), guess(2, smiley_face=0.9)]
    assert POLICY.decide(history) is None
    assert "smiley face needs 3 strokes, has 2" in POLICY.explain(history)
    history.append(guess(3, smiley_face=0.93))
    assert POLICY.decide(history).cls == "smiley face"


def test_a_first_stroke_circle_waits_while_the_mass_may_move():
    first = [guess(1, circle=0.9)]
    assert POLICY.decide(first) is None
    assert POLICY.explain(first).endswith("not yet top for 2 strokes (and 0.90 < 0.95)")
    # the second stroke turned it into something else: no snap to circle
    moved = [*first, guess(2, sun=0.6, circle=0.3)]
    assert POLICY.decide(moved) is None
    # still a circle after a second stroke (e.g. a closing touch): snap
    steady = [*first, guess(2, circle=0.88)]
    assert POLICY.decide(steady).cls == "circle"
    assert "top for 2 strokes" in POLICY.decide(steady).reason


def test_a_very_confident_first_stroke_circle_snaps():
    assert POLICY.decide([guess(1, circle=0.97)]).cls == "circle"


def test_steadiness_needs_the_top_class_over_the_last_steps():
    history = [guess(1, circle=0.9), guess(2, donut=0.5), guess(3, circle=0.9)]
    assert POLICY.decide(history) is None  # top for 1 stroke only
    assert POLICY.decide([*history, guess(4, circle=0.9)]).cls == "circle"


def test_a_finished_drawing_waives_the_completeness_rules():
    assert POLICY.decide([guess(1, circle=0.9)], finished=True).cls == "circle"
    assert POLICY.decide([guess(2, smiley_face=0.9)], finished=True).cls == "smiley face"
    assert POLICY.decide([guess(2, smiley_face=0.7)], finished=True) is None


def test_rules_are_fields_with_class_names_checked():
    policy = SnapPolicy(min_strokes={"Smiley_Face": 4}, steady_classes=("LINE",))
    assert policy.min_strokes == {"smiley face": 4}
    assert policy.steady_classes == ("line",)
    assert policy.decide([guess(3, smiley_face=0.99)]) is None
    assert policy.decide([guess(1, circle=0.9)]).cls == "circle"  # circle no longer steady-ruled
    with pytest.raises(ValidationError, match="did you mean 'circle'"):
        SnapPolicy(steady_classes=("circel",))
    with pytest.raises(ValidationError, match="must be >= 1"):
        SnapPolicy(min_strokes={"sun": 0})
    with pytest.raises(ValidationError, match="threshold"):
        SnapPolicy(threshold=1.5)
    with pytest.raises(ValidationError, match="extra"):
        SnapPolicy(thresold=0.5)


def test_by_default_every_class_waits_for_three_agreeing_strokes():
    policy = SnapPolicy()
    assert set(policy.steady_classes) == set(CLASSES)
    first = [guess(1, hexagon=0.9)]
    two = [*first, guess(2, hexagon=0.9)]
    assert policy.decide(first) is None
    assert policy.decide(two) is None
    assert policy.explain(two).endswith("not yet top for 3 strokes")  # no override to name
    assert policy.decide([*two, guess(3, hexagon=0.9)]).cls == "hexagon"
    assert policy.decide([guess(1, hexagon=0.999)]) is None  # no confidence skips the wait
    assert policy.decide([guess(1, hexagon=0.999), guess(2, hourglass=0.999)]) is None
    assert policy.decide(first, finished=True).cls == "hexagon"  # a pause ends the drawing


def test_a_certain_guess_waits_too_when_nothing_may_skip_the_wait():
    # softmax in float64 gives exactly 1.0 when every other class is ~37 nats behind (the
    # bundled CNN does so on ~1.5% of synthetic strokes); an override of 1 means "never"
    certain = Prediction(np.eye(len(CLASSES))[class_index("hexagon")], 1)
    for policy in (SnapPolicy(), SnapPolicy(steady_override=1.0, steady_steps=2)):
        assert policy.decide([certain]) is None
        assert policy.explain([certain]).endswith("strokes")  # no override to name
        assert policy.decide([certain], finished=True).cls == "hexagon"
    assert SnapPolicy(steady_override=0.99).decide([certain]).cls == "hexagon"


def test_policy_is_pure():
    history = [guess(1, circle=0.9), guess(2, circle=0.9)]
    a, b = POLICY.decide(history), POLICY.decide(history)
    assert a == b and len(history) == 2
    with pytest.raises(ValidationError):
        POLICY.threshold = 0.1


def _unfamiliar(g: Prediction, *names: str) -> Prediction:
    """`g` with every class familiar but `names`."""
    familiar = np.ones(len(CLASSES), bool)
    familiar[[class_index(n) for n in names]] = False
    return Prediction(g.probs, g.n_strokes, g.finished, familiar)


def test_no_snap_to_a_class_the_ink_looks_unlike_even_when_finished():
    sure = guess(1, hexagon=0.97)
    for finished in (False, True):
        history = [_unfamiliar(sure, "hexagon")]
        assert POLICY.decide(history, finished=finished) is None
        assert POLICY.explain(history, finished=finished) == (
            "hexagon 0.97, but the ink looks unlike the hexagon doodles it learnt"
        )
    assert POLICY.decide([_unfamiliar(sure, "octagon")]).cls == "hexagon"  # others don't matter
    assert POLICY.decide([sure]).cls == "hexagon"  # a guess that does not say: no such rule
    heedless = POLICY.model_copy(update={"heed_familiarity": False})
    assert heedless.decide([_unfamiliar(sure, "hexagon")]).cls == "hexagon"


def test_a_scribble_never_snaps_and_the_reason_says_so():
    from tests.live.helpers import random_walk, square

    scribble = [random_walk(1000, seed=1)]
    sure = [guess(1, sun=0.99)]
    for finished in (False, True):
        assert POLICY.decide(sure, finished=finished, ink=scribble) is None
        why = POLICY.explain(sure, finished=finished, ink=scribble)
        assert why.startswith("looks like a scribble, not a shape (it crosses itself ")
        decision, said = POLICY.judge(sure, finished=finished, ink=scribble)
        assert decision is None and said == why
    assert POLICY.decide(sure, finished=True, ink=[square(0, 0, 50)]).cls == "sun"  # a shape's ink
    assert POLICY.decide(sure, finished=True).cls == "sun"  # no ink given: no such rule
    off = POLICY.model_copy(update={"scribble_crossings": None})
    assert off.decide(sure, finished=True, ink=scribble).cls == "sun"
    assert off.scribble(scribble) is None and POLICY.scribble(scribble) == why
    with pytest.raises(ValidationError):
        SnapPolicy(scribble_crossings=0)
