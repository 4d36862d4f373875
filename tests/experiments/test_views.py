"""The test-time views probe: views change strokes, and their guesses are averaged."""

from __future__ import annotations

import numpy as np
import pytest

from core.checkpoint import load_checkpoint, resolve_checkpoint
from core.classifier import StrokeClassifier
from experiments.probes.views import (
    ViewsClassifier,
    identity,
    main,
    mirror,
    shrink,
    turn,
)


@pytest.fixture(scope="module")
def make():
    ckpt = load_checkpoint(resolve_checkpoint("cnn"))
    return lambda: StrokeClassifier(ckpt.model, ckpt.temperature, ckpt.ending)


def _strokes():
    t = np.linspace(0, 2 * np.pi, 30)
    ring = np.stack([128 + 90 * np.cos(t), 128 + 90 * np.sin(t)], 1)
    return [
        np.round(ring),
        np.array([[40.0, 60.0], [200.0, 90.0]]),
        np.array([[90.0, 160], [166, 200], [180, 230]]),
    ]


def test_views_move_points_as_named():
    p = np.array([[0.0, 0.0], [255.0, 100.0]])
    np.testing.assert_allclose(mirror(p), [[255.0, 0.0], [0.0, 100.0]])
    np.testing.assert_allclose(mirror(mirror(p)), p)
    np.testing.assert_allclose(shrink(0.5)(p), [[63.75, 63.75], [191.25, 113.75]])
    q = turn(90, factor=1.0)(np.array([[255.0, 127.5]]))  # right of centre -> below it
    np.testing.assert_allclose(q, [[127.5, 255.0]], atol=1e-9)


def test_one_plain_view_is_the_classifier_itself(make):
    views, plain = ViewsClassifier(make, [identity]), make()
    views.replay(_strokes())
    plain.replay(_strokes())
    for a, b in zip(views.history, plain.history, strict=True):
        np.testing.assert_allclose(a.probs, b.probs, atol=1e-12)
    np.testing.assert_allclose(views.finish().probs, plain.finish().probs, atol=1e-12)
    assert views.finish().finished


def test_each_view_reads_its_changed_strokes_and_guesses_are_averaged(make):
    strokes = _strokes()
    # the mirror view of a mirrored drawing reads the drawing itself
    only = ViewsClassifier(make, [mirror])
    only.replay([mirror(s) for s in strokes])
    plain, flipped = make(), make()
    plain.replay(strokes)
    np.testing.assert_allclose(only.history[-1].probs, plain.history[-1].probs, atol=1e-12)

    both = ViewsClassifier(make, [identity, mirror])
    both.replay(strokes)
    flipped.replay([mirror(s) for s in strokes])
    for k, step in enumerate(both.history):
        expected = (plain.history[k].probs + flipped.history[k].probs) / 2
        np.testing.assert_allclose(step.probs, expected, atol=1e-12)
    expected = (plain.finish().probs + flipped.finish().probs) / 2
    np.testing.assert_allclose(both.finish().probs, expected, atol=1e-12)
    assert not np.allclose(plain.history[-1].probs, flipped.history[-1].probs)

    before = both.history[1].probs
    assert both.undo().n_strokes == 2 and both.n_strokes == 2
    np.testing.assert_allclose(both.history[-1].probs, before)
    both.reset()
    assert both.n_strokes == 0 and both.finish() is None


def test_unknown_views_are_refused_by_name(capsys):
    with pytest.raises(SystemExit):
        main(["--data", "anywhere", "--views", "plain,sideways"])
    assert "unknown views ['sideways']" in capsys.readouterr().err
