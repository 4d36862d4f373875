"""The template-fit re-ranking probe: candidates, re-ranking, and its report."""

from __future__ import annotations

import numpy as np

from core.classes import CLASSES
from core.classifier import StrokeClassifier
from core.fit import fit_template
from experiments.probes.fit_rerank import WEIGHTS, candidates, main, reranked
from training.replay import replay_many
from training.synth import generate_drawings


def test_weight_zero_keeps_the_model_order_and_a_large_one_takes_the_best_fit():
    order = np.array([[4, 7, 1], [2, 0, 9]])
    logp = np.log(np.array([[0.6, 0.3, 0.1], [0.5, 0.4, 0.1]]))
    errors = np.array([[0.09, 0.02, 0.05], [0.03, np.inf, 0.01]])
    assert reranked(order, logp, errors, 0.0).tolist() == [4, 2]
    assert reranked(order, logp, errors, 1000.0).tolist() == [7, 9]
    # an unfittable template (error inf) goes last however likely its class
    assert reranked(
        np.array([[3, 5]]), np.log([[0.99, 0.01]]), np.array([[np.inf, 0.5]]), 1.0
    ).tolist() == [5]


def test_candidates_are_the_finished_guess_top_three_with_their_fit_errors():
    classifier = StrokeClassifier.from_checkpoint("cnn")
    drawings = [d for d in generate_drawings(1, seed=3) if d.word in ("square", "circle")]
    replays = replay_many(classifier, drawings)
    order, logp, errors = candidates(replays)
    assert order.shape == logp.shape == errors.shape == (2, 3)
    for r, row, lp, err in zip(replays, order, logp, errors, strict=True):
        np.testing.assert_allclose(np.exp(lp), np.sort(r.final_probs)[::-1][:3], atol=1e-11)
        assert row[0] == np.argmax(r.final_probs)
        expected = [fit_template(r.drawing.strokes, CLASSES[c]).error for c in row]
        np.testing.assert_allclose(err, expected)
    # each synthetic shape's own template fits it better than the other's
    square, circle = (d.strokes for d in sorted(drawings, key=lambda d: d.word != "square"))
    assert fit_template(square, "square").error < fit_template(square, "circle").error
    assert fit_template(circle, "circle").error < fit_template(circle, "square").error


def test_the_report_gives_every_weight_and_the_one_chosen_on_synthetic(eval_dir, capsys):
    assert main(["--model", "cnn", "--data", str(eval_dir), "--per-class", "2"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 2 + len(WEIGHTS)
    assert [float(line.split()[0]) for line in out[1:-1]] == list(WEIGHTS)
    assert out[-1].startswith("chosen on synthetic: ")
