"""wrong_snaps.png: the ink of each wrong snap of an eval report, a panel each (or one
line saying there is none, so the file is written every time)."""

from __future__ import annotations

import math
import textwrap
from collections.abc import Sequence

import numpy as np
from matplotlib.figure import Figure

WRONG_COLUMNS = 6  # panels a row
WRONG_MAX = 48  # panels at most; the report lists them all
HEADING_PT = 11  # the heading, wrapped to the figure's width
NOTE_PT = 8  # the line under the panels that says how to read them
PANEL_IN = (2.2, 2.75)  # inches a panel: the ink and three lines of title


def wrong_snaps_figure(report: dict, drawings: Sequence | None, title: str):
    """One panel per wrong snap (at most `WRONG_MAX`, taken in turn from each true
    class): the ink up to the snap in black, the strokes after it in grey, titled with
    the class, the class snapped to, the stroke, the snapped class's probability and the
    drawing's key_id, as the printed table shows them. Without wrong snaps (or without
    the drawings to draw them), a figure saying so."""
    snap = report["snap"]
    wrong = snap.get("wrong_snaps") or []
    if not wrong or drawings is None:
        return _no_panels(title, _none_drawn(len(wrong), snap["threshold"]))
    shown = shown_wrong_snaps(wrong, WRONG_MAX)
    cols = min(WRONG_COLUMNS, len(shown))
    rows = math.ceil(len(shown) / cols)
    width = PANEL_IN[0] * cols
    snaps = "wrong snap" if len(wrong) == 1 else "wrong snaps"
    heading = f"{title}: {len(wrong)} {snaps} at threshold {snap['threshold']:.2f}"
    if len(shown) < len(wrong):
        heading += f", {len(shown)} shown, taken in turn from each true class"
    note = "true -> snapped; p: the snapped class's probability; grey: drawn after the snap"
    fig = Figure(figsize=(width, PANEL_IN[1] * rows + 0.5), layout="constrained")
    axes = fig.subplots(rows, cols, squeeze=False)
    for ax in axes.flat:
        ax.set_axis_off()
    for ax, w in zip(axes.flat, shown, strict=False):
        _panel(ax, w, drawings[w["index"]].strokes)
    # constrained layout keeps the heading and the note clear of the panels' titles
    # (tight_layout ignored the heading, which overprinted the first row); both wrapped
    # at the characters that fit the figure's width (a character is about 0.6 of its
    # font size wide): one line ran off both sides of a figure of one or two panels
    fig.suptitle(_wrapped(heading, width, HEADING_PT), fontsize=HEADING_PT)
    fig.supxlabel(_wrapped(note, width, NOTE_PT), fontsize=NOTE_PT, color="0.3")
    return fig


def shown_wrong_snaps(wrong: list[dict], most: int) -> list[dict]:
    """At most `most` wrong snaps, taken in turn from each true class (the first of each
    class, then the second, ...) so every class with wrong snaps shows some, in the
    report's order: the first `most` were the first classes' alone."""
    by_class: dict[str, list[dict]] = {}
    for w in wrong:
        by_class.setdefault(w["true"], []).append(w)
    chosen: list[dict] = []
    for depth in range(max(map(len, by_class.values()))):
        for snaps in by_class.values():
            if depth < len(snaps) and len(chosen) < most:
                chosen.append(snaps[depth])
    order = {id(w): i for i, w in enumerate(wrong)}
    return sorted(chosen, key=lambda w: order[id(w)])


def _panel(ax, w: dict, strokes) -> None:
    for j, stroke in enumerate(strokes):
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
    name = w["key_id"] or f"#{w['index']}"  # the table's "drawing" column
    premature = " (premature)" if w["premature"] else ""
    ax.set_title(
        f"{w['true']} -> {w['snapped']}\n"
        f"stroke {w['stroke']}/{w['strokes']}, p {w['confidence']:.3f}\n{name}{premature}",
        fontsize=7,
    )


def _wrapped(text: str, width_in: float, points: float) -> str:
    return "\n".join(textwrap.wrap(text, max(10, int(width_in * 72 / (0.62 * points)))))


def _none_drawn(wrong: int, threshold: float) -> str:
    """What wrong_snaps.png says where it draws no panel."""
    if not wrong:
        return f"no wrong snaps at threshold {threshold:.2f}"
    return f"{wrong} wrong snaps at threshold {threshold:.2f}, not drawn: their drawings were not given"


def _no_panels(title: str, message: str):
    """A figure of one line of text in place of the panels: the file is written every
    time, so one from an earlier eval into the same folder never stands for this one."""
    fig = Figure(figsize=(6, 1.6))
    fig.suptitle(title, fontsize=HEADING_PT)
    fig.text(0.5, 0.4, message, ha="center", va="center", fontsize=HEADING_PT)
    return fig
