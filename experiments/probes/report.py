"""What every probe shares: its command line and its one-line-per-variant summary."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path

from core.atomic import atomic_write_text
from core.errors import FrankensteinError


def probe_parser(doc: str) -> argparse.ArgumentParser:
    """A parser with the arguments every probe takes: --model, --data, --limit, --json."""
    parser = argparse.ArgumentParser(description=doc.split("\n\n")[0])
    parser.add_argument("--model", default="frankenstein", help="bundled name or checkpoint")
    parser.add_argument("--data", required=True, help="directory of <class>.ndjson to score")
    parser.add_argument("--limit", type=int, default=None, help="read at most N a class")
    parser.add_argument("--json", type=Path, default=None, help="write the reports here")
    return parser


def summary(reports: dict) -> str:
    """One line per variant of `frankenstein eval`'s report: top-1, top-3, after 1 / 2
    strokes, ECE, snap precision / recall."""
    width = max(map(len, reports), default=0)
    lines = []
    for name, r in reports.items():
        s, at = r["snap"], r["accuracy_at_stroke"]
        lines.append(
            f"{name:{width}s}  top-1 {r['top1']:.1%}  top-3 {r['top3']:.1%}  "
            f"after 1 / 2 {at[0]['top1']:.1%} / {at[1]['top1']:.1%}  ECE {r['ece']:.3f}  "
            f"snap {s['precision'] or 0:.1%} / {s['recall'] or 0:.1%} at {s['threshold']}"
        )
    return "\n".join(lines)


def publish(reports: dict, path: Path | None) -> None:
    """Print the summary; write the full reports as JSON when a path is given."""
    print(summary(reports))
    if path is not None:
        atomic_write_text(path, json.dumps(reports, indent=1))


def run(main: Callable[[], int]) -> int:
    """A probe's exit status: a bad input (a checkpoint that does not load, a missing
    data directory) is one line on stderr and status 2, as with `frankenstein`."""
    try:
        return main()
    except FrankensteinError as e:
        print(f"{Path(sys.argv[0]).stem}: error: {e}", file=sys.stderr)
        return 2
