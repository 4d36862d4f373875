"""`frankenstein eval`: replay drawings stroke after stroke through a model and report
(many drawings at a time, with the window's classifier and snap rule: training/replay.py;
the accuracy after k strokes also as the window sees the first k: `replay_live`)."""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from core.errors import FrankensteinError

if TYPE_CHECKING:
    from core.strokes import ReadReport


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "eval",
        help="accuracy, accuracy by stroke, calibration and snap replay on a data directory",
        description="Replay every drawing of DIR stroke after stroke through the "
        "classifier and the snap policy, as the drawing window's classifier predicts (many "
        "drawings at a time; an ensemble one drawing at a time, its frames batched), and "
        "report: top-1 and top-3 accuracy, per-class accuracy, the confusion matrix, accuracy after k "
        "strokes (the first k strokes at the finished drawing's scale, and as the window "
        "sees them: normalised on their own bounding box), expected calibration error, "
        "and snap precision, recall and strokes saved (at the threshold and over a sweep).",
    )
    p.add_argument(
        "--model",
        required=True,
        metavar="NAME_OR_CHECKPOINT",
        help="frankenstein or cnn (the bundled models), a .pt checkpoint, or a run folder",
    )
    p.add_argument("--data", required=True, type=Path, metavar="DIR", help="<class>.ndjson files")
    p.add_argument("--json", type=Path, metavar="FILE", help="write the whole report as JSON")
    p.add_argument(
        "--threshold", type=float, metavar="T", help="snap threshold (default: policy's)"
    )
    add_steadiness_flags(p)
    p.add_argument(
        "--ignore-familiarity",
        action="store_true",
        help="snap without checking that the ink looks like the class's training doodles "
        "(the checkpoint's familiarity statistics)",
    )
    p.add_argument(
        "--compare",
        metavar="NAME_OR_CHECKPOINT",
        help="also replay this model on the same drawings and compare the two drawing by "
        "drawing: whole drawing and after each stroke, with McNemar's exact test",
    )
    p.add_argument("--plots", type=Path, metavar="DIR", help="write PNG figures into DIR")
    p.add_argument(
        "--split",
        choices=("train", "val", "test"),  # training/split.py's SPLITS, without numpy
        help="only the drawings of this split, by the rule a run splits its data.sources "
        "with (80/10/10 by key_id): test is the run's held-out set (default: every drawing)",
    )
    p.add_argument(
        "--limit", type=int, metavar="N", help="at most N drawings a class (of the split)"
    )
    p.add_argument("--threads", type=int, default=1, help="torch threads (default 1)")
    p.set_defaults(func=run_eval)


def add_steadiness_flags(p: argparse.ArgumentParser) -> None:
    """--steady-steps and --steady-override: the snap policy's rule against premature
    snaps (core/snap.py), for `eval` and `draw` alike; unset, the policy's defaults."""
    p.add_argument(
        "--steady-steps",
        type=int,
        metavar="K",
        help="mid-drawing, the top class must lead for K strokes running (default: policy's)",
    )
    p.add_argument(
        "--steady-override",
        type=float,
        metavar="P",
        help="...unless its probability reaches P (1 = never; default: policy's)",
    )


def check_numbers(args: argparse.Namespace, names: tuple[str, ...]) -> None:
    """A float flag given as nan or inf is a one-line error saying so (a range check
    would say "should be <= 1" of nan)."""
    for name in names:
        value = getattr(args, name)
        if value is not None and not math.isfinite(value):
            what = "not a number" if math.isnan(value) else "not a finite number"
            raise FrankensteinError(f"--{name.replace('_', '-')} {value}: {what}")


def snap_policy(args: argparse.Namespace):
    """The snap policy with the command line's changes to its defaults; a value the
    policy refuses is a one-line error naming its flag."""
    from pydantic import ValidationError

    from core.snap import SnapPolicy

    check_numbers(args, ("threshold", "steady_override"))
    given = {
        "threshold": args.threshold,
        "steady_steps": args.steady_steps,
        "steady_override": args.steady_override,
        "heed_familiarity": False if args.ignore_familiarity else None,
    }
    try:
        return SnapPolicy(**{k: v for k, v in given.items() if v is not None})
    except ValidationError as e:
        raise flag_error(e) from None


def flag_error(e) -> FrankensteinError:
    """A value given on the command line that a settings model refused (a pydantic
    ValidationError), as one line naming the flag and the value: "--threshold 2.0:
    input should be less than or equal to 1"."""
    err = e.errors()[0]
    flag = "--" + ".".join(str(x) for x in err["loc"]).replace("_", "-")
    return FrankensteinError(f"{flag} {err['input']}: {err['msg'].lower()}")


def _no_prior_hint(model: str) -> str:
    """Why a checkpoint's finished guess is its last live one, and what (if anything) to do."""
    from core.checkpoint import load_checkpoint, resolve_checkpoint
    from core.ensemble import Ensemble
    from training.commandline import command

    ckpt = load_checkpoint(resolve_checkpoint(model))
    ensemble = isinstance(ckpt.model, Ensemble)
    metas = ckpt.meta.get("members") if ensemble else [ckpt.meta]  # an ensemble's: per member
    configs = [m.get("config") for m in metas if isinstance(m, dict)] if metas else []
    if any(isinstance(c, dict) and c.get("loss_at") == "final" for c in configs):
        return (
            "(trained at the final stroke only: its guesses already assume the drawing "
            "ends, so it has no ending prior and the finished guess is the last live one)"
        )
    if ensemble:  # calibrate refuses an ensemble: the prior is pooled from its members'
        return (
            "(this ensemble has no ending prior, since a member had none when it was "
            "exported, so the finished guess is the last live one; `frankenstein "
            "calibrate` each member's checkpoint, then `frankenstein export` them together again)"
        )
    return (
        "(this checkpoint has no ending prior, so the finished guess is the last live one; "
        f"`{command('frankenstein', 'calibrate', model)}` adds it)"
    )


def trained_on_data(model: str, meta: dict, data: Path) -> str | None:
    """A warning where `data` is one of the folders the checkpoint trained on (its
    meta's data.sources, or any ensemble member's; the same folder by any path, a
    source stored relative read from here as `calibrate` reads it): its report would
    score drawings the model trained on, as train warns of an eval_data folder that is
    also a source. None where it is not, or the checkpoint (`meta`) does not say."""
    from training.config import SYNTHETIC

    metas = meta.get("members") or [meta]  # an ensemble's: per member
    sources = [s for m in metas if isinstance(m, dict) for s in m.get("data") or ()]
    here = data.expanduser().resolve()
    if any(isinstance(s, str) and s != SYNTHETIC and Path(s).resolve() == here for s in sources):
        return (
            f"--data {str(data)!r} is also in {model}'s data.sources: its report scores "
            "drawings the model trained on, which measures nothing; --split test scores "
            "only the drawings the run held out"
        )
    return None


def run_eval(args: argparse.Namespace) -> int:
    from rich.console import Console
    from rich.markup import escape
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    from core.atomic import check_output_dir, check_output_file
    from core.classifier import StrokeClassifier
    from core.strokes import ReadReport
    from training.evaluate import MAX_K, accuracy_at_stroke
    from training.replay import read_eval_drawings, replay_live, replay_many, replays_report
    from ui.progress import off_terminal, reading_bar

    policy = snap_policy(args)
    for flag, value in (("--threads", args.threads), ("--limit", args.limit)):
        if value is not None and value < 1:
            raise FrankensteinError(f"{flag} {value}: must be at least 1")
    if args.json:  # a report that cannot be written fails now, not after the replay
        check_output_file(args.json)
    if args.plots:
        check_output_dir(args.plots)
    console = Console(markup=False)  # paths may hold [brackets], not markup
    from core.signals import set_torch_threads

    set_torch_threads(args.threads)
    names = [args.model] if args.compare is None else [args.model, args.compare]
    from core.checkpoint import load_checkpoint, resolve_checkpoint

    ckpts = [load_checkpoint(resolve_checkpoint(n)) for n in names]  # a bad name fails now
    classifiers = [StrokeClassifier.from_loaded(c) for c in ckpts]
    if args.split not in ("val", "test"):  # said before the minutes of reading and replay
        for name, ckpt in zip(names, ckpts, strict=True):
            if (warning := trained_on_data(name, ckpt.meta, args.data)) is not None:
                print(f"frankenstein: warning: {warning}", file=sys.stderr)
    read = ReadReport()
    with reading_bar() as progress:
        drawings = read_eval_drawings(
            args.data, limit=args.limit, split=args.split, report=read, progress=progress
        )
    if not drawings:
        purpose = "evaluate"  # a split of a few drawings may hold none: say which
        if args.split is not None:
            share = "80%" if args.split == "train" else "10%"
            purpose += f" in its {args.split} split (about {share} of them, by key_id)"
        raise FrankensteinError(read.nothing_read(str(args.data), purpose))
    bars = Console(stderr=True)
    with Progress(
        TextColumn("[bold]replaying {task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=bars,
        transient=True,
        disable=off_terminal(bars),
    ) as bar:
        replays = []
        for name, classifier in zip(names, classifiers, strict=True):
            task = bar.add_task(escape(name), total=len(drawings))
            replays.append(
                replay_many(
                    classifier,
                    drawings,
                    progress=lambda done, total, task=task: bar.update(task, completed=done),
                )
            )
        # The live guesses as the window makes them: each prefix normalised on its own
        # bounding box and replayed as a drawing of its own (training/replay.py).
        task = bar.add_task(f"{escape(names[0])} as the window sees it", total=None)
        live = replay_live(
            classifiers[0],
            drawings,
            progress=lambda done, total: bar.update(task, completed=done, total=total),
            max_k=MAX_K,  # the report's rows go no further
            replays=replays[0],  # a view that is the file's prefix: its guess there
        )
    classifier = classifiers[0]
    computing = f"computing the report of {len(replays[0]):,} replays"
    with bars.status(computing) if not off_terminal(bars) else contextlib.nullcontext():
        report = replays_report(replays[0], policy)  # seconds for tens of thousands
        labels = [r.label for r in replays[0]]  # live: the same drawings, in that order
        report = _with_live_rows(report, accuracy_at_stroke(live, labels))
    if args.split is not None:  # the JSON says which drawings it scored, as the title does
        report["split"] = args.split
    title = f"{args.model} on {args.data}" + (f" ({args.split} split)" if args.split else "")
    print_report(console, report, title=title, read=read)
    if classifier.ending is None:
        console.print(_no_prior_hint(args.model), soft_wrap=True)  # its command unbroken
    if (note := classifier.unchecked_familiarity(policy.heed_familiarity)) is not None:
        console.print(f"({note})")
    if args.compare is not None:
        from training.compare import paired_comparison

        rows = paired_comparison(replays[0], replays[1])
        print_comparison(console, rows, args.model, args.compare)
        by_stroke = accuracy_at_stroke([r.step_probs for r in replays[1]], labels)
        report["compare"] = {"model": args.compare, "rows": rows, "accuracy_at_stroke": by_stroke}
    # The report and its figures are written together once all are made, all or none
    # (core/fileset.py): a Ctrl-C while the figures were drawn left the report written
    # beside no figures, or some of them.
    outputs = {}
    if args.json:
        outputs[args.json] = (json.dumps(report, indent=1) + "\n").encode()
    if args.plots:
        from training.plots import data_label, plot_pngs

        drawn = [r.drawing for r in replays[0]]
        named = {"model": _title(args.model), "data": data_label(args.data)}
        if args.compare is not None:
            named["other"] = _title(args.compare)
        pngs = plot_pngs(report, **named, drawings=drawn)
        outputs.update({args.plots / name: png for name, png in pngs.items()})
    if outputs:
        from core.fileset import write_files

        for path in write_files(outputs):
            what = "report" if path == args.json else "figure"
            console.print(f"{what} written to {path}")
    return 0


def _with_live_rows(report: dict, rows: list[dict]) -> dict:
    """The report with ``accuracy_at_stroke_live`` (the window's view of each prefix)
    right after ``accuracy_at_stroke``, the finished drawing's scale."""
    out = {}
    for key, value in report.items():
        out[key] = value
        if key == "accuracy_at_stroke":
            out["accuracy_at_stroke_live"] = rows
    return out


def _pct(v: float | None) -> str:
    return "n/a" if v is None else f"{100 * v:.1f}%"


def print_report(console, report: dict, *, title: str = "", read: ReadReport | None = None) -> None:
    """The report as rich tables: summary, per class, by stroke, snap sweep, confusion."""
    from rich.table import Table

    from training.evaluate import confusion_text

    snap = report["snap"]
    summary = Table(title=title)
    for col in ("drawings", "top-1", "top-3", "ECE", "snap precision", "recall", "strokes saved"):
        summary.add_column(col, justify="right")
    summary.add_row(
        str(report["n"]),
        _pct(report["top1"]),
        _pct(report["top3"]),
        f"{report['ece']:.3f}",
        _pct(snap["precision"]),
        _pct(snap["recall"]),
        _pct(snap["strokes_saved"]),
    )
    console.print(summary)
    bounds = report.get("intervals", {})
    shown = [
        f"{label} {_interval(bounds.get(key))}"
        for key, label in (
            ("top1", "top-1"),
            ("top3", "top-3"),
            ("snap_precision", "snap precision"),
            ("snap_recall", "recall"),
        )
        if bounds.get(key) is not None
    ]
    if shown:
        console.print("95% intervals (Wilson): " + ", ".join(shown))
    if snap.get("wrong"):
        console.print(
            f"{snap['wrong']} wrong snaps, {snap['premature']} of them premature "
            "(the finished drawing was read right)"
        )
    plain = snap.get("without_familiarity")
    if plain and plain["snaps"] != snap["snaps"]:
        console.print(
            f"with the familiarity check: {plain['snaps'] - snap['snaps']} fewer snaps, "
            f"{plain['wrong'] - snap['wrong']} fewer wrong; without it precision "
            f"{_pct(plain['precision'])}, recall {_pct(plain['recall'])}"
        )
    if read is not None and read.bad:
        console.print(f"({read.skipped()})", markup=False, soft_wrap=True)
    if read is not None and read.mismatches:
        console.print(f"({read.mismatch_warning()})", markup=False, soft_wrap=True)

    per = Table(title="per class")
    for col in ("class", "n", "top-1", "top-3"):
        per.add_column(col, justify="left" if col == "class" else "right")
    for name, r in report["per_class"].items():
        per.add_row(name, str(r["n"]), _pct(r["top1"]), _pct(r["top3"]))
    console.print(per)

    by = Table(title="accuracy after k strokes")
    by.add_column("k", justify="right")
    by.add_column("drawings with >= k", justify="right")
    by.add_column("top-1 at k", justify="right")
    by.add_column("top-1, last stroke so far (all)", justify="right")
    live = report.get("accuracy_at_stroke_live")
    if live is not None:
        by.add_column("window: at k", justify="right")
        by.add_column("window: so far", justify="right")
    for i, r in enumerate(report["accuracy_at_stroke"]):
        more = [] if live is None else [_pct(live[i]["top1"]), _pct(live[i]["so_far"])]
        by.add_row(str(r["k"]), str(r["n"]), _pct(r["top1"]), _pct(r["so_far"]), *more)
    console.print(by)
    if live is not None:
        console.print(
            "top-1 at k and so far: the first k strokes at the finished drawing's scale, "
            "as the file holds them; window: normalised on their own bounding box, "
            "as the drawing window reads them (it cannot know the finished drawing)"
        )

    sweep = Table(title=f"snap replay (threshold used: {snap['threshold']:.2f})")
    for col in ("threshold", "snaps", "precision", "recall", "strokes saved"):
        sweep.add_column(col, justify="right")
    for s in snap["sweep"]:
        sweep.add_row(
            f"{s['threshold']:.2f}",
            str(s["snaps"]),
            _pct(s["precision"]),
            _pct(s["recall"]),
            _pct(s["strokes_saved"]),
        )
    console.print(sweep)
    if snap.get("wrong_snaps"):
        print_wrong_snaps(console, snap["wrong_snaps"], snap["threshold"])
    console.print("confusion (rows: true class, columns: guess)")
    console.print(confusion_text(report), markup=False, highlight=False, soft_wrap=True)


WRONG_SHOWN = 20  # rows of the wrong-snaps table; the JSON report keeps them all


def print_wrong_snaps(console, wrong: list[dict], threshold: float) -> None:
    """The first `WRONG_SHOWN` wrong snaps at the threshold, a row each
    (training/replay.wrong_snaps), and how many more the JSON report holds: a folder of
    216k drawings printed some 2,000 rows."""
    from rich import box
    from rich.table import Table

    table = Table(title=f"wrong snaps (threshold {threshold:.2f})", box=box.SIMPLE_HEAD)
    for col in ("drawing", "class", "snapped to", "at", "p", "finished"):
        table.add_column(col, justify="right" if col in ("at", "p") else "left", no_wrap=True)
    for w in wrong[:WRONG_SHOWN]:
        table.add_row(
            w["key_id"] or f"#{w['index']}",
            w["true"],
            w["snapped"],
            f"{w['stroke']}/{w['strokes']}",
            f"{w['confidence']:.3f}",
            w["finished_guess"] + (" *" if w["premature"] else ""),
        )
    console.print(table)
    if len(wrong) > WRONG_SHOWN:
        console.print(f"and {len(wrong) - WRONG_SHOWN:,} more (all of them in --json's report)")
    console.print(
        "at: stroke of strokes; p: the snapped class's probability; *: premature, the "
        "finished drawing reads right (--plots draws them: wrong_snaps.png)"
    )


def _interval(bounds: list[float]) -> str:
    return f"{100 * bounds[0]:.1f}-{100 * bounds[1]:.1f}%"


def print_comparison(console, rows: list[dict], a: str, b: str) -> None:
    """The paired comparison (training/compare.py) as a table, one row per stroke count."""
    from rich.table import Table

    table = Table(title=f"A = {a} against B = {b}, drawing by drawing (top-1)")
    for col in ("after", "drawings", "A", "B", "only A", "only B", "McNemar p"):
        table.add_column(col, justify="right")
    for r in rows:
        table.add_row(
            "finished" if r["k"] is None else f"stroke {r['k']}",
            str(r["n"]),
            _pct(r["a"]),
            _pct(r["b"]),
            str(r["only_a"]),
            str(r["only_b"]),
            f"{r['p']:.3f}",
        )
    console.print(table)
    console.print(
        "only A / only B: drawings only that model reads right; p: the chance of a split "
        "at least this uneven if the two were equally accurate (exact McNemar test)"
    )


def _title(model: str) -> str:
    """A short name for figures: the bundled name, or run/checkpoint."""
    p = Path(model)
    return model if p.suffix != ".pt" else f"{p.parent.name}/{p.stem}" if p.parent.name else p.stem
