"""Ensembles: members keep their own state, their calibrated probabilities are averaged,
and an ensemble is stored, shipped and refused like any checkpoint."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from core.checkpoint import CheckpointError, export_ensemble, load_checkpoint, save_checkpoint
from core.classifier import StrokeClassifier
from core.ending import EndingPrior
from core.ensemble import Ensemble, EnsembleError
from tests.core.tiny_models import random_strokes, tiny_model

TEMPERATURES = (0.7, 1.6)


@pytest.fixture
def members():
    return [tiny_model("frankenstein", seed=s) for s in (1, 2)]


def _strokes(seed: int = 5, n: int = 10):  # more strokes than pad_len: the last step re-runs
    return random_strokes(np.random.default_rng(seed), n)


def test_each_member_steps_its_own_state_and_the_guesses_are_averaged(members):
    together = StrokeClassifier(Ensemble(members, TEMPERATURES))
    alone = [StrokeClassifier(m, t) for m, t in zip(members, TEMPERATURES, strict=True)]
    strokes = _strokes()
    together.replay(strokes)
    for c in alone:
        c.replay(strokes)
    assert not np.allclose(alone[0].history[-1].probs, alone[1].history[-1].probs, atol=1e-3)
    for k, step in enumerate(together.history):
        expected = (alone[0].history[k].probs + alone[1].history[k].probs) / 2
        np.testing.assert_allclose(step.probs, expected, atol=1e-6)
    # undo returns to the state after the stroke before, for every member
    together.undo()
    for c in alone:
        c.undo()
    more = np.array([[10.0, 20.0], [200.0, 240.0]])
    expected = (alone[0].add_stroke(more).probs + alone[1].add_stroke(more).probs) / 2
    np.testing.assert_allclose(together.add_stroke(more).probs, expected, atol=1e-6)


def test_the_batch_forward_is_the_average_of_the_members(members):
    from core.raster import rasterize_batch

    rng = np.random.default_rng(3)
    frames, lengths = rasterize_batch([random_strokes(rng, k) for k in (1, 3, 6)], 8, 64)
    frames, lengths = torch.from_numpy(frames), torch.from_numpy(lengths)
    with torch.no_grad():
        got = Ensemble(members, TEMPERATURES)(frames, lengths).exp()
        pairs = zip(members, TEMPERATURES, strict=True)
        each = [(m(frames, lengths) / t).softmax(-1) for m, t in pairs]
    torch.testing.assert_close(got, (each[0] + each[1]) / 2)


@pytest.mark.parametrize(
    ("make", "problem"),
    [
        (lambda: [tiny_model("frankenstein")], "two or more members"),
        (lambda: [tiny_model("frankenstein"), tiny_model("cnn")], "arch='cnn'"),
        (lambda: [tiny_model("cnn"), tiny_model("cnn", m=32)], "m=32"),
    ],
)
def test_members_of_different_kinds_are_refused(make, problem):
    models = make()
    with pytest.raises(EnsembleError, match=problem):
        Ensemble(models, [1.0] * len(models))
    with pytest.raises(EnsembleError, match="temperatures must be positive"):
        Ensemble([tiny_model("cnn"), tiny_model("cnn")], [1.0, 0.0])


def test_an_ensemble_checkpoint_round_trips_in_half_precision(tmp_path, members):
    ensemble = Ensemble(members, TEMPERATURES)
    path = save_checkpoint(tmp_path / "e.pt", ensemble, half=True)
    assert torch.load(path, weights_only=True)["version"] == 2
    ckpt = load_checkpoint(path)
    assert isinstance(ckpt.model, Ensemble) and ckpt.half and not ckpt.model.training
    assert ckpt.model.temperatures == TEMPERATURES and ckpt.cfg == members[0].cfg
    loaded = StrokeClassifier.from_checkpoint(path)
    original = StrokeClassifier(ensemble)
    loaded.replay(_strokes())
    original.replay(_strokes())
    np.testing.assert_allclose(loaded.history[-1].probs, original.history[-1].probs, atol=2e-3)


def test_export_joins_members_pools_their_ending_priors_and_refuses_mixtures(tmp_path, members):
    priors = [EndingPrior.from_drawings([0, 3], [1, 2]), EndingPrior.from_drawings([0], [4])]
    paths = [
        save_checkpoint(tmp_path / f"m{i}.pt", m, temperature=t, ending=p, meta={"seed": i})
        for i, (m, t, p) in enumerate(zip(members, TEMPERATURES, priors, strict=True))
    ]
    ckpt = load_checkpoint(export_ensemble(paths, tmp_path / "shipped.pt"))
    assert ckpt.half and ckpt.temperature == 1.0
    np.testing.assert_array_equal(ckpt.ending.counts, priors[0].counts + priors[1].counts)
    assert [m["seed"] for m in ckpt.meta["members"]] == [0, 1]
    assert [m["exported_from"] for m in ckpt.meta["members"]] == ["m0.pt", "m1.pt"]

    cnn = save_checkpoint(tmp_path / "cnn.pt", tiny_model("cnn"))
    with pytest.raises(CheckpointError, match=r"cannot join .*m0\.pt, .*cnn\.pt: .*arch='cnn'"):
        export_ensemble([paths[0], cnn], tmp_path / "mixed.pt")
    with pytest.raises(CheckpointError, match="already an ensemble; give its members"):
        export_ensemble([tmp_path / "shipped.pt", paths[0]], tmp_path / "nested.pt")
    assert not (tmp_path / "mixed.pt").exists() and not (tmp_path / "nested.pt").exists()


def test_broken_member_lists_are_named(tmp_path, members):
    path = save_checkpoint(tmp_path / "e.pt", Ensemble(members, TEMPERATURES))
    payload = torch.load(path, weights_only=True)
    payload["members"] = [{"config": payload["config"]}]
    torch.save(payload, path)
    with pytest.raises(CheckpointError, match=r"e\.pt: members must be a list of"):
        load_checkpoint(path)
    payload["members"] = [{"config": payload["config"], "temperature": -1}] * 2
    torch.save(payload, path)
    with pytest.raises(CheckpointError, match=r"e\.pt: temperature -1 is not a positive"):
        load_checkpoint(path)


def test_the_commands_export_an_ensemble_and_refuse_to_calibrate_one(tmp_path, members, capsys):
    from ui.cli import main

    paths = [save_checkpoint(tmp_path / f"m{i}.pt", m) for i, m in enumerate(members)]
    out = tmp_path / "both.pt"
    assert main(["export", str(paths[0]), str(paths[1]), str(out)]) == 0
    assert "an ensemble of 2" in capsys.readouterr().out
    assert isinstance(load_checkpoint(out).model, Ensemble)
    assert main(["calibrate", str(out)]) == 2
    err = capsys.readouterr().err
    assert "an ensemble of 2 members; calibrate each member's checkpoint" in err


def test_eval_of_an_ensemble_without_an_ending_prior_says_how_to_get_one(
    tmp_path, members, real_dev, capsys
):
    """`calibrate` refuses an ensemble, so eval must not send one there."""
    from ui.cli import main

    paths = [save_checkpoint(tmp_path / f"m{i}.pt", m) for i, m in enumerate(members)]
    out = export_ensemble(paths, tmp_path / "both.pt")
    data = ["--data", str(real_dev / "simplified"), "--limit", "1"]
    assert main(["eval", "--model", str(out), *data]) == 0
    said = " ".join(capsys.readouterr().out.split())
    assert "this ensemble has no ending prior" in said
    assert "`frankenstein calibrate` each member's checkpoint" in said
    assert f"frankenstein calibrate {out}" not in said


def test_eval_of_an_ensemble_says_its_snaps_are_not_checked_for_familiarity(
    tmp_path, members, real_dev, capsys
):
    """Its report says heed_familiarity, but no prediction says which classes are
    familiar: its snap figures are those of single models without the check."""
    import json

    from core.familiar import Familiarity
    from tests.core.tiny_models import tiny_familiarity
    from ui.cli import main

    paths = [
        save_checkpoint(tmp_path / f"m{i}.pt", m, familiarity=tiny_familiarity(m))
        for i, m in enumerate(members)
    ]
    assert all(isinstance(load_checkpoint(p).familiarity, Familiarity) for p in paths)
    out = export_ensemble(paths, tmp_path / "both.pt")
    data = ["--data", str(real_dev / "simplified"), "--limit", "1"]
    report = tmp_path / "r.json"
    assert main(["eval", "--model", str(out), *data, "--json", str(report)]) == 0
    said = " ".join(capsys.readouterr().out.split())
    assert "an ensemble has no familiarity statistics, so its snaps are not checked" in said
    snap = json.loads(report.read_text())["snap"]
    assert {k: snap[k] for k in ("snaps", "wrong")} == {
        k: snap["without_familiarity"][k] for k in ("snaps", "wrong")
    }
    assert main(["eval", "--model", str(out), *data, "--ignore-familiarity"]) == 0
    assert "familiarity statistics" not in capsys.readouterr().out
