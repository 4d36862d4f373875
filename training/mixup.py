"""Mixup of whole drawings: a batch blended with a shuffled copy of itself.

Each drawing's frame sequence is laid over another's with weights lam and 1 - lam,
lam ~ Beta(alpha, alpha) once per batch, and the loss is the same blend of the two
drawings' losses (Zhang et al. 2018). A drawing that ends before its partner keeps its
last frame, as the finished drawing it is, so every step of the blend is a blend of two
drawings as far as they go, and the blend lasts as long as the longer one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch


@dataclass(frozen=True)
class Mixed:
    """A blended batch: frames (B, T, m, m) float, lengths (B,), and the two targets."""

    frames: torch.Tensor
    lengths: torch.Tensor
    labels: torch.Tensor
    partners: torch.Tensor  # the labels of the drawings laid over them
    lam: float

    def loss(self, loss_of: Callable[[torch.Tensor], torch.Tensor]) -> torch.Tensor:
        """The blended loss, given the loss of the batch against one set of labels."""
        return self.lam * loss_of(self.labels) + (1 - self.lam) * loss_of(self.partners)

    @property
    def dominant(self) -> torch.Tensor:
        """The labels of the heavier drawing of each blend (for running accuracy)."""
        return self.labels if self.lam >= 0.5 else self.partners


def held_last(frames: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
    """Frames (B, T, ...) with every step from a drawing's length on replaced by its
    last real frame."""
    b, t = frames.shape[:2]
    steps = torch.arange(t, device=frames.device)[None, :]  # (1, T)
    index = torch.minimum(steps, (lengths.clamp(1, t) - 1)[:, None])  # (B, T)
    return frames[torch.arange(b, device=frames.device)[:, None], index]


def mixup(frames: torch.Tensor, lengths: torch.Tensor, labels: torch.Tensor, alpha: float) -> Mixed:
    """Blend each drawing of the batch with a random other one of it (draws from the
    global torch generator, whose state a resumed run restores)."""
    lam = float(torch.distributions.Beta(alpha, alpha).sample())
    perm = torch.randperm(frames.shape[0]).to(frames.device)
    full = held_last(frames, lengths).to(torch.float32)
    blend = lam * full + (1 - lam) * full[perm]
    return Mixed(blend, torch.maximum(lengths, lengths[perm]), labels, labels[perm], lam)
