"""Probe: how closely each drawing's own class's template fits its ink (core/fit.py).

Per class: the median fit error (the symmetric chamfer distance over the ink's
diagonal), how many upright shapes lean more than 10 degrees, how many are fitted
stretched, and how many in another form (without optional strokes, or a variant);
then the median over all drawings:

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
from training.replay import read_eval_drawings

LEAN = math.radians(10)  # an upright shape leaning more than this is counted


def fit_rows(drawings) -> tuple[list[dict], float]:
    """One row a class (sorted by name) and the median error over all drawings."""
    by_class = defaultdict(list)
    for d in drawings:
        by_class[d.word].append(fit_template(d.strokes, d.word))
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
                "stretched": sum(getattr(f, "aspect", 1.0) != 1.0 for f in fits),
                "other_form": sum(
                    bool(getattr(f, "left_out", ())) or getattr(f, "variant", 0) != 0 for f in fits
                ),
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
        f"{'class':13s} {'n':>4s} {'median error':>13s} {'leaning':>8s} {'stretched':>10s} {'other form':>11s}"
    )
    for r in rows:
        leaning = "-" if r["leaning"] is None else str(r["leaning"])
        print(
            f"{r['class']:13s} {r['n']:4d} {r['median_error']:13.4f} {leaning:>8s} "
            f"{r['stretched']:10d} {r['other_form']:11d}"
        )
    print(f"all {sum(r['n'] for r in rows)} drawings: median error {overall:.4f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
