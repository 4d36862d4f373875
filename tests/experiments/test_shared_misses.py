"""The shared-misses probe: per-drawing misses agree with eval, and are counted right."""

from __future__ import annotations

import pytest

from core.classifier import StrokeClassifier
from core.snap import SnapPolicy
from experiments.probes.shared_misses import main, misses, sharing
from training.replay import evaluate, read_eval_drawings, replay_drawings


def test_sharing_counts_drawings_by_how_many_checkpoints_miss_them():
    s = sharing([{1, 2, 3}, {2, 3}, {3, 4}])
    assert s == {"all": 1, "half": 2, "any": 4, "own": [3, 2, 2]}
    assert sharing([set(), set()]) == {"all": 0, "half": 0, "any": 0, "own": [0, 0]}


@pytest.mark.parametrize("model", ["cnn", "frankenstein"])
def test_misses_agree_with_the_eval_report(real_dev, model):
    drawings = read_eval_drawings(real_dev / "simplified", limit=4)
    classifier = StrokeClassifier.from_checkpoint(model)
    misread, wrong = misses(replay_drawings(classifier, drawings), SnapPolicy())
    report = evaluate(classifier, drawings, SnapPolicy())
    assert len(misread) == round(report["n"] * (1 - report["top1"]))
    assert len(wrong) == report["snap"]["wrong"]


def test_the_command_needs_two_checkpoints_and_prints_both_counts(real_dev, capsys):
    with pytest.raises(SystemExit):
        main(["cnn", "--data", str(real_dev / "simplified")])
    assert "two or more" in capsys.readouterr().err
    main(["cnn", "frankenstein", "--data", str(real_dev / "simplified"), "--limit", "1"])
    out = capsys.readouterr().out
    assert out.startswith("18 drawings, 2 checkpoints")
    assert "misread drawings:" in out and "wrong snaps:" in out
