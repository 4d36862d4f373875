import math

import pytest
import torch

from training.calibration import fit_temperature, temperature_nll
from training.metrics import Running, final_log_probs, sequence_loss


def _batch():
    torch.manual_seed(0)
    log_probs = torch.randn(3, 4, 5).log_softmax(-1)  # (B, T, C)
    lengths = torch.tensor([1, 3, 4])
    labels = torch.tensor([0, 2, 4])
    return log_probs, lengths, labels


def test_every_step_loss_by_hand_and_blind_to_padding():
    lp, lengths, labels = _batch()
    expect = (-lp[0, 0, 0] + (-lp[1, :3, 2]).mean() + (-lp[2, :, 4]).mean()) / 3
    assert torch.allclose(sequence_loss(lp, lengths, labels, "every"), expect)
    changed = lp.clone()
    changed[0, 1:] = 0.0  # padded steps: anything
    changed[1, 3:] = -50.0
    assert torch.allclose(sequence_loss(changed, lengths, labels, "every"), expect)


def test_final_step_loss_and_accuracy_use_the_last_real_stroke():
    lp, lengths, labels = _batch()
    expect = -(lp[0, 0, 0] + lp[1, 2, 2] + lp[2, 3, 4]) / 3
    assert torch.allclose(sequence_loss(lp, lengths, labels, "final"), expect)
    assert torch.equal(final_log_probs(lp, lengths), torch.stack([lp[0, 0], lp[1, 2], lp[2, 3]]))
    r = Running(4)
    r.add(lp, lengths, labels, 1.0)
    hits = [int(lp[0, 0].argmax() == 0), int(lp[1, 2].argmax() == 2), int(lp[2, 3].argmax() == 4)]
    assert r.acc == sum(hits) / 3
    assert r.step_count == [3, 2, 2, 1]
    again = Running.from_tensor(r.as_tensor(), 4)
    assert again.acc == r.acc and again.acc_at_stroke() == r.acc_at_stroke()


def test_temperature_fitting_lowers_the_nll_of_an_overconfident_model():
    torch.manual_seed(1)
    n, c = 4000, 6
    labels = torch.randint(0, c, (n,))
    true_logits = torch.randn(n, c)
    true_logits[torch.arange(n), labels] += 1.5
    # Samples whose labels follow softmax(true_logits); the model reports 3x the logits.
    labels = torch.distributions.Categorical(logits=true_logits).sample()
    log_probs = (3 * true_logits).log_softmax(-1)
    t = fit_temperature(log_probs, labels)
    assert abs(t - 3) < 0.3
    assert temperature_nll(log_probs, labels, t) < temperature_nll(log_probs, labels, 1.0) - 0.1
    for other in (t * 0.8, t * 1.25):
        assert temperature_nll(log_probs, labels, t) <= temperature_nll(log_probs, labels, other)
    assert math.isfinite(t)


def test_label_smoothing_matches_torch_cross_entropy_at_the_final_step():
    lp, lengths, labels = _batch()
    last = final_log_probs(lp, lengths)  # (B, C)
    for e in (0.0, 0.1, 0.3):
        expect = torch.nn.functional.cross_entropy(last, labels, label_smoothing=e)
        assert torch.allclose(sequence_loss(lp, lengths, labels, "final", e), expect)
    # a smoothed target punishes a sure right guess: its loss is above the plain NLL
    sure = torch.full((1, 1, 5), -20.0)
    sure[0, 0, 1] = 0.0
    one = torch.tensor([1])
    assert sequence_loss(sure, one, one, "every", 0.1) > sequence_loss(sure, one, one, "every")


def test_a_run_trains_on_smoothed_targets_only_when_asked(tmp_path, glyph_dir):
    from core.checkpoint import load_checkpoint
    from tests.training.conftest import tiny_settings
    from training.config import ConfigError, load_config
    from training.loop import train

    weights = {}
    for e in (0.0, 0.2):
        settings = tiny_settings(glyph_dir, tmp_path, epochs=1, **{"optim.label_smoothing": e})
        train(load_config(None, [*settings, f"name=ls{e}"]))
        weights[e] = load_checkpoint(tmp_path / f"ls{e}" / "last.pt").model.state_dict()
    assert any(not torch.equal(weights[0.0][k], weights[0.2][k]) for k in weights[0.0])
    with pytest.raises(ConfigError, match=r"optim\.label_smoothing"):
        load_config(None, ["optim.label_smoothing=1.0"])
