"""How a training run reports: callbacks the caller attaches (minGPT's trainer style).

The loop knows nothing about progress bars, TUIs or log files; it calls these
methods and each attached callback does what it wants with them. Only rank 0 of a
distributed run calls them. Every `info` dict is plain JSON-able data.
"""

from __future__ import annotations

import json
import math
import os
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any


def resumed_from(info: dict[str, Any]) -> str:
    """How a start event's run was resumed, as the end of its start line: ", resumed at
    epoch 3"; for a run whose epochs were all done, that only its end is done again
    (calibration and the final evaluation); "" for a fresh run."""
    if not info.get("resumed"):
        return ""
    start, epochs = info.get("start_epoch", 0), info.get("epochs", 0)
    if start >= epochs:
        return ", every epoch done: calibrating and evaluating again"
    return f", resumed at epoch {start + 1}"


def epochs_of(info: dict[str, Any]) -> str:
    """'1 epoch of 6 batches', '8 epochs of 1,688 batches' for a start event; under
    torchrun 'of 4 batches a process' (each of them trains that many, its share)."""
    n, b = info.get("epochs", 0), info.get("batches", 0)
    each = " a process" if (info.get("world") or 1) > 1 else ""
    return f"{n} epoch{'' if n == 1 else 's'} of {b:,} batch{'' if b == 1 else 'es'}{each}"


class Callback:
    """No-op base: override the events you care about."""

    def on_progress(self, done: int, total: int, what: str) -> None:
        """Long work other than training batches: reading, caching or generating data
        before training, validating after each epoch's batches, calibrating and
        replaying drawings for the evaluation after the last epoch."""

    def on_warning(self, text: str) -> None:
        """What the run should know before it prepares its data, said at once (that takes
        minutes on a real folder): a data folder's listing shows missing class files,
        empty files or files named after no class (training/datainfo.listing_warnings)."""

    def on_start(self, info: dict[str, Any]) -> None:
        """Training begins: run, run_dir, epochs, start_epoch, batches, train_size, ...,
        data_warnings (bad lines skipped, classes without training drawings, a
        distributed resume from a last.pt too old to continue every process exactly,
        a resume of a run stopped before training began, which starts it, and a resume
        with other epochs, which stretches the learning-rate schedule to them)."""

    def on_batch(self, info: dict[str, Any]) -> None:
        """Every `log_every` batches: epoch, batch, batches, loss, acc, lr, samples_per_s."""

    def on_epoch(self, row: dict[str, Any]) -> None:
        """An epoch is done: its metrics.jsonl row (train/val loss and accuracy, best, ...)."""

    def on_eval(self, name: str, report: dict[str, Any]) -> None:
        """An evaluation report is ready (`name` = "test" or a data directory)."""

    def on_done(self, info: dict[str, Any]) -> None:
        """The run ended: status (completed, early_stop, interrupted), best, run_dir, ...
        (interrupted while preparing data, with no on_start before it)."""


class CallbackList(Callback):
    """Calls each callback in turn."""

    def __init__(self, callbacks: Sequence[Callback] = ()):
        self.callbacks = list(callbacks)

    def on_progress(self, done: int, total: int, what: str) -> None:
        for c in self.callbacks:
            c.on_progress(done, total, what)

    def on_warning(self, text: str) -> None:
        for c in self.callbacks:
            c.on_warning(text)

    def on_start(self, info: dict[str, Any]) -> None:
        for c in self.callbacks:
            c.on_start(info)

    def on_batch(self, info: dict[str, Any]) -> None:
        for c in self.callbacks:
            c.on_batch(info)

    def on_epoch(self, row: dict[str, Any]) -> None:
        for c in self.callbacks:
            c.on_epoch(row)

    def on_eval(self, name: str, report: dict[str, Any]) -> None:
        for c in self.callbacks:
            c.on_eval(name, report)

    def on_done(self, info: dict[str, Any]) -> None:
        for c in self.callbacks:
            c.on_done(info)


def _num(v: float | None) -> str:
    return "n/a" if v is None else f"{v:.4f}"


class TrainLog(Callback):
    """Appends a readable line per event to the run's `train.log`."""

    def __init__(self, path: str | os.PathLike):
        self.path = Path(path)

    def _write(self, text: str) -> None:
        """Append one line (a full disk: WriteError, one line for the user). A line cut
        short by a crash is only a log's last line; nothing reads this file back."""
        from core.atomic import WriteError

        stamp = time.strftime("%Y-%m-%d %H:%M:%S")
        try:
            with open(self.path, "a", encoding="utf-8") as f:
                f.write(f"{stamp} {text}\n")
        except OSError as e:
            raise WriteError(self.path, e) from e

    def on_warning(self, text: str) -> None:
        self._write(f"warning: {text}")

    def on_start(self, info: dict[str, Any]) -> None:
        self._write(
            f"start {info['run']}: {info['model']} ({info['parameters']:,} parameters), "
            f"{epochs_of(info)}, {info['train_size']} training drawings{resumed_from(info)}"
        )
        for warning in info.get("data_warnings", ()):
            self._write(f"warning: {warning}")

    def on_epoch(self, row: dict[str, Any]) -> None:
        self._write(
            f"epoch {row['epoch']}: train loss {row['train_loss']:.4f} acc {row['train_acc']:.4f}"
            f" | val loss {row['val_loss']:.4f} acc {row['val_acc']:.4f}"
            f" | {row['samples_per_s']:.0f} samples/s{' | best' if row['is_best'] else ''}"
        )

    def on_eval(self, name: str, report: dict[str, Any]) -> None:
        snap = report["snap"]
        self._write(
            f"eval {name}: n {report['n']}, top1 {_num(report['top1'])}, "
            f"top3 {_num(report['top3'])}, snap at {snap['threshold']}: precision "
            f"{_num(snap['precision'])} recall {_num(snap['recall'])} "
            f"strokes saved {_num(snap['strokes_saved'])}"
        )
        for warning in report.get("read_warnings", ()):
            self._write(f"eval {name}: {warning}")

    def failed(self, exc: BaseException) -> None:
        """The one-line error the run ended with (a refused data folder, a divergence),
        with this process's pid: the Runs tab takes it for the reason only of the attempt
        that ended (a later one killed while preparing its data writes nothing here)."""
        self._write(f"error (pid {os.getpid()}): {exc}")

    def on_done(self, info: dict[str, Any]) -> None:
        # strict JSON: a number that is not finite is null (NaN is not JSON)
        clean = {k: None if _not_finite(v) else v for k, v in info.items()}
        self._write(f"done: {json.dumps(clean)}")


def _not_finite(v: Any) -> bool:
    return isinstance(v, float) and not math.isfinite(v)
