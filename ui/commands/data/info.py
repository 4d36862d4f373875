"""`frankenstein data info`: counts and stroke statistics of a data directory."""

from __future__ import annotations

import argparse
from pathlib import Path

from core.errors import FrankensteinError


def add_parser(actions: argparse._SubParsersAction) -> None:
    """The `info` action of `frankenstein data`."""
    info = actions.add_parser(
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

    from core.strokes import ReadReport, file_class
    from training.datainfo import FilesRead, data_files, file_stats
    from ui.progress import reading_bar

    if args.limit is not None and args.limit < 1:
        raise FrankensteinError(f"--limit {args.limit}: must be at least 1")
    if not args.dir.is_dir():
        raise FrankensteinError(f"{args.dir}: not a directory")
    files = data_files(args.dir)
    if not files:
        inside = sorted(p.name for p in args.dir.iterdir() if p.is_dir() and _has_data(p))
        hint = f" (its folders {', '.join(inside)} have some)" if inside else ""
        raise FrankensteinError(f"{args.dir}: no .ndjson or .json files{hint}")
    table = Table(title=f"{args.dir}")
    for col in ("class", "drawings", "bad lines", "strokes mean", "median", "1", "2", "3", "4+"):
        table.add_column(col, justify="left" if col == "class" else "right")
    console = Console()
    total = bad = 0
    reports = []
    by_word = []  # files not named after a class: their drawings a class, by 'word'
    pauses: list[float] = []  # the longest pause of each drawing with timing and 2+ strokes
    with reading_bar() as progress:
        files_read = FilesRead(files, progress)
        stats = []
        for path in files:
            stats.append(file_stats(path, limit=args.limit, bytes_read=files_read))
            files_read.done(path)
    for path, s in zip(files, stats, strict=True):
        pauses += s.longest_pauses
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
        if file_class(path) is None and s.classes:
            tally = ", ".join(f"{c}: {n}" for c, n in sorted(s.classes.items()))
            by_word.append(f"{path.name} is not named after a class: by 'word', {tally}")
    console.print(table)
    console.print(f"{total} drawings in {len(files)} files, {bad} bad lines skipped")
    read = ReadReport()
    for r in reports:
        read.add(r)
    if read.mismatches:  # each is counted in its file's row, as training and eval label it
        console.print(f"({read.mismatch_warning()})", markup=False, soft_wrap=True)
    for line in by_word:
        console.print(f"({line})", markup=False, soft_wrap=True)
    if pauses and total:
        # what the window's pause-to-snap (LiveSettings.pause_s) must wait out
        over = ", ".join(
            f"{sum(p > t for p in pauses) / total:.0%} over {t:g} s" for t in (1, 1.5, 2)
        )
        console.print(f"drawings pausing between two strokes: {over}")
    if args.show_bad:
        for r in reports:
            for b in r.examples:
                console.print(f"  {b}", markup=False)
    return 0


def _has_data(folder: Path) -> bool:
    from training.datainfo import data_files

    try:
        return bool(data_files(folder))
    except OSError:  # unreadable: not worth naming
        return False
