"""PNG figures of an evaluation report: confusion matrix, accuracy by stroke, snap sweep,
and the ink of every wrong snap (or a line saying there is none), a module each
(training/plot_*.py). Every figure is a matplotlib Figure made without pyplot: no
window, none kept open."""

from __future__ import annotations

import io
import os
from collections.abc import Sequence
from pathlib import Path

from training.plot_confusion import confusion_figure
from training.plot_snap import snap_sweep_figure
from training.plot_strokes import accuracy_figure
from training.plot_wrong import wrong_snaps_figure

FIGURES = ("confusion.png", "accuracy_at_stroke.png", "snap_sweep.png", "wrong_snaps.png")


def save_plots(
    report: dict,
    directory: str | os.PathLike,
    *,
    model: str = "",
    data: str = "",
    other: str = "",
    drawings: Sequence | None = None,
) -> list[Path]:
    """Write `FIGURES` into `directory` (every one, every time: a file of an earlier eval
    into the same folder is replaced, never left beside this one's), all or none
    (core/fileset.py); their paths."""
    from core.fileset import write_files

    pngs = plot_pngs(report, model=model, data=data, other=other, drawings=drawings)
    return write_files({Path(directory) / name: png for name, png in pngs.items()})


def plot_pngs(
    report: dict,
    *,
    model: str = "",
    data: str = "",
    other: str = "",
    drawings: Sequence | None = None,
) -> dict[str, bytes]:
    """The PNG bytes of each of `FIGURES` (`figures`), by file name, made in memory: a
    command writes them with its other outputs, once all are made."""
    drawn = figures(report, model=model, data=data, other=other, drawings=drawings)
    return {name: _png(fig) for name, fig in drawn.items()}


def figures(
    report: dict,
    *,
    model: str = "",
    data: str = "",
    other: str = "",
    drawings: Sequence | None = None,
) -> dict:
    """The matplotlib Figure of each of `FIGURES`, by file name, each titled with
    `context` (the `model`, the `data` folder's name, the split, n); with the replayed
    `drawings` (in replay order) wrong_snaps.png draws the ink of each wrong snap. With
    `eval --compare`'s entry in the report, accuracy_at_stroke.png draws `other` (its
    short name; the entry's "model" where not given) beside `model`."""
    title = context(report, model, data)
    compared = report.get("compare")
    other = other or (compared or {}).get("model", "")
    both = context(report, f"{model} vs {other}", data) if compared else title
    return {
        "confusion.png": confusion_figure(report, title),
        "accuracy_at_stroke.png": accuracy_figure(report, both, (model, other)),
        "snap_sweep.png": snap_sweep_figure(report, title),
        "wrong_snaps.png": wrong_snaps_figure(report, drawings, title),
    }


def data_label(folder: Path) -> str:
    """A data folder as the figures name it: its name and its parent's,
    "quickdraw-real-dev/simplified" (a folder's name alone is often just "simplified")."""
    return "/".join(Path(folder).resolve().parts[-2:])


def context(report: dict, model: str, data: str) -> str:
    """Which eval a figure is of, "cnn on simplified (test split), n=300", so that two
    figures from different evals can be told apart."""
    where = f" on {data}" if data else ""
    split = f" ({report['split']} split)" if report.get("split") else ""
    return f"{model}{where}{split}, n={report['n']:,}".lstrip(", ")


def _png(fig) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110)
    return buffer.getvalue()
