"""The ensemble probe: each member keeps its own state, and guesses are averaged."""

from __future__ import annotations

import numpy as np
import pytest

from core.classifier import StrokeClassifier
from experiments.probes.ensemble import ensemble, main


def _strokes():
    t = np.linspace(0, 2 * np.pi, 30)
    ring = np.stack([128 + 90 * np.cos(t), 128 + 90 * np.sin(t)], 1)
    return [np.round(ring), np.array([[40.0, 60.0], [200.0, 90.0]])]


def test_the_ensemble_averages_its_members_after_every_stroke_and_at_the_finish():
    both = ensemble(["frankenstein", "cnn"])
    alone = [StrokeClassifier.from_checkpoint(m) for m in ("frankenstein", "cnn")]
    both.replay(_strokes())
    for member in alone:
        member.replay(_strokes())
    assert not np.allclose(alone[0].history[-1].probs, alone[1].history[-1].probs)
    for k, step in enumerate(both.history):
        expected = (alone[0].history[k].probs + alone[1].history[k].probs) / 2
        np.testing.assert_allclose(step.probs, expected, atol=1e-12)
    expected = (alone[0].finish().probs + alone[1].finish().probs) / 2
    np.testing.assert_allclose(both.finish().probs, expected, atol=1e-12)


def test_the_command_needs_two_checkpoints_and_reports_each_and_the_ensemble(real_dev, capsys):
    with pytest.raises(SystemExit):
        main(["cnn", "--data", str(real_dev / "simplified")])
    assert "two or more" in capsys.readouterr().err
    main(["cnn", "frankenstein", "--data", str(real_dev / "simplified"), "--limit", "1"])
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in lines] == ["cnn", "frankenstein", "ensemble"]
    assert all("top-1" in line and "snap" in line for line in lines)
