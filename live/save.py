"""Saving what was drawn as Quick, Draw! data, so people can collect their own doodles.

Each shape on the canvas becomes one drawing, appended (atomically) to two files:

- ``<save dir>/raw/<class>.ndjson``: canvas pixels with y down and each point's time
  in ms since the shape's first point (Google's raw format);
- ``<save dir>/simplified/<class>.ndjson``: the same strokes normalised with
  `core.strokes.normalize_strokes`, exactly as the simplified training files were made.

`word` is the label the user confirmed: the class it snapped to (they kept the snap),
or else the top guess (or a label given explicitly). Both files read back with
`core.strokes.iter_ndjson`.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from core.errors import FrankensteinError
from core.strokes import Drawing, append_ndjson, normalize_strokes
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
    """Append each (shape, word) to the raw and simplified files; the paths written."""
    written: list[Path] = []
    for shape, word in shapes:
        raw, simplified = shape_drawings(shape, word, canvas_height)
        for kind, drawing in (("raw", raw), ("simplified", simplified)):
            path = Path(save_dir) / kind / f"{word}.ndjson"
            try:
                append_ndjson(drawing, path, raw=kind == "raw")
            except OSError as e:
                raise FrankensteinError(f"{path}: cannot save the drawing ({e.strerror})") from e
            if path not in written:
                written.append(path)
    return written
