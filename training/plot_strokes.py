"""accuracy_at_stroke.png: top-1 after each stroke k, in %, with the number of drawings
behind each point under it.

Each model has one colour; its series differ by marker and line style as well, so they
read without hue (red-green colour blindness) and in grey: drawings with >= k strokes
(circles, solid), all drawings with the last stroke so far (squares, dashed), and the
same two as the drawing window sees each prefix (eval's `accuracy_at_stroke_live`):
hollow markers, dotted and dash-dotted lines in a fainter tint of the model's colour.
A ">= k" point of fewer than `FEW` drawings is a grey hollow marker off its line, and
the bar of its count under it is light. Filled markers get smaller in the order they are drawn and hollow ones hide nothing, so
a series equal to an earlier one (at k = 1 "so far" is ">= k") leaves it in sight."""

from __future__ import annotations

import math

from matplotlib.colors import to_rgb
from matplotlib.figure import Figure

MODEL_COLOURS = ("#0072B2", "#E69F00")  # Okabe-Ito blue and orange: apart for every eye
WINDOW_TINT = 0.5  # the window's view: its model's colour this far towards white
FEW = 10  # under this many drawings a ">= k" point is a guess: drawn grey, off its line
FEW_GREY = "0.6"


def accuracy_figure(report: dict, title: str, names: tuple[str, str] = ("", "")):
    """The figure of the report's `accuracy_at_stroke` (and `accuracy_at_stroke_live`);
    with `eval --compare`'s (the report's "compare" entry, its `accuracy_at_stroke`), the
    second model's beside them in its own colour, each series labelled by the `names`
    of the two models."""
    rows = report["accuracy_at_stroke"]
    ks = [r["k"] for r in rows]
    ns = [r["n"] for r in rows]
    fig = Figure(figsize=(7, 5.8), layout="constrained")
    ax, counts = fig.subplots(2, 1, sharex=True, height_ratios=[3.3, 1])
    other = (report.get("compare") or {}).get("accuracy_at_stroke")
    a, b = (f"{n}: " if other is not None else "" for n in names)
    colour, second = MODEL_COLOURS
    faint = _tint(colour, WINDOW_TINT)
    live = report.get("accuracy_at_stroke_live")  # eval's: as the window sees each prefix
    filled = [  # largest marker first: a later, smaller one leaves it in sight
        (rows, "top1", f"{a}drawings with >= k strokes", colour, "o", "-", 10),
        (rows, "so_far", f"{a}all drawings, last stroke so far", colour, "s", "--", 7),
    ]
    if other is not None:
        filled.insert(1, (other, "top1", f"{b}drawings with >= k strokes", second, "^", "-", 9))
        filled.append(
            (other, "so_far", f"{b}all drawings, last stroke so far", second, "D", "--", 6)
        )
    hollow = []  # drawn last: they cover nothing
    if live is not None:
        hollow = [
            (live, "top1", f"{a}>= k, window's view", faint, "o", ":", 8.5),
            (live, "so_far", f"{a}all, window's view", faint, "s", "-.", 5.5),
        ]
    for z, (values, key, label, c, marker, ls, size) in enumerate(filled + hollow, 2):
        ys = [_pct(r[key]) for r in values]
        # ">= k" over fewer than FEW drawings: a grey hollow marker, off the line
        few = key == "top1"
        line = [math.nan if few and n < FEW else y for y, n in zip(ys, ns, strict=True)]
        style = {"marker": marker, "ms": size, "mew": 1.6, "zorder": z}
        width = 1.6 if c == faint else 2
        ax.plot(ks, line, ls=ls, color=c, lw=width, label=label, **style)
        ax.lines[-1].set_markerfacecolor("none" if c == faint else c)
        if few and any(n < FEW for n in ns):
            grey = [y if n < FEW else math.nan for y, n in zip(ys, ns, strict=True)]
            ax.plot(ks, grey, ls="none", color=FEW_GREY, mfc="none", **style)
    if any(n < FEW for n in ns):
        ax.plot([], [], "o", color=FEW_GREY, mfc="none", label=f">= k: under {FEW} drawings")
    ax.set_ylabel("top-1 after stroke k (%)")
    ax.set_ylim(0, 104)  # a marker at 100% whole
    ax.set_yticks(range(0, 101, 20))
    ax.grid(alpha=0.3)
    ax.set_title(f"{title}\ntop-1 after stroke k")
    bars = counts.bar(ks, ns, color=["0.55" if n >= FEW else "0.85" for n in ns], width=0.5)
    counts.bar_label(bars, [f"{n:,}" for n in ns], fontsize=8, padding=2)
    counts.set_ylim(0, max(max(ns, default=0), 1) * 1.35)
    counts.set_ylabel("drawings\nwith >= k", fontsize=8)
    counts.set_xlabel("strokes k")
    counts.set_xticks(ks)
    counts.tick_params(axis="y", labelsize=7)
    fig.legend(loc="outside lower center", ncols=2, fontsize=8)
    return fig


def _pct(v: float | None) -> float:
    return float("nan") if v is None else 100 * v


def _tint(colour: str, share: float) -> tuple[float, float, float]:
    """`colour` moved `share` of the way to white: the same hue, fainter."""
    return tuple(c + (1 - c) * share for c in to_rgb(colour))
