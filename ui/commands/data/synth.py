"""`frankenstein data synth`: synthetic doodles, one <class>.ndjson a class, made in a
hidden staging folder (staging.py) and moved into place when all are done."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from core.errors import FrankensteinError
from ui.commands.data.progress import EVENTS_HELP, JsonProgress


def add_parser(actions: argparse._SubParsersAction) -> None:
    """The `synth` action of `frankenstein data`."""
    synth = actions.add_parser(
        "synth",
        help="generate synthetic doodles, one <class>.ndjson per class",
        description="Draw N synthetic doodles of each class with the procedural generator "
        "(training/synth) and write them in Quick, Draw!'s simplified format, one "
        "<class>.ndjson per class in DIR. The files are drawn into a hidden folder beside DIR "
        "and moved into DIR when all are done, so an interrupted run (Ctrl-C, SIGTERM) "
        "leaves DIR as it was; one killed while moving them leaves what the next run for DIR "
        "finishes. "
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
    synth.add_argument(
        "--replace",
        action="store_true",
        help="make DIR hold this set only: once the new files are in, DIR's other data "
        "files (an earlier set's other classes, <class>.json seed files) are removed",
    )
    synth.add_argument("--events", action="store_true", help=EVENTS_HELP)
    synth.set_defaults(func=run_synth)


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
    from core.signals import poll, term_interrupts
    from training.synth import generate_drawings
    from ui.commands.data.staging import staging_folder
    from ui.progress import off_terminal

    if args.per_class < 1:
        raise FrankensteinError(f"--per-class must be at least 1, got {args.per_class}")
    if args.seed < 0:  # numpy's seeds are 0 or more
        raise FrankensteinError(f"--seed must be 0 or more, got {args.seed}")
    if args.out.exists() and not args.out.is_dir():
        raise FrankensteinError(f"{args.out}: exists and is not a directory")
    if args.out.is_symlink() and not args.out.exists():
        target = os.readlink(args.out)
        raise FrankensteinError(f"{args.out}: a link to {target}, which does not exist")
    classes = CLASSES
    if args.classes is not None:
        names = [c.strip() for c in args.classes.split(",") if c.strip()]
        if not names:
            raise FrankensteinError("--classes: no class names given")
        classes = tuple(dict.fromkeys(CLASSES[class_index(c)] for c in names))
    check_output_dir(args.out)
    for cls in classes:  # found at the end, after all the drawing, it was a traceback
        if (args.out / f"{cls}.ndjson").is_dir():
            raise FrankensteinError(f"cannot write {args.out / cls}.ndjson (Is a directory)")
    summary = (
        f"{args.per_class * len(classes)} drawings ({args.per_class} a class, seed {args.seed}, "
        f"variety {args.variety}) written to {args.out}"
    )
    if args.events:
        with term_interrupts(), staging_folder(args.out) as staging:
            return _synth_events(args, classes, staging, summary)
    console = Console(markup=False)  # paths may hold [brackets], not markup
    bars = Console(stderr=True)  # stdout: the summary; the bar only on a terminal
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
    with (
        term_interrupts(),  # SIGTERM as Ctrl-C: the staging folder goes, DIR is as it was
        staging_folder(args.out) as staging,
        Progress(
            *columns, TimeRemainingColumn(), console=bars, disable=off_terminal(bars)
        ) as progress,
    ):
        total = args.per_class * len(classes)
        task = progress.add_task("drawing", total=total)
        watched = watched_from(staging)
        for i, cls in enumerate(classes):
            progress.update(task, description=f"{cls:>12}")

            def drawings(cls=cls, before=i * args.per_class):
                drawn = generate_drawings(args.per_class, args.seed, [cls], args.variety)
                for done, d in enumerate(drawn, before + 1):
                    progress.advance(task)
                    watched.on_progress(done, total, cls)
                    poll()  # a Ctrl-C or SIGTERM the eval loop missed acts now
                    yield d

            _write_class(drawings(), staging, args.out, cls)
        _move_into(staging, args.out, classes, replace=args.replace)
    console.print(summary)
    return 0


def _synth_events(args: argparse.Namespace, classes, staging: Path, summary: str) -> int:
    """`data synth --events`: the drawings made so far as JSON lines, files into `staging`."""
    from core.signals import poll
    from training.synth import generate_drawings

    events = JsonProgress(args.per_class * len(classes))
    watched = watched_from(staging)
    done = 0
    for cls in classes:
        events.update(done, cls, force=True)

        def counted(cls=cls):
            nonlocal done
            for d in generate_drawings(args.per_class, args.seed, [cls], args.variety):
                done += 1
                events.update(done, cls)
                watched.on_progress(done, events.total, cls)
                poll()  # a Ctrl-C or SIGTERM the eval loop missed acts now
                yield d

        _write_class(counted(), staging, args.out, cls)
    _move_into(staging, args.out, classes, replace=args.replace)
    events.done(summary)
    return 0


def watched_from(staging: Path):
    """The drawings made so far, kept in the staging folder's progress.json for a TUI
    following a terminal's generation (training/progressfile.py: atomic, at most once a
    second, naming this process; it goes with the folder)."""
    from training.progressfile import PROGRESS, ProgressFile

    return ProgressFile(staging / PROGRESS)


def _write_class(drawings, staging: Path, out: Path, cls: str) -> None:
    """Write a class's drawings into the staging folder; a write that fails (a full
    disk) names the file the user asked for, `OUT/<class>.ndjson`, not the hidden one."""
    from core.atomic import WriteError
    from core.strokes import write_ndjson

    try:
        write_ndjson(drawings, staging / f"{cls}.ndjson")
    except WriteError as e:
        raise WriteError(out / f"{cls}.ndjson", e) from e


def _move_into(staging: Path, out: Path, classes, *, replace: bool = False) -> None:
    """Move the finished `<class>.ndjson` files of `staging` into `out`; `replace`: then
    remove the other data files of `out`, so that no earlier file is read with the new
    set (staging.move_in: a run killed meanwhile leaves what the next run finishes)."""
    from ui.commands.data.staging import move_in

    move_in(staging, out, [f"{cls}.ndjson" for cls in classes], replace=replace)
