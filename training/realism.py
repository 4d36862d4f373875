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
from core.classes import CLASSES
from core.errors import FrankensteinError
from core.strokes import Drawing, ReadReport, file_class, is_raw, normalize
from training.datainfo import ClassStats, FilesRead, class_stats, data_files, labelled_drawings
from training.replay import first_per_class

MAX_STROKES = 8  # the last histogram bin holds 8 strokes and more
CREDIT = "Real doodles: Quick, Draw! dataset, Google, CC BY 4.0"

Progress = Callable[[int, int, str], None]  # (done, total, what)


@dataclass(frozen=True)
class ClassComparison:
    """One class: real and synthetic stroke statistics (of every file that holds it)
    and their distance."""

    word: str
    real: ClassStats
    synth: ClassStats

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


def _data_files(directory: str | os.PathLike) -> list[Path]:
    d = Path(directory)
    if not d.is_dir():
        raise FrankensteinError(f"{d}: not a directory")
    files = data_files(d)
    if not files:
        raise FrankensteinError(f"{d}: no <class>.ndjson or .json files")
    return files


def _may_hold(files: list[Path]) -> set[str]:
    """The classes some data files can hold: those they are named after, or every class
    where one is named after none (its lines' 'word' say)."""
    named = {file_class(f) for f in files}
    return set(CLASSES) if None in named else named


def _holding(files: list[Path], classes: set[str]) -> list[Path]:
    """The files that can hold any of `classes`: those named after one, and every file
    named after no class."""
    return [f for f in files if file_class(f) in classes or file_class(f) is None]


def _sides(
    real_dir: str | os.PathLike,
    synth_dir: str | os.PathLike,
    classes: set[str],
    progress: Progress | None,
) -> tuple[list[Path], list[Path], list[FilesRead | None]]:
    """The files of each side that can hold one of `classes` the other side can hold too
    (a file named after a class of which the other side has no file is not read), and
    for each side a FilesRead that reports the bytes of both sides' reading as one
    figure (None without `progress`)."""
    real, synth = _data_files(real_dir), _data_files(synth_dir)
    real, synth = (
        _holding(real, classes & _may_hold(synth)),
        _holding(synth, classes & _may_hold(real)),
    )
    if progress is None:
        return real, synth, [None, None]
    reads = [FilesRead(real, progress), FilesRead(synth, progress)]
    total = sum(r.total for r in reads)
    before = 0
    for r in reads:
        r.progress = lambda done, _, what, before=before: progress(before + done, total, what)
        before += r.total
    return real, synth, reads


def compare(
    real_dir: str | os.PathLike,
    synth_dir: str | os.PathLike,
    *,
    limit: int | None = None,
    progress: Progress | None = None,
    real_report: ReadReport | None = None,
    synth_report: ReadReport | None = None,
) -> list[ClassComparison]:
    """Stroke statistics of the classes found in both directories, in class order.

    A class is read from every file that holds it, by the one rule of core/strokes.py
    (training.datainfo.class_stats, as `data info` reads): the files named after it
    (`ice cream.ndjson` and `ice_cream.ndjson`) and the lines of a file named after no
    class whose 'word' names it. `limit` reads at most that many drawings a class
    (synthetic directories are large). A raw drawing is normalised into the simplified
    space first, as training reads it (each class's `raw` counts them): its points per
    stroke are then those of the simplified files, not the screen's many samples. A
    class with no drawings read on a side (a file
    named after it, all of whose lines are bad) is kept, with `empty` naming the side.
    `progress(bytes read, bytes in all, file name)` follows the reading; the reports
    hear what reading each side saw (bad lines, drawings whose word is not their file's).
    """
    real_files, synth_files, reads = _sides(real_dir, synth_dir, set(CLASSES), progress)
    real, real_reads = class_stats(real_files, limit, reads[0], simplify=True)
    synth, synth_reads = class_stats(synth_files, limit, reads[1], simplify=True)
    for report, file_reads in ((real_report, real_reads), (synth_report, synth_reads)):
        if report is not None:
            for r in file_reads:
                report.add(r.report)
    real_by, synth_by = {c.word: c for c in real}, {c.word: c for c in synth}
    common = [c for c in CLASSES if c in real_by and c in synth_by]
    if not common:
        raise FrankensteinError(f"{real_dir} and {synth_dir} share no class")
    return [ClassComparison(c, real_by[c], synth_by[c]) for c in common]


SAMPLE_FROM = 2000  # the gallery picks a class's doodles among its first this many


def _by_class(
    files: list[Path], limit: int, files_read: FilesRead | None
) -> dict[str, list[Drawing]]:
    """The first `limit` drawings of each class of some data files, whichever files hold
    them (training.replay.first_per_class, as eval reads); a class a file is named
    after is there even if it gave none."""

    out: dict[str, list[Drawing]] = {file_class(f): [] for f in files if file_class(f) is not None}
    for d in first_per_class(files, lambda f: labelled_drawings(f, files_read), limit):
        # raw screen coordinates ran off the panels' 0..255 (as `compare`, normalised)
        out.setdefault(d.word, []).append(normalize(d) if is_raw(d) else d)
    return out


def _sample(drawings: list[Drawing], k: int, rng: np.random.Generator) -> list[Drawing]:
    """Up to k of some drawings, chosen at random, in their order."""
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

    A class's doodles are picked among its first SAMPLE_FROM drawings, from every file
    that holds it (as `compare` reads). Strokes are coloured by their order (blue,
    orange, green, red, ...). Returns the path. `progress(done, total, what)` as it goes:
    the bytes read ("reading FILE"), then the rows drawn (the class).
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    def reading(done: int, total: int, what: str) -> None:
        progress(done, total, f"reading {what}")

    wanted = list(classes or CLASSES)
    real_files, synth_files, reads = _sides(
        real_dir, synth_dir, set(wanted), reading if progress else None
    )
    real = _by_class(real_files, SAMPLE_FROM, reads[0])
    synth = _by_class(synth_files, SAMPLE_FROM, reads[1])
    rows = [c for c in wanted if c in real and c in synth]
    if not rows:
        raise FrankensteinError(f"{real_dir} and {synth_dir} share no class")
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
