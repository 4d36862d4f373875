"""PNG figures of an evaluation report: confusion matrix, accuracy by stroke, snap sweep,
and the ink of every wrong snap (or a line saying there is none)."""

from __future__ import annotations

import math
import os
import textwrap
from collections.abc import Sequence
from pathlib import Path

import numpy as np

FIGURES = ("confusion.png", "accuracy_at_stroke.png", "snap_sweep.png", "wrong_snaps.png")
WRONG_COLUMNS = 6  # panels a row in wrong_snaps.png
WRONG_MAX = 48  # panels at most; the report lists them all
HEADING_PT = 11  # wrong_snaps.png's heading, wrapped to the figure's width


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")  # files only, never a window
    import matplotlib.pyplot as plt

    return plt


def save_plots(
    report: dict,
    directory: str | os.PathLike,
    *,
    model: str = "",
    data: str = "",
    drawings: Sequence | None = None,
) -> list[Path]:
    """Write `FIGURES` into `directory` (every one, every time: a file of an earlier eval
    into the same folder is replaced, never left beside this one's); their paths."""
    plt = _pyplot()
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    drawn = figures(report, model=model, data=data, drawings=drawings)
    return [_save(fig, out / name, plt) for name, fig in drawn.items()]


def figures(
    report: dict, *, model: str = "", data: str = "", drawings: Sequence | None = None
) -> dict:
    """The matplotlib Figure of each of `FIGURES`, by file name, each titled with
    `context` (the `model`, the `data` folder's name, the split, n); with the replayed
    `drawings` (in replay order) wrong_snaps.png draws the ink of each wrong snap."""
    plt = _pyplot()
    title = context(report, model, data)
    return {
        "confusion.png": _confusion(plt, report, title),
        "accuracy_at_stroke.png": _accuracy_at_stroke(plt, report, title),
        "snap_sweep.png": _snap_sweep(plt, report, title),
        "wrong_snaps.png": _wrong_snaps(plt, report, drawings, title),
    }


def context(report: dict, model: str, data: str) -> str:
    """Which eval a figure is of, "cnn on simplified (test split), n=300", so that two
    figures from different evals can be told apart."""
    where = f" on {data}" if data else ""
    split = f" ({report['split']} split)" if report.get("split") else ""
    return f"{model}{where}{split}, n={report['n']:,}".lstrip(", ")


def _confusion(plt, report: dict, title: str):
    names = report["confusion"]["classes"]
    matrix = report["confusion"]["matrix"]
    fig, ax = plt.subplots(figsize=(9, 8))
    ax.imshow(matrix, cmap="Blues")
    ax.set_xticks(range(len(names)), names, rotation=60, ha="right")
    ax.set_yticks(range(len(names)), names)
    ax.set_xlabel("guess")
    ax.set_ylabel("true class")
    for i, row in enumerate(matrix):
        for j, v in enumerate(row):
            if v:
                color = "white" if v > max(map(max, matrix)) / 2 else "black"
                ax.text(j, i, str(v), ha="center", va="center", fontsize=7, color=color)
    ax.set_title(f"{title}\nconfusion (rows: true class), top-1 {100 * report['top1']:.1f}%")
    fig.tight_layout()
    return fig


def _accuracy_at_stroke(plt, report: dict, title: str):
    rows = report["accuracy_at_stroke"]
    fig, ax = plt.subplots(figsize=(6, 4))
    ks = [r["k"] for r in rows]
    ax.plot(ks, [r["top1"] for r in rows], "o-", label="drawings with >= k strokes")
    ax.plot(ks, [r["so_far"] for r in rows], "s--", label="all drawings, last stroke so far")
    live = report.get("accuracy_at_stroke_live")  # eval's: as the window sees each prefix
    if live is not None:
        ax.plot(ks, [r["top1"] for r in live], "o-", alpha=0.6, label=">= k, window's view")
        ax.plot(ks, [r["so_far"] for r in live], "s--", alpha=0.6, label="all, window's view")
    ax.set_xlabel("strokes k")
    ax.set_ylabel("top-1 accuracy after stroke k")
    ax.set_ylim(0, 1)
    ax.grid(alpha=0.3)
    ax.legend()
    ax.set_title(f"{title}\ntop-1 after stroke k")
    fig.tight_layout()
    return fig


def _snap_sweep(plt, report: dict, title: str):
    sweep = report["snap"]["sweep"]
    fig, ax = plt.subplots(figsize=(6, 4))
    ts = [s["threshold"] for s in sweep]
    for key in ("precision", "recall", "strokes_saved"):
        ax.plot(ts, [s[key] for s in sweep], "o-", label=key.replace("_", " "))
    ax.axvline(report["snap"]["threshold"], color="gray", ls=":", label="threshold used")
    ax.set_xlabel("snap threshold")
    ax.set_ylim(0, 1.02)
    ax.grid(alpha=0.3)
    ax.legend()
    ax.set_title(f"{title}\nsnap replay, threshold used {report['snap']['threshold']:.2f}")
    fig.tight_layout()
    return fig


def _wrong_snaps(plt, report: dict, drawings: Sequence | None, title: str):
    """One panel per wrong snap: the ink up to the snap in black, the strokes after it
    in grey, titled with the class, the class snapped to, the stroke and confidence.
    Without wrong snaps (or without the drawings to draw them), a figure saying so."""
    snap = report["snap"]
    wrong = snap.get("wrong_snaps") or []
    if not wrong or drawings is None:
        return _no_panels(plt, title, _none_drawn(len(wrong), snap["threshold"]))
    shown = wrong[:WRONG_MAX]
    cols = min(WRONG_COLUMNS, len(shown))
    rows = math.ceil(len(shown) / cols)
    more = f", first {WRONG_MAX} shown" if len(wrong) > WRONG_MAX else ""
    heading = (
        f"{title}: {len(wrong)} wrong snaps at threshold {snap['threshold']:.2f} "
        f"(true -> snapped; grey: drawn after the snap){more}"
    )
    # one line ran off both sides of a figure of one or two panels: wrapped at the
    # characters that fit its width (a character is about 0.6 of the font size wide),
    # each line given its height
    width = 2.2 * cols
    lines = textwrap.wrap(heading, max(10, int(width * 72 / (0.65 * HEADING_PT))))
    height = 2.5 * rows + len(lines) * 1.3 * HEADING_PT / 72
    fig, axes = plt.subplots(rows, cols, figsize=(width, height), squeeze=False)
    for ax in axes.flat:
        ax.set_axis_off()
    for ax, w in zip(axes.flat, shown, strict=False):
        for j, stroke in enumerate(drawings[w["index"]].strokes):
            s = np.asarray(stroke, np.float64).reshape(-1, 2)
            done = j < w["stroke"]
            ax.plot(
                s[:, 0],
                s[:, 1],
                "-" if len(s) > 1 else "o",
                color="black" if done else "0.75",
                lw=1.2,
                ms=2,
                zorder=2 if done else 1,
            )
        ax.set_xlim(-8, 263)
        ax.set_ylim(263, -8)  # y points down in the simplified space
        ax.set_aspect("equal")
        ax.set_title(
            f"{w['true']} -> {w['snapped']}\nstroke {w['stroke']}/{w['strokes']}, "
            f"{w['confidence']:.2f}" + (" (premature)" if w["premature"] else ""),
            fontsize=7,
        )
    fig.suptitle("\n".join(lines), fontsize=HEADING_PT)
    fig.tight_layout()
    return fig


def _none_drawn(wrong: int, threshold: float) -> str:
    """What wrong_snaps.png says where it draws no panel."""
    if not wrong:
        return f"no wrong snaps at threshold {threshold:.2f}"
    return f"{wrong} wrong snaps at threshold {threshold:.2f}, not drawn: their drawings were not given"


def _no_panels(plt, title: str, message: str):
    """A figure of one line of text in place of the panels: the file is written every
    time, so one from an earlier eval into the same folder never stands for this one."""
    fig = plt.figure(figsize=(6, 1.6))
    fig.suptitle(title, fontsize=HEADING_PT)
    fig.text(0.5, 0.4, message, ha="center", va="center", fontsize=HEADING_PT)
    return fig


def _save(fig, path: Path, plt) -> Path:
    from core.atomic import atomic_open

    with atomic_open(path, "wb") as f:
        fig.savefig(f, format="png", dpi=110)
    plt.close(fig)
    return path
