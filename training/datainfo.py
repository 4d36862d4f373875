"""Counts and stroke statistics of a data directory of `<class>.ndjson` files."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from core.classes import UnknownClassError, class_index
from core.strokes import ReadReport, iter_drawings


@dataclass
class FileStats:
    """One class file: drawings read, bad lines, stroke and point counts."""

    path: str
    word: str
    report: ReadReport = field(default_factory=ReadReport)
    stroke_counts: list[int] = field(default_factory=list)
    points_per_stroke: list[int] = field(default_factory=list)
    # raw files only: each drawing's longest pause between two strokes, seconds
    longest_pauses: list[float] = field(default_factory=list)

    @property
    def n(self) -> int:
        return len(self.stroke_counts)

    def stroke_histogram(self, max_strokes: int = 8) -> np.ndarray:
        """Share of drawings with 1, 2, ..., max_strokes (and more, in the last bin) strokes."""
        c = np.clip(np.asarray(self.stroke_counts, int), 1, max_strokes)
        h = np.bincount(c, minlength=max_strokes + 1)[1:].astype(float)
        return h / max(h.sum(), 1)


def data_files(directory: str | os.PathLike) -> list[Path]:
    """The readable data files of a directory, sorted by name: every .ndjson, and the
    .json files named for a class (the seed format; others, e.g. checksums.json, are not
    data)."""
    d = Path(directory)
    return sorted(
        p
        for p in d.iterdir()
        if p.is_file() and (p.suffix == ".ndjson" or (p.suffix == ".json" and _is_class(p.stem)))
    )


def _is_class(name: str) -> bool:
    try:
        class_index(name)
    except UnknownClassError:
        return False
    return True


def file_stats(path: str | os.PathLike, limit: int | None = None) -> FileStats:
    """Read one file and collect its statistics (bad lines go to the report)."""
    path = Path(path)
    stats = FileStats(str(path), path.stem)
    kwargs = {"limit": limit} if path.suffix == ".ndjson" else {}
    for d in iter_drawings(path, report=stats.report, **kwargs):
        stats.stroke_counts.append(d.n_strokes)
        stats.points_per_stroke.extend(len(s) for s in d.strokes)
        if d.times is not None and len(d.times) > 1:
            gaps = [
                later[0] - earlier[-1]
                for earlier, later in zip(d.times[:-1], d.times[1:], strict=True)
            ]
            stats.longest_pauses.append(max(gaps) / 1000.0)
    return stats
