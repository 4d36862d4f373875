"""The ending prior: stroke counts per class, and the finished guess they give."""

from __future__ import annotations

import numpy as np
import pytest

from core.classes import CLASSES, class_index
from core.ending import MAX_COUNTED, EndingPrior, EndingPriorError

CIRCLE, SMILEY = class_index("circle"), class_index("smiley face")


def _prior() -> EndingPrior:
    # 8 circles of one stroke, 2 of two; 10 smiley faces of three strokes.
    labels = [CIRCLE] * 10 + [SMILEY] * 10
    n_strokes = [1] * 8 + [2] * 2 + [3] * 10
    return EndingPrior.from_drawings(labels, n_strokes)


def test_counts_are_drawings_per_class_and_stroke_count():
    prior = _prior()
    assert prior.counts.shape == (len(CLASSES), MAX_COUNTED)
    assert prior.counts[CIRCLE, :3].tolist() == [8, 2, 0]
    assert prior.counts[SMILEY, :3].tolist() == [0, 0, 10]
    assert prior.counts.sum() == 20


def test_hazard_is_the_smoothed_share_that_stops_among_those_that_reach():
    prior = _prior()
    # circles: 8 of 10 stop at stroke 1, 2 of 2 at stroke 2; smileys: 0 of 10, 10 of 10 at 3
    assert prior.hazard(1)[CIRCLE] == pytest.approx((8 + 1) / (10 + 2))
    assert prior.hazard(2)[CIRCLE] == pytest.approx((2 + 1) / (2 + 2))
    assert prior.hazard(1)[SMILEY] == pytest.approx(1 / 12)
    assert prior.hazard(3)[SMILEY] == pytest.approx(11 / 12)
    unseen = class_index("house")
    assert prior.hazard(1)[unseen] == pytest.approx(0.5)  # no data: no opinion


def test_a_drawing_that_ends_after_one_round_stroke_is_a_circle():
    prior = _prior()
    probs = np.zeros(len(CLASSES))
    probs[[SMILEY, CIRCLE]] = [0.6, 0.4]  # the live guess hedges for strokes to come
    finished = prior.finish(probs, 1)
    assert finished.sum() == pytest.approx(1.0)
    assert int(np.argmax(finished)) == CIRCLE
    assert finished[CIRCLE] == pytest.approx(0.4 * 9 / 12 / (0.4 * 9 / 12 + 0.6 / 12))
    # after three strokes the smiley face is the one that stops there
    assert int(np.argmax(prior.finish(probs, 3))) == SMILEY


def test_long_drawings_share_the_last_column():
    prior = EndingPrior.from_drawings([CIRCLE, CIRCLE], [MAX_COUNTED + 5, 40])
    assert prior.counts[CIRCLE, -1] == 2
    np.testing.assert_array_equal(prior.hazard(MAX_COUNTED + 100), prior.hazard(MAX_COUNTED))


@pytest.mark.parametrize(
    ("counts", "problem"),
    [
        (np.zeros((3, 4)), r"\(18, K\)"),
        (np.zeros(18), r"\(18, K\)"),
        (-np.ones((18, 4)), "whole numbers"),
        (np.full((18, 4), 0.5), "whole numbers"),
        (np.full((18, 4), np.nan), "whole numbers"),
    ],
)
def test_bad_counts_are_refused(counts, problem):
    with pytest.raises(EndingPriorError, match=problem):
        EndingPrior(counts)


def test_bad_drawings_are_refused():
    with pytest.raises(EndingPriorError, match="2 labels but 1"):
        EndingPrior.from_drawings([0, 1], [1])
    with pytest.raises(EndingPriorError, match="at least one stroke"):
        EndingPrior.from_drawings([0], [0])
    with pytest.raises(EndingPriorError, match=">= 1"):
        _prior().hazard(0)


def test_pooled_priors_add_their_counts_and_refuse_other_shapes():
    a = EndingPrior.from_drawings([0, 0, 4], [1, 3, 2])
    b = EndingPrior.from_drawings([0], [1])
    np.testing.assert_array_equal(EndingPrior.pooled([a, b]).counts, a.counts + b.counts)
    short = EndingPrior(np.ones((len(CLASSES), 4), np.int64))
    with pytest.raises(EndingPriorError, match="different shapes"):
        EndingPrior.pooled([a, short])
