"""The ensemble probe: each member alone, then the members together, on real doodles."""

from __future__ import annotations

import numpy as np
import pytest

from core.checkpoint import save_checkpoint
from core.classifier import StrokeClassifier
from core.ensemble import Ensemble
from experiments.probes.ensemble import ensemble, main
from tests.core.tiny_models import random_strokes, tiny_model


@pytest.fixture
def members(tmp_path):
    return [
        str(save_checkpoint(tmp_path / f"m{s}.pt", tiny_model("cnn", seed=s), temperature=t))
        for s, t in ((1, 0.8), (2, 1.5))
    ]


def test_one_checkpoint_reads_alone_and_several_as_the_exported_ensemble(members):
    strokes = random_strokes(np.random.default_rng(2), 3)
    alone = ensemble(members[:1])
    assert alone.temperature == 0.8 and not isinstance(alone.model, Ensemble)
    plain = StrokeClassifier.from_checkpoint(members[0])
    np.testing.assert_allclose(alone.replay(strokes).probs, plain.replay(strokes).probs)
    both = ensemble(members)
    assert isinstance(both.model, Ensemble) and both.model.temperatures == (0.8, 1.5)


def test_the_command_needs_two_checkpoints_and_reports_each_and_the_ensemble(
    members, real_dev, capsys
):
    with pytest.raises(SystemExit):
        main([members[0], "--data", str(real_dev / "simplified")])
    assert "two or more" in capsys.readouterr().err
    main([*members, "--data", str(real_dev / "simplified"), "--limit", "1"])
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in lines] == [*members, "ensemble"]
    assert all("top-1" in line and "snap" in line for line in lines)
