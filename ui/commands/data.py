"""`frankenstein data`: look at, download and generate drawing data."""

from __future__ import annotations

import argparse
import contextlib
import math
import os
from pathlib import Path

from core.errors import FrankensteinError

EVENTS_HELP = (
    'JSON lines on stdout instead of bars, for the TUI: {"event": "progress", "done", '
    '"total", "what"} and a last {"event": "done", "message"}'
)


class JsonProgress:
    """Progress as JSON lines (the training events' "progress" shape), at most ~200."""

    def __init__(self, total: int):
        self.total = max(total, 1)
        self.step = max(self.total // 200, 1)
        self.last = -self.step

    def update(self, done: int, what: str, force: bool = False) -> None:
        if force or done - self.last >= self.step or done >= self.total:
            self.last = done
            _emit("progress", done=done, total=self.total, what=what)

    def done(self, message: str) -> None:
        _emit("done", message=message)


def _emit(event: str, **fields) -> None:
    import json
    import sys

    sys.stdout.write(json.dumps({"event": event, **fields}) + "\n")
    sys.stdout.flush()


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

    dl = dsub.add_parser(
        "download",
        help="fetch the 18 simplified Quick, Draw! files (resumable, checksummed)",
        description="Download <class>.ndjson for each class from Google's public Quick, Draw! "
        "bucket (simplified format, about 120,000 drawings a class). An interrupted download "
        "resumes from its .part file on the next run; files already complete are checked "
        "against the SHA-256 recorded in DIR/checksums.json and skipped.",
    )
    dl.add_argument(
        "--out",
        type=Path,
        default=None,
        metavar="DIR",
        help="where the files go (default: $FRANKENSTEIN_DATA/quickdraw, i.e. data/quickdraw)",
    )
    dl.add_argument(
        "--classes",
        default=None,
        metavar="A,B,...",
        help="comma-separated class names (default: all 18)",
    )
    dl.add_argument(
        "--base-url",
        default=None,
        metavar="URL",
        help="a mirror of the bucket's full/simplified/ folder (default: Google's bucket)",
    )
    dl.add_argument("--timeout", type=float, default=60.0, help="seconds without data (60)")
    dl.add_argument("--retries", type=int, default=3, help="retries of a failing file (3)")
    dl.add_argument("--events", action="store_true", help=EVENTS_HELP)
    dl.set_defaults(func=run_download)

    templates = dsub.add_parser(
        "templates",
        help="draw the 18 clean template shapes into a PNG sheet",
        description="Draw every class's template (core/shapes.py) in one PNG: strokes "
        "coloured by drawing order (dark first), a dot where each stroke starts, and the "
        "symmetry the fit uses (k-fold, upright, mirror).",
    )
    templates.add_argument("--out", type=Path, required=True, help="PNG file to write")
    templates.set_defaults(func=run_templates)

    synth = dsub.add_parser(
        "synth",
        help="generate synthetic doodles, one <class>.ndjson per class",
        description="Draw N synthetic doodles of each class with the procedural generator "
        "(training/synth) and write them in Quick, Draw!'s simplified format, one "
        "<class>.ndjson per class in DIR. The files are drawn into a hidden folder beside DIR "
        "and moved into DIR when all are done, so an interrupted run leaves DIR as it was. "
        "The same seed gives the same files.",
    )
    synth.add_argument("--per-class", type=int, required=True, metavar="N", help="doodles a class")
    synth.add_argument("--out", type=Path, required=True, metavar="DIR", help="output directory")
    synth.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    synth.add_argument(
        "--variety",
        choices=("full", "flat", "one-style"),  # training.synth.VARIETIES, kept unimported
        default="full",
        help="full: every drawing style; flat: the styles drawn more evenly; one-style: "
        "one style a class (an ablation)",
    )
    synth.add_argument(
        "--classes",
        default=None,
        metavar="NAMES",
        help="comma-separated classes to draw (default: all 18)",
    )
    synth.add_argument("--events", action="store_true", help=EVENTS_HELP)
    synth.set_defaults(func=run_synth)

    cmp_ = dsub.add_parser(
        "compare",
        help="how close synthetic doodles are to real ones (stroke statistics, gallery)",
        description="Per class, the stroke-count histogram (1..7, 8+) and mean points per "
        "stroke of REAL_DIR and SYNTH_DIR side by side, and the total variation distance "
        "between the two stroke-count distributions (0 = identical, 1 = disjoint), next to "
        "the distance sampling alone gives at the real set's size (noise). "
        "--gallery also draws real and synthetic doodles of each class next to each other.",
    )
    cmp_.add_argument("real_dir", type=Path, help="directory of real <class>.ndjson files")
    cmp_.add_argument("synth_dir", type=Path, help="directory of synthetic <class>.ndjson files")
    cmp_.add_argument("--gallery", type=Path, default=None, metavar="PNG", help="write a gallery")
    cmp_.add_argument(
        "--limit", type=int, default=5000, help="read at most N drawings a file (default 5000)"
    )
    cmp_.add_argument("--seed", type=int, default=0, help="which doodles the gallery shows")
    cmp_.set_defaults(func=run_compare)


def run_info(args: argparse.Namespace) -> int:
    from rich.console import Console
    from rich.table import Table

    from training.datainfo import data_files, file_stats

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
    pauses: list[float] = []  # the longest pause of each drawing with timing and 2+ strokes
    for path in files:
        s = file_stats(path, limit=args.limit)
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
    console.print(table)
    console.print(f"{total} drawings in {len(files)} files, {bad} bad lines skipped")
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


def run_download(args: argparse.Namespace) -> int:
    from collections import Counter

    from rich.console import Console
    from rich.progress import (
        BarColumn,
        DownloadColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
        TransferSpeedColumn,
    )
    from rich.text import Text

    from core.classes import CLASSES, class_index, class_name
    from training.download import MANIFEST, default_dir

    if not args.timeout > 0:  # 0 made non-blocking sockets, below 0 a traceback
        raise FrankensteinError(f"--timeout {args.timeout:g}: must be more than 0 seconds")
    if args.retries < 0:
        raise FrankensteinError(f"--retries {args.retries}: must be 0 or more")
    if args.classes is None:
        classes = list(CLASSES)
    else:
        names = [c for c in (c.strip() for c in args.classes.split(",")) if c]
        if not names:
            raise FrankensteinError("--classes: no class names given")
        classes = [class_name(class_index(c)) for c in names]
    out = args.out if args.out is not None else default_dir()
    if args.events:
        return _download_events(args, classes, out)
    console = Console()

    class Amount(DownloadColumn):
        """Bytes for a file's task; "3/18" for the overall task (counted in files)."""

        def render(self, task):
            if task.fields.get("files"):
                return Text(f"{task.completed:.0f}/{task.total:.0f}", style="progress.download")
            return super().render(task)

    columns = (
        TextColumn("{task.description}", markup=False),
        BarColumn(),
        Amount(),
        TransferSpeedColumn(),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=console) as bar:
        overall = bar.add_task(_files(len(classes)), total=len(classes), files=True)
        tasks: dict[str, int] = {}

        def on_progress(p) -> None:
            if p.name not in tasks:
                tasks[p.name] = bar.add_task(p.name, total=p.total)
            task = tasks[p.name]
            if p.event in ("start", "bytes"):
                bar.update(task, description=p.name, completed=p.done, total=p.total)
            elif p.event == "verify":
                bar.update(
                    task, description=f"{p.name} (checking)", completed=p.done, total=p.total
                )
            elif p.event == "retry":
                bar.console.print(f"{p.name}: {p.message}", markup=False, highlight=False)
            elif p.event == "done":
                bar.update(task, description=f"{p.name} {p.status}", completed=p.done, total=p.done)
                bar.advance(overall)

        try:
            results = _fetch(args, classes, out, on_progress)
        except KeyboardInterrupt:
            bar.stop()
            Console(stderr=True).print(
                f"frankenstein: interrupted; partial files stay in {out} as .part and resume "
                "on the next run",
                markup=False,
                highlight=False,
                soft_wrap=True,
            )
            return 130
    counts = Counter(r.status for r in results)
    done = ", ".join(f"{n} {status}" for status, n in sorted(counts.items()))
    console.print(
        f"{_files(len(results))} complete in {out} ({done}); SHA-256 in {out / MANIFEST}",
        markup=False,
        highlight=False,
        soft_wrap=True,
    )
    return 0


def _fetch(args: argparse.Namespace, classes: list[str], out: Path, on_progress) -> list:
    """The download itself, as the command line asked for it (bars or events report it)."""
    from training.download import BASE_URL, download

    return download(
        classes,
        out,
        base_url=args.base_url or BASE_URL,
        on_progress=on_progress,
        timeout=args.timeout,
        retries=args.retries,
    )


def _download_events(args: argparse.Namespace, classes: list[str], out: Path) -> int:
    """`data download --events`: files done of all, with the current file's megabytes."""
    events = JsonProgress(len(classes))
    finished = 0
    shown: dict[str, int] = {}

    def on_progress(p) -> None:
        nonlocal finished
        if p.event == "done":
            finished += 1
            events.update(finished, f"{p.name} {p.status}", force=True)
        elif p.event in ("start", "bytes", "verify"):
            mb = p.done >> 20
            if shown.get(p.name) != mb:  # one line a megabyte
                shown[p.name] = mb
                total = f"/{p.total >> 20}" if p.total else ""
                verb = "checking" if p.event == "verify" else "downloading"
                events.update(finished, f"{verb} {p.name} {mb}{total} MB", force=True)
        elif p.event == "retry":
            events.update(finished, f"{p.name}: {p.message}", force=True)

    results = _fetch(args, classes, out, on_progress)
    events.done(f"{_files(len(results))} complete in {out}")
    return 0


def _files(n: int) -> str:
    return f"{n} file" if n == 1 else f"{n} files"


def run_templates(args: argparse.Namespace) -> int:
    import io

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from core.atomic import atomic_write_bytes
    from core.shapes import TEMPLATES

    if args.out.suffix.lower() != ".png":
        raise FrankensteinError(f"{args.out}: the template sheet is written as a .png file")
    fig, axes = plt.subplots(3, 6, figsize=(12, 6.6))
    for ax, t in zip(axes.flat, TEMPLATES.values(), strict=True):
        for i, s in enumerate(t.strokes):
            colour = plt.cm.viridis(0.85 * i / max(1, t.n_strokes - 1))
            ax.plot(s[:, 0], s[:, 1], color=colour, lw=2, solid_capstyle="round")
            ax.plot(*s[0], "o", color=colour, ms=4)
        notes = [{0: "any turn", 1: ""}.get(t.symmetry, f"{t.symmetry}-fold")]
        notes.append(f"upright ±{round(math.degrees(t.max_tilt))}°" if t.upright else "")
        notes.append("mirror" if t.mirror else "")
        ax.set_title(f"{t.name}\n{', '.join(n for n in notes if n)}", fontsize=9)
        ax.set_xlim(-0.06, 1.06)
        ax.set_ylim(1.06, -0.06)  # y down, as in the drawings
        ax.set_aspect("equal")
        ax.set_xticks([])
        ax.set_yticks([])
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=80)
    plt.close(fig)
    try:
        atomic_write_bytes(args.out, buf.getvalue())
    except OSError as e:
        raise FrankensteinError(f"{args.out}: cannot write the template sheet ({e})") from e
    print(f"wrote {args.out}")
    return 0


def run_synth(args: argparse.Namespace) -> int:
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    from core.atomic import check_output_dir
    from core.classes import CLASSES, class_index
    from core.strokes import write_ndjson
    from training.synth import generate_drawings

    if args.per_class < 1:
        raise FrankensteinError(f"--per-class must be at least 1, got {args.per_class}")
    if args.out.exists() and not args.out.is_dir():
        raise FrankensteinError(f"{args.out}: exists and is not a directory")
    classes = CLASSES
    if args.classes:
        classes = tuple(
            CLASSES[class_index(c.strip())] for c in args.classes.split(",") if c.strip()
        )
    check_output_dir(args.out)
    summary = (
        f"{args.per_class * len(classes)} drawings ({args.per_class} a class, seed {args.seed}, "
        f"variety {args.variety}) written to {args.out}"
    )
    if args.events:
        with _staging(args.out) as staging:
            return _synth_events(args, classes, staging, summary)
    console = Console()
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
    with (
        _staging(args.out) as staging,
        Progress(*columns, TimeRemainingColumn(), console=console) as progress,
    ):
        task = progress.add_task("drawing", total=args.per_class * len(classes))
        for cls in classes:
            progress.update(task, description=f"{cls:>12}")

            def drawings(cls=cls):
                for d in generate_drawings(args.per_class, args.seed, [cls], args.variety):
                    progress.advance(task)
                    yield d

            write_ndjson(drawings(), staging / f"{cls}.ndjson")
        _move_into(staging, args.out, classes)
    console.print(summary)
    return 0


def _synth_events(args: argparse.Namespace, classes, staging: Path, summary: str) -> int:
    """`data synth --events`: the drawings made so far as JSON lines, files into `staging`."""
    from core.strokes import write_ndjson
    from training.synth import generate_drawings

    events = JsonProgress(args.per_class * len(classes))
    done = 0
    for cls in classes:
        events.update(done, cls, force=True)

        def counted(cls=cls):
            nonlocal done
            for d in generate_drawings(args.per_class, args.seed, [cls], args.variety):
                done += 1
                events.update(done, cls)
                yield d

        write_ndjson(counted(), staging / f"{cls}.ndjson")
    _move_into(staging, args.out, classes)
    events.done(summary)
    return 0


@contextlib.contextmanager
def _staging(out: Path):
    """A hidden folder beside `out` for a set of files made in full before any of them
    goes into `out`; removed when the block ends, finished or interrupted (Ctrl-C), so
    that an interrupted run leaves `out` as it was, not half old and half new files."""
    import shutil
    import tempfile

    real = Path(os.path.realpath(out))  # beside the folder itself, on its file system
    real.parent.mkdir(parents=True, exist_ok=True)
    try:
        staging = Path(
            tempfile.mkdtemp(prefix=f".{real.name}.", suffix=".partial", dir=real.parent)
        )
    except OSError:
        if not real.is_dir():
            raise
        # a folder we may write in, inside one we may not: the hidden folder goes inside
        staging = Path(tempfile.mkdtemp(prefix=".synth.", suffix=".partial", dir=real))
    try:
        yield staging
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _move_into(staging: Path, out: Path, classes) -> None:
    """Rename the finished `<class>.ndjson` files of `staging` into `out` (one file
    system, so each rename is instant and atomic)."""
    out.mkdir(parents=True, exist_ok=True)
    for cls in classes:
        os.replace(staging / f"{cls}.ndjson", out / f"{cls}.ndjson")


def run_compare(args: argparse.Namespace) -> int:
    from rich import box
    from rich.console import Console
    from rich.progress import Progress
    from rich.table import Table

    from core.atomic import check_output_file
    from training.realism import MAX_STROKES, compare, gallery

    if args.limit < 1:
        raise FrankensteinError(f"--limit {args.limit}: must be at least 1")
    if args.gallery:
        check_output_file(args.gallery)
    console = Console()
    if not console.is_terminal:
        console = Console(width=max(console.width, 100))  # the table's width, when piped
    with Progress(console=console, transient=True) as progress:
        task = progress.add_task("reading", total=None)

        def report(done: int, total: int, what: str) -> None:
            progress.update(task, completed=done, total=total, description=f"reading {what}")

        rows = compare(args.real_dir, args.synth_dir, limit=args.limit, progress=report)
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
        f"{len(rows)} classes; total variation (TV) of stroke counts: mean {sum(tvs) / len(tvs):.2f}, "
        f"max {max(tvs):.2f} ({rows[tvs.index(max(tvs))].word}); from sampling alone (noise) "
        f"at these real set sizes: mean {sum(floors) / len(floors):.2f}"
    )
    if empty:
        console.print(f"skipped, no drawings read: {', '.join(empty)}", markup=False)
    for side, stats in (("real", [r.real for r in rows]), ("synthetic", [r.synth for r in rows])):
        bad = _bad_lines(stats)
        if bad.bad:
            console.print(f"({side}: {bad.skipped()})", markup=False, soft_wrap=True)
    if args.gallery:
        classes = [r.word for r in rows]
        path = gallery(args.real_dir, args.synth_dir, args.gallery, seed=args.seed, classes=classes)
        console.print(f"gallery written to {path}")
    return 0


def _bad_lines(stats):
    """The bad lines of several files' statistics (training/datainfo.FileStats), together,
    as one core.strokes.ReadReport."""
    from core.strokes import ReadReport

    report = ReadReport()
    for s in stats:
        report.good += s.report.good
        for item in s.report.examples:
            report.add_bad(item)
        report.bad += s.report.bad - len(s.report.examples)
    return report
