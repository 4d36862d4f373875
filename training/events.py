"""The events protocol: `frankenstein train --events` writes JSON lines to stdout.

A supervising process (the TUI, an ablation runner) reads one JSON object per line;
every object has an ``"event"`` key, and nothing else is written to stdout (the
progress bar is off with --events). The events, in order:

- ``{"event": "progress", "done": int, "total": int, "what": str}``: long work
  other than training batches: reading, caching or generating data before "start",
  validating after each epoch's batches (before its "epoch"), calibrating after the
  last epoch, replaying drawings for the evaluation before each "eval"; repeats many
  times.
- ``{"event": "warning", "message": str}``: before the data is prepared, one for each
  problem a data folder's listing shows (a class with no file named after it, an empty
  file, a file named after no class); zero or more.
- ``{"event": "start", "run": str, "run_dir": str, "model": str, "parameters": int,
  "epochs": int, "start_epoch": int (0-based), "batches": int (per epoch),
  "train_size": int, "val_size": int, "resumed": bool, "world": int, "device": str,
  "data_warnings": [str] (bad lines skipped, classes without training drawings, a
  distributed resume from a last.pt too old to continue every process exactly, a
  resume of a run stopped before training began, which starts it, a resume with other
  epochs, which stretches the learning-rate schedule to them)}``; "resumed" is
  true when last.pt's state was taken back.
- ``{"event": "batch", "epoch": int (1-based), "batch": int (1-based), "batches": int,
  "loss": float, "acc": float, "lr": float, "samples_per_s": float, "eta_s": float}``:
  every `log_every` batches; loss and acc are running means over the epoch so far;
  eta_s is the estimated time left in the whole run: the batches left at the epoch's
  pace so far, plus, once one has been timed, a validation for each epoch left (the
  end-of-run calibration and evaluation are not in it).
- ``{"event": "epoch", ...}``: the epoch's metrics.jsonl row: "epoch" (1-based),
  "train_loss", "train_acc", "val_loss", "val_acc", "val_acc_at_stroke" (list, k =
  1..pad_len), "lr", "seconds", "samples_per_s", "is_best", "best_val_acc",
  "best_epoch" (1-based, the epoch best.pt holds), and "processes" (the world size) in
  a distributed run.
- ``{"event": "eval", "name": "test" | DIR, "report": {...}}``: the evaluation report
  (the keys of `frankenstein eval --json`, but "accuracy_at_stroke_live", which only
  `frankenstein eval` computes), once per evaluated data set.
- ``{"event": "done", "status": "completed" | "early_stop" | "interrupted", "run_dir":
  str, "epochs_run": int, "best_epoch": int (0: no epoch finished), "best_val_acc":
  float | null (null: no epoch finished), "temperature": float | null}``: the last
  event of a run that ended normally or was interrupted (an interrupted run can be
  resumed with --resume). A run interrupted while preparing its data ends with "done"
  and no "start" (epochs_run as last.pt left it: 0 for a new run, which --resume starts).
- ``{"event": "error", "message": str, "type": str}``: the run failed; the message is
  the one-line error the command line would print. Exit status 2 (user error) or 1.
"""

from __future__ import annotations

import json
import math
import os
import signal
import sys
from typing import IO, Any

from training.callbacks import Callback


def strict_json(value: Any) -> Any:
    """NaN and infinity become null: strict JSON readers reject them."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: strict_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [strict_json(v) for v in value]
    return value


class JsonEvents(Callback):
    """Writes each training event as one JSON line to a stream (stdout by default)."""

    def __init__(self, stream: IO[str] | None = None):
        self.stream = stream if stream is not None else sys.stdout
        self.reader_gone = False

    def emit(self, event: str, **fields: Any) -> None:
        if self.reader_gone:
            return
        line = json.dumps(strict_json({"event": event, **fields}), separators=(",", ":"))
        try:
            self.stream.write(line + "\n")
            self.stream.flush()
        except BrokenPipeError:
            self._stop_for_a_gone_reader()

    def _stop_for_a_gone_reader(self) -> None:
        """The reader of the events has gone (the TUI that started this run was killed,
        `--events | head`): the run stops as at Ctrl-C, saving last.pt (a crash on the
        next write lost the epoch so far, left progress.json, and the run read as
        failed), and what it would still write goes nowhere."""
        self.reader_gone = True
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, self.stream.fileno())  # the buffered rest, and exit's flush
            os.close(devnull)
        except (OSError, ValueError):  # a stream without a descriptor (a test's)
            pass
        os.kill(os.getpid(), signal.SIGINT)

    def on_progress(self, done: int, total: int, what: str) -> None:
        self.emit("progress", done=done, total=total, what=what)

    def on_warning(self, text: str) -> None:
        self.emit("warning", message=text)

    def on_start(self, info: dict[str, Any]) -> None:
        self.emit("start", **info)

    def on_batch(self, info: dict[str, Any]) -> None:
        self.emit("batch", **info)

    def on_epoch(self, row: dict[str, Any]) -> None:
        self.emit("epoch", **row)

    def on_eval(self, name: str, report: dict[str, Any]) -> None:
        self.emit("eval", name=name, report=report)

    def on_done(self, info: dict[str, Any]) -> None:
        self.emit("done", **info)

    def error(self, exc: BaseException) -> None:
        self.emit("error", message=str(exc), type=type(exc).__name__)
