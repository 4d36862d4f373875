"""Probe: test-time views, one checkpoint reading each drawing several ways at once.

SIM2REAL.md reports that test-time augmentation moved real-doodle accuracy by up to
two points. Here each view is a fixed change of the strokes (a left-right mirror, a
shrink towards the centre, a small turn), fed stroke by stroke to its own copy of the
stateful classifier; after every stroke the views' calibrated probabilities are
averaged, and so are their finished guesses (each with the ending prior). A stroke
costs one CNN frame and one LSTM step per view. The report is `frankenstein eval`'s,
for the plain checkpoint and for each set of views:

    python -m experiments.probes.views --model frankenstein \
        --data ../shared/data/quickdraw-real-dev/simplified

docs/tried.md has the figures (a line in the README's "Tried and not adopted").
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from core.checkpoint import load_checkpoint, resolve_checkpoint
from core.classifier import Prediction, StrokeClassifier
from experiments.probes.report import Step, probe_parser, publish, quiet, run, steps_bar

CENTRE = 127.5  # of the simplified 0..255 space
View = Callable[[np.ndarray], np.ndarray]  # (n, 2) stroke -> (n, 2) stroke


def mirror(stroke: np.ndarray) -> np.ndarray:
    """Left-right mirror image."""
    out = np.array(stroke, np.float64)
    out[:, 0] = 2 * CENTRE - out[:, 0]
    return out


def shrink(factor: float) -> View:
    """Scaled by `factor` towards the centre (training places drawings at 0.7 to 1)."""

    def view(stroke: np.ndarray) -> np.ndarray:
        return CENTRE + (np.asarray(stroke, np.float64) - CENTRE) * factor

    return view


def turn(degrees: float, factor: float = 0.9) -> View:
    """Turned by `degrees` about the centre, shrunk by `factor` to stay on the grid."""
    a = np.radians(degrees)
    rot = factor * np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]])

    def view(stroke: np.ndarray) -> np.ndarray:
        return CENTRE + (np.asarray(stroke, np.float64) - CENTRE) @ rot.T

    return view


def identity(stroke: np.ndarray) -> np.ndarray:
    return np.asarray(stroke, np.float64)


VIEW_SETS: dict[str, tuple[View, ...]] = {
    "plain": (identity,),
    "mirror": (identity, mirror),
    "shrink": (identity, shrink(0.85)),
    "shrunk": (shrink(0.85),),  # one view: the middle of training's scale range
    "turn": (identity, turn(8), turn(-8)),
    "mirror+shrink": (identity, mirror, shrink(0.85), lambda s: mirror(shrink(0.85)(s))),
}


def _average(predictions: Sequence[Prediction], finished: bool) -> Prediction:
    probs = np.mean([p.probs for p in predictions], axis=0)
    return Prediction(probs / probs.sum(), predictions[0].n_strokes, finished=finished)


class ViewsClassifier:
    """The stateful classifier over several views of each stroke, probabilities averaged.
    Offers what `training.replay` uses: add_stroke, replay, history, finish, undo, reset."""

    def __init__(self, make: Callable[[], StrokeClassifier], views: Sequence[View]):
        if not views:
            raise ValueError("at least one view is needed")
        self.views = tuple(views)
        self.readers = [make() for _ in self.views]

    @property
    def n_strokes(self) -> int:
        return self.readers[0].n_strokes

    @property
    def history(self) -> list[Prediction]:
        per_view = [r.history for r in self.readers]
        return [_average(step, finished=False) for step in zip(*per_view, strict=True)]

    def add_stroke(self, points) -> Prediction:
        stroke = np.asarray(points, np.float64).reshape(-1, 2)
        steps = [r.add_stroke(v(stroke)) for r, v in zip(self.readers, self.views, strict=True)]
        return _average(steps, finished=False)

    def finish(self) -> Prediction | None:
        done = [r.finish() for r in self.readers]
        return None if done[0] is None else _average(done, finished=True)

    def undo(self) -> Prediction | None:
        steps = [r.undo() for r in self.readers]
        return None if steps[0] is None else _average(steps, finished=False)

    def reset(self) -> None:
        for r in self.readers:
            r.reset()

    def replay(self, strokes: Sequence[np.ndarray]) -> Prediction | None:
        """Each reader replays its view of the strokes; the averaged last guess."""
        points = [np.asarray(s, np.float64).reshape(-1, 2) for s in strokes]
        pairs = zip(self.readers, self.views, strict=True)
        last = [r.replay([v(p) for p in points]) for r, v in pairs]
        return None if last[0] is None else _average(last, finished=False)


def probe(
    model: str,
    data: str,
    view_sets: Sequence[str],
    limit: int | None = None,
    step: Step = quiet,
) -> dict:
    """`frankenstein eval`'s report of `data` for each named set of views."""
    from core.snap import SnapPolicy
    from training.replay import evaluate, read_eval_drawings

    ckpt = load_checkpoint(resolve_checkpoint(model))
    drawings = read_eval_drawings(data, limit=limit)

    def make() -> StrokeClassifier:
        return StrokeClassifier(ckpt.model, ckpt.temperature, ckpt.ending)

    return {
        name: evaluate(
            ViewsClassifier(make, VIEW_SETS[name]),
            drawings,
            SnapPolicy(),
            progress=step(f"replaying, views {name}"),
        )
        for name in view_sets
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = probe_parser(__doc__)
    parser.add_argument(
        "--views",
        default=",".join(VIEW_SETS),
        help=f"comma-separated sets of views, from: {', '.join(VIEW_SETS)}",
    )
    args = parser.parse_args(argv)
    names = [n.strip() for n in args.views.split(",") if n.strip()]
    unknown = [n for n in names if n not in VIEW_SETS]
    if unknown or not names:
        parser.error(f"unknown views {unknown} (expected some of: {', '.join(VIEW_SETS)})")
    with steps_bar() as step:
        reports = probe(args.model, args.data, names, limit=args.limit, step=step)
    publish(reports, args.json)
    return 0


if __name__ == "__main__":
    raise SystemExit(run(main))
