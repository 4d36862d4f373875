"""`frankenstein data compare`: stroke statistics of real and synthetic doodles side by
side, and a gallery."""

from __future__ import annotations

import argparse
import contextlib
from collections.abc import Callable, Iterator
from pathlib import Path

from core.errors import FrankensteinError


def add_parser(actions: argparse._SubParsersAction) -> None:
    """The `compare` action of `frankenstein data`."""
    cmp_ = actions.add_parser(
        "compare",
        help="how close synthetic doodles are to real ones (stroke statistics, gallery)",
        description="Per class, the stroke-count histogram (1..7, 8+) and mean points per "
        "stroke of REAL_DIR and SYNTH_DIR side by side, and the total variation distance "
        "between the two stroke-count distributions (0 = identical, 1 = disjoint), next to "
        "the distance sampling alone gives at the real set's size (noise). A raw drawing "
        "(with its timing, or in screen coordinates) is normalised into the simplified "
        "space first, as training reads it, so that its points per stroke compare. "
        "--gallery also draws real and synthetic doodles of each class next to each other.",
    )
    cmp_.add_argument("real_dir", type=Path, help="directory of real <class>.ndjson files")
    cmp_.add_argument("synth_dir", type=Path, help="directory of synthetic <class>.ndjson files")
    cmp_.add_argument("--gallery", type=Path, default=None, metavar="PNG", help="write a gallery")
    cmp_.add_argument(
        "--limit",
        type=int,
        default=5000,
        help="read at most N drawings a class, whichever files hold it (default 5000)",
    )
    cmp_.add_argument("--seed", type=int, default=0, help="which doodles the gallery shows")
    cmp_.set_defaults(func=run_compare)


def run_compare(args: argparse.Namespace) -> int:
    from rich import box
    from rich.console import Console
    from rich.table import Table

    from core.atomic import check_output_file
    from core.strokes import ReadReport
    from training.realism import MAX_STROKES, compare, gallery

    if args.limit < 1:
        raise FrankensteinError(f"--limit {args.limit}: must be at least 1")
    if args.seed < 0:  # numpy's seeds are 0 or more; found after the table, a traceback
        raise FrankensteinError(f"--seed {args.seed}: must be 0 or more")
    if args.gallery:
        check_output_file(args.gallery)
        if args.gallery.suffix.lower() != ".png":  # PNG bytes under another name
            raise FrankensteinError(f"{args.gallery}: the gallery is written as a .png file")
    console = Console(markup=False)  # paths may hold [brackets], not markup
    if not console.is_terminal:
        console = Console(width=max(console.width, 100), markup=False)  # piped: the table fits
    reads = {"real": ReadReport(), "synthetic": ReadReport()}
    with _bar("reading") as report:  # on stderr: stdout is the table's
        rows = compare(
            args.real_dir,
            args.synth_dir,
            limit=args.limit,
            progress=report,
            real_report=reads["real"],
            synth_report=reads["synthetic"],
        )
    empty = [f"{r.word} ({' and '.join(r.empty)})" for r in rows if r.empty]
    rows = [r for r in rows if not r.empty]
    if not rows:
        raise FrankensteinError(
            f"{args.real_dir} and {args.synth_dir}: no class has drawings on both sides "
            f"(none read: {', '.join(empty)})"
        )
    table = Table(
        title=f"strokes a drawing (% of drawings): {args.real_dir} vs {args.synth_dir}",
        box=box.SIMPLE_HEAD,
    )
    table.add_column("class", no_wrap=True)
    table.add_column("data", no_wrap=True)
    table.add_column("n", justify="right")
    for k in range(1, MAX_STROKES + 1):
        table.add_column(f"{k}+" if k == MAX_STROKES else str(k), justify="right")
    table.add_column("pts/stroke", justify="right")
    table.add_column("TV", justify="right")
    table.add_column("noise", justify="right")
    for r in rows:
        for name, stats, hist in (("real", r.real, r.real_hist), ("synth", r.synth, r.synth_hist)):
            pts = stats.points_per_stroke
            table.add_row(
                r.word if name == "real" else "",
                name,
                str(stats.n),
                *(f"{100 * v:.0f}" if v else "." for v in hist),
                f"{sum(pts) / max(len(pts), 1):.1f}",
                f"{r.tv:.2f}" if name == "synth" else "",
                f"{r.tv_floor():.2f}" if name == "synth" else "",
                end_section=name == "synth",
            )
    console.print(table)
    tvs = [r.tv for r in rows]
    floors = [r.tv_floor() for r in rows]
    console.print(
        f"{len(rows)} class{'' if len(rows) == 1 else 'es'}; total variation (TV) of stroke counts: mean {sum(tvs) / len(tvs):.2f}, "
        f"max {max(tvs):.2f} ({rows[tvs.index(max(tvs))].word}); from sampling alone (noise) "
        f"at these real set sizes: mean {sum(floors) / len(floors):.2f}"
    )
    if empty:
        console.print(f"skipped, no drawings read: {', '.join(empty)}", markup=False)
    for side, raw in (
        ("real", sum(r.real.raw for r in rows)),
        ("synth", sum(r.synth.raw for r in rows)),
    ):
        if raw:  # a raw stroke's points are the screen's samples, several times as many
            console.print(
                f"({side}: {raw} raw drawing{'' if raw == 1 else 's'} normalised into the "
                "simplified space first (core/strokes.normalize), as training reads them: "
                "their points per stroke are those of simplified strokes)",
                soft_wrap=True,
            )
    for side, read in reads.items():
        if read.bad:
            console.print(f"({side}: {read.skipped()})", markup=False, soft_wrap=True)
        if read.mismatches:
            console.print(f"({side}: {read.mismatch_warning()})", markup=False, soft_wrap=True)
    if args.gallery:
        classes = [r.word for r in rows]
        with _bar("drawing the gallery:") as report:
            path = gallery(
                args.real_dir,
                args.synth_dir,
                args.gallery,
                seed=args.seed,
                classes=classes,
                progress=report,
            )
        console.print(f"gallery written to {path}")
    return 0


@contextlib.contextmanager
def _bar(doing: str) -> Iterator[Callable[[int, int, str], None]]:
    """A transient bar on stderr ("DOING what, bar, percent, time left"); yields its
    progress(done, total, what)."""
    from rich.console import Console
    from rich.markup import escape
    from rich.progress import Progress

    from ui.progress import off_terminal

    bars = Console(stderr=True)
    with Progress(console=bars, transient=True, disable=off_terminal(bars)) as progress:
        task = progress.add_task(doing, total=None)

        def report(done: int, total: int, what: str) -> None:
            progress.update(
                task, completed=done, total=total, description=f"{doing} {escape(what)}"
            )

        yield report
