"""Counts and stroke statistics of a data directory of `<class>.ndjson` files: per
file (`file_stats`) and per class (`class_stats`, for `data info` and `data compare`:
a class may be held by several files, e.g. `ice cream.ndjson` and `ice_cream.ndjson`,
or by a file named after no class)."""

from __future__ import annotations

import contextlib
import itertools
import os
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from core.classes import CLASSES
from core.strokes import Drawing, ReadReport, file_class, is_raw, iter_drawings, normalize


@dataclass
class StrokeStats:
    """Stroke and point counts of some drawings (`add` each)."""

    stroke_counts: list[int] = field(default_factory=list, kw_only=True)
    points_per_stroke: list[int] = field(default_factory=list, kw_only=True)
    # raw files only: each drawing's longest pause between two strokes, seconds
    longest_pauses: list[float] = field(default_factory=list, kw_only=True)

    @property
    def n(self) -> int:
        return len(self.stroke_counts)

    def add(self, d: Drawing) -> None:
        self.stroke_counts.append(d.n_strokes)
        self.points_per_stroke.extend(len(s) for s in d.strokes)
        if d.times is not None and len(d.times) > 1:
            gaps = [
                later[0] - earlier[-1]
                for earlier, later in zip(d.times[:-1], d.times[1:], strict=True)
            ]
            self.longest_pauses.append(max(gaps) / 1000.0)

    def stroke_histogram(self, max_strokes: int = 8) -> np.ndarray:
        """Share of drawings with 1, 2, ..., max_strokes (and more, in the last bin) strokes."""
        c = np.clip(np.asarray(self.stroke_counts, int), 1, max_strokes)
        h = np.bincount(c, minlength=max_strokes + 1)[1:].astype(float)
        return h / max(h.sum(), 1)


@dataclass
class FileStats(StrokeStats):
    """One class file: drawings read, bad lines, stroke and point counts."""

    path: str
    word: str  # the file's stem
    report: ReadReport = field(default_factory=ReadReport)
    # drawings a class, by the one rule of core/strokes.py: all the file's class where
    # it is named after one, else by each line's 'word'
    classes: Counter = field(default_factory=Counter)


@dataclass
class ClassStats(StrokeStats):
    """One class of a data directory, whichever files hold it: its drawings' stroke
    and point counts, the bad lines of the files named after it (a bad line of a file
    named after no class has no class), and the files it was read from."""

    word: str  # the class
    bad: int = 0
    # file name -> drawings of this class read from it, in reading order; a file named
    # after the class is there even if it gave none (all its lines bad)
    files: Counter = field(default_factory=Counter)
    raw: int = 0  # drawings normalised before their statistics (class_stats' simplify)


@dataclass
class FileRead:
    """What reading one file of a directory saw: bad lines, drawings whose 'word' is
    not the file's class (both in `report`), and its drawings a class."""

    path: Path
    report: ReadReport = field(default_factory=ReadReport)
    classes: Counter = field(default_factory=Counter)


def data_files(directory: str | os.PathLike) -> list[Path]:
    """The readable data files of a directory, sorted by name: every .ndjson, and the
    .json files named for a class (the seed format; others, e.g. checksums.json, are not
    data). The suffix in any case (CIRCLE.NDJSON), as `iter_drawings` reads it."""
    d = Path(directory)
    return sorted(
        p
        for p in d.iterdir()
        if p.is_file()
        and (
            p.suffix.lower() == ".ndjson"
            or (p.suffix.lower() == ".json" and file_class(p) is not None)
        )
    )


def no_data_files(directory: str | os.PathLike) -> str:
    """The refusal of a directory with no data files, naming its folders that have some:
    the window saves into `raw/` and `simplified/` of `data/drawings/`, and the folder
    above them is the one a user gives."""
    d = Path(directory)
    try:
        inside = sorted(  # not a hidden folder: a generation's staging, drawn in still
            p.name
            for p in d.iterdir()
            if p.is_dir() and not p.name.startswith(".") and _has_data(p)
        )
    except OSError:
        inside = []
    hint = f" (its folders {', '.join(inside)} have some)" if inside else ""
    return f"{d}: no .ndjson or .json drawing files{hint}"


def listing_warnings(folders: dict[str, Sequence[Path]], every_class: bool = True) -> list[str]:
    """What the listing of a run's data folders shows, from names and sizes alone, one
    line each: classes with no file named after them in any folder (when `every_class`:
    no synthetic source gives them drawings), empty files, and files named after no class
    (whose lines count by their 'word', the one rule of core/strokes.py, and a 'word' that
    names no class is a bad line). Said before any reading: at the paper's scale reading
    takes minutes, and these came only after it, as bad lines and classes without
    drawings. `folders`: each folder as given -> its data files (`data_files`)."""
    named = {c for files in folders.values() for p in files if (c := file_class(p)) is not None}
    missing = [c for c in CLASSES if c not in named]
    warnings = []
    if every_class and missing:
        which = f"any of the {len(CLASSES)} classes"
        if len(missing) < len(CLASSES):
            listed = ", ".join(f"{c}.ndjson" for c in missing)
            which = f"{len(missing)} of {len(CLASSES)} classes (no {listed})"
        warnings.append(f"{', '.join(folders)}: no file named after {which}")
    for folder, files in folders.items():
        empty = [p.name for p in files if _size(p) == 0]
        unnamed = [p.name for p in files if file_class(p) is None and p.name not in empty]
        if empty:
            are = "is" if len(empty) == 1 else "are"
            warnings.append(f"{folder}: {', '.join(empty)} {are} empty")
        if unnamed:
            are, its = ("is", "its") if len(unnamed) == 1 else ("are", "their")
            warnings.append(
                f"{folder}: {', '.join(unnamed)} {are} named after no class: only {its} "
                "lines whose 'word' names one are read"
            )
    return warnings


def _has_data(folder: Path) -> bool:
    try:
        return bool(data_files(folder))
    except OSError:  # unreadable: not worth naming
        return False


BytesRead = Callable[[Path, int], None]  # (file, bytes of it read so far)


class FilesRead:
    """How far the reading of several files has got, as one figure for a progress bar:
    `progress(bytes read, bytes in all the files, name of the file being read)`.

    Call it as a `BytesRead` (each file's readers report the bytes they have read of
    it), and `done(path)` when a file is read (to its end, or as far as a limit took).
    """

    def __init__(self, files: Sequence[Path], progress: Callable[[int, int, str], None]):
        self.progress = progress
        sizes = [_size(p) for p in files]
        self.total = sum(sizes)
        starts = list(itertools.accumulate([0, *sizes]))
        self.span = {
            Path(p): (a, b) for p, a, b in zip(files, starts[:-1], starts[1:], strict=True)
        }

    def __call__(self, path: Path, read: int) -> None:
        start, end = self.span[Path(path)]
        self.progress(min(start + read, end), self.total, Path(path).name)

    def done(self, path: Path) -> None:
        self.progress(self.span[Path(path)][1], self.total, Path(path).name)


def labelled_drawings(
    path: Path, files_read: FilesRead | None = None, **kwargs
) -> Iterator[Drawing]:
    """The drawings of one file of a data directory, each of its class by the one rule of
    core/strokes.py (`iter_drawings(labelled=True)`, to which `kwargs` go); `files_read`
    follows the reading and hears that the file is done at its end, or when the caller
    stops early and closes the iterator."""
    if files_read is not None:
        kwargs["progress"] = lambda n: files_read(path, n)
    try:
        yield from iter_drawings(path, labelled=True, **kwargs)
    finally:
        if files_read is not None:
            files_read.done(path)


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:  # the reader will say what is wrong with it
        return 0


def file_stats(
    path: str | os.PathLike, limit: int | None = None, bytes_read: BytesRead | None = None
) -> FileStats:
    """Read one file and collect its statistics (bad lines, and drawings whose 'word'
    is not the file's class, go to the report); `bytes_read` follows the reading."""
    path = Path(path)
    stats = FileStats(str(path), path.stem)
    kwargs = {"limit": limit} if path.suffix.lower() == ".ndjson" else {}
    if bytes_read is not None:
        kwargs["progress"] = lambda n: bytes_read(path, n)
    for d in iter_drawings(path, report=stats.report, labelled=True, **kwargs):
        stats.classes[d.word] += 1
        stats.add(d)
    return stats


def class_stats(
    files: Sequence[Path],
    limit: int | None = None,
    files_read: FilesRead | None = None,
    *,
    simplify: bool = False,
) -> tuple[list[ClassStats], list[FileRead]]:
    """Read a directory's files by the one rule of core/strokes.py and collect the
    statistics of each class, sorted by name, whichever files hold it (two files named
    for one class, or drawings of a file named after no class, by their 'word'), and
    what reading each file saw. `limit`: at most the first N drawings a class (as
    eval's --limit): a file named after a class is read until its class has them, any
    other file to its end. `files_read` follows the reading (and hears when each file
    is done). `simplify`: a raw drawing (core/strokes.is_raw) is normalised into the
    simplified space first, as training reads it, and counted in its class's `raw`:
    a raw stroke's points are the screen's samples, several times a simplified one's."""
    classes: dict[str, ClassStats] = {}
    reads = []
    for path in files:
        path = Path(path)
        own = file_class(path)
        if own is not None:  # its row, even if every line of it is bad
            classes.setdefault(own, ClassStats(own)).files[path.name] += 0
        read = FileRead(path)
        drawings = labelled_drawings(path, files_read, report=read.report)
        with contextlib.closing(drawings):
            for d in drawings:
                cls = classes.setdefault(d.word, ClassStats(d.word))
                if limit is not None and cls.n >= limit:
                    if d.word == own:
                        break
                    continue
                if simplify and is_raw(d):
                    d = normalize(d)
                    cls.raw += 1
                cls.add(d)
                cls.files[path.name] += 1
                read.classes[d.word] += 1
        if own is not None:
            classes[own].bad += read.report.bad
        reads.append(read)
    return [classes[c] for c in sorted(classes)], reads
