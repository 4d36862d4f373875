"""`frankenstein ablate SPEC`: run an ablation study (experiments/) and write its table."""

from __future__ import annotations

import argparse
import json
import shlex
import sys
from pathlib import Path
from typing import Any

EPILOG = """\
examples:
  frankenstein ablate lstm-vs-cnn --quick             # a shipped spec, CPU-sized
  frankenstein ablate experiments/specs/lstm-depth.toml --jobs 2
  frankenstein ablate my-study.toml --out runs/studies --events   # JSON lines (the TUI)
  frankenstein ablate lstm-vs-cnn --launcher "torchrun --standalone --nproc_per_node 4" --jobs 1
  frankenstein ablate lstm-vs-cnn --quick --eval-data ~/doodles/simplified   # your own real doodles

A study folder OUT/NAME holds one run folder per (variant, seed), each with a
status.json; run the same command again to resume (finished runs are skipped) or to
rewrite the table. Shipped specs: experiments/specs/*.toml."""


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "ablate",
        help="run an ablation study: every (variant, seed) of a spec, then a results table",
        description="Run each (variant, seed) of an ablation spec as its own training "
        "process, a few at a time; skip finished runs; then write results.md, results.csv "
        "and accuracy_by_stroke.png in the study folder.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("spec", metavar="SPEC", help="a spec .toml file, or a shipped spec's name")
    p.add_argument("--quick", action="store_true", help="apply the spec's quick settings (CPU)")
    p.add_argument("--jobs", type=int, default=None, help="runs at a time (default: cores/threads)")
    p.add_argument(
        "--out",
        type=Path,
        default=None,
        help="folder of study folders (default: experiments/studies, or $FRANKENSTEIN_STUDIES)",
    )
    p.add_argument(
        "--eval-data",
        type=Path,
        action="append",
        default=None,
        metavar="DIR",
        help="a folder of real doodles (<class>.ndjson) to evaluate every run on, instead of "
        "the spec's eval_data (by default the real dev doodles); repeat it for more: the "
        "table's accuracies, the peers' templates and the latency's drawings are the first one's",
    )
    p.add_argument("--events", action="store_true", help="JSON lines on stdout instead of bars")
    p.add_argument(
        "--launcher",
        default=None,
        help="what runs `-m ui.cli train` (default: this python), e.g. 'torchrun --nproc_per_node 4'",
    )
    p.set_defaults(func=run_ablate)


def run_ablate(args: argparse.Namespace) -> int:
    from core.atomic import check_output_dir
    from core.errors import FrankensteinError
    from core.paths import studies_dir
    from experiments.runner import run_ablation
    from experiments.spec import load_spec

    if args.jobs is not None and args.jobs < 1:
        raise FrankensteinError(f"--jobs {args.jobs}: must be at least 1")
    spec = load_spec(args.spec)
    if args.eval_data:  # for the whole study, as the spec's eval_data would be
        spec = spec.with_eval_data([str(_eval_dir(d)) for d in args.eval_data])
    out = args.out if args.out is not None else studies_dir()
    check_output_dir(out)
    # SIGTERM (a supervisor, a cluster's scheduler) stops a study as Ctrl-C does (ui/cli.py
    # makes it one for every command): the running trainings are asked to save last.pt
    # (experiments/runner.py), so nothing is orphaned or lost.
    launcher = _launcher(args.launcher) if args.launcher else [sys.executable]
    if args.quick and not spec.quick:
        print(
            f"frankenstein: warning: {spec.name} has no [quick] table: --quick changes "
            "nothing, and the study runs at full size",
            file=sys.stderr,
        )

    def study(on_event):
        return run_ablation(
            spec,
            out_dir=out,
            quick=args.quick,
            jobs=args.jobs,
            on_event=on_event,
            launcher=launcher,
        )

    if args.events:
        result = study(_print_event)
    else:
        with StudyProgress() as progress:
            result = study(progress)
        if result.table is not None:
            print(result.table.read_text(encoding="utf-8"))
        print(f"results in {result.study_dir}", file=sys.stderr)
    return 1 if result.failed else 0


def _eval_dir(path: Path) -> Path:
    """An --eval-data folder, absolute: the study's spec.json and runs name it from
    wherever the study is read or resumed."""
    from core.errors import FrankensteinError

    if not path.is_dir():
        what = "not a directory" if path.exists() else "no such directory"
        raise FrankensteinError(f"--eval-data {path}: {what}")
    return path.resolve()


def _launcher(text: str) -> list[str]:
    """--launcher as a command (shell quoting), checked before any run is planned."""
    import shutil

    from core.errors import FrankensteinError

    try:
        words = shlex.split(text)
    except ValueError as e:
        raise FrankensteinError(f"--launcher {text!r}: {str(e).lower()}") from None
    if not words:
        raise FrankensteinError("--launcher: no command given")
    if shutil.which(words[0]) is None:
        raise FrankensteinError(f"--launcher {text!r}: {words[0]}: command not found")
    return words


def _print_event(event: dict[str, Any]) -> None:
    print(json.dumps(event, separators=(",", ":")), flush=True)


class StudyProgress:
    """Rich bars: one for the study (runs finished), one per running run (its epochs)."""

    def __init__(self) -> None:
        from rich.console import Console

        from ui.progress import off_terminal, stats_progress

        self.console = Console(stderr=True)
        # no bars off a terminal: rich would leave a blank line and the last frame there
        self.progress = stats_progress(self.console, disable=off_terminal(self.console))
        self.study = None
        self.results = None  # the task of the table's writing
        self.runs: dict[str, Any] = {}

    def __enter__(self) -> StudyProgress:
        self.progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.progress.stop()

    def __call__(self, e: dict[str, Any]) -> None:
        kind = e["event"]
        if kind == "study_start":
            self.study = self.progress.add_task(e["study"], total=len(e["runs"]), stats="")
        elif kind == "run_start":
            again = " (resumed)" if e.get("resumed") else ""
            self.runs[e["run"]] = self.progress.add_task(
                f"  {e['run']}{again}", total=None, stats=""
            )
        elif kind == "run_progress":
            self._run_progress(e)
        elif kind == "study_progress":  # the table: the peers' evaluation, latencies
            if self.results is None:
                self.results = self.progress.add_task("  results", total=None, stats="")
            self.progress.update(
                self.results, completed=e["done"], total=e["total"], stats=e["what"]
            )
        elif kind == "study_done" and self.results is not None:
            self.progress.remove_task(self.results)
            self.results = None
        elif kind in ("run_done", "run_failed", "run_stopped"):
            task = self.runs.pop(e["run"], None)
            if task is not None:
                self.progress.remove_task(task)
            self.progress.advance(self.study)
            self.console.print(_ended_line(kind, e))

    def _run_progress(self, e: dict[str, Any]) -> None:
        task = self.runs.get(e["run"])
        if task is None:
            return
        if e.get("kind") == "start":
            self.progress.update(
                task, total=e["epochs"] * e["batches"], completed=e["start_epoch"] * e["batches"]
            )
        elif e.get("kind") == "batch":
            done = (e["epoch"] - 1) * e["batches"] + e["batch"]
            stats = f"epoch {e['epoch']} loss {e['loss']:.3f} acc {e['acc']:.3f}"
            self.progress.update(task, completed=done, stats=stats)
        elif e.get("kind") == "epoch":
            self.progress.update(task, stats=f"epoch {e['epoch']} val {e['val_acc']:.3f}")
        elif e.get("kind") == "progress":
            self.progress.update(task, stats=e.get("what", ""))


def _ended_line(kind: str, e: dict[str, Any]):
    """A run's last line as rich Text, which is never read as markup: an error naming a
    path with [brackets] in it is printed as it is."""
    from rich.text import Text

    if kind == "run_failed":
        return Text.assemble((f"{e['run']} failed:", "red"), f" {e['error']}")
    if kind == "run_stopped":
        return Text(f"{e['run']}: {e['error']}")
    if e.get("skipped"):
        return Text(f"{e['run']}: done before, skipped")
    return Text(f"{e['run']}: done in {e['seconds']:.0f} s")
