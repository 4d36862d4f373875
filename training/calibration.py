"""Temperature scaling: one scalar T that calibrates a trained model's probabilities.

Guo et al., "On Calibration of Modern Neural Networks" (ICML 2017): divide the
logits by T > 0 fitted on held-out data to minimise the NLL; the ranking (and so the
accuracy) is unchanged, only the confidence moves. Here the logits are the model's
log-probabilities after every real stroke of the validation drawings, because the
stateful classifier reports calibrated probabilities after every stroke and the
snap threshold is applied to them: probs = softmax(log_probs / T). A model trained
with the loss at the final stroke only (`loss_at="final"`) learnt nothing at the other
steps, so it is fitted on the final steps alone, the guesses it was trained to make.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import torch

from core.signals import poll

STEPS = 60  # golden-section steps of the search


def temperature_nll(log_probs: torch.Tensor, labels: torch.Tensor, t: float) -> float:
    """Mean NLL of softmax(log_probs / t): log_probs (N, C), labels (N,)."""
    return float(torch.nn.functional.cross_entropy(log_probs / t, labels))


@torch.no_grad()
def fit_temperature(
    log_probs: torch.Tensor,
    labels: torch.Tensor,
    lo: float = 0.05,
    hi: float = 20.0,
    progress: Callable[[int, int], None] | None = None,
) -> float:
    """T in [lo, hi] minimising the NLL, by golden-section search on log T.

    The NLL is convex in 1/T (a log-sum-exp of a linear function of it), so the 1-D
    search finds the optimum; 60 steps narrow log T to about 1e-12.
    log_probs (N, C) float, labels (N,) int64. `progress(step, steps)` after each step
    (a real validation set's millions of steps take seconds).
    """
    log_probs = log_probs.double()
    a, b = math.log(lo), math.log(hi)
    g = (math.sqrt(5) - 1) / 2
    c, d = b - g * (b - a), a + g * (b - a)
    fc = temperature_nll(log_probs, labels, math.exp(c))
    fd = temperature_nll(log_probs, labels, math.exp(d))
    for step in range(STEPS):
        if progress is not None:
            progress(step, STEPS)
        if fc < fd:
            b, d, fd = d, c, fc
            c = b - g * (b - a)
            fc = temperature_nll(log_probs, labels, math.exp(c))
        else:
            a, c, fc = c, d, fd
            d = a + g * (b - a)
            fd = temperature_nll(log_probs, labels, math.exp(d))
    if progress is not None:
        progress(STEPS, STEPS)
    return math.exp((a + b) / 2)


@torch.no_grad()
def collect_step_log_probs(
    model, batches, device, at: str = "every", progress: Callable[[int], None] | None = None
) -> tuple[torch.Tensor, torch.Tensor]:
    """Log-probabilities and labels at every real step (`at="every"`), or only at each
    drawing's last (`"final"`): (N_steps, C), (N_steps,). `progress(batches done)`
    before each batch and at the end."""
    from training.metrics import final_log_probs, real_steps

    model.eval()
    outs, labs = [], []
    for i, (frames, lengths, labels) in enumerate(batches):
        poll()  # a Ctrl-C or SIGTERM the eval loop missed acts now
        if progress is not None:
            progress(i)
        lp = model(frames.to(device), lengths.to(device)).float().cpu()  # (B, T, C)
        if at == "final":
            outs.append(final_log_probs(lp, lengths.clamp(min=1)))
            labs.append(labels)
            continue
        mask = real_steps(lengths, lp.shape[1])  # (B, T)
        outs.append(lp[mask])
        labs.append(labels[:, None].expand_as(mask)[mask])
    if progress is not None:
        progress(len(outs))
    return torch.cat(outs), torch.cat(labs)
