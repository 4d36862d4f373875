"""Probe: an ensemble, several checkpoints reading each drawing at once.

Deep ensembles (Lakshminarayanan et al., NeurIPS 2017) are the most reliable way known
to keep accuracy and calibration under a shift of the data (Ovadia et al., NeurIPS
2019), and synthetic to real doodles is such a shift. Each checkpoint keeps its own
stateful classifier; after every stroke their calibrated probabilities are averaged,
and so are their finished guesses (each with its own ending prior). A stroke costs one
CNN frame and LSTM step per member. The report is `frankenstein eval`'s, for each
checkpoint alone and for all of them together:

    python -m experiments.probes.ensemble runs/a/best.pt runs/b/best.pt \\
        --data ../shared/data/quickdraw-real-dev/simplified

README ("The bundled models") has the figures.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

from core.classifier import StrokeClassifier
from experiments.probes.report import publish
from experiments.probes.views import AveragedClassifier, identity


def ensemble(models: Sequence[str]) -> AveragedClassifier:
    """The stateful classifiers of `models` (bundled names or checkpoints), averaged."""
    readers = [StrokeClassifier.from_checkpoint(m) for m in models]
    return AveragedClassifier(readers, [identity] * len(readers))


def probe(models: Sequence[str], data: str, limit: int | None = None) -> dict:
    """`frankenstein eval`'s report of `data` for each model alone and for the ensemble."""
    from core.snap import SnapPolicy
    from training.replay import evaluate, read_eval_drawings

    drawings = read_eval_drawings(data, limit=limit)
    reports = {m: evaluate(ensemble([m]), drawings, SnapPolicy()) for m in models}
    reports["ensemble"] = evaluate(ensemble(models), drawings, SnapPolicy())
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
    publish(probe(args.models, args.data, args.limit), args.json)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
