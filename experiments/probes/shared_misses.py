"""Probe: are the misses the same drawings whatever the seed or the model?

Each checkpoint replays the same drawings (as `frankenstein eval` does); per drawing
it either misreads the finished drawing or not, and either snaps to a wrong class at
the default policy or not. Counting, per drawing, how many checkpoints miss it tells
seed noise (misses spread thinly) from doodles the whole family reads wrong (misses
shared by all):

    python -m experiments.probes.shared_misses \
        --data ../shared/data/quickdraw-real-dev/simplified \
        frankenstein runs/bundled-frankenstein-seed3/best.pt cnn runs/bundled-cnn-seed3/best.pt

docs/training.md ("How much is the seed", under "The bundled models") has the figures.
"""

from __future__ import annotations

import argparse
from collections import Counter
from collections.abc import Sequence

import numpy as np

from core.classes import class_index
from core.classifier import StrokeClassifier
from core.snap import SnapPolicy
from experiments.probes.report import Step, quiet, run, steps_bar
from training.replay import Replayed, read_eval_drawings, replay_many, snap_at


def misses(replays: Sequence[Replayed], policy: SnapPolicy) -> tuple[set[int], set[int]]:
    """Indices of the misread drawings and of the wrongly snapped ones."""
    misread, wrong = set(), set()
    for i, r in enumerate(replays):
        if int(np.argmax(r.final_probs)) != r.label:
            misread.add(i)
        snap = snap_at(r.history, policy, r.final, r.ink)
        if snap is not None and class_index(snap[1]) != r.label:
            wrong.add(i)
    return misread, wrong


def sharing(sets: Sequence[set[int]]) -> dict:
    """How many drawings are missed by all the checkpoints, by at least half, by any;
    and how many each checkpoint misses ("own")."""
    counts = Counter(i for s in sets for i in s)
    n = len(sets)
    return {
        "all": sum(c == n for c in counts.values()),
        "half": sum(2 * c >= n for c in counts.values()),
        "any": len(counts),
        "own": [len(s) for s in sets],
    }


def probe(models: Sequence[str], data: str, limit: int | None = None, step: Step = quiet) -> dict:
    drawings = read_eval_drawings(data, limit=limit)
    policy = SnapPolicy()
    per_model = [
        misses(
            replay_many(StrokeClassifier.from_checkpoint(m), drawings, step(f"replaying {m}")),
            policy,
        )
        for m in models
    ]
    return {
        "n": len(drawings),
        "models": list(models),
        "misread": sharing([m for m, _ in per_model]),
        "wrong_snaps": sharing([w for _, w in per_model]),
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("models", nargs="+", help="bundled names or checkpoints (two or more)")
    parser.add_argument("--data", required=True, help="directory of <class>.ndjson to score")
    parser.add_argument("--limit", type=int, default=None, help="read at most N a class")
    args = parser.parse_args(argv)
    if len(args.models) < 2:
        parser.error("give two or more checkpoints to compare")
    with steps_bar() as step:
        report = probe(args.models, args.data, args.limit, step)
    print(f"{report['n']} drawings, {len(args.models)} checkpoints")
    for key, name in (("misread", "misread drawings"), ("wrong_snaps", "wrong snaps")):
        s = report[key]
        print(
            f"{name}: {s['all']} missed by all, {s['half']} by at least half, "
            f"{s['any']} by any; per checkpoint {', '.join(map(str, s['own']))}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(run(main))
