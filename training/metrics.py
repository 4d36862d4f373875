"""Losses and running metrics of sequence predictions, with padded steps masked.

A model outputs log-probabilities after every stroke, (B, T, C); only steps below a
drawing's length are real. "every" takes the NLL at each real step (averaged per
drawing, then over the batch, so a 12-stroke sun does not outweigh a 1-stroke
circle); "final" takes it at the last real step only. With label smoothing e the
target is 1 - e on the true class and e spread evenly over all classes. A negative
label marks a doodle of nothing (outlier exposure): its target is equal odds for every
class, and it counts in the loss but not in the accuracy. Accuracy is on the last
real step: the whole drawing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import torch


def real_steps(lengths: torch.Tensor, t: int) -> torch.Tensor:
    """(B, T) bool mask of the real steps."""
    return torch.arange(t, device=lengths.device)[None, :] < lengths[:, None]


def step_nll(log_probs: torch.Tensor, labels: torch.Tensor, smoothing: float = 0.0) -> torch.Tensor:
    """NLL of the (smoothed) target at every step: (B, T, C), (B,) -> (B, T); a negative
    label's target is uniform."""
    b, t, _ = log_probs.shape
    known = labels >= 0
    index = labels.clamp(min=0).view(b, 1, 1).expand(b, t, 1)
    nll = -log_probs.gather(2, index).squeeze(2)  # (B, T)
    uniform = -log_probs.mean(2)  # (B, T)
    if smoothing != 0:
        nll = (1 - smoothing) * nll + smoothing * uniform
    return torch.where(known[:, None], nll, uniform)


def sequence_loss(
    log_probs: torch.Tensor,
    lengths: torch.Tensor,
    labels: torch.Tensor,
    loss_at: str = "every",
    smoothing: float = 0.0,
) -> torch.Tensor:
    """Mean NLL over the batch, at every real step or at the final one."""
    nll = step_nll(log_probs, labels, smoothing)  # (B, T)
    if loss_at == "final":
        return nll.gather(1, (lengths - 1)[:, None]).mean()
    mask = real_steps(lengths, nll.shape[1]).to(nll.dtype)  # (B, T)
    return ((nll * mask).sum(1) / lengths.to(nll.dtype)).mean()


def final_log_probs(log_probs: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
    """Log-probabilities after each drawing's last stroke: (B, T, C) -> (B, C)."""
    b, _, c = log_probs.shape
    return log_probs.gather(1, (lengths - 1).view(b, 1, 1).expand(b, 1, c)).squeeze(1)


@dataclass
class Running:
    """Sums of loss and correct predictions over batches (all-reducible as a tensor)."""

    pad_len: int
    loss_sum: float = 0.0
    correct: float = 0.0
    count: float = 0.0  # drawings, for the loss
    # Per stroke k (0-based): correct and count over drawings with more than k strokes.
    step_correct: list[float] = field(default_factory=list)
    step_count: list[float] = field(default_factory=list)
    labelled: float | None = None  # drawings of a class, for the accuracy

    def __post_init__(self) -> None:
        self.step_correct = self.step_correct or [0.0] * self.pad_len
        self.step_count = self.step_count or [0.0] * self.pad_len
        if self.labelled is None:  # a state saved before doodles of nothing: all labelled
            self.labelled = self.count

    @torch.no_grad()
    def add(
        self, log_probs: torch.Tensor, lengths: torch.Tensor, labels: torch.Tensor, loss: float
    ) -> None:
        b = len(labels)
        self.loss_sum += loss * b
        self.count += b
        known = labels >= 0
        self.labelled += float(known.sum())
        self.correct += float((final_log_probs(log_probs, lengths).argmax(1) == labels).sum())
        real = real_steps(lengths, log_probs.shape[1]) & known[:, None]  # (B, T)
        hit = (log_probs.argmax(2) == labels[:, None]) & real
        counts = real.sum(0)  # (T,)
        for k in range(self.pad_len):
            self.step_correct[k] += float(hit[:, k].sum())
            self.step_count[k] += float(counts[k])

    @property
    def loss(self) -> float:
        return self.loss_sum / self.count if self.count else float("nan")

    @property
    def acc(self) -> float:
        return self.correct / self.labelled if self.labelled else float("nan")

    def acc_at_stroke(self) -> list[float | None]:
        return [
            c / n if n else None for c, n in zip(self.step_correct, self.step_count, strict=True)
        ]

    def as_tensor(self) -> torch.Tensor:
        return torch.tensor(
            [
                self.loss_sum,
                self.correct,
                self.count,
                self.labelled,
                *self.step_correct,
                *self.step_count,
            ],
            dtype=torch.float64,
        )

    @staticmethod
    def from_tensor(t: torch.Tensor, pad_len: int) -> Running:
        v = t.tolist()
        steps = v[4 : 4 + pad_len], v[4 + pad_len : 4 + 2 * pad_len]
        return Running(pad_len, v[0], v[1], v[2], *steps, labelled=v[3])

    def state(self) -> dict:
        return {
            "loss_sum": self.loss_sum,
            "correct": self.correct,
            "count": self.count,
            "labelled": self.labelled,
        }
