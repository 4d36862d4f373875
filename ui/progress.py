"""A rich progress display for training runs (the command line's callback).

One bar for data preparation and evaluation replays, one per epoch with the running
loss, accuracy, throughput and the ETA of the whole run, and a line per finished
epoch. It draws on stderr, so stdout stays free for --events.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Column

from training.callbacks import Callback, epochs_of, resumed_from


def stats_progress(
    console: Console,
    *more: TextColumn | TimeRemainingColumn,
    transient: bool = False,
    disable: bool = False,
) -> Progress:
    """Bars that read "description, bar, n/total, {stats}, elapsed", then `more`.

    The description is what gives way on a narrow terminal (cut short with an
    ellipsis, leaving 48 cells to the rest), so the bar, the count and the time left stay:
    a long one took all 80 columns and left "… eta -…"."""
    return Progress(
        TextColumn("[bold]{task.description}", table_column=_giving_way(console)),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[stats]}", markup=False),  # a path in it is no markup
        TimeElapsedColumn(),
        *more,
        console=console,
        transient=transient,
        disable=disable,
    )


def _giving_way(console: Console) -> Column:
    """A description's column that is cut short (one line, an ellipsis) rather than
    the bar's and the counts' beside it."""
    return Column(no_wrap=True, overflow="ellipsis", max_width=max(16, console.width - 48))


def off_terminal(console: Console) -> bool:
    """Whether a bar on `console` is better not drawn: it is no terminal (a pipe, a
    file, a test), where rich would leave a stray blank line or the last frame."""
    return not console.is_terminal


@contextlib.contextmanager
def reading_bar(console: Console | None = None) -> Iterator[Callable[[int, int, str], None]]:
    """A bar on stderr while data files are read (a real class file takes seconds):
    "reading NAME, bar, 12.3/188.0 MB, elapsed, time left", gone when the block ends,
    and not drawn when stderr is not a terminal. Yields the callback of
    training.datainfo.FilesRead: progress(bytes read, bytes in all, file name)."""
    from rich.markup import escape
    from rich.progress import DownloadColumn

    console = console or Console(stderr=True)
    bar = Progress(
        TextColumn("[bold]reading[/] {task.description}"),
        BarColumn(),
        DownloadColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=True,
        disable=off_terminal(console),
    )
    with bar:
        task = bar.add_task("the data files", total=None)

        def update(done: int, total: int, name: str) -> None:
            bar.update(task, completed=done, total=total, description=escape(name))

        yield update


def _fmt(v: float | None, spec: str = ".3f") -> str:
    return "n/a" if v is None else format(v, spec)


class RichProgress(Callback):
    """Progress bars and epoch lines on a rich Console."""

    def __init__(self, console: Console | None = None):
        self.console = console or Console(stderr=True)
        self.progress = stats_progress(
            self.console,
            TextColumn("eta"),
            TimeRemainingColumn(),
            transient=True,
            disable=off_terminal(self.console),  # its lines (epochs, evals) are printed
        )
        self.task = None
        self.what = None
        self.eta = ""

    def _task(self, description: str, total: int, completed: int = 0) -> None:
        if self.task is not None:
            self.progress.remove_task(self.task)
        self.progress.start()
        self.task = self.progress.add_task(description, total=total, completed=completed, stats="")

    def on_progress(self, done: int, total: int, what: str) -> None:
        if what != self.what:
            self.what = what
            self._task(what, total)
        self.progress.update(self.task, completed=done, total=total)

    def on_start(self, info: dict[str, Any]) -> None:
        self.what = None
        self.console.print(
            f"run [bold]{info['run']}[/] in {info['run_dir']}: {info['model']} "
            f"({info['parameters']:,} parameters) on {info['device']}"
            f"{' x ' + str(info['world']) if info['world'] > 1 else ''}, "
            f"{info['train_size']:,} training / {info['val_size']:,} validation drawings, "
            f"{epochs_of(info)}{resumed_from(info)}"
        )

    def on_batch(self, info: dict[str, Any]) -> None:
        what = f"epoch {info['epoch']}"
        if what != self.what:
            self.what = what
            self._task(what, info["batches"], info["batch"])
        m, s = divmod(int(info["eta_s"]), 60)
        h, m = divmod(m, 60)
        stats = (
            f"loss {info['loss']:.4f} acc {info['acc']:.3f} "
            f"{info['samples_per_s']:.0f}/s run eta {h}:{m:02d}:{s:02d}"
        )
        self.progress.update(self.task, completed=info["batch"], stats=stats)

    def on_epoch(self, row: dict[str, Any]) -> None:
        best = " [green]best[/]" if row["is_best"] else ""
        self.console.print(
            f"epoch {row['epoch']:>3}: train loss {row['train_loss']:.4f} acc "
            f"{row['train_acc']:.4f} | val loss {row['val_loss']:.4f} acc {row['val_acc']:.4f}"
            f" | {row['seconds']:.0f} s, {row['samples_per_s']:.0f} samples/s{best}"
        )

    def on_eval(self, name: str, report: dict[str, Any]) -> None:
        snap = report["snap"]
        self.console.print(
            f"eval {name}: {report['n']} drawings, top-1 {_fmt(report['top1'])}, top-3 "
            f"{_fmt(report['top3'])}; snap at {snap['threshold']:.2f}: precision "
            f"{_fmt(snap['precision'])}, recall {_fmt(snap['recall'])}, strokes saved "
            f"{_fmt(snap['strokes_saved'])}"
        )
        for warning in report.get("read_warnings", ()):
            self.console.print(f"  ({warning})", markup=False)

    def on_done(self, info: dict[str, Any]) -> None:
        self.close()
        t = info.get("temperature")
        best = (
            f"best val acc {_fmt(info['best_val_acc'], '.4f')} at epoch {info['best_epoch']}"
            if info["best_epoch"]
            else "no epoch finished"
        )
        self.console.print(
            f"{info['status']}: {best}"
            + (f", temperature {t:.3f}" if t else "")
            + f"; files in {info['run_dir']}"
        )

    def close(self) -> None:
        self.progress.stop()
