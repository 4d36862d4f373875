"""`frankenstein runs`: the run folders, as the TUI's Runs tab lists them, for a terminal
or a script: each run's epochs, state (training now, where in its epoch; stopped, to
resume), best validation accuracy and main evaluation."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "runs",
        help="list the training runs: epochs, training now or stopped, best validation, evaluation",
        description="List every run folder in the runs folder, newest first, as the TUI's "
        "Runs tab does: its model, epochs done (with `training` while a process trains "
        "it, `stopped` when cut short with a last.pt to resume), best validation "
        "accuracy, and top-1 and snap precision/recall from its evaluation (on the real "
        "doodles when it was evaluated on them, else on its test split). A run training "
        "now gets a line saying where it is (from its progress.json). A broken file is "
        "named, not an error.",
        epilog="example: frankenstein runs --json | python -m json.tool",
    )
    p.add_argument("--runs", type=Path, default=None, help="runs folder (default: runs/)")
    p.add_argument("--json", action="store_true", help="print one JSON array instead")
    p.set_defaults(func=run_runs)


def run_runs(args: argparse.Namespace) -> int:
    from core.errors import FrankensteinError
    from core.paths import runs_dir
    from training.events import strict_json
    from ui.tui.runinfo import list_runs

    root = args.runs if args.runs is not None else runs_dir()
    if root.exists() and not root.is_dir():
        raise FrankensteinError(f"{root}: not a folder")
    if args.runs is not None and not root.exists():  # a slip of the keys, not "none yet"
        raise FrankensteinError(f"{root}: no such folder")
    runs = list_runs(root)
    if args.json:
        # strict JSON: a NaN or infinity a hand-edited file held is null
        print(json.dumps(strict_json([_summary(r) for r in runs]), indent=2, allow_nan=False))
        return 0
    if not runs:
        print(f"no runs in {root}/ yet: `frankenstein train` makes one")
        return 0
    _print_table(runs)
    return 0


def _print_table(runs: list) -> None:
    """The table (plain columns, as wide as they need), then a line for each run that
    trains now or was cut short, or has a broken file."""
    from ui.tui.runinfo import COLUMNS, run_cells, trained_on_line

    rows = [COLUMNS, *(run_cells(r) for r in runs)]
    widths = [max(len(row[i]) for row in rows) for i in range(len(COLUMNS))]
    for row in rows:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
    for run in runs:
        said = [_state_line(run), trained_on_line(run), *(f"problem: {p}" for p in run.problems)]
        for line in filter(None, said):
            print(f"{run.name}: {line}")


def _state_line(run) -> str:
    """Where a run training now is, or how to go on with one cut short (also one whose
    resume a broken file refuses); '' otherwise."""
    from training.runfolder import start_over
    from ui.tui.runinfo import stopped_at, stopped_line, training_line, unresumable_line

    training = training_line(run)
    if training:
        return training
    if run.cut_short:
        return stopped_line(run)
    if not unresumable_line(run):
        return ""
    if run.unreadable.startswith("metrics.jsonl"):
        how = "mend that line of metrics.jsonl to resume it"
    else:
        how = start_over(run.path)
    return f"cut short {stopped_at(run)}, but it cannot be resumed as it is: {how}"


def _summary(run) -> dict[str, Any]:
    """One run for --json: the table's figures as numbers, and where it trains now."""
    main = run.main_report()
    name, report = main if main else (None, {})
    snap = report.get("snap") or {}
    return {
        "name": run.name,
        "path": str(run.path),
        "model": run.model,
        "epochs_done": run.epochs_done,
        "epochs": run.epochs,
        "state": run.state or ("finished" if run.finished else ""),
        "training_pid": run.training_pid,
        "progress": run.progress,
        "best_val_acc": run.best_val_acc,
        "scored_on": name,
        # its eval_data folder is one of its data.sources: its figures score training drawings
        "scored_on_training_data": run.trained_on_main,
        "top1": report.get("top1"),
        "top3": report.get("top3"),
        "snap_precision": snap.get("precision"),
        "snap_recall": snap.get("recall"),
        "problems": run.problems,
    }
