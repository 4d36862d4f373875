import json

import numpy as np
import pytest

from core.classes import CLASSES, NUM_CLASSES, class_index
from core.classifier import Prediction
from core.snap import SnapPolicy
from core.strokes import Drawing
from tests.training.conftest import REPORT_KEYS as KEYS
from training.evaluate import confusion_text, expected_calibration_error, report
from training.replay import Replayed, snap_report, snap_stats, wrong_snaps


def _p(**named: float) -> np.ndarray:
    """A probability vector with the named classes' mass, the rest spread evenly."""
    p = np.zeros(NUM_CLASSES)
    for name, v in named.items():
        p[class_index(name.replace("_", " "))] = v
    rest = 1 - p.sum()
    p[p == 0] = rest / (p == 0).sum()
    return p


# Five drawings, with the guess after each stroke.
CASES = [
    ("circle", [_p(circle=0.9)]),
    ("smiley face", [_p(circle=0.6), _p(smiley_face=0.85, circle=0.1), _p(smiley_face=0.95)]),
    ("house", [_p(square=0.7), _p(square=0.6, house=0.3, triangle=0.05)]),
    ("square", [_p(square=0.97), _p(square=0.97), _p(square=0.98)]),
    ("triangle", [_p(line=0.9), _p(line=0.9)]),
]


def _replays():
    return [
        Replayed(class_index(c), [Prediction(p, k + 1) for k, p in enumerate(steps)])
        for c, steps in CASES
    ]


POLICY = SnapPolicy(
    threshold=0.8,
    margin=0.2,
    min_strokes={"smiley face": 3},
    steady_classes=("line",),
    steady_steps=2,
    steady_override=0.95,
)


def test_accuracy_after_k_strokes_by_hand():
    rep = report([np.stack(s) for _, s in CASES], [class_index(c) for c, _ in CASES], {})
    rows = {r["k"]: r for r in rep["accuracy_at_stroke"]}
    assert len(rows) == 8
    # stroke 1: circle right; smiley (circle), house (square), square right, triangle (line)
    assert rows[1]["n"] == 5 and rows[1]["top1"] == pytest.approx(2 / 5)
    # stroke 2, of the 4 drawings that have one: smiley right, house wrong, square right, triangle wrong
    assert rows[2]["n"] == 4 and rows[2]["top1"] == pytest.approx(2 / 4)
    assert rows[2]["so_far"] == pytest.approx(3 / 5)  # + the circle's last (only) guess
    assert rows[3]["n"] == 2 and rows[3]["top1"] == 1.0
    assert rows[3]["so_far"] == pytest.approx(3 / 5)
    assert (
        rows[4]["n"] == 0 and rows[4]["top1"] is None and rows[8]["so_far"] == pytest.approx(3 / 5)
    )


def test_whole_drawing_accuracy_per_class_and_confusion():
    rep = report([np.stack(s) for _, s in CASES], [class_index(c) for c, _ in CASES], {})
    assert list(rep) == KEYS
    assert rep["n"] == 5
    assert rep["top1"] == pytest.approx(3 / 5)
    assert rep["top3"] == pytest.approx(4 / 5)  # the house is second after its last stroke
    assert rep["per_class"]["house"] == {"n": 1, "top1": 0.0, "top3": 1.0}
    assert set(rep["per_class"]) == {c for c, _ in CASES}
    m = np.array(rep["confusion"]["matrix"])
    assert m.sum() == 5 and m[class_index("house"), class_index("square")] == 1
    assert m[class_index("triangle"), class_index("line")] == 1
    assert rep["confusion"]["classes"] == list(CLASSES)
    text = confusion_text(rep)
    assert text.splitlines()[0].split()[0] == "circl" and len(text.splitlines()) == 19


def test_expected_calibration_error_by_hand():
    probs = np.array([[0.9, 0.1], [0.6, 0.4], [0.6, 0.4]])
    # bin of 0.9: accuracy 1, confidence 0.9; bin of 0.6: accuracy 1/2, confidence 0.6
    assert expected_calibration_error(probs, np.array([0, 0, 1])) == pytest.approx(
        (1 / 3) * 0.1 + (2 / 3) * 0.1
    )
    assert expected_calibration_error(np.array([[1.0, 0.0]]), np.array([0])) == 0.0


def test_snap_replay_by_hand():
    s = snap_stats(_replays(), POLICY)
    # circle at 1 (its last stroke: right), smiley at 3 (needs 3 strokes), house never,
    # square at 1 (0.97 >= steady_override: saves 2 of 3), triangle at 2 as a line (wrong)
    assert s["snaps"] == 4 and s["wrong"] == 1
    assert s["premature"] == 0  # the triangle ends as a line too
    assert s["precision"] == pytest.approx(3 / 4)
    assert s["recall"] == pytest.approx(3 / 5)
    assert s["strokes_saved"] == pytest.approx((2 / 3) / 5)
    full = snap_report(_replays(), POLICY, sweep=(0.5, 0.99))
    assert full["threshold"] == 0.8 and [x["threshold"] for x in full["sweep"]] == [0.5, 0.99]
    high = full["sweep"][1]
    assert high["snaps"] == 0 and high["precision"] is None and high["recall"] == 0.0


def test_a_wrong_snap_is_premature_when_the_finished_drawing_reads_right():
    # Two straight sides read as a line; the third stroke makes it a triangle.
    steps = [_p(line=0.9), _p(line=0.9), _p(triangle=0.95)]
    replay = Replayed(class_index("triangle"), [Prediction(p, k + 1) for k, p in enumerate(steps)])
    s = snap_stats([replay], POLICY)
    assert s["snaps"] == s["wrong"] == s["premature"] == 1
    steps[-1] = _p(line=0.95)  # a line to the end: wrong, not premature
    replay = Replayed(class_index("triangle"), [Prediction(p, k + 1) for k, p in enumerate(steps)])
    assert snap_stats([replay], POLICY)["premature"] == 0


def test_each_wrong_snap_is_listed_with_its_drawing_stroke_and_confidence():
    replays = _replays()
    replays[4].drawing = Drawing(strokes=(np.zeros((2, 2), np.float32),), key_id="42")
    (only,) = wrong_snaps(replays, POLICY)  # the triangle, snapped as a line at stroke 2
    assert only == {
        "index": 4,
        "key_id": "42",
        "true": "triangle",
        "snapped": "line",
        "stroke": 2,
        "strokes": 2,
        "confidence": pytest.approx(0.9),
        "finished_guess": "line",
        "premature": False,
    }
    full = snap_report(replays, POLICY, sweep=(0.5,))
    assert full["wrong_snaps"] == [only] and full["wrong"] == 1
    assert "wrong_snaps" not in full["sweep"][0]  # listed at the policy's threshold only
    # Known to be finished, the triangle reads right: no wrong snap left to list.
    replays[4].final = Prediction(_p(triangle=0.9), 2, finished=True)
    assert wrong_snaps(replays, POLICY) == []


def test_a_premature_wrong_snap_reports_the_live_guess_it_snapped_on():
    steps = [_p(line=0.85), _p(line=0.9), _p(triangle=0.95)]
    replay = Replayed(class_index("triangle"), [Prediction(p, k + 1) for k, p in enumerate(steps)])
    (w,) = wrong_snaps([replay], POLICY)
    assert (w["stroke"], w["strokes"], w["snapped"]) == (2, 3, "line")
    assert w["confidence"] == pytest.approx(0.9)  # stroke 2's guess, not stroke 1's or the last
    assert w["finished_guess"] == "triangle" and w["premature"] is True
    assert w["key_id"] is None  # no drawing kept with this replay


def test_the_finished_guess_decides_the_whole_drawing_and_the_last_snap():
    replays = _replays()
    # The triangle's live guesses say "line"; knowing the drawing ends after its second
    # stroke (the ending prior), the finished guess says triangle.
    replays[4].final = Prediction(_p(triangle=0.9), 2, finished=True)
    s = snap_stats(replays, POLICY)
    assert s["snaps"] == 4 and s["precision"] == 1.0 and s["recall"] == pytest.approx(4 / 5)
    rep = report(
        [r.step_probs for r in replays],
        [r.label for r in replays],
        {},
        final=[r.final_probs for r in replays],
    )
    assert rep["top1"] == pytest.approx(4 / 5)
    assert rep["per_class"]["triangle"]["top1"] == 1.0
    rows = {r["k"]: r for r in rep["accuracy_at_stroke"]}
    assert rows[2]["top1"] == pytest.approx(2 / 4)  # the live guesses stay as they were


def test_replays_keep_the_classifiers_finished_guess(real_dev):
    from core.classifier import StrokeClassifier
    from core.ending import EndingPrior
    from core.strokes import iter_drawings
    from tests.core.tiny_models import tiny_model
    from training.replay import replay_drawings

    drawings = list(iter_drawings(real_dev / "simplified" / "circle.ndjson", limit=3))
    counts = np.zeros((NUM_CLASSES, 4), np.int64)
    counts[class_index("circle")] = [9, 1, 0, 0]
    clf = StrokeClassifier(tiny_model("cnn"), ending=EndingPrior(counts))
    for r, d in zip(replay_drawings(clf, drawings), drawings, strict=True):
        assert r.final.finished and r.final.n_strokes == len(d.strokes)
        expected = clf.ending.finish(r.history[-1].probs, len(d.strokes))
        np.testing.assert_allclose(r.final_probs, expected)


def test_intervals_are_wilson_intervals_of_the_counted_shares():
    from training.stats import wilson_interval

    replays = _replays()
    snap = snap_stats(replays, POLICY)
    rep = report([r.step_probs for r in replays], [r.label for r in replays], snap)
    bounds = rep["intervals"]
    assert bounds["top1"] == pytest.approx(wilson_interval(3, 5))
    assert bounds["top3"] == pytest.approx(wilson_interval(4, 5))
    right = snap["snaps"] - snap["wrong"]
    assert bounds["snap_precision"] == pytest.approx(wilson_interval(right, snap["snaps"]))
    assert bounds["snap_recall"] == pytest.approx(wilson_interval(right, 5))
    for low, high in bounds.values():
        assert 0 <= low < high <= 1
    # no snap replay given, no drawings: nothing to bound
    empty = report([], [], {})["intervals"]
    assert empty == {"top1": None, "top3": None, "snap_precision": None, "snap_recall": None}


def test_limit_is_per_class_whichever_files_hold_the_class(real_dev, tmp_path):
    """--limit N: the first N drawings of each class, also from a file of several classes
    and across two files of one class (it was N drawings a file)."""
    from collections import Counter

    from training.replay import read_eval_drawings

    src = real_dev / "simplified"
    lines = {c: (src / f"{c}.ndjson").read_text().splitlines(keepends=True) for c in CLASSES[:3]}
    mixed = tmp_path / "mixed.ndjson"
    mixed.write_text("".join(lines[CLASSES[0]][:3] + lines[CLASSES[1]][:3] + lines[CLASSES[2]][:3]))
    (tmp_path / f"{CLASSES[0]}.ndjson").write_text("".join(lines[CLASSES[0]][3:6]))
    got = read_eval_drawings(tmp_path, limit=2)
    assert Counter(d.word for d in got) == {c: 2 for c in CLASSES[:3]}
    # the class's own file comes first (sorted names), then the mixed file's others
    assert [d.key_id for d in got if d.word == CLASSES[0]] == [
        str(json.loads(line)["key_id"]) for line in lines[CLASSES[0]][3:5]
    ]
    assert len(read_eval_drawings(tmp_path)) == 12


def test_the_replay_hands_the_policy_each_prefix_of_the_ink_so_scribbles_never_snap():
    from tests.live.helpers import random_walk, square

    walk, box, empty = random_walk(1000, seed=1), square(0, 0, 50), np.zeros((0, 2))
    sure = [Prediction(_p(sun=0.99), 1), Prediction(_p(sun=0.99), 2)]
    unsure_then_sure = [Prediction(_p(sun=0.5), 1), Prediction(_p(sun=0.99), 2)]

    def snaps(strokes, steps, policy=POLICY):
        drawing = None if strokes is None else Drawing(tuple(strokes), "sun")
        return snap_stats([Replayed(class_index("sun"), steps, drawing=drawing)], policy)["snaps"]

    assert snaps([walk, box], sure) == 0
    assert snaps([box, walk], sure) == 1  # at stroke 1, on the square alone
    assert snaps([box, empty, walk], unsure_then_sure) == 0  # stroke 2 is the walk
    assert snaps([box, empty, box + 200], unsure_then_sure) == 1
    assert snaps(None, sure) == 1  # the ink unknown: no such rule
    assert snaps([walk, box], sure, POLICY.model_copy(update={"scribble_crossings": None})) == 1
    wrong = Replayed(class_index("circle"), sure, drawing=Drawing((walk, box), "circle"))
    assert wrong_snaps([wrong], POLICY) == []
