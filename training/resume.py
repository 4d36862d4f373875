"""What a run must keep to continue exactly where it stopped, and putting it back.

`last.pt` holds, besides the weights, an `extra` dict: the optimiser and scheduler
state, the weight average if the run keeps one, the position (next epoch and batch), the running sums of an unfinished
epoch, the best result so far, the early-stopping count and every RNG state
(python, numpy, torch, CUDA). Batches are keyed by (seed, epoch, batch), not drawn
from a stream, so with these a resumed run repeats an uninterrupted one exactly.

A distributed run's processes each have their own RNG state (dropout, mixup) and
running sums; `extra["ranks"]` keeps every process's ({"rng", "partial"}, in rank
order, gathered to rank 0, which writes last.pt), and each process takes back its own.
`extra["rng"]` and the position's `partial` are rank 0's, as in a single-process run.
"""

from __future__ import annotations

import random
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import torch


@dataclass
class Position:
    """Where the run stands, and what it has found so far."""

    epoch: int = 0  # next epoch to run (0-based) = epochs finished
    batch: int = 0  # next batch of that epoch
    best_val_acc: float = -1.0
    best_val_loss: float = float("inf")
    best_epoch: int = 0  # 1-based; 0 = none yet
    bad_epochs: int = 0  # epochs since the best, for early stopping
    finished: str = ""  # "", "completed" or "early_stop"
    partial: dict[str, Any] = field(default_factory=dict)  # running sums mid-epoch
    partial_seconds: float = 0.0
    world: int | None = None  # training processes (DDP); None in checkpoints from before

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @staticmethod
    def from_dict(d: dict[str, Any]) -> Position:
        return Position(**{k: d[k] for k in Position.__dataclass_fields__ if k in d})


def rng_state() -> dict[str, Any]:
    """Every global RNG state, as checkpoint-safe data."""
    kind, keys, pos, has_gauss, cached = np.random.get_state()
    state: dict[str, Any] = {
        "python": random.getstate(),
        "numpy": [kind, torch.from_numpy(keys.astype(np.int64)), pos, has_gauss, cached],
        "torch": torch.get_rng_state(),
    }
    if torch.cuda.is_available():
        state["cuda"] = torch.cuda.get_rng_state_all()
    return state


def set_rng_state(state: dict[str, Any]) -> None:
    """Put back what rng_state() saved."""
    version, internal, gauss = state["python"]
    random.setstate((version, tuple(internal), gauss))
    kind, keys, pos, has_gauss, cached = state["numpy"]
    np.random.set_state((kind, keys.numpy().astype(np.uint32), pos, has_gauss, cached))
    torch.set_rng_state(state["torch"])
    if "cuda" in state and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(state["cuda"])


def seed_everything(seed: int) -> None:
    """Seed python, numpy and torch (all devices)."""
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)


def rank_state(position: Position) -> dict[str, Any]:
    """What differs between the processes of a distributed run: RNG state, running sums."""
    return {"rng": rng_state(), "partial": position.partial}


def resume_extra(
    optimizer: torch.optim.Optimizer,
    scheduler,
    position: Position,
    ema=None,
    ranks: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """The `extra` of last.pt (with the weight average, training/ema.py, when there is one);
    `ranks`: every process's `rank_state`, when there are several."""
    extra = {
        "optimizer": optimizer.state_dict(),
        "scheduler": scheduler.state_dict(),
        "position": position.to_dict(),
        "rng": rng_state(),
    }
    if ema is not None:
        extra["ema"] = ema.state_dict()
    if ranks is not None and len(ranks) > 1:
        extra["ranks"] = ranks
    return extra


def has_rank_states(extra: dict[str, Any], world: int) -> bool:
    """Whether last.pt holds the state of each of `world` processes (always, for one).
    A distributed run's last.pt written before they were kept has rank 0's only."""
    return world == 1 or len(extra.get("ranks") or ()) == world


def restore(
    extra: dict[str, Any], optimizer, scheduler, ema=None, *, rank: int = 0, world: int = 1
) -> Position:
    """Load optimiser, scheduler, weight average and RNG state from last.pt's extra; its
    Position. A run that starts averaging on resume starts from the restored weights.

    Process `rank` of `world` takes back its own RNG state and running sums. Without
    them (see `has_rank_states`) rank 0 takes the ones kept and the others keep their
    fresh seeds and take rank 0's sums: the run goes on, but not exactly as unbroken."""
    optimizer.load_state_dict(extra["optimizer"])
    if ema is not None and "ema" in extra:
        ema.load_state_dict(extra["ema"])
    scheduler.load_state_dict(extra["scheduler"])
    position = Position.from_dict(extra["position"])
    if world > 1 and has_rank_states(extra, world):
        own = extra["ranks"][rank]
        set_rng_state(own["rng"])
        position.partial = own["partial"]
    elif rank == 0:
        set_rng_state(extra["rng"])
    return position
