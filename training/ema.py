"""An exponential moving average of a model's weights, kept beside the training.

After every optimiser step, ``avg = decay * avg + (1 - decay) * weights`` for every
parameter (buffers are copied). The average moves like the weights but without their
last steps' noise, and often generalises a little better (Polyak and Juditsky 1992;
"Mean teachers", Tarvainen and Valpola 2017). With `optim.ema` set, a run validates,
selects and saves the average as best.pt; last.pt keeps the trained weights, which
resume needs, and the average beside them in its `extra`, so a resumed run repeats an
unbroken one. The early steps are averaged with a smaller decay,
min(decay, (1 + n) / (10 + n)) after n updates, so the average does not drag the
random initial weights along for thousands of steps.
"""

from __future__ import annotations

import copy
from typing import Any

import torch
from torch import nn


class WeightAverage:
    """The moving average of `model`'s weights (a frozen copy of the model)."""

    def __init__(self, model: nn.Module, decay: float):
        if not 0 < decay < 1:
            raise ValueError(f"ema decay must be in (0, 1), got {decay}")
        self.decay = decay
        self.updates = 0
        self.model = copy.deepcopy(model).eval()
        for p in self.model.parameters():
            p.requires_grad_(False)

    @torch.no_grad()
    def update(self, model: nn.Module) -> None:
        """Fold the current weights of `model` into the average."""
        self.updates += 1
        d = min(self.decay, (1 + self.updates) / (10 + self.updates))
        for avg, new in zip(self.model.parameters(), model.parameters(), strict=True):
            avg.lerp_(new.detach(), 1 - d)
        for avg, new in zip(self.model.buffers(), model.buffers(), strict=True):
            avg.copy_(new)

    def state_dict(self) -> dict[str, Any]:
        return {"weights": self.model.state_dict(), "updates": self.updates}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.model.load_state_dict(state["weights"])
        self.updates = int(state["updates"])
