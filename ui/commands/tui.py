"""`frankenstein tui`: the Textual app to prepare data, train, run ablations, compare runs."""

from __future__ import annotations

import argparse
import os
from collections.abc import Mapping
from pathlib import Path


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "tui",
        help="the terminal UI: data, training with live curves, ablations, runs",
        description="Open the Textual app. Tabs (keys 1-4): Data (counts per class; "
        "generate synthetic doodles, download the real ones), Train (model, data and "
        "settings; start, watch, stop, resume), Ablations (run a spec, watch its table "
        "fill in; --specs and --studies for your own, as `ablate my/spec.toml --out "
        "my/studies` made them), Runs (every run's results; compare two, open the drawing window on a "
        "checkpoint, make one draw's default). Training runs in a child process.",
    )
    p.add_argument("--runs", type=Path, default=None, help="runs folder (default: runs/)")
    p.add_argument("--data", type=Path, default=None, help="data folder (default: data/)")
    p.add_argument(
        "--specs",
        type=Path,
        default=None,
        help="folder of ablation specs the Ablations tab lists (default: the shipped "
        "experiments/specs)",
    )
    p.add_argument(
        "--studies",
        type=Path,
        default=None,
        help="folder of study folders the Ablations tab runs into and reads, as ablate's "
        "--out (default: experiments/studies, or $FRANKENSTEIN_STUDIES)",
    )
    p.add_argument(
        "--tab",
        choices=("data", "train", "ablations", "runs"),
        default="train",
        help="the tab shown first (default: train)",
    )
    p.set_defaults(func=run_tui)


def run_tui(args: argparse.Namespace) -> int:
    check_terminal(os.environ)
    check_folders(args)
    from ui.tui.app import create_app

    folders = {"specs_dir": args.specs, "studies_dir": args.studies}
    given = {k: v for k, v in folders.items() if v is not None}
    app = create_app(runs=args.runs, data=args.data, initial=args.tab, **given)
    run_quitting_on_signals(app)
    # Textual's: 1 after an error it printed (a stylesheet it could not read, an
    # exception in a handler), 0 after Ctrl+Q; None if it never got to exit.
    return app.return_code or 0


def check_terminal(env: Mapping[str, str]) -> None:
    """TERM=dumb (Emacs' shell, some IDE consoles and CI logs) is refused before the app
    opens: Textual does not look at TERM and writes its cursor moves, colours and mouse
    modes all the same (measured: textual 8.2 on a pseudo-terminal with TERM=dumb), which
    such a terminal shows as a screenful of escape codes, with no word of why."""
    from core.errors import FrankensteinError

    if env.get("TERM") == "dumb":
        raise FrankensteinError(
            "TERM=dumb: this terminal cannot draw the TUI (its screen would be escape "
            "codes); open it in a terminal that can (xterm, GNOME Terminal, iTerm2, "
            "Windows Terminal, tmux, Emacs' vterm), or, if yours can, say so: "
            "TERM=xterm-256color frankenstein tui"
        )


def check_folders(args: argparse.Namespace) -> None:
    """A --runs, --data, --specs or --studies that is a file is refused before the app
    opens (every tab would say so, and nothing could be trained or generated into it).
    One not there yet is taken: the TUI makes it on first use (a new runs folder for a
    new set of runs), and each tab names it ("no runs in runz/ yet"), so a slip shows
    at once."""
    from core.errors import FrankensteinError

    named = ("runs", "data", "specs", "studies")
    for flag, folder in ((f"--{n}", getattr(args, n)) for n in named):
        if folder is not None and folder.exists() and not folder.is_dir():
            raise FrankensteinError(f"{flag} {folder}: not a folder")


def run_quitting_on_signals(app) -> None:
    """Run the Textual `app`; SIGTERM (`kill`, a supervisor) or SIGINT (Ctrl-C, which the
    terminal gives the app as a key, from elsewhere) quits it as Ctrl+Q does: its
    trainings and generations are stopped cleanly (last.pt saved) and the terminal is
    given back as it was; then KeyboardInterrupt (the command line's "interrupted",
    exit status 130). The signals are taken by the asyncio loop, between its steps: a
    KeyboardInterrupt raised at whatever step the loop was in would leave the quitting
    to asyncio's cancelling of every task. A plain SIGTERM used to end the process
    with the terminal left without echo and the children running; a SIGINT, to end
    it with exit status 0 and no word."""
    import asyncio
    import signal

    came: list[int] = []

    def quit_app(signum: int) -> None:
        came.append(signum)
        app.exit()  # a second signal while the children stop changes nothing

    signals = (signal.SIGINT, signal.SIGTERM)
    before = {s: signal.getsignal(s) for s in signals}
    try:
        with asyncio.Runner() as runner:
            loop = runner.get_loop()
            for s in signals:
                loop.add_signal_handler(s, quit_app, s)
            runner.run(app.run_async())
    finally:
        for s, handler in before.items():  # the loop's end left them at the defaults
            signal.signal(s, handler)
    if came:
        raise KeyboardInterrupt
