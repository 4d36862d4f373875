"""confusion.png: the confusion matrix, each cell coloured by its share of the true
class's drawings (its row: the diagonal is each class's recall), its count written in it."""

from __future__ import annotations

import numpy as np
from matplotlib.colors import PowerNorm
from matplotlib.figure import Figure

CMAP = "Blues"
GAMMA = 0.5  # a square-root scale: one error in 47 (2%) still a visible tint


def confusion_figure(report: dict, title: str):
    """Rows: true class (with its number of drawings), columns: guess; colour: the
    cell's share of its row in %, a colorbar beside; the count in every non-empty cell,
    white on the dark cells and black on the light."""
    names = report["confusion"]["classes"]
    matrix = np.asarray(report["confusion"]["matrix"], np.int64)
    shares = row_shares(matrix)
    fig = Figure(figsize=(9.5, 8), layout="constrained")
    ax = fig.subplots()
    norm = PowerNorm(GAMMA, vmin=0, vmax=100)
    image = ax.imshow(shares, cmap=CMAP, norm=norm)
    bar = fig.colorbar(image, ax=ax, shrink=0.8, ticks=[0, 2, 5, 10, 25, 50, 75, 100])
    bar.set_label("share of the true class's drawings (%)")
    ax.set_xticks(range(len(names)), names, rotation=60, ha="right")
    rows = matrix.sum(axis=1)
    ax.set_yticks(range(len(names)), [f"{c} ({n:,})" for c, n in zip(names, rows, strict=True)])
    ax.set_xticks(np.arange(len(names) + 1) - 0.5, minor=True)  # a thin line between cells
    ax.set_yticks(np.arange(len(names) + 1) - 0.5, minor=True)
    ax.grid(which="minor", color="white", lw=0.8)
    ax.tick_params(which="minor", length=0)
    ax.set_xlabel("guess")
    ax.set_ylabel("true class (drawings)")
    cmap = image.get_cmap()
    for (i, j), v in np.ndenumerate(matrix):
        if v:
            dark = _luminance(cmap(norm(shares[i, j]))) < 0.5
            colour = "white" if dark else "black"
            ax.text(j, i, f"{v:,}", ha="center", va="center", fontsize=7, color=colour)
    ax.set_title(
        f"{title}\nconfusion: colour = share of the true class (row; diagonal = recall), "
        f"number = drawings; top-1 {100 * report['top1']:.1f}%"
    )
    return fig


def row_shares(matrix: np.ndarray) -> np.ndarray:
    """(C, C) each count in % of its row's total (a row of no drawings: 0)."""
    rows = matrix.sum(axis=1, keepdims=True)
    return np.divide(100.0 * matrix, rows, out=np.zeros(matrix.shape), where=rows > 0)


def _luminance(rgba) -> float:
    """Relative luminance (ITU-R BT.709 weights) of a colour, 0 black to 1 white."""
    r, g, b = rgba[:3]
    return 0.2126 * r + 0.7152 * g + 0.0722 * b
