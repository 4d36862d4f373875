"""Probe: the finished guess re-ranked by how well each candidate's template fits the ink.

core/fit.py places a class's template on the ink and reports the fit error (the
symmetric chamfer distance over the ink's diagonal). The classifier reads a 64 x 64
frame; the fit reads the ink itself, so it might tell apart what the frame blurs (a
hexagon from an octagon). Here the finished guess's top three classes are re-ranked
by log p(c) - weight * error(c) (the other classes keep their places, so top-3 does
not move). The weight is chosen on synthetic doodles (`--per-class` a class from
training.synth.generate_drawings with `--seed`, a seed no training run draws), never
on the scored data; the report also gives top-1 on the scored data at every weight,
whose best is an upper bound tuned on what it scores:

    python -m experiments.probes.fit_rerank --model frankenstein \
        --data ../shared/data/quickdraw-real-dev/simplified

docs/tried.md has the figures (a line in the README's "Tried and not adopted").
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from core.classes import CLASSES
from core.classifier import StrokeClassifier
from core.fit import fit_template
from experiments.probes.report import Step, probe_parser, quiet, run, steps_bar

WEIGHTS = (0.0, 5.0, 10.0, 20.0, 40.0, 80.0, 160.0)
TOP = 3  # candidates re-ranked


def candidates(replays, top: int = TOP, progress=None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The finished guess's `top` classes (N, top), their log-probabilities (N, top) and
    their templates' fit errors on the drawing's ink (N, top); the labels are the replays'.
    `progress(drawings fitted, all)` follows the fits (about 3 ms each)."""
    probs = np.stack([r.final_probs for r in replays])  # (N, C)
    order = np.argsort(-probs, axis=1, kind="stable")[:, :top]
    logp = np.log(np.take_along_axis(probs, order, 1) + 1e-12)
    errors = np.empty(order.shape)
    for i, (r, row) in enumerate(zip(replays, order, strict=True)):
        errors[i] = [fit_template(r.drawing.strokes, CLASSES[c]).error for c in row]
        if progress is not None and ((i + 1) % 50 == 0 or i + 1 == len(replays)):
            progress(i + 1, len(replays))
    return order, logp, errors


def reranked(order: np.ndarray, logp: np.ndarray, errors: np.ndarray, weight: float) -> np.ndarray:
    """(N,) the class first after re-ranking the candidates by log p - weight * error (a
    template that cannot be fitted at all, error inf, goes last; ties keep the model's order)."""
    score = logp - weight * np.where(np.isfinite(errors), errors, 1e6)
    return order[np.arange(len(order)), np.argmax(score, axis=1)]


def top1_by_weight(replays, weights: Sequence[float], progress=None) -> dict[float, float]:
    """Top-1 of the re-ranked finished guess at each weight (`progress`: of the fits)."""
    order, logp, errors = candidates(replays, progress=progress)
    labels = np.array([r.label for r in replays])
    return {w: float((reranked(order, logp, errors, w) == labels).mean()) for w in weights}


def probe(
    model: str,
    data: str,
    *,
    per_class: int,
    seed: int,
    limit: int | None = None,
    step: Step = quiet,
) -> dict:
    """Top-1 at every weight on synthetic doodles and on `data`, the weight chosen on the
    synthetic ones, and top-1 on `data` with it."""
    from training.replay import read_eval_drawings, replay_many
    from training.synth import generate_drawings

    classifier = StrokeClassifier.from_checkpoint(model)
    synthetic = list(generate_drawings(per_class, seed))
    replays = replay_many(classifier, synthetic, step("replaying the synthetic doodles"))
    on_synthetic = top1_by_weight(replays, WEIGHTS, step("fitting the synthetic doodles"))
    drawings = read_eval_drawings(data, limit=limit)
    replays = replay_many(classifier, drawings, step(f"replaying {data}"))
    on_data = top1_by_weight(replays, WEIGHTS, step(f"fitting {data}"))
    chosen = max(WEIGHTS, key=lambda w: (on_synthetic[w], -w))  # the smallest of the best
    return {"synthetic": on_synthetic, "data": on_data, "chosen": chosen, "top1": on_data[chosen]}


def main(argv: Sequence[str] | None = None) -> int:
    parser = probe_parser(__doc__)
    parser.add_argument("--per-class", type=int, default=100, help="synthetic doodles a class")
    parser.add_argument("--seed", type=int, default=424242, help="of the synthetic doodles")
    args = parser.parse_args(argv)
    with steps_bar() as step:
        r = probe(
            args.model,
            args.data,
            per_class=args.per_class,
            seed=args.seed,
            limit=args.limit,
            step=step,
        )
    print(f"{'weight':>7s}  {'synthetic':>9s}  {'data':>6s}")
    for w in WEIGHTS:
        print(f"{w:7g}  {r['synthetic'][w]:9.1%}  {r['data'][w]:6.1%}")
    print(
        f"chosen on synthetic: {r['chosen']:g}: top-1 {r['top1']:.1%} (at 0: {r['data'][0.0]:.1%})"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(run(main))
