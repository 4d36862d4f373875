"""Many drawings replayed at once (training/replay.py's replay_batched) against the
stateful classifier fed one stroke at a time (replay_drawings, the window's path), and
the reports made with it (replay_many: `frankenstein eval`, a run's final evaluation)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from core.classes import CLASSES, NUM_CLASSES
from core.classifier import StrokeClassifier, StrokeError
from core.ending import EndingPrior
from core.ensemble import Ensemble
from core.strokes import Drawing
from tests.conftest import one_torch_thread
from tests.core.tiny_models import random_strokes, tiny_familiarity, tiny_model
from training.replay import batchable, replay_batched, replay_drawings, replay_many

ARCHS = ["frankenstein", "frankenstein-noproj", "cnn"]
EMPTY = np.zeros((0, 2), np.float32)


@pytest.fixture(scope="module")
def drawings():
    """0 to 7 strokes (past a pad_len of 3), some empty; one drawing of empty strokes
    only and one of none, which are not replayed."""
    rng = np.random.default_rng(5)
    out = []
    for i in range(30):
        strokes = random_strokes(rng, int(rng.integers(1, 8)))
        if i % 4 == 0:
            strokes.insert(int(rng.integers(0, len(strokes) + 1)), EMPTY)
        out.append(Drawing(tuple(strokes), CLASSES[i % len(CLASSES)], key_id=str(i)))
    out[7] = Drawing((EMPTY, EMPTY), "circle")
    out[12] = Drawing((), "line")
    return out


def _classifier(arch: str, drawings) -> StrokeClassifier:
    """A tiny model with pad_len 3, a temperature, an ending prior, and familiarity
    statistics whose limit marks about half the classes familiar."""
    model = tiny_model(arch, pad_len=3)
    counts = np.random.default_rng(1).integers(0, 20, (NUM_CLASSES, 5))
    clf = StrokeClassifier(model, temperature=0.7, ending=EndingPrior(counts))
    clf.replay(drawings[0].strokes)
    limit = float(np.median(tiny_familiarity(model).scores(np.stack(clf.hidden))))
    clf.familiarity = tiny_familiarity(model, limit=limit)
    return clf


@pytest.mark.parametrize("arch", ARCHS)
def test_a_batched_replay_equals_the_stroke_by_stroke_one(arch, drawings):
    clf = _classifier(arch, drawings)
    seen, hidden = [], []
    with one_torch_thread():  # the fastest for one small frame at a time
        want = replay_drawings(clf, drawings)
        for r in want:
            clf.replay(r.drawing.strokes)
            hidden.append(np.stack(clf.hidden))
        got = replay_batched(clf, drawings, lambda *a: seen.append(a), chunk=4)  # in chunks
    assert seen == [(min(i, len(drawings)), len(drawings)) for i in range(4, 33, 4)]
    assert len(got) == len(want) == len(drawings) - 2
    assert max(len(r.history) for r in got) > clf.cfg.pad_len
    for g, w, h in zip(got, want, hidden, strict=True):
        assert g.drawing is w.drawing and g.label == w.label
        assert [p.n_strokes for p in g.history] == [p.n_strokes for p in w.history]
        np.testing.assert_allclose(g.step_probs, w.step_probs, rtol=1e-5, atol=1e-7)
        np.testing.assert_allclose(g.hidden, h, rtol=1e-5, atol=1e-6)
        for p, q in zip(g.history, w.history, strict=True):
            np.testing.assert_array_equal(p.familiar, q.familiar)
        assert g.final.finished and g.final.n_strokes == w.final.n_strokes
        np.testing.assert_allclose(g.final_probs, w.final_probs, rtol=1e-5, atol=1e-7)
        np.testing.assert_array_equal(g.final.familiar, w.final.familiar)
    marks = np.concatenate([[p.familiar for p in r.history] for r in got])
    assert 0 < marks.mean() < 1  # the marks go both ways, so they were compared


def test_without_a_limit_nothing_is_marked_and_a_training_model_stays_training(drawings):
    clf = _classifier("frankenstein", drawings)
    want = replay_batched(clf, drawings)
    clf.familiarity = None
    clf.model.train()  # dropout on: the replay must run without it, as the classifier does
    got = replay_batched(clf, drawings)
    assert clf.model.training
    for g, w in zip(got, want, strict=True):
        assert all(p.familiar is None for p in g.history)
        np.testing.assert_array_equal(g.step_probs, w.step_probs)


def test_an_ensemble_or_a_bad_point_is_refused(drawings):
    ensemble = StrokeClassifier(Ensemble([tiny_model(), tiny_model(seed=1)], [1.0, 1.0]))
    with pytest.raises(TypeError, match="ensemble"):
        replay_batched(ensemble, drawings)
    bad = Drawing((np.array([[1.0, np.nan]]),), "circle")
    with pytest.raises(StrokeError, match="finite"):
        replay_batched(StrokeClassifier(tiny_model()), [drawings[0], bad])


def test_a_report_replays_one_chunk_at_a_time_and_keeps_no_hidden_features(drawings, monkeypatch):
    """Tens of thousands of drawings (a real download's test split) are replayed
    REPLAY_CHUNK at a time, so only one chunk's frames are ever held, and the replays
    keep no hidden features, which a report does not read."""
    import core.raster
    import training.replay

    made = []  # drawings whose frames were made at once
    frames = core.raster.stroke_frames
    monkeypatch.setattr(
        core.raster, "stroke_frames", lambda d, m: made.append(len(d)) or frames(d, m)
    )
    monkeypatch.setattr(training.replay, "REPLAY_CHUNK", 8)
    clf = _classifier("frankenstein", drawings)
    seen = []
    got = replay_many(clf, drawings, lambda *a: seen.append(a))
    assert len(made) == 4 and max(made) <= 8 and sum(made) == len(drawings) - 2
    assert seen == [(8, 30), (16, 30), (24, 30), (30, 30)]
    want = replay_drawings(clf, drawings)
    assert len(got) == len(want) and all(r.hidden is None for r in got)
    for g, w in zip(got, want, strict=True):
        np.testing.assert_allclose(g.step_probs, w.step_probs, rtol=1e-5, atol=1e-7)
        np.testing.assert_allclose(g.final_probs, w.final_probs, rtol=1e-5, atol=1e-7)


def test_an_ensemble_or_a_classifier_of_its_own_is_replayed_stroke_by_stroke(drawings):
    """replay_batched makes the predictions of a plain StrokeClassifier of one model;
    anything else (an ensemble, a probe's subclass with its own add_stroke) is fed one
    stroke at a time, as it feeds itself."""

    class Counted(StrokeClassifier):
        strokes = 0

        def add_stroke(self, points):
            self.strokes += 1
            return super().add_stroke(points)

    model = tiny_model(pad_len=3)
    own = Counted(model, temperature=0.7)
    ensemble = StrokeClassifier(Ensemble([model, tiny_model(seed=1, pad_len=3)], [0.7, 1.3]))
    assert [batchable(c) for c in (StrokeClassifier(model), own, ensemble)] == [True, False, False]
    got = replay_many(own, drawings)
    assert own.strokes == sum(len(d.strokes) for d in drawings)  # every stroke through it
    for clf in (own, ensemble):
        got, want = replay_many(clf, drawings), replay_drawings(clf, drawings)
        assert len(got) == len(want) == len(drawings) - 2
        for g, w in zip(got, want, strict=True):
            np.testing.assert_array_equal(g.step_probs, w.step_probs)
            np.testing.assert_array_equal(g.final_probs, w.final_probs)


def _same_report(got, want, where: str = "report") -> None:
    """Equal but for float rounding: every count, name and flag exactly, floats to 1e-6."""
    if isinstance(want, dict):
        assert list(got) == list(want), where
        for key in want:
            _same_report(got[key], want[key], f"{where}.{key}")
    elif isinstance(want, list):
        assert len(got) == len(want), where
        for i, (g, w) in enumerate(zip(got, want, strict=True)):
            _same_report(g, w, f"{where}[{i}]")
    elif isinstance(want, float):
        assert isinstance(got, float) and got == pytest.approx(want, rel=1e-6, abs=1e-7), where
    else:
        assert type(got) is type(want) and got == want, where


def test_eval_reports_what_the_stroke_by_stroke_replay_does_on_real_doodles(
    real_dev, tmp_path, monkeypatch
):
    """`frankenstein eval` of the bundled Frankenstein on the 300 real dev doodles (some
    past pad_len), replayed many at a time: every count of the report (top-1, top-3,
    accuracy after k strokes, at the finished drawing's scale and as the window sees
    each prefix, the confusion, the snaps with and without the familiarity check, the
    wrong snaps) is the stroke-by-stroke replay's, every float to rounding."""
    import training.replay
    from core.snap import SnapPolicy
    from tests.conftest import one_torch_thread
    from training.evaluate import MAX_K, accuracy_at_stroke
    from training.replay import read_eval_drawings, replays_report, window_views
    from ui.cli import main
    from ui.commands.eval import _with_live_rows

    data = real_dev / "simplified"
    drawings = read_eval_drawings(data)
    clf = StrokeClassifier.from_checkpoint("frankenstein")
    assert batchable(clf) and max(d.n_strokes for d in drawings) > clf.cfg.pad_len
    with one_torch_thread():
        replays = replay_drawings(clf, drawings)
        want = replays_report(replays, SnapPolicy())
        # the window's view of each prefix, each replayed stroke by stroke from a fresh state
        views = [window_views(d.strokes)[:MAX_K] for d in drawings]
        live = [np.stack([clf.replay(v).probs for v in mine]) for mine in views]
    want = _with_live_rows(want, accuracy_at_stroke(live, [r.label for r in replays]))
    want = json.loads(json.dumps(want))

    def refused(*args, **kwargs):
        raise AssertionError("eval replayed the bundled model stroke by stroke")

    monkeypatch.setattr(training.replay, "replay_drawings", refused)
    out = tmp_path / "r.json"
    assert main(["eval", "--model", "frankenstein", "--data", str(data), "--json", str(out)]) == 0
    got = json.loads(out.read_text())
    snap = got["snap"]
    assert got["n"] == 300 and snap["wrong"] > 0
    assert snap["without_familiarity"]["snaps"] > snap["snaps"]  # the check refused some
    _same_report(got, want)


def test_eval_of_an_ensemble_is_the_stroke_by_stroke_replay(real_dev, tmp_path):
    """An ensemble cannot be replayed many at a time: eval replays it stroke by stroke,
    and its report is exactly that replay's."""
    from core.checkpoint import export_ensemble, save_checkpoint
    from core.snap import SnapPolicy
    from training.evaluate import MAX_K, accuracy_at_stroke
    from training.replay import read_eval_drawings, replays_report, window_views
    from ui.cli import main
    from ui.commands.eval import _with_live_rows

    paths = [save_checkpoint(tmp_path / f"m{s}.pt", tiny_model(seed=s)) for s in (1, 2)]
    both = export_ensemble(paths, tmp_path / "both.pt")
    data = real_dev / "simplified"
    clf = StrokeClassifier.from_checkpoint(both)
    assert isinstance(clf.model, Ensemble) and not batchable(clf)
    drawings = read_eval_drawings(data, limit=3)
    replays = replay_drawings(clf, drawings)
    want = replays_report(replays, SnapPolicy())
    views = [window_views(d.strokes)[:MAX_K] for d in drawings]
    live = [np.stack([clf.replay(v).probs for v in mine]) for mine in views]
    want = _with_live_rows(want, accuracy_at_stroke(live, [r.label for r in replays]))
    out = tmp_path / "r.json"
    argv = ["eval", "--model", str(both), "--data", str(data), "--limit", "3"]
    assert main([*argv, "--json", str(out)]) == 0
    got = json.loads(out.read_text())
    assert got["n"] == len(drawings) == 54
    assert got == json.loads(json.dumps(want))
