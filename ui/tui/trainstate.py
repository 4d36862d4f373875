"""What the Train tab shows of a run, folded from the trainer's events (training/events.py).

`TrainState.apply(event)` takes one event dict and updates the counters, the curves
and the status; the widgets only read it. No Textual here, so a test can feed it
events directly.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

Point = tuple[float, float]
Status = Literal["idle", "starting", "running", "stopping", "done", "stopped", "failed"]


@dataclass
class TrainState:
    """One run's progress: status, epoch and batch counters, ETA, curves, result."""

    status: Status = "idle"
    run: str = ""
    run_dir: str = ""
    model: str = ""
    epochs: int = 0
    epoch: int = 0  # epochs finished
    batches: int = 0
    batch: int = 0  # batches done in the current epoch
    eta_s: float | None = None
    what: str = ""  # the current "progress" work (data, evaluation)
    # Curves as (x, y) points, x in epochs done (2.5 = half-way through epoch 3):
    # train loss/acc are the running means of each batch event, val ones per epoch.
    train_loss: list[Point] = field(default_factory=list)
    train_acc: list[Point] = field(default_factory=list)
    val_loss: list[Point] = field(default_factory=list)
    val_acc: list[Point] = field(default_factory=list)
    best_val_acc: float | None = None
    test_top1: float | None = None
    message: str = ""  # why it failed, or how it ended

    def apply(self, event: dict[str, Any]) -> None:
        kind = event.get("event")
        if kind == "progress":
            self.what = f"{event.get('what', '')} {event.get('done', 0)}/{event.get('total', 0)}"
        elif kind == "start":
            self.status = "running" if self.status != "stopping" else self.status
            self.run = str(event.get("run", ""))
            self.run_dir = str(event.get("run_dir", ""))
            self.model = str(event.get("model", ""))
            self.epochs = int(event.get("epochs", 0))
            self.epoch = int(event.get("start_epoch", 0))
            self.batches = int(event.get("batches", 0))
            self.batch = 0
            self.what = ""
        elif kind == "batch":
            if int(event.get("epoch", 0)) > self.epoch + 1:
                self.epoch = int(event["epoch"]) - 1
            self.batch = int(event.get("batch", 0))
            self.batches = int(event.get("batches", self.batches))
            self.eta_s = _num(event.get("eta_s"))
            self.what = ""
            x = self.epoch + self.batch / max(self.batches, 1)
            _push(_cut(self.train_loss, x), x, event.get("loss"))
            _push(_cut(self.train_acc, x), x, event.get("acc"))
        elif kind == "epoch":
            self.epoch = int(event.get("epoch", self.epoch))
            self.batch = self.batches
            self.what = ""  # the validation, now done
            _push(_cut(self.val_loss, self.epoch), self.epoch, event.get("val_loss"))
            _push(_cut(self.val_acc, self.epoch), self.epoch, event.get("val_acc"))
            self.best_val_acc = _num(event.get("best_val_acc"))
        elif kind == "eval":
            report = event.get("report") or {}
            if event.get("name") == "test":
                self.test_top1 = _num(report.get("top1"))
        elif kind == "done":
            if not self.run and event.get("run_dir"):  # stopped before "start" (its data)
                self.run_dir = str(event["run_dir"])
                self.run = Path(self.run_dir).name
            status = event.get("status", "completed")
            self.status = "stopped" if status == "interrupted" else "done"
            self.message = str(status).replace("_", " ")
            self.best_val_acc = _num(event.get("best_val_acc"))
            self.eta_s = 0.0 if self.status == "done" else None
            self.what = ""
        elif kind == "error":
            self.status = "failed"
            self.message = str(event.get("message", "the trainer failed"))

    def load_history(self, rows: list[dict[str, Any]]) -> None:
        """The epochs a resumed run did before its stop (metrics.jsonl rows), put in
        front of the curves: train points at each epoch's end, validation per epoch."""
        done = [r for r in rows if isinstance(r.get("epoch"), int) and r["epoch"] <= self.epoch]
        for name, points in (
            ("train_loss", self.train_loss),
            ("train_acc", self.train_acc),
            ("val_loss", self.val_loss),
            ("val_acc", self.val_acc),
        ):
            before: list[Point] = []
            for r in done:
                _push(before, r["epoch"], r.get(name))
            points[:0] = before
        accs = [p[1] for p in self.val_acc]
        if accs and self.best_val_acc is None:
            self.best_val_acc = max(accs)

    def take_curves(self, before: TrainState) -> None:
        """The curves `before` drew of this run until its stop (this tab ran or resumed
        it), put in front: batch by batch, the epoch it stopped in too, which no file
        keeps (metrics.jsonl has a row an epoch)."""
        for mine, theirs in (
            (self.train_loss, before.train_loss),
            (self.train_acc, before.train_acc),
            (self.val_loss, before.val_loss),
            (self.val_acc, before.val_acc),
        ):
            mine[:0] = theirs
        if self.best_val_acc is None:
            self.best_val_acc = before.best_val_acc

    def finish(self, returncode: int, stderr_tail: list[str], stopped: bool) -> None:
        """The process ended: a run without a "done" event failed (or was stopped)."""
        if self.status in ("done", "stopped"):
            return
        if self.status == "failed":
            if stderr_tail and self.message not in stderr_tail[-1]:
                self.message = f"{self.message}\n" + "\n".join(stderr_tail[-6:])
            return
        if stopped and returncode in (0, 130, -2):
            self.status, self.message = "stopped", "interrupted"
            self.what = ""
            return
        self.status = "failed"
        tail = "\n".join(stderr_tail[-6:]) or "(no output on stderr)"
        self.message = f"the trainer exited with status {returncode}:\n{tail}"

    @property
    def resumable(self) -> bool:
        """Stopped after the trainer named its run, in "start" or, stopped while its
        data was prepared, in "done" (its folder exists; a resume of a run with no
        last.pt yet starts it); a trainer stopped before that has nothing to resume."""
        return self.status == "stopped" and bool(self.run)

    @property
    def active(self) -> bool:
        return self.status in ("starting", "running", "stopping")

    @property
    def counted_epoch(self) -> int:
        """The epoch the batch counter is about (1-based): the one under way, or the one
        just finished until the next one's first batch ("ep 2/3 10/10" after epoch 1,
        a stop right then included, read as if epoch 2 were done)."""
        done = self.batches > 0 and self.batch >= self.batches and self.epoch > 0
        return min(self.epoch if done else self.epoch + 1, max(self.epochs, 1))

    def eta_text(self) -> str:
        if self.eta_s is None:
            return "ETA --:--"
        s = round(self.eta_s)
        return (
            f"ETA {s // 3600}:{s // 60 % 60:02d}:{s % 60:02d}"
            if s >= 3600
            else (f"ETA {s // 60}:{s % 60:02d}")
        )


def _num(v: Any) -> float | None:
    return float(v) if isinstance(v, int | float) else None


def _cut(points: list[Point], x: float) -> list[Point]:
    """`points` without those at or after `x`: a run resumed from a checkpoint older
    than its curve's end redraws from there, its curve never turning back."""
    while points and points[-1][0] >= x:
        points.pop()
    return points


def _push(points: list[Point], x: float, y: Any) -> None:
    if isinstance(y, int | float):
        points.append((float(x), float(y)))
