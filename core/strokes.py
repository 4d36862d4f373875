"""Drawings and the stroke formats they are read from and written to.

Every coordinate in this project has x to the right and y downwards, as on a screen
and in Quick, Draw! files (pyglet's y axis points up; the window flips it).

- **Drawing** (in memory): ``strokes`` is a tuple of float32 arrays of shape (n, 2),
  one per stroke in drawing order, each row an (x, y) point, n >= 1 (a one-point
  stroke is a dot). ``times`` (raw drawings only) is a matching tuple of float64
  arrays of shape (n,): milliseconds since the drawing's first point. In the
  *simplified space* coordinates are integers in 0..255, the rasteriser's grid.
- **Google simplified ndjson**: one JSON object a line, ``{"word", "countrycode",
  "timestamp", "recognized", "key_id", "drawing": [[[x0, x1, ...], [y0, y1, ...]],
  ...]}``; integers in 0..255 (aligned to 0, larger side scaled to 255, resampled at
  1 px, Ramer-Douglas-Peucker with epsilon 2.0).
- **Google raw ndjson**: the same object, but each stroke is ``[[x...], [y...],
  [t...]]`` in screen pixels with per-point time in ms since the first point.
- **Seed per-class JSON**: one file per class (the class is the file's stem), a JSON
  list of drawings, each a list of strokes ``[[x...], [y...]]`` on a 256x256 grid
  (a drawing's ``drawing`` field alone, not a Quick, Draw! object).

Readers stream and never fail on a bad line: each is reported (file, line, reason)
to a ``ReadReport`` and skipped; ``strict=True`` raises ``ReadError`` instead. A seed
file's items are reported as items (``circle.json: item 2: ...``, from 1), and a seed
file that holds no list (not JSON, cut short, another value) as one bad line of its
own, naming the file, as a garbage line of an ndjson file is: the folder's other files
are read all the same. A file that cannot be opened is a ``ReadError`` in either format.

**The class of a drawing** (its ``word`` once read; every reader of a data directory,
and so every command, follows this one rule, here in `iter_ndjson`):

- in a file named after a class (``circle.ndjson``, ``Hockey_Stick.ndjson``), every
  drawing is that class, as `data info` counts it and the user sees it. A line whose
  ``word`` names another class is still the file's class: it is kept, and counted in
  the report's ``mismatches`` (file, count, the first line), which readers show in one
  line next to the bad lines; it is not relabelled by its word, nor skipped;
- in a file not named after a class (``mixed.ndjson``), each drawing is the class its
  ``word`` names; a data directory's readers (``labelled=True``) skip a line without
  one as a bad line, since it has no class;
- a ``word`` that is not one of the 18 classes makes the line bad, in any file.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from core.atomic import atomic_open
from core.classes import UnknownClassError, class_index, normalize_name
from core.errors import FrankensteinError

GRID = 256  # the simplified space is 0..GRID-1 on both axes
# A stroke's points are float32: a coordinate past this would be infinite in memory.
COORDINATE_MAX = float(np.finfo(np.float32).max)  # (what rounds to it still fits)
RDP_EPSILON = 2.0


@dataclass(frozen=True, eq=False)
class Drawing:
    """One doodle: strokes in drawing order, plus Quick, Draw! metadata."""

    strokes: tuple[np.ndarray, ...]
    word: str | None = None
    key_id: str | None = None
    times: tuple[np.ndarray, ...] | None = None
    countrycode: str | None = None
    recognized: bool | None = None
    timestamp: str | None = None

    @property
    def n_strokes(self) -> int:
        return len(self.strokes)

    @property
    def n_points(self) -> int:
        return sum(len(s) for s in self.strokes)

    def points(self) -> np.ndarray:
        """All points, (N, 2) float32."""
        if not self.strokes:
            return np.zeros((0, 2), np.float32)
        return np.concatenate(self.strokes, axis=0)

    def bbox(self) -> tuple[float, float, float, float]:
        """(x_min, y_min, x_max, y_max) over all points."""
        pts = self.points()
        if len(pts) == 0:
            return (0.0, 0.0, 0.0, 0.0)
        lo, hi = pts.min(axis=0), pts.max(axis=0)
        return (float(lo[0]), float(lo[1]), float(hi[0]), float(hi[1]))

    def with_strokes(self, strokes: Sequence[np.ndarray], times=None) -> Drawing:
        """A copy with other strokes (and times), metadata kept."""
        return replace(
            self,
            strokes=tuple(as_stroke(s) for s in strokes),
            times=None if times is None else tuple(np.asarray(t, np.float64) for t in times),
        )


def as_stroke(points: Any) -> np.ndarray:
    """Any (n, 2) array-like of x, y -> a float32 (n, 2) array (a new one)."""
    a = np.array(points, dtype=np.float32).reshape(-1, 2)
    return a


# --------------------------------------------------------------------------- errors


class ReadError(FrankensteinError, ValueError):
    """A bad line in strict mode, or a file that cannot be read at all."""


class StrokeError(FrankensteinError, ValueError):
    """Points that are not a stroke: wrong shape, or not finite numbers."""


@dataclass
class BadLine:
    """A line of an ndjson file that is no drawing; for a seed file, an item of its list
    (`item`: `line` counts them from 1) or the file itself (`line` None)."""

    path: str
    line: int | None
    reason: str
    item: bool = False

    def __str__(self) -> str:
        if self.line is None:
            return f"{self.path}: {self.reason}"
        if self.item:
            return f"{self.path}: item {self.line}: {self.reason}"
        return f"{self.path}:{self.line}: {self.reason}"


@dataclass
class Mismatch:
    """The drawings of one class file whose 'word' names another class: counted as the
    file's class all the same (see the module's note on the class of a drawing)."""

    path: str
    cls: str  # the file's class: the drawings' class
    count: int
    line: int  # the first one's line
    word: str  # the class the first one's 'word' names

    def __str__(self) -> str:
        return f"{self.path}: {self.count} (the first: line {self.line}, {self.word!r})"


@dataclass
class ReadReport:
    """What a reader saw: good drawings counted, bad lines listed (the first `keep`),
    and per file the good drawings whose 'word' is not their file's class."""

    good: int = 0
    bad: int = 0
    examples: list[BadLine] = field(default_factory=list)
    keep: int = 20
    mismatches: dict[str, Mismatch] = field(default_factory=dict)  # by file

    def add_bad(self, item: BadLine) -> None:
        self.bad += 1
        if len(self.examples) < self.keep:
            self.examples.append(item)

    def add_mismatch(self, path: str, line: int, word: str, cls: str) -> None:
        """A drawing of `path` (of class `cls`) whose 'word' names `word`."""
        m = self.mismatches.get(path)
        if m is None:
            self.mismatches[path] = Mismatch(path, cls, 1, line, word)
        else:
            m.count += 1

    def add(self, other: ReadReport) -> None:
        """Count another report's drawings, bad lines and mismatches in this one."""
        self.good += other.good
        for item in other.examples:
            self.add_bad(item)
        self.bad += other.bad - len(other.examples)
        for path, m in other.mismatches.items():
            mine = self.mismatches.get(path)
            if mine is None:
                self.mismatches[path] = replace(m)
            else:
                mine.count += m.count

    @property
    def mismatched(self) -> int:
        """Drawings whose 'word' names another class than their file, all files."""
        return sum(m.count for m in self.mismatches.values())

    def mismatch_warning(self, shown: int = 3) -> str:
        """One line on the drawings whose 'word' is not their file's class: how many,
        and per file (the first `shown`) the count and the first; "" when none."""
        if not self.mismatches:
            return ""
        files = list(self.mismatches.values())
        left = len(files) - shown
        more = f", and {left} more file{'s' if left != 1 else ''}" if left > 0 else ""
        n = self.mismatched
        return (
            f"{n} drawing{'s' if n != 1 else ''} whose 'word' names another class than "
            f"{'its' if n == 1 else 'their'} file's, counted as the file's class: "
            + ", ".join(str(m) for m in files[:shown])
            + more
        )

    def summary(self) -> str:
        text = f"{self.good} drawings read, {self.bad} bad lines skipped"
        return text + "".join(f"\n  {b}" for b in self.examples)

    def skipped(self, shown: int = 5) -> str:
        """The bad lines for a report's footer: the count, the first `shown`, how many
        more; "" when there were none."""
        if not self.bad:
            return ""
        first = self.examples[:shown]
        more = f"\n  ... and {self.bad - len(first)} more" if self.bad > len(first) else ""
        return (
            f"{self._bad_lines()} skipped while reading:"
            + "".join(f"\n  {b}" for b in first)
            + more
        )

    def _bad_lines(self) -> str:
        return f"{self.bad} bad line{'s' if self.bad != 1 else ''}"

    def nothing_read(self, where: str, purpose: str) -> str:
        """The error for a source with no readable drawing to `purpose` (e.g. "score"),
        naming the first bad line's reason."""
        why = f" ({self._bad_lines()} skipped, the first: {self.examples[0]})" if self.bad else ""
        return f"{where}: no drawings to {purpose}{why}"


# --------------------------------------------------------------------- JSON <-> Drawing


def _check_number_list(v: Any, what: str) -> np.ndarray:
    """`v` as float64 numbers, checked: a list of finite numbers."""
    if not isinstance(v, list):
        raise ValueError(f"{what} is not a list")
    if any(isinstance(x, bool) or not isinstance(x, int | float) for x in v):
        raise ValueError(f"{what} holds a non-numeric value")
    try:
        a = np.asarray(v, dtype=np.float64)
    except OverflowError:  # a JSON integer beyond float64
        raise ValueError(f"{what} holds a number too large") from None
    if not np.all(np.isfinite(a)):
        raise ValueError(f"{what} holds NaN or infinity")
    return a


def drawing_from_json(obj: Any, *, on_grid: bool | None = None) -> Drawing:
    """A parsed Quick, Draw! object (simplified or raw) -> Drawing; ValueError if malformed.

    `on_grid` requires coordinates in 0..255; by default it is required of strokes
    without times (the simplified format) and not of raw strokes (screen pixels).
    """
    if not isinstance(obj, dict):
        raise ValueError("line is not a JSON object")
    if "drawing" not in obj:
        raise ValueError("no 'drawing' field")
    strokes, times = _strokes_from_lists(obj["drawing"], on_grid=on_grid)
    word = obj.get("word")
    if word is not None:
        if not isinstance(word, str):
            raise ValueError("'word' is not a string")
        try:
            class_index(word)
        except UnknownClassError as e:
            raise ValueError(str(e)) from None
        word = normalize_name(word)
    key_id = obj.get("key_id")
    if key_id is not None and (isinstance(key_id, bool) or not isinstance(key_id, str | int)):
        raise ValueError("'key_id' is not a string or an integer")  # Google's: digits, as text
    return Drawing(
        strokes=strokes,
        word=word,
        key_id=None if key_id is None else str(key_id),
        times=times,
        countrycode=obj.get("countrycode"),
        recognized=obj.get("recognized"),
        timestamp=obj.get("timestamp"),
    )


def _strokes_from_lists(raw: Any, *, on_grid: bool | None = None):
    if not isinstance(raw, list):
        raise ValueError("'drawing' is not a list of strokes")
    if not raw:
        raise ValueError("drawing has no strokes")
    strokes, times = [], []
    has_times = None
    for i, s in enumerate(raw):
        if not isinstance(s, list) or len(s) not in (2, 3):
            raise ValueError(f"stroke {i} is not [[x...], [y...]] or [[x...], [y...], [t...]]")
        if has_times is None:
            has_times = len(s) == 3
        elif has_times != (len(s) == 3):
            raise ValueError(f"stroke {i} mixes the raw and simplified formats")
        xs = _check_number_list(s[0], f"stroke {i} x")
        ys = _check_number_list(s[1], f"stroke {i} y")
        if len(xs) != len(ys):
            raise ValueError(f"stroke {i} has {len(xs)} x but {len(ys)} y values")
        if len(xs) == 0:
            raise ValueError(f"stroke {i} has no points")
        if has_times:
            ts = _check_number_list(s[2], f"stroke {i} t")
            if len(ts) != len(xs):
                raise ValueError(f"stroke {i} has {len(xs)} points but {len(ts)} times")
            times.append(ts)
        check = (not has_times) if on_grid is None else on_grid
        if check and (xs.min() < 0 or ys.min() < 0 or xs.max() >= GRID or ys.max() >= GRID):
            raise ValueError(f"stroke {i} has coordinates outside the 0..{GRID - 1} grid")
        with np.errstate(over="ignore"):
            points = np.stack([xs, ys], axis=1).astype(np.float32)
        kept = np.isfinite(points).all(axis=0)  # x, y: a coordinate past float32 is not
        if not kept.all():
            axis = "x" if not kept[0] else "y"
            raise ValueError(
                f"stroke {i} {axis} holds a number too large (past ±{COORDINATE_MAX:.1e})"
            )
        strokes.append(points)
    return tuple(strokes), (tuple(times) if has_times else None)


def _num(v: float) -> int | float:
    r = round(float(v))
    return r if abs(v - r) < 1e-6 else round(float(v), 3)


def drawing_to_json(d: Drawing, *, raw: bool = False) -> dict:
    """Drawing -> a Quick, Draw! object; raw=True writes times (zeros when unknown)."""
    strokes = []
    for i, s in enumerate(d.strokes):
        xs = [_num(v) for v in s[:, 0]]
        ys = [_num(v) for v in s[:, 1]]
        if raw:
            ts = d.times[i] if d.times is not None else np.zeros(len(s))
            strokes.append([xs, ys, [_num(v) for v in ts]])
        else:
            strokes.append([xs, ys])
    obj: dict[str, Any] = {}
    for k in ("word", "countrycode", "timestamp", "recognized", "key_id"):
        v = getattr(d, k)
        if v is not None:
            obj[k] = v
    obj["drawing"] = strokes
    return obj


# ----------------------------------------------------------------------------- readers


def iter_ndjson(
    path: str | os.PathLike,
    *,
    strict: bool = False,
    report: ReadReport | None = None,
    limit: int | None = None,
    labelled: bool = False,
    progress: Callable[[int], None] | None = None,
) -> Iterator[Drawing]:
    """Stream the drawings of a simplified or raw ndjson file, one line at a time.

    Each drawing's `word` is its class by the module's rule: in a file named after a
    class, that class (a line whose "word" names another is counted in
    `report.mismatches`); elsewhere its own "word". `labelled` (a data directory's
    readers) makes a line without a class a bad line; otherwise its word is None.
    `progress` is called with the bytes read so far every PROGRESS_LINES lines (a
    real class file takes seconds to read) and once at the end of the file.
    """
    path = Path(path)
    report = report if report is not None else ReadReport()
    own = file_class(path)
    try:
        f = open(path, "rb")  # noqa: SIM115 - closed below, generator-scoped
    except OSError as e:
        raise ReadError(f"{path}: cannot open ({e.strerror})") from None
    n = read = 0
    with f:
        for line_no, line in enumerate(f, start=1):
            if limit is not None and n >= limit:
                return
            read += len(line)
            if progress is not None and line_no % PROGRESS_LINES == 0:
                progress(read)
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
                d = drawing_from_json(obj)
            except (ValueError, UnicodeDecodeError, RecursionError) as e:
                bad = BadLine(str(path), line_no, _bad_line_reason(e))
                if strict:
                    raise ReadError(str(bad)) from None
                report.add_bad(bad)
                continue
            if own is not None:
                if d.word is not None and d.word != own:
                    report.add_mismatch(str(path), line_no, d.word, own)
                d = replace(d, word=own)
            elif d.word is None and labelled:
                bad = BadLine(str(path), line_no, NO_CLASS)
                if strict:
                    raise ReadError(str(bad))
                report.add_bad(bad)
                continue
            report.good += 1
            n += 1
            yield d
    if progress is not None:
        progress(read)


PROGRESS_LINES = 1000  # lines of an ndjson file between two progress calls
NO_CLASS = "no 'word', and the file is not named after a class"


def _bad_line_reason(e: Exception) -> str:
    if isinstance(e, RecursionError):
        return "not valid JSON (nested too deeply)"
    if isinstance(e, UnicodeDecodeError):
        return "not valid JSON (not UTF-8 text)"
    if isinstance(e, json.JSONDecodeError):
        return "not valid JSON"
    return str(e)


def _ndjson_hint(path: Path) -> str:
    """' (its lines are drawings: name it eye.ndjson)' for a .json file that holds
    ndjson (a download renamed, a copy), whose one JSON value is its first line only."""
    try:
        with open(path, encoding="utf-8") as f:
            first = json.loads(f.readline())
    except (OSError, ValueError, UnicodeDecodeError, RecursionError):
        return ""
    if isinstance(first, dict) and "drawing" in first:
        return f" (its lines are drawings, one a line: name it {path.stem}.ndjson)"
    return ""


def iter_seed_json(
    path: str | os.PathLike,
    *,
    strict: bool = False,
    report: ReadReport | None = None,
    limit: int | None = None,
) -> Iterator[Drawing]:
    """The drawings of a seed per-class JSON file (a list of drawings; class = stem);
    at most `limit` good ones. A bad item, or a file that holds no list, is reported
    and skipped as an ndjson file's bad line is (see the module's note)."""
    path = Path(path)
    report = report if report is not None else ReadReport()
    word = file_class(path)
    if word is None:
        raise ReadError(f"{path}: the file name is not a class name")

    def bad(item: int | None, reason: str) -> None:
        found = BadLine(str(path), item, reason, item=True)
        if strict:
            raise ReadError(str(found)) from None
        report.add_bad(found)

    try:
        data = json.loads(path.read_bytes())
    except OSError as e:
        raise ReadError(f"{path}: cannot open ({e.strerror})") from None
    except (ValueError, UnicodeDecodeError, RecursionError):
        data = None
        bad(None, f"not a JSON file{_ndjson_hint(path) or SEED_FILE}")
    if data is not None and not isinstance(data, list):
        bad(None, f"not a JSON list{SEED_FILE}")
    if not isinstance(data, list):
        return
    n = 0
    for i, raw in enumerate(data):
        if limit is not None and n >= limit:
            return
        try:
            strokes, _ = _strokes_from_lists(_seed_strokes(raw), on_grid=True)
        except ValueError as e:
            bad(i + 1, str(e))
            continue
        report.good += 1
        n += 1
        yield Drawing(strokes=strokes, word=word, key_id=f"{path.stem}-{i}")


SEED_ITEM = "a list of strokes [[x...], [y...]] on the 0..255 grid"
SEED_FILE = f" (a seed file is a JSON list of drawings, each {SEED_ITEM})"


def _seed_strokes(item: Any) -> list:
    """A seed file's item, checked to be a list (its strokes are checked as any)."""
    if isinstance(item, list):
        return item
    if isinstance(item, dict) and "drawing" in item:
        raise ValueError(
            f"a Quick, Draw! object, where a seed item is its 'drawing' alone, {SEED_ITEM} "
            "(whole objects go one a line in an .ndjson file)"
        )
    raise ValueError(f"not a drawing: a seed item is {SEED_ITEM}")


def iter_drawings(path: str | os.PathLike, **kwargs) -> Iterator[Drawing]:
    """Read any supported file by its extension (.ndjson, or .json for the seed format).

    `labelled=True` is for a data directory's readers (see `iter_ndjson`); a seed file's
    drawings are always labelled, by its name."""
    suffix = Path(path).suffix.lower()
    if suffix == ".ndjson":
        return iter_ndjson(path, **kwargs)
    if suffix == ".json":  # a seed file is read at once: no progress within it
        kwargs.pop("labelled", None)
        kwargs.pop("progress", None)
        return iter_seed_json(path, **kwargs)
    raise ReadError(f"{path}: unknown format (expected .ndjson or .json)")


def file_class(path: str | os.PathLike) -> str | None:
    """The class a data file is named after ('Hockey_Stick.ndjson' -> 'hockey stick'),
    or None: the class of every drawing in it (see the module's note)."""
    stem = Path(path).stem
    try:
        class_index(stem)
    except UnknownClassError:
        return None
    return normalize_name(stem)


# ----------------------------------------------------------------------------- writers


def write_ndjson(drawings: Iterable[Drawing], path: str | os.PathLike, *, raw: bool = False) -> int:
    """Write drawings as simplified (or raw) ndjson, atomically; returns the count."""
    n = 0
    with atomic_open(path, "w", encoding="utf-8") as f:
        for d in drawings:
            f.write(ndjson_line(d, raw=raw))
            n += 1
    return n


def ndjson_line(drawing: Drawing, *, raw: bool = False) -> str:
    """One drawing as a line of an ndjson file (compact JSON, with its newline)."""
    return json.dumps(drawing_to_json(drawing, raw=raw), separators=(",", ":")) + "\n"


# ----------------------------------------------------------------------- normalisation


def resample(stroke: np.ndarray, spacing: float = 1.0) -> np.ndarray:
    """Points every `spacing` along a polyline (ends kept). (n, 2) -> (k, 2) float32."""
    stroke = np.asarray(stroke, np.float64)
    if len(stroke) < 2:
        return stroke.astype(np.float32)
    seg = np.linalg.norm(np.diff(stroke, axis=0), axis=1)
    cum = np.concatenate([[0.0], np.cumsum(seg)])
    total = cum[-1]
    if total <= 0:
        return stroke[:1].astype(np.float32)
    n = max(math.floor(total / spacing), 1)
    at = np.append(np.arange(n) * spacing, total)
    x = np.interp(at, cum, stroke[:, 0])
    y = np.interp(at, cum, stroke[:, 1])
    return np.stack([x, y], axis=1).astype(np.float32)


def rdp(stroke: np.ndarray, epsilon: float = RDP_EPSILON) -> np.ndarray:
    """Ramer-Douglas-Peucker simplification of a polyline. (n, 2) -> (k, 2), ends kept."""
    pts = np.asarray(stroke, np.float64)
    n = len(pts)
    if n < 3:
        return pts.astype(np.float32)
    keep = np.zeros(n, bool)
    keep[0] = keep[-1] = True
    stack = [(0, n - 1)]
    while stack:
        a, b = stack.pop()
        if b - a < 2:
            continue
        p, q = pts[a], pts[b]
        inner = pts[a + 1 : b]
        d = q - p
        length = math.hypot(d[0], d[1])
        if length == 0:
            dist = np.linalg.norm(inner - p, axis=1)
        else:
            dist = np.abs(d[0] * (inner[:, 1] - p[1]) - d[1] * (inner[:, 0] - p[0])) / length
        i = int(np.argmax(dist))
        if dist[i] > epsilon:
            mid = a + 1 + i
            keep[mid] = True
            stack.append((a, mid))
            stack.append((mid, b))
    return pts[keep].astype(np.float32)


TINY_BOX = 1e-300  # a drawing's side under which it is scaled up before normalising


def normalize_strokes(strokes: Sequence[np.ndarray]) -> tuple[np.ndarray, ...]:
    """Screen strokes -> the simplified space, as Google made the simplified files.

    Align to 0, scale uniformly so the larger side is 255, resample at 1 px, simplify
    with RDP (epsilon 2.0), round to integers. A drawing that is a single point stays
    a point at the origin. StrokeError for points that are NaN or infinite, or so far
    apart that the box's side overflows.
    """
    strokes = [np.asarray(s, np.float64).reshape(-1, 2) for s in strokes]
    strokes = [s for s in strokes if len(s)]
    if not strokes:
        return ()
    allp = np.concatenate(strokes)
    if not np.isfinite(allp).all():
        raise StrokeError("a stroke's points must be finite numbers (got NaN or infinity)")
    lo = allp.min(axis=0)
    with np.errstate(over="ignore"):
        extent = float((allp.max(axis=0) - lo).max())
    if not math.isfinite(extent):
        raise StrokeError("a drawing's points are too far apart to scale (its side overflows)")
    if 0 < extent < TINY_BOX:  # 255 / extent would overflow: scaled up first, exactly
        strokes, lo, extent = [s * 2.0**1000 for s in strokes], lo * 2.0**1000, extent * 2.0**1000
    scale = (GRID - 1) / extent if extent > 0 else 1.0
    out = []
    for s in strokes:
        s = (s - lo) * scale
        s = rdp(resample(s, 1.0), RDP_EPSILON)
        out.append(np.clip(np.rint(s), 0, GRID - 1).astype(np.float32))
    return tuple(out)


def normalize(drawing: Drawing) -> Drawing:
    """A raw (screen-space) drawing -> the simplified space; metadata kept, times dropped."""
    return replace(drawing, strokes=normalize_strokes(drawing.strokes), times=None)


def is_raw(drawing: Drawing) -> bool:
    """A raw drawing: with its timing, or off the simplified space's grid (screen
    coordinates); training and `data compare` normalise it before they use it."""
    return drawing.times is not None or any(
        len(s) and (s.min() < 0 or s.max() > GRID - 1) for s in drawing.strokes
    )
