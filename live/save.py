"""Saving what was drawn as Quick, Draw! data, so people can collect their own doodles.

Each shape on the canvas becomes one drawing, appended to two files (each replaced
atomically, and a save writes all of its files or none; `save_shapes`):

- ``<save dir>/raw/<class>.ndjson``: canvas pixels with y down and each point's time
  in ms since the shape's first point (Google's raw format);
- ``<save dir>/simplified/<class>.ndjson``: the same strokes normalised with
  `core.strokes.normalize_strokes`, exactly as the simplified training files were made.

A save holds ``<save dir>/.save.lock`` (`core.atomic.exclusive`) from reading the files
to replacing them, so two windows saving into one folder at once both keep their lines.
Holding it, a save first removes the hidden temporaries (``.<class>.ndjson.*.tmp``) that
a window killed in the middle of its save (SIGKILL, the OOM killer) left in raw/ and
simplified/: every live save holds the lock, so they belong to no writer.
A Ctrl-C or SIGTERM that comes while it replaces them waits until it is done.

`word` is the label the user confirmed: the class it snapped to (they kept the snap),
or else the top guess (or a label given explicitly). Both files read back with
`core.strokes.iter_ndjson`.
"""

from __future__ import annotations

import contextlib
import os
import re
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from core import signals
from core.atomic import atomic_write_bytes, exclusive, remove_temporaries
from core.classes import CLASSES
from core.errors import FrankensteinError
from core.strokes import Drawing, ndjson_line, normalize_strokes
from live.canvas import Shape


def shape_drawings(shape: Shape, word: str, canvas_height: float) -> tuple[Drawing, Drawing]:
    """A shape -> (raw Drawing in canvas pixels y down with ms times, simplified Drawing)."""
    # Rounded as written, and the simplified strokes made from exactly what is written.
    strokes = tuple(np.round(s, 1) for s in shape.screen_ink(canvas_height))
    t0 = float(shape.strokes[0].times[0])
    times = [(np.asarray(s.times, np.float64) - t0) * 1000.0 for s in shape.strokes]
    meta = dict(
        word=word,
        key_id=f"live-{uuid.uuid4().hex[:16]}",
        recognized=shape.snap is not None,
        timestamp=datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S.%f UTC"),
    )
    raw = Drawing(
        strokes=strokes,
        times=tuple(np.round(t, 1) for t in times),
        **meta,
    )
    simplified = Drawing(strokes=normalize_strokes(strokes), **meta)
    return raw, simplified


def save_shapes(
    shapes: Sequence[tuple[Shape, str]], save_dir: Path, canvas_height: float
) -> list[Path]:
    """Append each (shape, word) to the raw and simplified files; the paths written.

    All or nothing as far as a file system allows: every file's new content is made
    and every folder checked for writing before the first file is replaced (each
    atomically), and should a write still fail, the files already replaced get their
    old content back. So raw/ and simplified/ never disagree after a failed save.
    """
    lines: dict[Path, list[str]] = {}
    for shape, word in shapes:
        raw, simplified = shape_drawings(shape, word, canvas_height)
        for kind, drawing in (("raw", raw), ("simplified", simplified)):
            path = Path(save_dir) / kind / f"{word}.ndjson"
            lines.setdefault(path, []).append(ndjson_line(drawing, raw=kind == "raw"))
    lock = Path(save_dir) / SAVE_LOCK
    with contextlib.ExitStack() as held:
        try:
            held.enter_context(exclusive(lock))
        except OSError as e:  # save_dir is no folder, or not writable: name a file
            raise _cannot(next(iter(lines)), e) from e
        for kind in ("raw", "simplified"):  # what saves killed midway left
            remove_temporaries(Path(save_dir) / kind, SAVED_FILES)
        # A Ctrl-C or SIGTERM (which closes the window) waits until the files are in:
        # else it could land between the raw file and the simplified one.
        with signals.deferred():
            return _append(lines)


SAVE_LOCK = ".save.lock"  # held by a save from reading the files to replacing them
SAVED_FILES = "|".join(rf"{re.escape(c)}\.ndjson" for c in CLASSES)  # as a regex of names


def _append(lines: dict[Path, list[str]]) -> list[Path]:
    """Add the lines to their files, all or none (see `save_shapes`)."""
    old = {path: _existing(path) for path in lines}
    for path in lines:
        _check_writable(path)
    written: list[Path] = []
    try:
        for path, new in lines.items():
            before = old[path] or b""
            if before and not before.endswith(b"\n"):
                before += b"\n"
            _write(path, before + "".join(new).encode("utf-8"))
            written.append(path)
    except FrankensteinError:
        for path in written:  # put back what this save replaced
            with contextlib.suppress(OSError):
                if old[path] is None:
                    path.unlink()
                else:
                    atomic_write_bytes(path, old[path])
        raise
    return list(lines)


def _existing(path: Path) -> bytes | None:
    """The file's content now (None: no such file)."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as e:
        raise _cannot(path, e) from e


def _check_writable(path: Path) -> None:
    """Make the file's folder; an error unless a file can be created there."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise _cannot(path, e) from e
    if not os.access(path.parent, os.W_OK | os.X_OK):
        raise FrankensteinError(f"{path}: cannot save the drawing (folder not writable)")


def _write(path: Path, data: bytes) -> None:
    try:
        atomic_write_bytes(path, data)
    except OSError as e:
        raise _cannot(path, e) from e


def _cannot(path: Path, e: OSError) -> FrankensteinError:
    """The error of a save that could not write `path`, saying why: a file standing where
    one of its folders should be is named as such (making the folders reports it as
    "File exists", which points at nothing)."""
    blocker = _file_in_the_way(path)
    why = f"{blocker} is not a directory" if blocker is not None else e.strerror or e
    return FrankensteinError(f"{path}: cannot save the drawing ({why})")


def _file_in_the_way(path: Path) -> Path | None:
    """The nearest existing folder of `path` if it is not a folder (a file), else None."""
    for folder in path.parents:
        if folder.exists():
            return None if folder.is_dir() else folder
    return None
