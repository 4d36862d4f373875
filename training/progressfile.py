"""`progress.json`: where a run's training is now, for whoever watches its folder.

A training's events reach only the process that started it (its progress bar, or the
TUI or study runner reading `--events`). A run trained from a terminal is followed by
the TUI through its folder, where metrics.jsonl grows once an epoch: a CPU epoch is
minutes long. So rank 0 also keeps its latest event in `progress.json`, rewritten
atomically at most every `every_s` seconds (and at once for a start, an epoch's end
and a step's last item), and removed when the run ends. The file names the writing
process: a reader takes it only while that process holds the run's lock
(`read_progress`), since one killed leaves its last file behind.

The object is an events-protocol line (training/events.py) with "pid" added:
{"event": "batch", "epoch": 3, "batch": 700, "batches": 1688, "eta_s": 742.0, ...,
"epochs": 8, "pid": 4242}; "epochs" is added to every event once a start has told it,
and "processes" too for a run of several (torchrun).
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from core.atomic import atomic_write_text
from training.callbacks import Callback
from training.events import strict_json

PROGRESS = "progress.json"


class ProgressFile(Callback):
    """Keeps the run's latest training event in `path` (its progress.json)."""

    def __init__(
        self,
        path: str | os.PathLike,
        every_s: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.path = Path(path)
        self.every_s, self.clock = every_s, clock
        self.written_at: float | None = None
        self.epochs: int | None = None
        self.processes = 1

    def _write(self, event: str, fields: dict[str, Any], now: bool = False) -> None:
        """Write the event unless one was written under `every_s` ago (`now`: always).
        A failed write is let go: the file only tells a watcher how far the run is, and a
        full disk stops the run at its next checkpoint, with a message, anyway."""
        at = self.clock()
        if not now and self.written_at is not None and at - self.written_at < self.every_s:
            return
        line = {"event": event, **fields, "pid": os.getpid()}
        if self.epochs is not None:
            line.setdefault("epochs", self.epochs)
        if self.processes > 1:  # torchrun's: the Runs tab's resume command says so
            line.setdefault("processes", self.processes)
        try:
            atomic_write_text(self.path, json.dumps(strict_json(line)) + "\n")
        except OSError:  # core.atomic.WriteError too
            return
        self.written_at = at

    def on_progress(self, done: int, total: int, what: str) -> None:
        self._write("progress", {"done": done, "total": total, "what": what}, now=done >= total)

    def on_start(self, info: dict[str, Any]) -> None:
        self.epochs, self.processes = info.get("epochs"), info.get("world") or 1
        keep = ("run", "epochs", "start_epoch", "batches", "resumed")
        self._write("start", {k: info[k] for k in keep if k in info}, now=True)

    def on_batch(self, info: dict[str, Any]) -> None:
        self._write("batch", info, now=info.get("batch") == info.get("batches"))

    def on_epoch(self, row: dict[str, Any]) -> None:
        keep = ("epoch", "val_acc", "is_best")
        self._write("epoch", {k: row[k] for k in keep if k in row}, now=True)

    def on_done(self, info: dict[str, Any]) -> None:
        with contextlib.suppress(OSError):
            self.path.unlink(missing_ok=True)


def read_progress(run_dir: str | os.PathLike, pid: int | None) -> dict[str, Any] | None:
    """The run's progress.json if process `pid` (the holder of the run's lock: the
    process training it now) wrote it; None for none, another process's (one that
    ended) or a file that is not a JSON object."""
    if pid is None:
        return None
    try:
        data = json.loads((Path(run_dir) / PROGRESS).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return None
    return data if isinstance(data, dict) and data.get("pid") == pid else None


def progress_text(p: dict[str, Any]) -> str:
    """A progress.json object in words: "epoch 3 of 8: batch 700 of 1,688 (41%),
    210 samples/s, about 12 min left", "validating epoch 3: 40 of 100"."""
    event = p.get("event")
    if event == "batch":
        batch, batches = _int(p.get("batch")), _int(p.get("batches"))
        text = (
            f"epoch {p.get('epoch', '?')} of {p.get('epochs', '?')}: batch {batch:,} of {batches:,}"
        )
        if batches:
            text += f" ({100 * batch // batches}%)"
        if _num(p.get("samples_per_s")):
            text += f", {p['samples_per_s']:.0f} samples/s"
        if _num(p.get("eta_s")):
            text += f", {time_left(p['eta_s'])}"
        return text
    if event == "progress":
        return f"{p.get('what') or 'working'}: {_int(p.get('done')):,} of {_int(p.get('total')):,}"
    if event == "start":
        start = _int(p.get("start_epoch"))
        return f"starting epoch {start + 1} of {p.get('epochs', '?')}"
    if event == "epoch":
        return f"epoch {p.get('epoch', '?')} of {p.get('epochs', '?')} done"
    return ""


def time_left(seconds: float) -> str:
    """'about 12 min left', 'about 40 s left', 'about 2 h 5 min left'."""
    s = round(seconds)
    if s < 60:
        return f"about {s} s left"
    m = round(s / 60)
    return f"about {m} min left" if m < 60 else f"about {m // 60} h {m % 60} min left"


def _num(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)


def _int(v: Any) -> int:
    return int(v) if _num(v) else 0
