import numpy as np
import pytest
import torch

from core.checkpoint import save_checkpoint
from core.classes import CLASSES
from core.classifier import FRAME_BATCH, Prediction, StrokeClassifier, StrokeError
from core.ending import EndingPrior
from core.ensemble import Ensemble
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
    np.testing.assert_array_equal(last.probs, StrokeClassifier(model).replay(drawings[3]).probs)
    np.testing.assert_allclose(last.probs, fresh[-1], atol=1e-5, rtol=0)  # a batch's rounding
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


EMPTY = np.zeros((0, 2), np.float32)


@pytest.fixture(scope="module")
def long_drawings(real_dev):
    """The real dev doodles of the most strokes (up to 23), one with empty strokes among
    its strokes, and two of them as one drawing of 40 strokes and more."""
    real = real_drawings_by_strokes(real_dev)
    most = [real[n] for n in sorted(real)[-3:]]
    gappy = [EMPTY, *most[0][:5], EMPTY, EMPTY, *most[0][5:], EMPTY]
    return [*most, gappy, most[-1] + most[-2]]


def _one_by_one(clf: StrokeClassifier, strokes) -> list:
    """The stack `add_stroke` builds from a fresh state, one stroke at a time."""
    clf.reset()
    for s in strokes:
        clf.add_stroke(s)
    return list(clf._stack)


def _assert_same_steps(got: list, want: list) -> None:
    """Replayed steps equal the stroke-by-stroke ones: the frames exactly, the guesses,
    hidden features and LSTM states up to a batch's float rounding, the same argmax."""
    assert len(got) == len(want)
    for g, w in zip(got, want, strict=True):
        np.testing.assert_array_equal(g.frame, w.frame)
        p, q = g.prediction, w.prediction
        assert p.n_strokes == q.n_strokes and p.index == q.index and not p.finished
        np.testing.assert_allclose(p.probs, q.probs, atol=1e-5, rtol=0)
        if q.familiar is None:
            assert p.familiar is None
        else:
            np.testing.assert_array_equal(p.familiar, q.familiar)
        if w.hidden is None:
            assert g.hidden is None
        else:
            np.testing.assert_allclose(g.hidden, w.hidden, atol=1e-5, rtol=1e-5)
        states = [(w.state, g.state)]
        while states:  # an LSTM state (h, c), an ensemble's tuple of them, or None
            a, b = states.pop()
            if isinstance(a, torch.Tensor):
                assert a.shape == b.shape
                np.testing.assert_allclose(b.numpy(), a.numpy(), atol=1e-5, rtol=1e-5)
            elif a is None:
                assert b is None
            else:
                assert len(a) == len(b)
                states.extend(zip(a, b, strict=True))


@pytest.mark.parametrize("name", ["frankenstein", "cnn"])
def test_replay_builds_the_stack_add_stroke_builds(name, long_drawings):
    clf = StrokeClassifier.from_checkpoint(name)  # the bundled checkpoint
    assert clf.familiarity is not None and clf.familiarity.limit is not None
    one = StrokeClassifier.from_checkpoint(name)
    for strokes in long_drawings:
        last = clf.replay(strokes)
        want = _one_by_one(one, strokes)
        assert clf.n_strokes == sum(len(s) > 0 for s in strokes) > clf.cfg.pad_len
        assert last is clf.history[-1]
        _assert_same_steps(clf._stack, want)
    assert clf.replay([EMPTY, []]) is None and clf.n_strokes == 0


@pytest.mark.parametrize("name", ["frankenstein", "cnn"])
def test_undo_and_strokes_after_a_replay_go_on_as_after_add_stroke(name, long_drawings):
    strokes = long_drawings[-1]  # 40 strokes and more
    clf = StrokeClassifier.from_checkpoint(name)
    one = StrokeClassifier.from_checkpoint(name)
    clf.replay(strokes[:20])
    _one_by_one(one, strokes[:20])
    for _ in range(15):  # back across pad_len, to 5 strokes
        np.testing.assert_allclose(clf.undo().probs, one.undo().probs, atol=1e-5, rtol=0)
    for s in strokes[5:]:  # on from the replayed states, past pad_len again
        np.testing.assert_allclose(clf.add_stroke(s).probs, one.add_stroke(s).probs, atol=1e-5)
    _assert_same_steps(clf._stack, one._stack)
    assert clf.n_strokes == len(strokes)


@pytest.mark.parametrize("arch", [*ARCHS, "ensemble"])
def test_replay_batches_what_add_stroke_does_one_stroke_at_a_time(arch, long_drawings):
    """Tiny models with pad_len 3 (most strokes re-run the last step), a temperature,
    familiarity, dropout in a model left training, and an ensemble of member states."""
    model = tiny_model(arch if arch != "ensemble" else "frankenstein", pad_len=3, dropout=0.5)
    familiarity = tiny_familiarity(model, limit=float(model.cfg.head_hidden))
    if arch == "ensemble":
        model = Ensemble([model, tiny_model(seed=1, pad_len=3)], [0.7, 1.3])
    model.train()
    clf = StrokeClassifier(model, temperature=1.7, familiarity=familiarity)
    one = StrokeClassifier(model, temperature=1.7, familiarity=familiarity)
    for strokes in long_drawings:
        clf.replay(strokes)
        _assert_same_steps(clf._stack, _one_by_one(one, strokes))
    assert model.training
    if arch != "ensemble":
        assert 0 < sum(p.familiar.sum() for p in clf.history) < clf.n_strokes * len(CLASSES)


def test_replay_runs_the_cnn_on_frames_in_batches_and_the_lstm_once_per_step(long_drawings):
    """The CNN reads FRAME_BATCH frames at a time and the strokes past pad_len take the
    LSTM's last step together, not one frame and one step per stroke."""
    model = tiny_model()
    strokes = long_drawings[-1]
    n, pad = len(strokes), model.cfg.pad_len
    cnn, lstm = [], []
    model.cnn.register_forward_hook(lambda _m, x, _out: cnn.append(len(x[0])))
    model.lstm.register_forward_hook(lambda _m, x, _out: lstm.append(len(x[0])))
    StrokeClassifier(model).replay(strokes)
    assert cnn == [min(FRAME_BATCH, n - i) for i in range(0, n, FRAME_BATCH)]
    assert lstm == [1] * (pad - 1) + [n - pad + 1]


def test_a_replay_with_a_bad_stroke_adds_nothing(drawings):
    clf = StrokeClassifier(tiny_model())
    clf.replay(drawings[2])
    bad = [*drawings[3][:2], np.array([[1.0, np.nan]]), *drawings[3][2:]]
    with pytest.raises(StrokeError, match="finite"):
        clf.replay(bad)
    assert clf.n_strokes == 0 and not clf.frame.any()
