"""The stateful classifier's per-stroke update against re-running the whole sequence.

Default `frankenstein` model (random weights cost the same as trained ones), one
thread. The stateful update after stroke k is one rasterised stroke, one CNN frame
and one LSTM step, so it should stay flat in k; re-running the sequence costs k CNN
frames (padding is skipped) and the LSTM over k steps. Aim: median < 2 ms, p99 < 5
ms (p99 is in extra_info), and >= 4x faster than the re-run after stroke 8.
"""

import numpy as np
import pytest
import torch

from core.classifier import StrokeClassifier
from core.modelconfig import MODELS
from core.models import build_model
from core.raster import rasterize

STROKES = (1, 4, 8)


@pytest.fixture(scope="module")
def model():
    torch.manual_seed(0)
    return build_model(MODELS["frankenstein"]).eval()


@pytest.fixture(scope="module")
def strokes(real_drawings):
    """A real doodle of 8 strokes or more (a sun, a house, an eye...)."""
    long = [d for d in real_drawings if d.n_strokes >= 8]
    return list(min(long, key=lambda d: d.n_strokes).strokes)


def _record_p99(benchmark) -> None:
    stats = getattr(benchmark.stats, "stats", None)
    if stats is not None and stats.data:
        benchmark.extra_info["p99_ms"] = round(1e3 * float(np.percentile(stats.data, 99)), 3)


@pytest.mark.parametrize("k", STROKES)
def test_stateful_update_at_stroke(benchmark, model, strokes, k):
    """Time of add_stroke for stroke k, the k - 1 strokes before it already added."""
    clf = StrokeClassifier(model)
    clf.replay(strokes[: k - 1])

    def back_to_k_minus_1():
        while clf.n_strokes >= k:
            clf.undo()

    prediction = benchmark.pedantic(
        clf.add_stroke,
        args=(strokes[k - 1],),
        setup=back_to_k_minus_1,
        rounds=300,
        warmup_rounds=10,
    )
    assert prediction.n_strokes == k
    _record_p99(benchmark)


@pytest.mark.parametrize("k", STROKES)
def test_rerun_whole_sequence_at_stroke(benchmark, model, strokes, k):
    """The same guess the stateless way: rasterise strokes[:k] and run the batch model."""
    lengths = torch.tensor([k])

    @torch.inference_mode()
    def rerun():
        frames = torch.from_numpy(rasterize(strokes[:k], 8, 64))[None]  # (1, 8, 64, 64)
        return model(frames, lengths)[0, k - 1].exp()

    probs = benchmark.pedantic(rerun, rounds=100, warmup_rounds=5)
    clf = StrokeClassifier(model)
    want = clf.replay(strokes[:k]).probs
    np.testing.assert_allclose(probs.numpy(), want, atol=1e-5)
    _record_p99(benchmark)


def test_ensemble_of_two_update_at_stroke_4(benchmark, model, strokes):
    """add_stroke for stroke 4 with an ensemble of two default models (core/ensemble.py):
    about twice the single model's update, one CNN frame and LSTM step per member."""
    from core.ensemble import Ensemble

    torch.manual_seed(1)
    pair = Ensemble([model, build_model(MODELS["frankenstein"]).eval()], [1.0, 1.0])
    prediction = _time_stroke_4(benchmark, StrokeClassifier(pair), strokes, rounds=200)
    assert prediction.n_strokes == 4 and prediction.probs.sum() == pytest.approx(1.0)


def _time_stroke_4(benchmark, clf: StrokeClassifier, strokes, rounds: int):
    """Time add_stroke for stroke 4 of `strokes`, three strokes already added; its guess."""
    clf.replay(strokes[:3])

    def back_to_3():
        while clf.n_strokes >= 4:
            clf.undo()

    prediction = benchmark.pedantic(
        clf.add_stroke, args=(strokes[3],), setup=back_to_3, rounds=rounds, warmup_rounds=10
    )
    _record_p99(benchmark)
    return prediction


def test_familiar_update_at_stroke_4(benchmark, model, strokes):
    """add_stroke for stroke 4 with familiarity statistics (core/familiar.py): the
    update plus 18 relative Mahalanobis distances of the head's 128 hidden features."""
    from core.familiar import Familiarity

    rng = np.random.default_rng(0)
    d = model.cfg.head_hidden
    a = rng.standard_normal((d, d))
    fam = Familiarity(rng.standard_normal((18, d)), a @ a.T, np.zeros(d), np.eye(d), 0.0)
    clf = StrokeClassifier(model, familiarity=fam)
    prediction = _time_stroke_4(benchmark, clf, strokes, rounds=300)
    assert prediction.familiar is not None and prediction.familiar.shape == (18,)


@pytest.mark.parametrize("arch", ["frankenstein", "cnn"])
def test_replay_of_40_strokes(benchmark, model, real_drawings, arch):
    """`replay` of a 40-stroke drawing (the real doodles of most strokes, one after
    another), as the window replays a busy shape on a model switch or a moved box.
    Stroke by stroke it was 40 CNN frames and LSTM steps (~55 ms at a load of 3); batched,
    the CNN reads 16 frames at a time and the 33 strokes past pad_len take one LSTM step
    together (~30 ms)."""
    if arch != "frankenstein":
        torch.manual_seed(0)
        model = build_model(MODELS[arch]).eval()
    longest = sorted(real_drawings, key=lambda d: -d.n_strokes)
    strokes = [s for d in longest[:3] for s in d.strokes][:40]
    clf = StrokeClassifier(model)
    prediction = benchmark.pedantic(clf.replay, args=(strokes,), rounds=30, warmup_rounds=3)
    assert prediction.n_strokes == clf.n_strokes == 40
    _record_p99(benchmark)
