import math

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
