"""Probe: how closely each drawing's own class's template fits its ink (core/fit.py).

Per class: the median fit error (the symmetric chamfer distance over the ink's
diagonal), how many upright shapes lean more than 10 degrees (and more than 3), how
many are fitted stretched, how many in another form (without optional strokes, or a
variant), and how many templates reach past the canvas (a drawing placed alone as
`draw --score` places it, `live.replay.place_drawings`: 240 units across in the left
half of the 800 x 600 canvas; a smiley's face round eyes and a mouth alone, drawn twice
their size, did); then the error's median and quartiles over all drawings:

    python -m experiments.probes.fit_quality --data ../shared/data/quickdraw-real-dev/simplified

The file runs against another checkout's `core` too (`PYTHONPATH=<checkout> python
experiments/probes/fit_quality.py --data ...`: a fit without stretch or forms counts
none), which is how docs/models.md ("Templates and fitting") compares with c4568ab's
similarity fit.
"""

from __future__ import annotations

import argparse
import math
from collections import defaultdict
from collections.abc import Sequence

import numpy as np

from core.fit import fit_template
from core.shapes import template
from core.strokes import Drawing
from training.replay import read_eval_drawings

LEAN = math.radians(10)  # an upright shape leaning more than this is counted
TILT = math.radians(3)  # and more than this: a tilt one sees
PAST = 1.0  # a template reaching past the canvas by more than this (canvas units) is counted
CANVAS = (800, 600)  # the window's canvas (live.settings.LiveSettings.canvas_size)
MARGIN = 0.2  # of the canvas's shorter side, each way (live.replay.place_drawings')


def on_canvas(d: Drawing, size: tuple[int, int]) -> list[np.ndarray]:
    """The drawing as `draw --score` places it alone on a canvas of `size`
    (`live.replay.place_drawings`, which experiments may not import: the same sum, a
    test holds them equal), y down: the ink the window fits."""
    cell = np.array([size[0] / math.ceil(math.sqrt(size[0] / size[1])), size[1]])  # the grid's
    points = d.points().astype(np.float64)  # first cell, for a grid of one
    lo, hi = points.min(axis=0), points.max(axis=0)
    scale = min(cell) * (1 - 2 * MARGIN) / max(float((hi - lo).max()), 1.0)
    offset = (cell - (hi - lo) * scale) / 2
    return [
        ((np.asarray(s, np.float64) - lo) * scale + offset).astype(np.float32) for s in d.strokes
    ]


def past(fit, size: tuple[int, int]) -> float:
    """How far (canvas units) the fitted template reaches past the canvas's edges."""
    points = np.concatenate(fit.strokes)
    return float(max(0.0, *(-points.min(axis=0)), *(points.max(axis=0) - np.array(size))))


def fit_rows(drawings) -> tuple[list[dict], float]:
    """One row a class (sorted by name) and the median error over all drawings (each
    fitted as the window fits it, placed alone on the canvas)."""
    size = CANVAS
    by_class = defaultdict(list)
    for d in drawings:
        by_class[d.word].append(fit_template(on_canvas(d, size), d.word))
    rows = []
    for cls in sorted(by_class):
        fits = by_class[cls]
        upright = template(cls).upright
        rows.append(
            {
                "class": cls,
                "n": len(fits),
                "median_error": float(np.median([f.error for f in fits])),
                "leaning": sum(abs(f.rotation) > LEAN for f in fits) if upright else None,
                "tilted": sum(abs(f.rotation) > TILT for f in fits) if upright else None,
                "stretched": sum(getattr(f, "aspect", 1.0) != 1.0 for f in fits),
                "other_form": sum(
                    bool(getattr(f, "left_out", ())) or getattr(f, "variant", 0) != 0 for f in fits
                ),
                "past_canvas": sum(past(f, size) > PAST for f in fits),
                "errors": [f.error for f in fits],
            }
        )
    errors = [f.error for fits in by_class.values() for f in fits]
    return rows, float(np.median(errors))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", required=True, help="a data directory of .ndjson files")
    args = parser.parse_args(argv)
    rows, overall = fit_rows(read_eval_drawings(args.data))
    print(
        f"{'class':13s} {'n':>4s} {'median error':>13s} {'leaning':>8s} {'tilted':>7s} "
        f"{'stretched':>10s} {'other form':>11s} {'past canvas':>12s}"
    )
    for r in rows:
        leaning = "-" if r["leaning"] is None else str(r["leaning"])
        tilted = "-" if r["tilted"] is None else str(r["tilted"])
        print(
            f"{r['class']:13s} {r['n']:4d} {r['median_error']:13.4f} {leaning:>8s} {tilted:>7s} "
            f"{r['stretched']:10d} {r['other_form']:11d} {r['past_canvas']:12d}"
        )
    errors = np.concatenate([r["errors"] for r in rows])
    q1, q3, p90 = np.percentile(errors, [25, 75, 90])
    upright = [r for r in rows if r["leaning"] is not None]
    print(
        f"all {sum(r['n'] for r in rows)} drawings: median error {overall:.4f} "
        f"(quartiles {q1:.4f} {q3:.4f}, 90th percentile {p90:.4f}); upright shapes leaning "
        f"more than 10 degrees {sum(r['leaning'] for r in upright)}, more than 3 "
        f"{sum(r['tilted'] for r in upright)}; templates past the canvas "
        f"{sum(r['past_canvas'] for r in rows)}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
