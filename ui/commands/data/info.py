"""`frankenstein data info`: counts and stroke statistics of a data directory."""

from __future__ import annotations

import argparse
import statistics
from pathlib import Path

from core.errors import FrankensteinError


def add_parser(actions: argparse._SubParsersAction) -> None:
    """The `info` action of `frankenstein data`."""
    info = actions.add_parser(
        "info",
        help="counts per class and stroke-count statistics of a data directory",
        description="Read every <class>.ndjson (or seed <class>.json: a JSON list of "
        "drawings, each a list of strokes [[x...], [y...]] on the 0..255 grid) file in DIR "
        "and print, per class, the number of drawings, bad lines (a seed file that is no "
        "such list is one), and the stroke-count distribution. A "
        "class is one row whichever files hold it: two files named for it (ice "
        "cream.ndjson and ice_cream.ndjson), or a file named after no class, whose "
        "drawings go by each line's 'word'. Under the table, each class read from more "
        "than one file names them with their drawings, and each file named after no "
        "class gives its drawings by word and its bad lines (which are in no class's row).",
    )
    info.add_argument("dir", type=Path, help="directory of <class>.ndjson files")
    info.add_argument(
        "--limit",
        type=int,
        default=None,
        help="read at most the first N drawings a class (as eval's --limit)",
    )
    info.add_argument("--show-bad", action="store_true", help="list the bad lines found")
    info.set_defaults(func=run_info)


def run_info(args: argparse.Namespace) -> int:
    from rich.console import Console
    from rich.table import Table

    from core.classes import CLASSES
    from core.strokes import ReadReport, file_class
    from training.datainfo import FilesRead, class_stats, data_files, no_data_files
    from ui.progress import reading_bar

    if args.limit is not None and args.limit < 1:
        raise FrankensteinError(f"--limit {args.limit}: must be at least 1")
    if not args.dir.is_dir():
        raise FrankensteinError(f"{args.dir}: not a directory")
    files = data_files(args.dir)
    if not files:
        raise FrankensteinError(no_data_files(args.dir))
    with reading_bar() as progress:
        classes, reads = class_stats(files, args.limit, FilesRead(files, progress))
    table = Table(title=f"{args.dir}")
    for col in ("class", "drawings", "bad lines", "strokes mean", "median", "1", "2", "3", "4+"):
        # a class name on one line ("hockey stick" wrapped at 80 columns): numbers give way
        wide = col in ("class", "drawings")
        table.add_column(col, justify="left" if col == "class" else "right", no_wrap=wide)
    for c in classes:
        counts = c.stroke_counts
        stats = ("-",) * 6  # a class with no drawing read has no statistics, not zeros
        if counts:
            mean, median = statistics.mean(counts), statistics.median(counts)
            stats = (f"{mean:.2f}", f"{median:g}", *(f"{v:.0%}" for v in c.stroke_histogram(4)))
        table.add_row(c.word, str(c.n), str(c.bad), *stats)
    total = sum(c.n for c in classes)
    read = ReadReport()
    for r in reads:
        read.add(r.report)
    notes = []
    if read.mismatches:  # each is counted in its file's class, as training and eval label it
        notes.append(read.mismatch_warning())
    for c in classes:
        if len(c.files) > 1:
            fed = ", ".join(f"{name}: {n}" for name, n in c.files.items())
            notes.append(f"{c.word} is read from {len(c.files)} files: {fed}")
    for r in reads:
        if file_class(r.path) is None and (r.classes or r.report.bad):
            tally = ", ".join(f"{c}: {n}" for c, n in sorted(r.classes.items())) or "none"
            bad = r.report.bad
            in_none = f"; {_n(bad, 'bad line')}, in no class's row" if bad else ""
            notes.append(f"{r.path.name} is not named after a class: by 'word', {tally}{in_none}")
    console = Console(markup=False)  # paths may hold [brackets], not markup
    console.print(table)
    console.print(
        f"{_n(total, 'drawing')} of {_n(len(classes), 'class')} in {_n(len(files), 'file')}, "
        f"{_n(read.bad, 'bad line')} skipped"
    )
    drawn = {c.word for c in classes if c.n}
    missing = [c for c in CLASSES if c not in drawn]
    if missing:  # not in the table at all, or a row of 0: said, as training would
        which = f"{len(missing)} of {len(CLASSES)} classes: {', '.join(missing)}"
        if len(missing) == len(CLASSES):
            which = f"any of the {len(CLASSES)} classes"
        console.print(f"no drawings of {which}", soft_wrap=True)
    for note in notes:
        console.print(f"({note})", markup=False, soft_wrap=True)
    pauses = [p for c in classes for p in c.longest_pauses]
    if pauses and total:
        # what the window's pause-to-snap (LiveSettings.pause_s) must wait out
        over = ", ".join(
            f"{sum(p > t for p in pauses) / total:.0%} over {t:g} s" for t in (1, 1.5, 2)
        )
        console.print(f"drawings pausing between two strokes: {over}")
    if args.show_bad:
        # an unknown class's reason lists the 18 known ones: once under the lines, not on each
        known = f" (known: {', '.join(CLASSES)})"
        listed = False
        for r in reads:
            for b in r.report.examples:
                line = str(b)
                listed |= known in line
                console.print(f"  {line.replace(known, '')}", markup=False, soft_wrap=True)
        if listed:
            console.print(f"  (the known classes: {', '.join(CLASSES)})", soft_wrap=True)
    return 0


def _n(count: int, noun: str) -> str:
    """'1 class', '2 classes', '0 bad lines'."""
    if count == 1:
        return f"1 {noun}"
    return f"{count} {noun}{'es' if noun.endswith('s') else 's'}"
