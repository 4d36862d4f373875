"""How close synthetic doodles are to real ones: stroke statistics and a gallery.

Per class, the stroke-count histogram (1..7 and 8+) and the points per stroke of a
real and a synthetic data directory side by side, with the total variation distance
between the two stroke-count distributions (0 = identical, 1 = disjoint). The
distance is compared with the one sampling alone gives (`tv_floor`), as the real
sets are small. The gallery draws real and synthetic doodles of each class next to each other, strokes
coloured by their order, so a look shows how shapes are split and ordered too.
"""

from __future__ import annotations

import io
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from core.atomic import atomic_write_bytes
from core.classes import CLASSES, class_index
from core.errors import FrankensteinError
from core.strokes import Drawing, iter_drawings
from training.datainfo import FileStats, data_files, file_stats

MAX_STROKES = 8  # the last histogram bin holds 8 strokes and more
CREDIT = "Real doodles: Quick, Draw! dataset, Google, CC BY 4.0"

Progress = Callable[[int, int, str], None]  # (done, total, what)


@dataclass(frozen=True)
class ClassComparison:
    """One class: real and synthetic stroke statistics and their distance."""

    word: str
    real: FileStats
    synth: FileStats

    @property
    def real_hist(self) -> np.ndarray:
        return self.real.stroke_histogram(MAX_STROKES)

    @property
    def synth_hist(self) -> np.ndarray:
        return self.synth.stroke_histogram(MAX_STROKES)

    @property
    def empty(self) -> list[str]:
        """The sides ("real", "synthetic") of which no drawing was read: nothing to compare."""
        return [side for side, s in (("real", self.real), ("synthetic", self.synth)) if not s.n]

    @property
    def tv(self) -> float:
        """Total variation distance between the stroke-count distributions."""
        return total_variation(self.real_hist, self.synth_hist)

    def tv_floor(self, draws: int = 400, seed: int = 0) -> float:
        """The distance expected from sampling alone: the mean total variation between
        the synthetic distribution and samples of the real set's size drawn from it.
        With 10-20 real drawings a class this is about 0.2; a `tv` near it is as close
        as the real sample can tell. NaN where a side has no drawings."""
        if self.empty:
            return float("nan")
        n = self.real.n
        q = self.synth_hist
        rng = np.random.default_rng(seed)
        samples = rng.multinomial(n, q / q.sum(), size=draws) / n  # (draws, bins)
        return float(0.5 * np.abs(samples - q).sum(axis=1).mean())


def total_variation(p: np.ndarray, q: np.ndarray) -> float:
    """Half the L1 distance between two histograms (each normalised to sum 1)."""
    p = np.asarray(p, float) / max(float(np.sum(p)), 1e-12)
    q = np.asarray(q, float) / max(float(np.sum(q)), 1e-12)
    return 0.5 * float(np.abs(p - q).sum())


def _class_files(directory: str | os.PathLike) -> dict[str, Path]:
    d = Path(directory)
    if not d.is_dir():
        raise FrankensteinError(f"{d}: not a directory")
    files = {}
    for f in data_files(d):
        try:
            files[CLASSES[class_index(f.stem)]] = f
        except ValueError:
            continue  # not a class file
    if not files:
        raise FrankensteinError(f"{d}: no <class>.ndjson or .json files")
    return files


def compare(
    real_dir: str | os.PathLike,
    synth_dir: str | os.PathLike,
    *,
    limit: int | None = None,
    progress: Progress | None = None,
) -> list[ClassComparison]:
    """Stroke statistics of the classes found in both directories, in class order.

    `limit` reads at most that many drawings a file (synthetic directories are large).
    A class with no drawings read on a side is kept, with `empty` naming the side.
    """
    real, synth = _class_files(real_dir), _class_files(synth_dir)
    common = [c for c in CLASSES if c in real and c in synth]
    if not common:
        raise FrankensteinError(f"{real_dir} and {synth_dir} share no class files")
    out = []
    for i, cls in enumerate(common):
        if progress:
            progress(i, len(common), cls)
        out.append(
            ClassComparison(cls, file_stats(real[cls], limit), file_stats(synth[cls], limit))
        )
    if progress:
        progress(len(common), len(common), "done")
    return out


def _sample(path: Path, k: int, rng: np.random.Generator, limit: int = 2000) -> list[Drawing]:
    """Up to k drawings of a file, chosen at random among its first `limit`."""
    drawings = list(iter_drawings(path, limit=limit))
    if len(drawings) <= k:
        return drawings
    return [drawings[i] for i in sorted(rng.choice(len(drawings), k, replace=False))]


def gallery(
    real_dir: str | os.PathLike,
    synth_dir: str | os.PathLike,
    out: str | os.PathLike,
    *,
    per_side: int = 5,
    seed: int = 0,
    classes: list[str] | None = None,
    progress: Progress | None = None,
) -> Path:
    """A PNG with, per class, `per_side` real and `per_side` synthetic doodles in a row.

    Strokes are coloured by their order (blue, orange, green, red, ...). Returns the path.
    `progress(rows done, rows, what)` as it goes (seconds: each row reads two files).
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    real, synth = _class_files(real_dir), _class_files(synth_dir)
    rows = [c for c in (classes or CLASSES) if c in real and c in synth]
    if not rows:
        raise FrankensteinError(f"{real_dir} and {synth_dir} share no class files")
    rng = np.random.default_rng(seed)
    cols = 2 * per_side
    fig, axes = plt.subplots(
        len(rows), cols, figsize=(cols * 0.95 + 1.2, len(rows) * 1.0 + 0.8), squeeze=False
    )
    colours = plt.get_cmap("tab10").colors
    for r, cls in enumerate(rows):
        if progress:
            progress(r, len(rows), cls)
        shown = _sample(real[cls], per_side, rng), _sample(synth[cls], per_side, rng)
        for c in range(cols):
            synthetic = c >= per_side
            ax = axes[r, c]
            ax.set_xticks([])
            ax.set_yticks([])
            for side in ("top", "right", "bottom", "left"):
                ax.spines[side].set_color("#7a9cc6" if synthetic else "#bbbbbb")
            ax.set_xlim(-8, 263)
            ax.set_ylim(263, -8)
            ax.set_aspect("equal")
            if c == 0:
                ax.set_ylabel(cls, rotation=0, ha="right", va="center", fontsize=8)
            if r == 0:
                ax.set_title("synthetic" if synthetic else "real", fontsize=8)
            drawings = shown[int(synthetic)]
            k = c - per_side if synthetic else c
            if k < len(drawings):
                _draw(ax, drawings[k], colours)
    if progress:
        progress(len(rows), len(rows), "writing the image")
    fig.text(0.5, 0.004, CREDIT + " (left). Strokes coloured by order.", ha="center", fontsize=7)
    fig.subplots_adjust(left=0.12, right=0.99, top=0.97, bottom=0.03, wspace=0.08, hspace=0.1)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=80)
    plt.close(fig)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_bytes(out, buf.getvalue())
    return out


def _draw(ax, drawing: Drawing, colours) -> None:
    for j, s in enumerate(drawing.strokes):
        colour = colours[j % len(colours)]
        if len(s) == 1:
            ax.plot(s[:, 0], s[:, 1], ".", color=colour, ms=2.5)
        else:
            ax.plot(s[:, 0], s[:, 1], "-", color=colour, lw=0.9)
