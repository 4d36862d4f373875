"""accuracy_by_stroke.png of a study: accuracy after k strokes against k, one line per
variant (experiments/results.py study_rows), and the finished guess beside it.

- y: 0-100%, named by what was evaluated (`measure`: "the real dev doodles" or the
  eval_data folder's name);
- x: k = 1..MAX_K strokes (the live guess after min(k, strokes) strokes), then
  "finished": the guess once the drawing is known to end, the table's top-1, drawn
  as a separate marker with its ± std as an error bar, the variants side by side. It differs from stroke MAX_K
  by the ending prior and by the drawings of more than MAX_K strokes;
- a variant's ± std band (two or more finished seeds) in its line's colour, lighter the
  more bands there are, so that six of them do not merge into one;
- each variant its own marker (hollow, so identical curves show both) and line style,
  tellable in greyscale; peers dotted with filled markers;
- the legend outside the axes, on the right, covering no line.
"""

from __future__ import annotations

import io
from typing import Any

import numpy as np
from matplotlib.figure import Figure

MARKERS = ("o", "s", "^", "D", "v", "P", "X", "<", ">", "*")
LINESTYLES = ("-", "--", "-.", (0, (5, 1, 1, 1, 1, 1)))  # models; peers are dotted
PEER_STYLE = ":"
COLOURS = tuple(f"C{i}" for i in range(10))  # matplotlib's default cycle, by index


def band_alpha(bands: int) -> float:
    """Opacity of each ± std band: 0.2 for one or two, thinner with more (six: 0.07)."""
    return 0.2 if bands <= 2 else max(0.05, 0.4 / bands)


def plot_accuracy_by_stroke(
    rows: list[dict[str, Any]], title: str, measure: str, max_k: int
) -> Figure:
    """The figure (see the module docstring); `measure` names the eval data."""
    fig = Figure(figsize=(8.0, 4.4), dpi=110, layout="constrained")
    ax = fig.add_subplot()
    ks = np.arange(1, max_k + 1)
    finished_x = max_k + 1
    banded = [r for r in rows if r["kind"] == "model" and r["runs"] > 1]
    alpha = band_alpha(len(banded))
    # the finished points side by side around x = finished_x, so that none hides another
    dodge = np.linspace(-0.3, 0.3, len(rows)) if len(rows) > 1 else np.zeros(len(rows))
    for i, r in enumerate(rows):
        peer = r["kind"] == "peer"
        mean = np.array([np.nan if m is None else m for m, _s in r["curve"]], float)
        std = np.array([0.0 if s is None else s for _m, s in r["curve"]], float)
        marker = MARKERS[i % len(MARKERS)]
        (line,) = ax.plot(
            ks,
            100 * mean,
            linestyle=PEER_STYLE if peer else LINESTYLES[i % len(LINESTYLES)],
            color=COLOURS[i % len(COLOURS)],
            marker=marker,
            ms=5,
            mfc=None if peer else "none",  # hollow: an identical curve under it shows
            lw=1.4,
            label=r["variant"],
        )
        colour = line.get_color()
        if r in banded:
            ax.fill_between(
                ks, 100 * (mean - std), 100 * (mean + std), color=colour, alpha=alpha, lw=0
            )
        if r.get("top1") is not None:
            std1 = r.get("top1_std")
            ax.errorbar(
                [finished_x + dodge[i]],
                [100 * r["top1"]],
                yerr=None if std1 is None else [100 * std1],
                color=colour,
                marker=marker,
                ms=6,
                mfc=colour if peer else "none",
                capsize=3,
                linestyle="none",
            )
    ax.axvline(max_k + 0.5, color="grey", lw=0.8, alpha=0.6)
    ax.set_xticks([*ks, finished_x], [*map(str, ks), "finished"])
    ax.set_xlim(0.5, finished_x + 0.5)
    ax.set_ylim(0, 100)
    ax.set_yticks(range(0, 101, 10))
    ax.set_xlabel(
        "strokes drawn: the live guess after min(k, strokes) strokes;\n"
        "finished: the guess knowing the drawing ends (the table's top-1)"
    )
    ax.set_ylabel(f"top-1 on {measure} (%)")
    ax.set_title(title)
    ax.grid(alpha=0.3)
    ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), borderaxespad=0.0, fontsize=9)
    return fig


def png_bytes(fig: Figure) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return buf.getvalue()
