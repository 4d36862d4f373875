"""What every probe shares: its command line and its one-line-per-variant summary."""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

from core.atomic import atomic_write_text
from core.errors import FrankensteinError


def probe_parser(doc: str) -> argparse.ArgumentParser:
    """A parser with the arguments every probe takes: --model, --data, --limit, --json."""
    parser = argparse.ArgumentParser(description=doc.split("\n\n")[0])
    parser.add_argument("--model", default="frankenstein", help="bundled name or checkpoint")
    parser.add_argument("--data", required=True, help="directory of <class>.ndjson to score")
    parser.add_argument("--limit", type=int, default=None, help="read at most N a class")
    parser.add_argument("--json", type=Path, default=None, help="write the reports here")
    return parser


Step = Callable[[str], Callable[[int, int], None] | None]  # step(what) -> progress(done, total)


def quiet(what: str) -> None:
    """The `Step` of a probe called without a bar: no progress to report to."""
    return None


@contextlib.contextmanager
def steps_bar() -> Iterator[Step]:
    """A bar on stderr for a probe's long steps (replaying drawings, fitting templates):
    `step(what)` starts one and gives its `progress(done, total)`, the callback
    training.replay takes. Drawn only when stderr is a terminal; gone when the block
    ends, so stdout keeps the probe's report alone."""
    from rich.console import Console
    from rich.markup import escape
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    console = Console(stderr=True)
    bar = Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=True,
        disable=not console.is_terminal,
    )
    with bar:
        task = bar.add_task("", total=None)

        def step(what: str) -> Callable[[int, int], None]:
            bar.reset(task, total=None, description=escape(what))
            return lambda done, total: bar.update(task, completed=done, total=total)

        yield step


def summary(reports: dict) -> str:
    """One line per variant of `frankenstein eval`'s report: top-1, top-3, after 1 / 2
    strokes, ECE, snap precision / recall."""
    width = max(map(len, reports), default=0)
    lines = []
    for name, r in reports.items():
        s, at = r["snap"], r["accuracy_at_stroke"]
        lines.append(
            f"{name:{width}s}  top-1 {r['top1']:.1%}  top-3 {r['top3']:.1%}  "
            f"after 1 / 2 {at[0]['top1']:.1%} / {at[1]['top1']:.1%}  ECE {r['ece']:.3f}  "
            f"snap {s['precision'] or 0:.1%} / {s['recall'] or 0:.1%} at {s['threshold']}"
        )
    return "\n".join(lines)


def publish(reports: dict, path: Path | None) -> None:
    """Print the summary; write the full reports as JSON when a path is given."""
    print(summary(reports))
    if path is not None:
        atomic_write_text(path, json.dumps(reports, indent=1))


def run(main: Callable[[], int]) -> int:
    """A probe's exit status: a bad input (a checkpoint that does not load, a missing
    data directory) is one line on stderr and status 2, as with `frankenstein`."""
    try:
        return main()
    except FrankensteinError as e:
        print(f"{Path(sys.argv[0]).stem}: error: {e}", file=sys.stderr)
        return 2
