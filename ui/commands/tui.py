"""`frankenstein tui`: the Textual app to prepare data, train, run ablations, compare runs."""

from __future__ import annotations

import argparse
from pathlib import Path


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "tui",
        help="the terminal UI: data, training with live curves, ablations, runs",
        description="Open the Textual app. Tabs (keys 1-4): Data (counts per class; "
        "generate synthetic doodles, download the real ones), Train (model, data and "
        "settings; start, watch, stop, resume), Ablations (run a spec, watch its table "
        "fill in), Runs (every run's results; compare two, open the drawing window on a "
        "checkpoint, make one draw's default). Training runs in a child process.",
    )
    p.add_argument("--runs", type=Path, default=None, help="runs folder (default: runs/)")
    p.add_argument("--data", type=Path, default=None, help="data folder (default: data/)")
    p.add_argument(
        "--tab",
        choices=("data", "train", "ablations", "runs"),
        default="train",
        help="the tab shown first (default: train)",
    )
    p.set_defaults(func=run_tui)


def run_tui(args: argparse.Namespace) -> int:
    from ui.tui.app import create_app

    create_app(runs=args.runs, data=args.data, initial=args.tab).run()
    return 0
