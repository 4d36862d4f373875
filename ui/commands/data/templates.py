"""`frankenstein data templates`: the 18 template shapes drawn into one PNG sheet."""

from __future__ import annotations

import argparse
import math
from pathlib import Path

from core.errors import FrankensteinError


def add_parser(actions: argparse._SubParsersAction) -> None:
    """The `templates` action of `frankenstein data`."""
    templates = actions.add_parser(
        "templates",
        help="draw the 18 clean template shapes into a PNG sheet",
        description="Draw every class's template (core/shapes.py) in one PNG: strokes "
        "coloured by drawing order (dark first), a dot where each stroke starts, and the "
        "symmetry the fit uses (k-fold, upright, mirror).",
    )
    templates.add_argument("--out", type=Path, required=True, help="PNG file to write")
    templates.set_defaults(func=run_templates)


CAPTION = "colour: stroke order (dark first, light last); dot: where each stroke starts"


def run_templates(args: argparse.Namespace) -> int:
    import io

    from core.atomic import atomic_write_bytes

    if args.out.suffix.lower() != ".png":
        raise FrankensteinError(f"{args.out}: the template sheet is written as a .png file")
    buf = io.BytesIO()
    templates_figure().savefig(buf, format="png", dpi=80)
    atomic_write_bytes(args.out, buf.getvalue())  # a failure: "cannot write OUT (reason)"
    print(f"wrote {args.out}")
    return 0


def templates_figure():
    """The sheet: a panel a template, its strokes coloured by drawing order with a dot
    where each starts, titled with its name and symmetry; `CAPTION` under them."""
    from matplotlib import colormaps
    from matplotlib.figure import Figure  # no pyplot: no window

    from core.shapes import TEMPLATES

    fig = Figure(figsize=(12, 6.6), layout="constrained")
    axes = fig.subplots(3, 6)
    order = colormaps["viridis"]
    for ax, t in zip(axes.flat, TEMPLATES.values(), strict=True):
        for i, s in enumerate(t.strokes):
            colour = order(0.85 * i / max(1, t.n_strokes - 1))
            ax.plot(s[:, 0], s[:, 1], color=colour, lw=2, solid_capstyle="round")
            ax.plot(*s[0], "o", color=colour, ms=4)
        notes = [{0: "any turn", 1: ""}.get(t.symmetry, f"{t.symmetry}-fold")]
        notes.append(f"upright ±{round(math.degrees(t.max_tilt))}°" if t.upright else "")
        notes.append("mirror" if t.mirror else "")
        ax.set_title(f"{t.name}\n{', '.join(n for n in notes if n)}", fontsize=9)
        ax.set_xlim(-0.06, 1.06)
        ax.set_ylim(1.06, -0.06)  # y down, as in the drawings
        ax.set_aspect("equal")
        ax.set_xticks([])
        ax.set_yticks([])
    fig.supxlabel(CAPTION, fontsize=9, color="0.3")
    return fig
