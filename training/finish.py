"""The end of a run: calibrate best.pt on the validation set, then the test report.

The temperature (training/calibration.py) is fitted on the log-probabilities best.pt
gives after every real stroke of the validation drawings and stored in best.pt, with
the ending prior (core/ending.py): how many strokes each class is drawn with in the
training data (every directory source's training split, and one epoch's worth of each
synthetic source: epoch 0's doodles, drawn again, since a class's rare stroke counts
need thousands of drawings to show); a run trained with the loss at the final stroke
only is fitted on final strokes and stores no prior (`run_ending_prior`). With both,
the validation drawings (at most 1,000 a class) are replayed once more to fit the
familiarity statistics the snap policy checks (training/familiarity.py), also stored
in best.pt. Then the
test split, and each `eval_data` directory, is replayed stroke by stroke through
best.pt with the default snap policy, many drawings at a time (training/replay.py's
`replay_many`), into the run's eval.json:
``{"test": report, "eval_data": {directory: report}}``.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch

from core.ending import EndingPrior
from training.cache import Progress
from training.callbacks import Callback
from training.dataset import BatchDataset, PreparedSource, eval_batches
from training.prepared import PreparedSet
from training.runfolder import RunFolder

EVAL_BATCH = 256
COUNT_CHUNK = 1024  # synthetic doodles generated at a time to count their strokes


def ending_prior(train: BatchDataset, progress: Progress | None = None) -> EndingPrior:
    """Each class's stroke counts in a run's training data (see the module docstring)."""
    labels, n_strokes = [], []
    for source in train.sources:
        if isinstance(source, PreparedSource):
            labels.append(np.asarray(source.data.labels))
            n_strokes.append(np.asarray(source.data.n_strokes))
            continue
        n = source.n_classed  # the doodles of nothing after them belong to no class
        for lo in range(0, n, COUNT_CHUNK):
            idx = np.arange(lo, min(lo + COUNT_CHUNK, n))
            labels.append(source.labels(idx))
            n_strokes.append(source.strokes(0, idx).n_strokes)
            if progress is not None:
                progress(int(idx[-1]) + 1, n, "counting strokes per class")
    if not labels:
        return EndingPrior.from_drawings([], [])
    return EndingPrior.from_drawings(np.concatenate(labels), np.concatenate(n_strokes))


def run_ending_prior(
    loss_at: str, train: BatchDataset, progress: Progress | None = None
) -> EndingPrior | None:
    """The ending prior a run stores: none for a model trained at the final stroke only.

    Such a model's guess after stroke k was learnt from drawings that end there, so it
    already says what a drawing is if it is finished now; the prior would count the
    ending twice.
    """
    return None if loss_at == "final" else ending_prior(train, progress)


def calibrate(
    path: Path,
    val: PreparedSet,
    ending: EndingPrior | None,
    device: torch.device,
    loss_at: str = "every",
    progress: Progress | None = None,
) -> float | None:
    """Fit the temperature of the checkpoint at `path` (best.pt, an epoch-N.pt) on `val`
    (at the steps the model was trained on, `loss_at`) and store it there with the
    ending prior (None: none) and the familiarity fitted on `val` with both; returns
    the temperature (None when there is no file)."""
    from core.checkpoint import load_checkpoint, save_checkpoint
    from core.classifier import StrokeClassifier
    from training.calibration import collect_step_log_probs, fit_temperature
    from training.familiarity import fit_familiarity

    if not path.is_file():
        return None
    ckpt = load_checkpoint(path)
    model = ckpt.model.to(device)
    batches = eval_batches(val, EVAL_BATCH)
    n = -(-len(val) // EVAL_BATCH)
    replayed = fitted = None
    if progress is not None:

        def replayed(done: int) -> None:
            progress(done, n, f"calibrating {path.name}: the validation set's log-probabilities")

        def fitted(done: int, total: int) -> None:
            progress(done, total, f"calibrating {path.name}: fitting the temperature")

    log_probs, labels = collect_step_log_probs(
        model, batches, device, at=loss_at, progress=replayed
    )
    t = fit_temperature(log_probs, labels, progress=fitted)
    model = model.cpu()
    classifier = StrokeClassifier(model, temperature=t, ending=ending)
    drawings = [val.drawing(i) for i in familiarity_sample(val.labels)]
    familiarity = fit_familiarity(classifier, drawings, progress=progress)
    metrics = {**ckpt.metrics, "temperature": t}
    save_checkpoint(
        path,
        model,
        temperature=t,
        ending=ending,
        familiarity=familiarity,
        meta=ckpt.meta,
        metrics=metrics,
        extra=ckpt.extra,
        half=ckpt.half,
    )
    return t


FAMILIARITY_PER_CLASS = 1000  # validation drawings a class the familiarity is fitted on


def familiarity_sample(labels: np.ndarray, per_class: int = FAMILIARITY_PER_CLASS) -> np.ndarray:
    """Indices of the first `per_class` validation drawings of each class, in order.

    The familiarity fit replays each drawing stroke by stroke, many at a time (about
    600 to 900 synthetic doodles a second on one core with the bundled Frankenstein,
    about 180 fed one stroke at a time: benchmarks/test_bench_familiarity.py), so a
    synthetic run's 100 a class take a few seconds and a thousand a class about half a
    minute; a real download's 12,000 a class would add some minutes to the end of every
    run, and a class's Gaussian (thousands of strokes) and the limit's quantile (over
    ten thousand right snaps) are as well measured on a thousand."""
    labels = np.asarray(labels)
    rank = np.zeros(len(labels), np.int64)  # how many of its class come before each
    for c in np.unique(labels):
        where = np.flatnonzero(labels == c)
        rank[where] = np.arange(len(where))
    return np.flatnonzero(rank < per_class)


def recalibrate(path: Path, progress: Progress | None = None) -> tuple[float, EndingPrior | None]:
    """Calibrate a finished checkpoint again, in place: rebuild the data of the run that
    made it from the training config stored in its meta, then `run_ending_prior` and
    `calibrate`, as at the end of that run.
    For checkpoints from before the ending prior; returns (temperature, ending prior or
    None)."""
    from pydantic import ValidationError

    from core.atomic import check_output_dir
    from core.checkpoint import CheckpointError, load_checkpoint
    from core.ensemble import Ensemble
    from training.config import TrainConfig, check_stored_data
    from training.data import build_data

    ckpt = load_checkpoint(path)
    if isinstance(ckpt.model, Ensemble):
        raise CheckpointError(
            f"{path}: an ensemble of {len(ckpt.model.members)} members; calibrate each "
            "member's checkpoint, then `frankenstein export` them together again"
        )
    stored = ckpt.meta.get("config")
    if not isinstance(stored, dict):
        raise CheckpointError(
            f"{path}: holds no training config (meta['config']), so its validation set "
            "cannot be rebuilt; only checkpoints made by `frankenstein train` can be "
            "calibrated again"
        )
    try:
        cfg = TrainConfig.model_validate(stored)
    except ValidationError as e:
        raise CheckpointError(
            f"{path}: its stored training config is not valid here: {e.errors()[0]['msg']}"
        ) from None
    how = (
        "if the run was trained elsewhere, calibrate from there"  # data.sources: its validation set
    )
    check_stored_data(cfg, f"{path}: its training config", how, keys=("data.sources",))
    check_output_dir(path.parent)  # before minutes of work, not after: a read-only folder
    data = build_data(cfg, progress=progress)
    ending = run_ending_prior(cfg.loss_at, data.train, progress)
    temperature = calibrate(path, data.val, ending, torch.device("cpu"), cfg.loss_at, progress)
    return temperature, ending


def final_eval(
    folder: RunFolder,
    test: PreparedSet,
    eval_data: Sequence[str],
    callbacks: Callback,
    *,
    limit: int | None = None,
) -> dict[str, Any]:
    """Replay the test split and the eval_data directories through best.pt; eval.json.
    A directory's report says what its reading skipped or counted against a line's word
    (`read_warnings`, only when there is something to say)."""
    from core.strokes import ReadReport
    from training.replay import evaluate_checkpoint, read_eval_drawings

    sets = {"test": [test.drawing(i) for i in range(len(test))]}
    read_warnings: dict[str, list[str]] = {}  # per directory: bad lines, mismatched words
    for d in eval_data:
        read = ReadReport()
        sets[d] = read_eval_drawings(d, limit=limit, report=read)
        read_warnings[d] = [w for w in (read.skipped(), read.mismatch_warning()) if w]
    reports: dict[str, Any] = {"test": None, "eval_data": {}}
    for name, drawings in sets.items():

        def progress(done: int, total: int, name: str = name) -> None:
            callbacks.on_progress(done, total, f"evaluating {name}")

        rep = evaluate_checkpoint(folder.best, drawings, progress=progress)
        if read_warnings.get(name):  # said with the report, as `frankenstein eval` does
            rep["read_warnings"] = read_warnings[name]
        if name == "test":
            reports["test"] = rep
        else:
            reports["eval_data"][name] = rep
        callbacks.on_eval(name, rep)
    folder.write_eval(reports)
    return reports
