"""The end of a run: calibrate best.pt on the validation set, then the test report.

The temperature (training/calibration.py) is fitted on the log-probabilities best.pt
gives after every real stroke of the validation drawings and stored in best.pt. Then
the test split, and each `eval_data` directory, is replayed stroke by stroke through
best.pt with the default snap policy (training/replay.py), into the run's eval.json:
``{"test": report, "eval_data": {directory: report}}``.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import torch

from training.callbacks import Callback
from training.dataset import eval_batches
from training.prepared import PreparedSet
from training.runfolder import RunFolder

EVAL_BATCH = 256


def calibrate(best: Path, val: PreparedSet, device: torch.device) -> float | None:
    """Fit the temperature of the checkpoint `best` on `val` and store it there."""
    from core.checkpoint import load_checkpoint, save_checkpoint
    from training.calibration import collect_step_log_probs, fit_temperature

    if not best.is_file():
        return None
    ckpt = load_checkpoint(best)
    model = ckpt.model.to(device)
    log_probs, labels = collect_step_log_probs(model, eval_batches(val, EVAL_BATCH), device)
    t = fit_temperature(log_probs, labels)
    metrics = {**ckpt.metrics, "temperature": t}
    save_checkpoint(best, model.cpu(), temperature=t, meta=ckpt.meta, metrics=metrics)
    return t


def final_eval(
    folder: RunFolder,
    test: PreparedSet,
    eval_data: Sequence[str],
    callbacks: Callback,
    *,
    limit: int | None = None,
) -> dict[str, Any]:
    """Replay the test split and the eval_data directories through best.pt; eval.json."""
    from training.replay import evaluate_checkpoint, read_eval_drawings

    sets = {"test": [test.drawing(i) for i in range(len(test))]}
    for d in eval_data:
        sets[d] = read_eval_drawings(d, limit=limit)
    reports: dict[str, Any] = {"test": None, "eval_data": {}}
    for name, drawings in sets.items():

        def progress(done: int, total: int, name: str = name) -> None:
            callbacks.on_progress(done, total, f"evaluating {name}")

        rep = evaluate_checkpoint(folder.best, drawings, progress=progress)
        if name == "test":
            reports["test"] = rep
        else:
            reports["eval_data"][name] = rep
        callbacks.on_eval(name, rep)
    folder.write_eval(reports)
    return reports
