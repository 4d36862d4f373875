"""Probe: a learnt finish head in place of the ending prior's per-class counts.

The ending prior (core/ending.py) reweights the last guess by h_c(k), the share of
class c's training drawings that stop at stroke k, taking stopping to depend on the
class only. But a lone straight stroke that ends a drawing is a line, even though
many triangles are drawn in one stroke: whether a drawing of class c is over depends
on how it looks. This probe learns P(the drawing ends here | class c, strokes so far)
instead, as a logistic regression per class on what the frozen model's head sees
(its hidden layer, after the ReLU) and the stroke number (one-hot up to pad_len):
fitted on one epoch of the checkpoint's own training data, rows of class c trained
on class c's drawings only (target: this is its last stroke). The finished guess is
then P(c | strokes) * sigmoid(e_c) renormalised, and the report is the same as
`frankenstein eval`'s, with the counted prior beside it:

    python -m experiments.probes.finish_head --model frankenstein \
        --data ../shared/data/quickdraw-real-dev/simplified --per-class 1500

docs/tried.md has the figures (a line in the README's "Tried and not adopted").
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch

from core.checkpoint import Checkpoint, load_checkpoint, resolve_checkpoint
from core.classifier import Prediction, StrokeClassifier
from experiments.probes.report import Step, probe_parser, publish, quiet, run, steps_bar
from training.config import TrainConfig
from training.data import build_data

BATCH = 256


def head_hidden(model, frames: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
    """(B, T, H): the model head's hidden layer (after its ReLU) at every step."""
    seen: list[torch.Tensor] = []
    hook = model.head[1].register_forward_hook(lambda _m, _i, out: seen.append(out))
    try:
        model(frames, lengths)
    finally:
        hook.remove()
    return seen[0]


def step_features(hidden: torch.Tensor, steps: torch.Tensor, pad_len: int) -> torch.Tensor:
    """(N, H + pad_len): hidden features and the one-hot stroke number (0-based steps)."""
    return torch.cat([hidden, torch.eye(pad_len)[steps.clamp(max=pad_len - 1)]], -1)


@torch.no_grad()
def collect(ckpt: Checkpoint, per_class: int) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Features, labels and "last stroke" targets at every real step of epoch 0's
    training drawings (augmented as in training), per_class a class for synthetic data."""
    stored = TrainConfig.model_validate(ckpt.meta["config"])
    data_cfg = stored.data.model_copy(update={"per_class": per_class, "eval_per_class": 1})
    cfg = stored.model_copy(update={"data": data_cfg})
    train = build_data(cfg).train
    model = ckpt.model.eval()
    t = cfg.pad_len
    zs, ys, es = [], [], []
    order = np.arange(len(train))
    for b, lo in enumerate(range(0, len(order), BATCH)):
        frames, lengths, labels = train[(0, b, order[lo : lo + BATCH])]
        real = torch.arange(t)[None] < lengths[:, None]  # (B, T)
        steps = torch.arange(t)[None].expand_as(real)
        zs.append(step_features(head_hidden(model, frames, lengths)[real], steps[real], t))
        ys.append(labels[:, None].expand_as(real)[real])
        es.append((steps == lengths[:, None] - 1)[real].float())
    return torch.cat(zs), torch.cat(ys), torch.cat(es)


def fit(
    z: torch.Tensor, y: torch.Tensor, end: torch.Tensor, num_classes: int, weight_decay: float
) -> tuple[torch.Tensor, torch.Tensor]:
    """A logistic regression per class, each on its own class's steps: (W (C, D), b (C,))."""
    w = torch.zeros(num_classes, z.shape[1], requires_grad=True)
    b = torch.zeros(num_classes, requires_grad=True)
    opt = torch.optim.LBFGS([w, b], max_iter=500, line_search_fn="strong_wolfe")

    def closure() -> torch.Tensor:
        opt.zero_grad()
        logit = (z * w[y]).sum(1) + b[y]
        loss = torch.nn.functional.binary_cross_entropy_with_logits(logit, end)
        loss = loss + weight_decay * (w**2).sum()
        loss.backward()
        return loss

    opt.step(closure)
    return w.detach(), b.detach()


class FinishHeadClassifier(StrokeClassifier):
    """The stateful classifier, finishing with the learnt head instead of the counts."""

    def __init__(self, ckpt: Checkpoint, w: torch.Tensor, b: torch.Tensor):
        super().__init__(ckpt.model, ckpt.temperature, ckpt.ending)
        self.w, self.b = w, b
        self._hidden: list[torch.Tensor] = []
        self._seen: list[torch.Tensor] = []
        self.model.head[1].register_forward_hook(lambda _m, _i, out: self._seen.append(out))

    def add_stroke(self, points) -> Prediction:
        n = self.n_strokes
        self._seen.clear()
        prediction = super().add_stroke(points)
        if self.n_strokes > n:
            self._hidden.append(self._seen[-1][0])
        return prediction

    def undo(self) -> Prediction | None:
        self._hidden = self._hidden[: max(self.n_strokes - 1, 0)]
        return super().undo()

    def reset(self) -> None:
        self._hidden = []
        super().reset()

    def finish(self, prediction: Prediction | None = None) -> Prediction | None:
        if prediction is not None or not self._hidden:
            return super().finish(prediction)
        n = self.n_strokes
        z = step_features(self._hidden[-1][None], torch.tensor([n - 1]), self.cfg.pad_len)[0]
        ends = torch.sigmoid(self.w @ z + self.b).double().numpy()
        probs = self.history[-1].probs * ends
        return Prediction(probs / probs.sum(), n, finished=True)


def probe(
    model: str,
    data: str,
    *,
    per_class: int,
    weight_decay: float,
    limit: int | None = None,
    step: Step = quiet,
) -> dict:
    """`frankenstein eval`'s report of `data` with the counted prior and the learnt head."""
    from core.snap import SnapPolicy
    from training.replay import evaluate, read_eval_drawings

    ckpt = load_checkpoint(resolve_checkpoint(model))
    w, b = fit(*collect(ckpt, per_class), ckpt.model.cfg.num_classes, weight_decay)
    drawings = read_eval_drawings(data, limit=limit)
    policy = SnapPolicy()
    counted = StrokeClassifier(ckpt.model, ckpt.temperature, ckpt.ending)
    learnt = FinishHeadClassifier(ckpt, w, b)
    return {
        "counted": evaluate(counted, drawings, policy, progress=step("replaying, counted")),
        "learnt": evaluate(learnt, drawings, policy, progress=step("replaying, learnt")),
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = probe_parser(__doc__)
    parser.add_argument("--per-class", type=int, default=1500, help="training drawings a class")
    parser.add_argument("--weight-decay", type=float, default=1e-4)
    args = parser.parse_args(argv)
    with steps_bar() as step:
        reports = probe(
            args.model,
            args.data,
            per_class=args.per_class,
            weight_decay=args.weight_decay,
            limit=args.limit,
            step=step,
        )
    publish(reports, args.json)
    return 0


if __name__ == "__main__":
    raise SystemExit(run(main))
