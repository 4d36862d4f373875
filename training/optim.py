"""Optimiser and learning-rate schedule of a run, from its `OptimSection`.

The schedule is a function of the global step (batches done so far) and of the run's
length (epochs x batches), so it is the same whether a run went through in one go or
was resumed (a resume with other `epochs` stretches it to them from the step it stopped
at, and says so: training/loop.py `_restretch`): constant, cosine (Loshchilov
& Hutter, "SGDR", ICLR 2017) down to 1% of lr, or one-cycle (Smith & Topin,
"Super-Convergence", 2017: up to lr over the first 30% of steps, then cosine down);
constant and cosine start with a linear warm-up over `warmup` of all steps, at least
`min_warmup` steps and at most half of them.
"""

from __future__ import annotations

import math

import torch

from training.config import OptimSection

FINAL_LR_SHARE = 0.01


def build_optimizer(params, cfg: OptimSection) -> torch.optim.Optimizer:
    """Adam, AdamW or SGD with momentum (Nesterov)."""
    if cfg.name == "adam":
        return torch.optim.Adam(params, lr=cfg.lr, weight_decay=cfg.weight_decay)
    if cfg.name == "adamw":
        return torch.optim.AdamW(params, lr=cfg.lr, weight_decay=cfg.weight_decay)
    return torch.optim.SGD(
        params, lr=cfg.lr, momentum=cfg.momentum, nesterov=True, weight_decay=cfg.weight_decay
    )


def lr_factor(step: int, total: int, cfg: OptimSection) -> float:
    """The share of cfg.lr used at a global step (0-based) of `total` steps."""
    total = max(total, 1)
    progress = min(step / total, 1.0)
    if cfg.schedule == "onecycle":
        peak = 0.3
        if progress < peak:
            start = 1 / 25  # OneCycleLR's default initial lr = max_lr / 25
            return start + (1 - start) * progress / peak
        return _cosine((progress - peak) / (1 - peak), FINAL_LR_SHARE / 25)
    warm = min(max(cfg.warmup * total, cfg.min_warmup), total / 2)
    if step < warm:
        return (step + 1) / (warm + 1)
    if cfg.schedule == "constant":
        return 1.0
    return _cosine((step - warm) / max(total - warm, 1), FINAL_LR_SHARE)


def _cosine(x: float, floor: float) -> float:
    return floor + (1 - floor) * 0.5 * (1 + math.cos(math.pi * min(max(x, 0.0), 1.0)))


def build_scheduler(
    optimizer: torch.optim.Optimizer, cfg: OptimSection, total_steps: int
) -> torch.optim.lr_scheduler.LambdaLR:
    """A LambdaLR stepping once a batch; its state is only the step count."""
    return torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda step: lr_factor(step, total_steps, cfg)
    )
