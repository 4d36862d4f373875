"""One run's learning curves: loss and accuracy by epoch, training and validation.

Read from the run's metrics.jsonl (a row an epoch, as `frankenstein train` writes it),
so any run has them: one trained from a terminal, by the Train tab, by a study, long
ago or now. While the screen is open it follows the run (ui/tui/follow.py), so a
training going on elsewhere adds each epoch as it ends; the Train tab's live curves
are for its own child only. With a run marked on the Runs tab (M), that run's
validation curves are drawn beside, to compare two runs as they train.
"""

from __future__ import annotations

from collections.abc import Hashable
from pathlib import Path
from typing import Any

from rich.cells import cell_len
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.reactive import reactive
from textual.widgets import DataTable, Footer, Static

from training.progressfile import progress_text, read_progress
from ui.tui.evalfile import is_number
from ui.tui.follow import Follow
from ui.tui.runinfo import RunInfo, pct, read_run, run_seen, stopped_at
from ui.tui.screens.overlay import Overlay
from ui.tui.widgets.chart import MARKED, TRAIN, VAL, Chart, Series
from ui.tui.widgets.shorten import middle_ellipsis

COLUMNS = ("epoch", "train loss", "train acc", "val loss", "val acc", "lr", "time")


def curve(metrics: list[dict[str, Any]], key: str) -> tuple[tuple[float, float], ...]:
    """(epoch, value) of every row holding both as numbers (older rows lack some keys)."""
    return tuple(
        (float(r["epoch"]), float(r[key]))
        for r in metrics
        if is_number(r.get("epoch")) and is_number(r.get(key))
    )


def train_curve(
    metrics: list[dict[str, Any]], progress: dict[str, Any] | None, key: str
) -> tuple[tuple[float, float], ...]:
    """The training `key` ("loss", "acc") by epoch, and while the run trains, where the
    epoch under way stands: its running mean so far, at the fraction of the epoch done
    (2.4: 40% into epoch 3), from the run's progress.json, as the Train tab draws it."""
    points = curve(metrics, f"train_{key}")
    if not progress or progress.get("event") != "batch":
        return points
    epoch, batch, batches = (progress.get(k) for k in ("epoch", "batch", "batches"))
    value = progress.get(key)
    if not all(is_number(v) for v in (epoch, batch, batches, value)) or batches <= 0:
        return points
    x = epoch - 1 + batch / batches
    if points and x <= points[-1][0]:
        return points  # that epoch's row is in already
    return (*points, (float(x), float(value)))


def best_epoch(metrics: list[dict[str, Any]]) -> int | None:
    """The epoch best.pt holds: the last row marked best, else the highest validation
    accuracy (rows written before `is_best` was); None before any validation."""
    marked = [r.get("epoch") for r in metrics if r.get("is_best") is True]
    if marked and is_number(marked[-1]):
        return int(marked[-1])
    scored = [(r["val_acc"], r.get("epoch")) for r in metrics if is_number(r.get("val_acc"))]
    if not scored:
        return None
    epoch = max(scored, key=lambda s: s[0])[1]
    return int(epoch) if is_number(epoch) else None


def epoch_rows(metrics: list[dict[str, Any]]) -> list[tuple[str, ...]]:
    """The table's rows, one an epoch; the best epoch's number is starred."""
    best = best_epoch(metrics)
    out = []
    for r in metrics:
        epoch = r.get("epoch")
        name = f"{epoch}" if is_number(epoch) else "?"
        out.append(
            (
                name + (" *" if is_number(epoch) and int(epoch) == best else ""),
                _num(r.get("train_loss")),
                pct(r.get("train_acc")),
                _num(r.get("val_loss")),
                pct(r.get("val_acc")),
                f"{r['lr']:.2g}" if is_number(r.get("lr")) else "-",
                _duration(r.get("seconds")),
            )
        )
    return out


def state_line(run: RunInfo) -> str:
    """Where the run stands: training now, stopped, finished (with its best epoch)."""
    done, total = run.epochs_done, run.epochs or "?"
    best = best_epoch(run.metrics)
    best_text = (
        f"; best.pt is epoch {best} ({pct(run.best_val_acc)} validation accuracy)"
        if best is not None
        else ""
    )
    pid = run.training_pid
    progress = read_progress(run.path, pid)  # its lock read once (run.progress reads it)
    if pid is not None and progress is not None:
        return f"training now (pid {pid}): {progress_text(progress)}{best_text}"
    if pid is not None:
        if done == 0:
            return f"training now (pid {pid}): its first epoch is under way"
        return f"training now (pid {pid}): epoch {done} of {total} done{best_text}"
    if run.cut_short and not run.never_began:
        return f"stopped {stopped_at(run)}{best_text}"
    if done == 0:
        return "no epoch finished yet"
    return f"{done} epoch{'' if done == 1 else 's'}{best_text}"


def brief(run: RunInfo) -> str:
    """A marked run's state in a few words: "6 epochs, best val 95.6%, training now"."""
    done = run.epochs_done
    words = [f"{done} epoch{'' if done == 1 else 's'}"]
    if run.best_val_acc is not None:
        words.append(f"best val {pct(run.best_val_acc)}")
    if run.training_pid is not None:
        words.append("training now")
    return ", ".join(words)


def _num(v: Any) -> str:
    return f"{v:.4f}" if is_number(v) else "-"


def _duration(v: Any) -> str:
    if not is_number(v):
        return "-"
    m, s = divmod(round(v), 60)
    return f"{m}:{s:02d}"


class Title(Static):
    """The run's name and what follows it ("   (Esc closes)"), the name shortened in the
    middle to leave the rest whole on the line (ui/tui/widgets/shorten.py)."""

    tail: reactive[str] = reactive("")

    def __init__(self, name: str, tail: str, *, id: str | None = None):
        super().__init__(id=id)
        self.run_name = name
        self.set_reactive(Title.tail, tail)

    def render(self) -> str:
        room = max(self.size.width - cell_len(self.tail), 12)
        return middle_ellipsis(self.run_name, room) + self.tail


class CurvesScreen(Overlay):
    """The selected run's curves and its epochs; Escape closes it."""

    def __init__(self, run: Path, follow_s: float, marked: Path | None = None):
        super().__init__()
        self.run = run
        self.marked = marked  # a run whose validation curves are drawn beside (M)
        self.follow = Follow(self, self._seen, self.reload, follow_s)

    def _seen(self) -> Hashable:
        return run_seen(self.run), run_seen(self.marked) if self.marked else None

    def compose(self) -> ComposeResult:
        with Vertical(id="curves"):
            yield Title(self.run.name, "   (Esc closes)", id="curves-title")
            yield Static("", id="curves-state")
            with Horizontal(id="curves-charts"):
                yield Chart("loss", x_label="epoch", id="curves-loss")
                yield Chart("accuracy", x_label="epoch", id="curves-acc")
            table = DataTable(id="curves-table", cursor_type="row", zebra_stripes=True)
            table.add_columns(*COLUMNS)
            yield table
        yield Footer(show_command_palette=False)  # its own keys, not the Runs tab's

    def on_mount(self) -> None:
        self.reload()
        self.follow.start()

    def reload(self) -> None:
        """Read the run again and redraw; the cursor stays on its epoch, or follows a
        new last epoch when it was on the last one."""
        self.follow.saw()
        info = read_run(self.run)
        problems = [f"problem: {p}" for p in info.problems]
        if not self.run.is_dir():
            problems.insert(0, f"{self.run} is gone (removed since the table was read)")
        elif not (self.run / "config.json").is_file():  # a study's run just begun, say
            problems.insert(0, f"{self.run} is starting: its config.json is not written yet")
        self.query_one("#curves-title", Title).tail = f": {info.model}   (Esc closes)"
        lines = [state_line(info), *problems]
        loss = self.query_one("#curves-loss", Chart)
        acc = self.query_one("#curves-acc", Chart)
        progress = info.progress
        loss.series = (
            Series("train", train_curve(info.metrics, progress, "loss"), TRAIN),
            Series("val", curve(info.metrics, "val_loss"), VAL),
        )
        acc.series = (
            Series("train", train_curve(info.metrics, progress, "acc"), TRAIN),
            Series("val", curve(info.metrics, "val_acc"), VAL),
        )
        epochs = [info.epochs or 0]
        if self.marked is not None:  # its validation curves beside this run's
            other = read_run(self.marked)
            lines.append(f"marked, in amber: {other.name} ({other.model}), {brief(other)}")
            loss.series += (Series("marked", curve(other.metrics, "val_loss"), MARKED),)
            acc.series += (Series("marked", curve(other.metrics, "val_acc"), MARKED),)
            epochs.append(other.epochs or 0)
        xs = [x for chart in (loss, acc) for s in chart.series for x, _ in s.points]
        # from epoch 1 (from 0 while the first is under way) to the run's last epoch
        loss.x_min = acc.x_min = 0.0 if xs and min(xs) < 1 else 1.0
        loss.x_max = acc.x_max = float(max(epochs)) if max(epochs) else None
        self.query_one("#curves-state", Static).update("\n".join(lines))
        table = self.query_one("#curves-table", DataTable)
        row = table.cursor_row
        on_last = row is None or row >= table.row_count - 1
        table.clear()
        for r in epoch_rows(info.metrics):
            table.add_row(*r)
        if table.row_count:
            table.move_cursor(row=table.row_count - 1 if on_last else min(row, table.row_count - 1))
