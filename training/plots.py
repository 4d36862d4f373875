"""PNG figures of an evaluation report: confusion matrix, accuracy by stroke, snap sweep."""

from __future__ import annotations

import os
from pathlib import Path


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")  # files only, never a window
    import matplotlib.pyplot as plt

    return plt


def save_plots(report: dict, directory: str | os.PathLike, title: str = "") -> list[Path]:
    """Write confusion.png, accuracy_at_stroke.png and snap_sweep.png; their paths."""
    plt = _pyplot()
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    paths = []

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
    ax.set_title(f"{title} confusion (top-1 {report['top1']:.3f}, n={report['n']})")
    fig.tight_layout()
    paths.append(_save(fig, out / "confusion.png", plt))

    rows = report["accuracy_at_stroke"]
    fig, ax = plt.subplots(figsize=(6, 4))
    ks = [r["k"] for r in rows]
    ax.plot(ks, [r["top1"] for r in rows], "o-", label="drawings with >= k strokes")
    ax.plot(ks, [r["so_far"] for r in rows], "s--", label="all drawings, last stroke so far")
    ax.set_xlabel("strokes k")
    ax.set_ylabel("top-1 accuracy after stroke k")
    ax.set_ylim(0, 1)
    ax.grid(alpha=0.3)
    ax.legend()
    ax.set_title(f"{title} accuracy by stroke")
    fig.tight_layout()
    paths.append(_save(fig, out / "accuracy_at_stroke.png", plt))

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
    ax.set_title(f"{title} snap replay")
    fig.tight_layout()
    paths.append(_save(fig, out / "snap_sweep.png", plt))
    return paths


def _save(fig, path: Path, plt) -> Path:
    from core.atomic import atomic_open

    with atomic_open(path, "wb") as f:
        fig.savefig(f, format="png", dpi=110)
    plt.close(fig)
    return path
