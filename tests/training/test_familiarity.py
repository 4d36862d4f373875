"""Fitting a checkpoint's familiarity on validation drawings, in training and calibrate."""

from __future__ import annotations

import numpy as np
import pytest

from core.checkpoint import load_checkpoint
from core.classes import CLASSES, class_index
from core.classifier import StrokeClassifier
from core.ensemble import Ensemble
from core.familiar import Familiarity
from core.snap import SnapPolicy
from core.strokes import Drawing
from tests.core.tiny_models import random_strokes, tiny_familiarity, tiny_model
from training.familiarity import fit_familiarity
from training.replay import snap_at


@pytest.fixture(scope="module")
def labelled():
    """A confident tiny classifier and drawings: those it snaps labelled as it snaps
    (right snaps), the rest, and one more per class, labelled round the classes."""
    clf = StrokeClassifier(tiny_model(), temperature=0.05)
    rng = np.random.default_rng(3)
    drawings = []
    for i in range(80):
        strokes = random_strokes(rng, int(rng.integers(1, 5)))
        clf.replay(strokes)
        hit = snap_at(clf.history, SnapPolicy(), clf.finish())
        drawings.append(Drawing(tuple(strokes), hit[1] if hit else CLASSES[i % len(CLASSES)]))
    drawings += [Drawing(tuple(random_strokes(rng, 2)), c) for c in CLASSES]
    return clf, drawings


def _fit_one_stroke_at_a_time(clf, drawings, quantile):
    """The fit as the stateful classifier makes it, fed one stroke at a time: the
    familiarity, the scores of the right snaps, and every drawing's snap."""
    clf.familiarity = None
    hidden, labels = [], []
    for d in drawings:
        clf.replay(d.strokes)
        hidden += clf.hidden
        labels += [class_index(d.word)] * clf.n_strokes
    fitted = Familiarity.fit(np.stack(hidden), np.array(labels), len(CLASSES))
    right, snaps = [], []
    for d in drawings:
        clf.replay(d.strokes)
        snaps.append(snap_at(clf.history, SnapPolicy(heed_familiarity=False), clf.finish()))
        if snaps[-1] and snaps[-1][1] == d.word:
            right.append(fitted.scores(clf.hidden[snaps[-1][0] - 1])[class_index(d.word)])
    return fitted.with_limit(right, quantile), right, snaps


def test_the_gaussians_come_from_every_stroke_and_the_limit_from_right_snaps(labelled):
    from tests.conftest import one_torch_thread

    clf, drawings = labelled
    kept = tiny_familiarity(clf.model, limit=-5.0)
    clf.familiarity = kept
    seen = []
    with one_torch_thread():  # one reduction order whatever tests ran before
        got = fit_familiarity(clf, drawings, quantile=0.9, progress=lambda *a: seen.append(a))
        assert clf.familiarity is kept  # the classifier's own familiarity is left as it was
        want, right, _ = _fit_one_stroke_at_a_time(clf, drawings, 0.9)
    assert seen[-1] == (len(drawings), len(drawings), "fitting familiarity")
    assert len(right) >= 10
    # float rounding apart: the fit replays many drawings at once, not stroke by stroke
    np.testing.assert_allclose(got.means, want.means, rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(got.precision, want.precision, rtol=1e-5)
    # a score sums products with the precision, terms of both signs: its rounding grows
    # past the precision's 1e-5 (1.7e-5 seen once in CI), as on real doodles below
    assert got.limit == pytest.approx(np.quantile(right, 0.9), rel=1e-4) and got.quantile == 0.9


def test_the_fit_equals_the_stroke_by_stroke_one_on_real_doodles(real_dev):
    """The bundled Frankenstein on the 300 real dev doodles (some past pad_len): the
    batched fit finds the same snaps and the same statistics as the window's path."""
    from core.strokes import iter_ndjson
    from tests.conftest import one_torch_thread
    from training.replay import replay_batched

    drawings = [
        d for f in sorted((real_dev / "simplified").glob("*.ndjson")) for d in iter_ndjson(f)
    ]
    clf = StrokeClassifier.from_checkpoint("frankenstein")
    assert max(d.n_strokes for d in drawings) > clf.cfg.pad_len
    with one_torch_thread():
        got = fit_familiarity(clf, drawings)
        policy = SnapPolicy(heed_familiarity=False)
        snaps = [snap_at(r.history, policy, r.final) for r in replay_batched(clf, drawings)]
        want, right, want_snaps = _fit_one_stroke_at_a_time(clf, drawings, 0.99)
    assert snaps == want_snaps and len(right) > 100
    for name in ("means", "precision", "background_mean", "background_precision"):
        a, b = getattr(got, name), getattr(want, name)  # inverting a covariance scales the
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5 * np.abs(b).max())  # float noise
    assert got.limit == pytest.approx(want.limit, rel=1e-5) and got.quantile == want.quantile


def test_nothing_to_fit_for_an_ensemble_or_without_a_right_snap(labelled):
    _, drawings = labelled
    ensemble = StrokeClassifier(Ensemble([tiny_model(), tiny_model(seed=1)], [1.0, 1.0]))
    assert fit_familiarity(ensemble, drawings) is None
    wrong = [Drawing(d.strokes, CLASSES[(class_index(d.word) + 1) % 18]) for d in drawings]
    assert fit_familiarity(StrokeClassifier(tiny_model(), temperature=0.05), wrong[:80]) is None


@pytest.fixture(scope="module")
def fitted_run(tmp_path_factory):
    """A tiny run on glyph data with every class in its validation split."""
    from tests.training.conftest import train_tiny
    from tests.training.shapes import write_shapes_dir

    root = tmp_path_factory.mktemp("familiar")
    data = write_shapes_dir(root / "data", per_class=60)
    return train_tiny(data, root / "runs", "fam", epochs=6)


def test_a_run_fits_familiarity_and_calibrate_fits_it_again(fitted_run, tmp_path, capsys):
    from core.checkpoint import save_checkpoint
    from ui.cli import main

    best = load_checkpoint(fitted_run.run_dir / "best.pt")
    fam = best.familiarity
    assert fam is not None and fam.quantile == 0.99 and np.isfinite(fam.limit)
    assert fam.means.shape == (len(CLASSES), best.cfg.head_hidden)
    old = tmp_path / "old.pt"  # as saved before familiarity existed
    save_checkpoint(old, best.model, meta=best.meta, metrics=best.metrics)
    assert main(["calibrate", str(old)]) == 0
    assert "familiarity limit" in capsys.readouterr().out
    again = load_checkpoint(old).familiarity
    np.testing.assert_allclose(again.means, fam.means, rtol=1e-4, atol=1e-5)
    assert again.limit == pytest.approx(fam.limit, rel=1e-3)


def test_eval_heeds_familiarity_unless_told_not_to(fitted_run, tmp_path, capsys):
    import json

    from core.checkpoint import save_checkpoint
    from ui.cli import main

    best = fitted_run.run_dir / "best.pt"
    data = best.parent.parent.parent / "data"
    reports = {}
    for flags in ([], ["--ignore-familiarity"]):
        out = tmp_path / f"r{len(flags)}.json"
        argv = ["eval", "--model", str(best), "--data", str(data), "--json", str(out)]
        assert main([*argv, *flags]) == 0
        reports[len(flags)] = json.loads(out.read_text())
    heeded, ignored = reports[0], reports[1]
    assert heeded["snap"]["heed_familiarity"] and not ignored["snap"]["heed_familiarity"]
    assert heeded["top1"] == ignored["top1"]  # the guesses are the same; only snaps differ
    assert 0 < heeded["snap"]["snaps"] <= ignored["snap"]["snaps"]
    plain = heeded["snap"]["without_familiarity"]  # the same replay, without the check
    assert {k: plain[k] for k in ("snaps", "wrong", "precision", "recall")} == {
        k: ignored["snap"][k] for k in ("snaps", "wrong", "precision", "recall")
    }
    assert "without_familiarity" not in ignored["snap"]
    assert "no familiarity statistics" not in capsys.readouterr().out
    ckpt = load_checkpoint(best)
    bare = save_checkpoint(tmp_path / "bare.pt", ckpt.model, temperature=ckpt.temperature)
    assert main(["eval", "--model", str(bare), "--data", str(data), "--limit", "1"]) == 0
    assert "has no familiarity statistics" in " ".join(capsys.readouterr().out.split())


def test_the_fit_takes_the_first_thousand_drawings_of_each_class_in_order():
    from training.finish import FAMILIARITY_PER_CLASS, familiarity_sample

    labels = np.array([0, 1, 0, 2, 1, 0, 0, 2], np.uint8)
    assert familiarity_sample(labels, per_class=2).tolist() == [0, 1, 2, 3, 4, 7]
    assert familiarity_sample(labels, per_class=9).tolist() == list(range(8))  # all
    big = np.repeat(np.arange(3, dtype=np.uint8), FAMILIARITY_PER_CLASS + 5)
    picked = big[familiarity_sample(big)]
    assert np.bincount(picked).tolist() == [FAMILIARITY_PER_CLASS] * 3
