"""An ensemble: several trained models of one kind read each drawing as one model.

Deep ensembles (Lakshminarayanan, Pritzel and Blundell, NeurIPS 2017) keep accuracy and
calibration best under a shift of the data (Ovadia et al., NeurIPS 2019), and training
on synthetic doodles and drawing real ones is such a shift. Each member reads the same
cumulative frame and steps its own LSTM state; the members' calibrated probabilities
(each with its own validation-fitted temperature) are averaged. To the stateful
classifier an `Ensemble` is one model: `encode` gives every member's features side by
side, `step` carries a tuple of member states and returns the log of the averaged
probabilities (so the classifier's own temperature is 1).
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn

from core.errors import FrankensteinError
from core.models import LSTMState, SketchModel

MemberStates = tuple[LSTMState | None, ...]


class EnsembleError(FrankensteinError, ValueError):
    """Members that cannot be read as one model (different kinds, frames or classes)."""


def _check_members(members: Sequence[SketchModel], temperatures: Sequence[float]) -> None:
    if len(members) < 2:
        raise EnsembleError("an ensemble needs two or more members")
    if len(temperatures) != len(members):
        raise EnsembleError(f"{len(members)} members but {len(temperatures)} temperatures")
    if not all(t > 0 for t in temperatures):
        raise EnsembleError(f"temperatures must be positive, got {list(temperatures)}")
    first = members[0].cfg
    for i, m in enumerate(members[1:], 1):
        for key in ("arch", "m", "pad_len", "num_classes"):
            if getattr(m.cfg, key) != getattr(first, key):
                raise EnsembleError(
                    f"member {i} has {key}={getattr(m.cfg, key)!r} but member 0 has "
                    f"{getattr(first, key)!r}: members must be one kind of model"
                )


class Ensemble(nn.Module):
    """Members of one architecture, probabilities averaged; see the module docstring."""

    def __init__(self, members: Sequence[SketchModel], temperatures: Sequence[float]):
        super().__init__()
        _check_members(members, temperatures)
        self.members = nn.ModuleList(members)
        self.temperatures = tuple(float(t) for t in temperatures)
        self.cfg = members[0].cfg
        self._widths = [m.cfg.features for m in members]

    def _average(self, log_probs: Sequence[torch.Tensor]) -> torch.Tensor:
        probs = [(lp / t).softmax(-1) for lp, t in zip(log_probs, self.temperatures, strict=True)]
        return torch.stack(probs).mean(0).log()

    def forward(self, frames: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        """Averaged log-probabilities after every stroke, (B, T, num_classes)."""
        return self._average([m(frames, lengths) for m in self.members])

    def encode(self, frames: torch.Tensor) -> torch.Tensor:
        """Every member's features of single frames, side by side: (N, sum of F)."""
        return torch.cat([m.encode(frames) for m in self.members], 1)

    def step(
        self, features: torch.Tensor, state: MemberStates | None
    ) -> tuple[torch.Tensor, MemberStates]:
        """One stroke for every member from its own state; averaged log-probabilities."""
        parts = features.split(self._widths, 1)
        states = state if state is not None else (None,) * len(self.members)
        out = [m.step(f, s) for m, f, s in zip(self.members, parts, states, strict=True)]
        return self._average([lp for lp, _ in out]), tuple(s for _, s in out)
