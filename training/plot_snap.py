"""snap_sweep.png: snap precision, recall and strokes saved over the report's sweep of
thresholds, in %, strokes saved on an axis of its own."""

from __future__ import annotations

import math

from matplotlib.figure import Figure

# Okabe-Ito: apart under red-green colour blindness; each series its own marker and line
# and marker size: precision's larger, so recall equal to it (100% of one drawing) leaves
# it in sight
PRECISION = ("#0072B2", "o", "-", 8.5)
RECALL = ("#D55E00", "s", "--", 5.5)
SAVED = ("#009E73", "^", ":", 6.5)


def snap_sweep_figure(report: dict, title: str):
    """Precision and recall (left axis) and strokes saved (right axis: a few % where the
    others are near 100, a flat line on their scale), a marker at each threshold
    measured; the threshold used a dotted line, its own figures a ring on it."""
    snap = report["snap"]
    sweep = snap["sweep"]
    ts = [s["threshold"] for s in sweep]
    used = snap["threshold"]
    fig = Figure(figsize=(6.5, 4.8), layout="constrained")
    ax = fig.subplots()
    saved_ax = ax.twinx()
    for axes, key, (colour, marker, ls, size) in (
        (ax, "precision", PRECISION),
        (ax, "recall", RECALL),
        (saved_ax, "strokes_saved", SAVED),
    ):
        label = key.replace("_", " ") + (" (right axis)" if axes is saved_ax else "")
        ys = [_pct(s[key]) for s in sweep]
        axes.plot(ts, ys, marker=marker, ms=size, ls=ls, color=colour, label=label)
        axes.plot(used, _pct(snap[key]), marker=marker, ms=13, mfc="none", color=colour, zorder=5)
    line = ax.axvline(used, color="0.4", ls=(0, (1, 2)), label=f"threshold used ({used:.2f})")
    ax.set_xlabel("snap threshold (a marker at each threshold measured)")
    ax.set_ylabel("snap precision, recall (%)")
    ax.set_ylim(0, 104)
    ax.grid(alpha=0.3)
    saved = [v for v in (_pct(s["strokes_saved"]) for s in sweep) if not math.isnan(v)]
    saved_ax.set_ylim(0, max(max(saved, default=0) * 1.3, 1))
    saved_ax.set_ylabel("strokes saved (%)", color=SAVED[0])
    saved_ax.tick_params(axis="y", colors=SAVED[0])
    ax.set_title(f"{title}\nsnap replay, threshold used {used:.2f}")
    handles = [*ax.get_lines()[:4:2], saved_ax.get_lines()[0], line]  # not the rings
    fig.legend(handles=handles, loc="outside lower center", ncols=4, fontsize=8)
    return fig


def _pct(v: float | None) -> float:
    return math.nan if v is None else 100 * v
