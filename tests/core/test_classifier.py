import numpy as np
import pytest
import torch

from core.checkpoint import save_checkpoint
from core.classes import CLASSES
from core.classifier import Prediction, StrokeClassifier, StrokeError
from core.ending import EndingPrior
from core.raster import rasterize
from tests.core.tiny_models import (
    random_strokes,
    real_drawings_by_strokes,
    tiny_familiarity,
    tiny_model,
)

ARCHS = ["frankenstein", "frankenstein-noproj", "cnn"]


def batch_probs(model, strokes, temperature=1.0) -> np.ndarray:
    """The batch model's calibrated guess after each stroke k: (K, C).

    After stroke k it runs the whole drawing strokes[:k] (whose last frame holds
    the strokes merged past pad_len) and reads step min(k, pad_len) - 1.
    """
    pad = model.cfg.pad_len
    out = []
    with torch.no_grad():
        for k in range(1, len(strokes) + 1):
            frames = torch.from_numpy(rasterize(strokes[:k], pad, model.cfg.m))[None]
            lp = model(frames, torch.tensor([min(k, pad)]))[0, min(k, pad) - 1]
            out.append(torch.softmax(lp.double() / temperature, -1).numpy())
    return np.stack(out)


@pytest.fixture(scope="module")
def drawings(real_dev):
    """Drawings of 1 to 12 strokes: real doodles where the dev set has that count."""
    real = real_drawings_by_strokes(real_dev)
    rng = np.random.default_rng(7)
    return [real.get(n) or random_strokes(rng, n) for n in range(1, 13)]


@pytest.mark.parametrize("arch", ARCHS)
def test_each_stroke_equals_the_batch_model(arch, drawings):
    model = tiny_model(arch)
    clf = StrokeClassifier(model)
    for strokes in drawings:
        got = [clf.add_stroke(s) for s in strokes]
        want = batch_probs(model, strokes)
        assert [p.n_strokes for p in got] == list(range(1, len(strokes) + 1))
        np.testing.assert_allclose(np.stack([p.probs for p in got]), want, atol=1e-5, rtol=0)
        assert all(h is p for h, p in zip(clf.history, got, strict=True))
        clf.reset()


def test_temperature_calibrates(drawings):
    model = tiny_model("frankenstein")
    clf = StrokeClassifier(model, temperature=2.5)
    got = np.stack([clf.add_stroke(s).probs for s in drawings[5]])
    np.testing.assert_allclose(got, batch_probs(model, drawings[5], 2.5), atol=1e-5, rtol=0)
    sharp = StrokeClassifier(model).replay(drawings[5])
    assert got[-1].max() < sharp.confidence  # a higher temperature flattens


@pytest.mark.parametrize("arch", ARCHS)
def test_undo_then_add_is_as_if_never_undone(arch, drawings):
    strokes = drawings[11]  # 12 strokes: undo across the pad_len boundary too
    clf = StrokeClassifier(tiny_model(arch))
    straight = [clf.add_stroke(s).probs for s in strokes]
    clf.reset()
    for s in strokes[:10]:
        clf.add_stroke(s)
    for _ in range(4):
        clf.undo()
    assert clf.n_strokes == 6
    np.testing.assert_array_equal(clf.history[-1].probs, straight[5])
    redone = [clf.add_stroke(s).probs for s in strokes[6:]]
    np.testing.assert_array_equal(np.stack(redone), np.stack(straight[6:]))
    assert clf.n_strokes == 12


def test_undo_to_nothing(drawings):
    clf = StrokeClassifier(tiny_model())
    assert clf.undo() is None
    clf.add_stroke(drawings[0][0])
    assert clf.undo() is None and clf.n_strokes == 0 and clf.history == []
    assert not clf.frame.any()


@pytest.mark.parametrize("arch", ARCHS)
def test_reset_and_replay_leak_nothing(arch, drawings):
    model = tiny_model(arch)
    fresh = np.stack([p.probs for p in map(StrokeClassifier(model).add_stroke, drawings[3])])
    clf = StrokeClassifier(model)
    clf.replay(drawings[10])  # a long drawing first, past pad_len
    clf.reset()
    assert clf.n_strokes == 0 and not clf.frame.any()
    after = np.stack([clf.add_stroke(s).probs for s in drawings[3]])
    np.testing.assert_array_equal(after, fresh)
    last = clf.replay(drawings[3])
    np.testing.assert_array_equal(last.probs, fresh[-1])
    assert clf.n_strokes == 4
    assert clf.replay([]) is None and clf.n_strokes == 0


def test_empty_strokes_are_not_strokes(drawings):
    model = tiny_model("frankenstein")
    strokes = drawings[4]
    clf = StrokeClassifier(model)
    first = clf.add_stroke(np.zeros((0, 2), np.float32))
    assert first.n_strokes == 0 and clf.n_strokes == 0
    np.testing.assert_allclose(first.probs, np.full(len(CLASSES), 1 / len(CLASSES)))
    got = []
    for s in strokes:
        got.append(clf.add_stroke(s).probs)
        same = clf.add_stroke([])
        np.testing.assert_array_equal(same.probs, got[-1])
    assert clf.n_strokes == len(strokes)
    np.testing.assert_allclose(np.stack(got), batch_probs(model, strokes), atol=1e-5, rtol=0)


@pytest.mark.parametrize("arch", ["frankenstein", "cnn"])
def test_dots_and_off_canvas_strokes_go_through(arch, drawings):
    model = tiny_model(arch)
    odd = [
        np.array([[128, 128]], np.float32),  # a dot
        np.array([[-500, -20], [300, 900], [1e6, -1e6]], np.float32),  # far off the canvas
        np.array([[-3.7, 40.2]]),  # an off-canvas dot, float64
    ]
    strokes = [drawings[1][0], *odd, *drawings[2]]
    clf = StrokeClassifier(model)
    got = np.stack([clf.add_stroke(s).probs for s in strokes])
    assert np.isfinite(got).all()
    np.testing.assert_allclose(got.sum(1), 1.0, atol=1e-9)
    # later predictions are exactly the batch model's on the same (clamped) strokes
    np.testing.assert_allclose(got, batch_probs(model, strokes), atol=1e-5, rtol=0)
    clamped = [np.clip(s, 0, 255) for s in strokes]
    np.testing.assert_allclose(got, batch_probs(model, clamped), atol=1e-5, rtol=0)


def test_points_that_are_not_a_stroke_get_a_clear_error():
    clf = StrokeClassifier(tiny_model())
    with pytest.raises(StrokeError, match="shape"):
        clf.add_stroke(np.zeros((4, 3)))
    with pytest.raises(StrokeError, match="finite"):
        clf.add_stroke(np.array([[1.0, np.nan]]))
    assert clf.n_strokes == 0  # nothing half-added


def test_a_training_model_is_used_in_eval_mode_and_left_training(drawings):
    model = tiny_model("frankenstein", dropout=0.5)
    want = batch_probs(model, drawings[2])
    model.train()
    clf = StrokeClassifier(model)
    got = np.stack([clf.add_stroke(s).probs for s in drawings[2]])
    np.testing.assert_allclose(got, want, atol=1e-5, rtol=0)  # dropout was off
    assert model.training


def test_prediction_top_label_confidence():
    probs = np.zeros(len(CLASSES))
    probs[[3, 16, 0]] = [0.6, 0.3, 0.1]
    p = Prediction(probs, 2)
    assert p.top(2) == [("eye", 0.6), ("sun", 0.3)]
    assert (p.label, p.confidence, p.n_strokes) == ("eye", 0.6, 2)
    assert "eye 0.60" in repr(p)


def test_from_checkpoint_uses_the_saved_temperature(tmp_path, drawings):
    model = tiny_model("cnn")
    path = save_checkpoint(tmp_path / "c.pt", model, temperature=1.7)
    clf = StrokeClassifier.from_checkpoint(path)
    assert clf.temperature == pytest.approx(1.7)
    got = clf.replay(drawings[1])
    np.testing.assert_allclose(got.probs, batch_probs(model, drawings[1], 1.7)[-1], atol=1e-5)


def test_finish_reweights_the_latest_guess_by_the_ending_prior(drawings):
    model = tiny_model("frankenstein")
    strokes = drawings[2]
    counts = np.zeros((len(CLASSES), 5), np.int64)
    counts[:, 0] = 3  # every class stops after one stroke, except class 0: never
    counts[0] = [0, 0, 0, 0, 3]
    prior = EndingPrior(counts)
    clf = StrokeClassifier(model, ending=prior)
    assert clf.finish() is None  # nothing drawn yet
    live = clf.add_stroke(strokes[0])
    done = clf.finish()
    assert done.finished and not live.finished and done.n_strokes == 1
    np.testing.assert_allclose(done.probs, prior.finish(live.probs, 1))
    assert done.probs[0] < live.probs[0]
    assert clf.history[-1] is live  # the live history is untouched
    assert clf.finish(done) is done  # finishing twice changes nothing
    clf.add_stroke(strokes[1])
    np.testing.assert_allclose(clf.finish(live).probs, done.probs)  # any earlier guess


def test_finish_without_a_prior_keeps_the_probabilities(drawings):
    clf = StrokeClassifier(tiny_model("cnn"))
    live = clf.replay(drawings[2])
    done = clf.finish()
    assert done.finished
    np.testing.assert_array_equal(done.probs, live.probs)


def test_from_checkpoint_uses_the_saved_ending_prior(tmp_path, drawings):
    prior = EndingPrior.from_drawings([0, 1, 1], [1, 1, 2])
    path = save_checkpoint(tmp_path / "c.pt", tiny_model("cnn"), ending=prior)
    clf = StrokeClassifier.from_checkpoint(path)
    np.testing.assert_array_equal(clf.ending.counts, prior.counts)
    older = save_checkpoint(tmp_path / "old.pt", tiny_model())  # saved without one
    assert StrokeClassifier.from_checkpoint(older).ending is None


@pytest.mark.parametrize("arch", ARCHS)
def test_each_guess_says_which_classes_it_is_familiar_with(arch, drawings):
    model = tiny_model(arch)
    strokes = drawings[3]
    plain = StrokeClassifier(model, temperature=1.3)
    plain.replay(strokes)
    limit = float(np.median(tiny_familiarity(model).scores(plain.hidden[-1])))
    fam = tiny_familiarity(model, limit=limit)  # half the classes familiar at the end
    clf = StrokeClassifier(model, temperature=1.3, familiarity=fam)
    clf.replay(strokes)
    state = None
    with torch.no_grad():
        for k, (p, q, h) in enumerate(zip(clf.history, plain.history, clf.hidden, strict=True)):
            frame = torch.from_numpy(rasterize(strokes[: k + 1], 8, model.cfg.m)[k])[None]
            features = model.encode(frame)
            log_probs, _ = model.step(features, state)
            hidden, same, state = model.step_hidden(features, state)
            np.testing.assert_array_equal(same, log_probs)
            np.testing.assert_allclose(h, hidden[0].numpy(), atol=1e-5)
            np.testing.assert_array_equal(p.familiar, fam.scores(h) <= limit)
            np.testing.assert_array_equal(p.probs, q.probs)  # the guess itself is unchanged
            assert q.familiar is None
    assert 0 < clf.history[-1].familiar.sum() < len(CLASSES)  # some classes each way
    np.testing.assert_array_equal(clf.finish().familiar, clf.history[-1].familiar)


def test_from_checkpoint_uses_the_saved_familiarity(tmp_path, drawings):
    model = tiny_model()
    path = save_checkpoint(tmp_path / "c.pt", model, familiarity=tiny_familiarity(model, limit=1.0))
    clf = StrokeClassifier.from_checkpoint(path)
    assert clf.familiarity.limit == 1.0
    assert clf.replay(drawings[1]).familiar is not None


def test_familiarity_without_a_limit_marks_nothing(drawings):
    model = tiny_model()
    fam = tiny_familiarity(model)
    unset = type(fam)(fam.means, fam.precision, fam.background_mean, fam.background_precision)
    assert StrokeClassifier(model, familiarity=unset).replay(drawings[2]).familiar is None
