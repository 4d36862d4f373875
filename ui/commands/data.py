"""`frankenstein data`: look at, download and generate drawing data."""

from __future__ import annotations

import argparse
from pathlib import Path

from core.errors import FrankensteinError


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("data", help="inspect, download or generate drawing data")
    dsub = p.add_subparsers(dest="data_command", metavar="ACTION", required=True)

    info = dsub.add_parser(
        "info",
        help="counts per class and stroke-count statistics of a data directory",
        description="Read every <class>.ndjson (or seed .json) file in DIR and print, per "
        "class, the number of drawings, bad lines, and the stroke-count distribution.",
    )
    info.add_argument("dir", type=Path, help="directory of <class>.ndjson files")
    info.add_argument("--limit", type=int, default=None, help="read at most N drawings a file")
    info.add_argument("--show-bad", action="store_true", help="list the bad lines found")
    info.set_defaults(func=run_info)


def run_info(args: argparse.Namespace) -> int:
    from rich.console import Console
    from rich.table import Table

    from training.datainfo import data_files, file_stats

    if not args.dir.is_dir():
        raise FrankensteinError(f"{args.dir}: not a directory")
    files = data_files(args.dir)
    if not files:
        raise FrankensteinError(f"{args.dir}: no .ndjson or .json files")
    table = Table(title=f"{args.dir}")
    for col in ("class", "drawings", "bad lines", "strokes mean", "median", "1", "2", "3", "4+"):
        table.add_column(col, justify="left" if col == "class" else "right")
    console = Console()
    total = bad = 0
    reports = []
    for path in files:
        s = file_stats(path, limit=args.limit)
        counts = s.stroke_counts or [0]
        h = s.stroke_histogram(4)
        table.add_row(
            s.word,
            str(s.n),
            str(s.report.bad),
            f"{sum(counts) / len(counts):.2f}",
            f"{sorted(counts)[len(counts) // 2]}",
            *(f"{v:.0%}" for v in h),
        )
        total += s.n
        bad += s.report.bad
        reports.append(s.report)
    console.print(table)
    console.print(f"{total} drawings in {len(files)} files, {bad} bad lines skipped")
    if args.show_bad:
        for r in reports:
            for b in r.examples:
                console.print(f"  {b}", markup=False)
    return 0
