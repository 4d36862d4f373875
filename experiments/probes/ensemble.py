"""Probe: an ensemble (core/ensemble.py) against each of its members alone.

Several checkpoints of one kind read each drawing together, each with its own LSTM
state, their calibrated probabilities averaged after every stroke; the finished guess
uses the members' pooled ending prior. This is what `frankenstein export A B OUT` ships
(there with float16 weights). The report is `frankenstein eval`'s, for each checkpoint
alone and for all of them together:

    python -m experiments.probes.ensemble runs/a/best.pt runs/b/best.pt \\
        --data ../shared/data/quickdraw-real-dev/simplified

docs/tried.md has the figures (a line in the README's "Tried and not adopted").
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

from core.checkpoint import join_checkpoints, load_checkpoint, resolve_checkpoint
from core.classifier import StrokeClassifier
from experiments.probes.report import Step, publish, quiet, run, steps_bar


def ensemble(models: Sequence[str]) -> StrokeClassifier:
    """The stateful classifier of one model, or of the ensemble of several (bundled
    names or checkpoints), as `frankenstein export` would join them."""
    if len(models) == 1:
        return StrokeClassifier.from_checkpoint(models[0])
    model, ending = join_checkpoints([load_checkpoint(resolve_checkpoint(m)) for m in models])
    return StrokeClassifier(model, ending=ending)


def probe(models: Sequence[str], data: str, limit: int | None = None, step: Step = quiet) -> dict:
    """`frankenstein eval`'s report of `data` for each model alone and for the ensemble."""
    from core.snap import SnapPolicy
    from training.replay import evaluate, read_eval_drawings

    drawings = read_eval_drawings(data, limit=limit)
    reports = {
        m: evaluate(ensemble([m]), drawings, SnapPolicy(), progress=step(f"replaying {m}"))
        for m in models
    }
    reports["ensemble"] = evaluate(
        ensemble(models), drawings, SnapPolicy(), progress=step("replaying the ensemble")
    )
    return reports


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("models", nargs="+", help="bundled names or checkpoints (two or more)")
    parser.add_argument("--data", required=True, help="directory of <class>.ndjson to score")
    parser.add_argument("--limit", type=int, default=None, help="read at most N a class")
    parser.add_argument("--json", type=Path, default=None, help="write the reports here")
    args = parser.parse_args(argv)
    if len(args.models) < 2:
        parser.error("give two or more checkpoints to average")
    with steps_bar() as step:
        reports = probe(args.models, args.data, args.limit, step)
    publish(reports, args.json)
    return 0


if __name__ == "__main__":
    raise SystemExit(run(main))
