"""The stateful per-stroke classifier: one CNN frame and one LSTM step per stroke.

`StrokeClassifier` wraps a trained model for one drawing at a time. After each
stroke it keeps the cumulative frame (core/raster.py), the LSTM state (h, c) and
the prediction, on a stack, so a stroke costs one CNN frame and one LSTM step
instead of a re-run of the sequence, and `undo` is a pop. Its prediction after
stroke k equals the batch model's output at step k (the tests check it to 1e-5).

Past `pad_len` strokes it does what the training frames do: every further stroke
goes into the last frame, so the last step is re-run from the state saved before
it, with the grown last frame. The CNN-only model just classifies the current frame.

Empty strokes (no points) are not strokes: they change nothing and return the
current prediction (a uniform one before the first stroke), so a stray click
cannot move the guess or the stroke count. Points off the canvas are clamped to its
edge by the rasteriser. Probabilities are calibrated: softmax(log_probs / T) with
the validation-fitted temperature T saved in the checkpoint. The model runs in eval
mode under torch.inference_mode(); a model in training mode is switched back after.

`finish()` is the guess once the drawing is known to be over (the person paused, a
replay reached its end): the latest prediction reweighted by the checkpoint's ending
prior (core/ending.py), since a drawing that stops after one round stroke is a
circle, not a smiley face still to come. Checkpoints without one finish unchanged.

With the checkpoint's familiarity statistics (core/familiar.py) each prediction also
says which classes the ink looks like (`Prediction.familiar`), judged on the head's
hidden features of that stroke; the snap policy snaps only to a familiar class.
Checkpoints without them, and ensembles, leave `familiar` None (no such rule).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from core.classes import CLASSES
from core.ending import EndingPrior
from core.errors import FrankensteinError
from core.familiar import Familiarity
from core.models import LSTMState, SketchModel
from core.raster import add_stroke


class StrokeError(FrankensteinError, ValueError):
    """Points that are not a stroke: wrong shape, or not finite numbers."""


@dataclass(frozen=True, eq=False)
class Prediction:
    """The guess after some strokes: calibrated probabilities over CLASSES."""

    probs: np.ndarray  # (C,) float64, sums to 1
    n_strokes: int
    finished: bool = False  # reweighted by the ending prior: the drawing ends here
    familiar: np.ndarray | None = None  # (C,) bool: classes the ink looks like; None: unknown

    def top(self, k: int = 3) -> list[tuple[str, float]]:
        """The k most probable classes, as (name, probability), most probable first."""
        order = np.argsort(-self.probs, kind="stable")[:k]
        return [(CLASSES[i], float(self.probs[i])) for i in order]

    @property
    def index(self) -> int:
        return int(np.argmax(self.probs))

    @property
    def label(self) -> str:
        return CLASSES[self.index]

    @property
    def confidence(self) -> float:
        return float(self.probs[self.index])

    def __repr__(self) -> str:
        guesses = ", ".join(f"{n} {p:.2f}" for n, p in self.top(3))
        return f"Prediction(n_strokes={self.n_strokes}, {guesses})"


@dataclass(frozen=True)
class _Step:
    """What is kept after a stroke."""

    frame: np.ndarray  # (m, m) uint8: the cumulative frame (last frame past pad_len)
    state: LSTMState | None  # LSTM state after this stroke's step
    prediction: Prediction
    hidden: np.ndarray | None = None  # (head_hidden,) the head's hidden features; None: ensemble


def _as_stroke(points: np.ndarray | Sequence) -> np.ndarray:
    p = np.asarray(points, np.float64)
    if p.size == 0:
        return p.reshape(0, 2)
    if p.ndim != 2 or p.shape[1] != 2:
        raise StrokeError(f"a stroke is an (n, 2) array of x, y points; got shape {p.shape}")
    if not np.isfinite(p).all():
        raise StrokeError("a stroke's points must be finite numbers (got NaN or infinity)")
    return p


class StrokeClassifier:
    """Per-stroke predictions for one drawing at a time, from a kept LSTM state."""

    def __init__(
        self,
        model: SketchModel,
        temperature: float = 1.0,
        ending: EndingPrior | None = None,
        familiarity: Familiarity | None = None,
    ):
        if not temperature > 0:
            raise ValueError(f"temperature must be positive, got {temperature}")
        self.model = model
        self.temperature = float(temperature)
        self.ending = ending
        self.familiarity = familiarity if hasattr(model, "step_hidden") else None
        self.cfg = model.cfg
        self._stack: list[_Step] = []

    @classmethod
    def from_checkpoint(cls, name_or_path: str | Path) -> StrokeClassifier:
        """A classifier for a bundled model name (`frankenstein`, `cnn`) or a checkpoint path."""
        from core.checkpoint import load_checkpoint, resolve_checkpoint

        ckpt = load_checkpoint(resolve_checkpoint(name_or_path))
        return cls(
            ckpt.model,
            temperature=ckpt.temperature,
            ending=ckpt.ending,
            familiarity=ckpt.familiarity,
        )

    @property
    def n_strokes(self) -> int:
        return len(self._stack)

    @property
    def history(self) -> list[Prediction]:
        """One prediction per stroke so far (a new list)."""
        return [s.prediction for s in self._stack]

    @property
    def hidden(self) -> list[np.ndarray | None]:
        """The head's hidden features after each stroke so far (None for an ensemble)."""
        return [s.hidden for s in self._stack]

    @property
    def frame(self) -> np.ndarray:
        """The current cumulative frame (m, m) uint8 (a copy)."""
        if not self._stack:
            return np.zeros((self.cfg.m, self.cfg.m), np.uint8)
        return self._stack[-1].frame.copy()

    def _uniform(self) -> Prediction:
        n = self.cfg.num_classes
        return Prediction(np.full(n, 1.0 / n), 0)

    @torch.inference_mode()
    def add_stroke(self, points: np.ndarray | Sequence) -> Prediction:
        """Add one stroke ((n, 2) x, y in the simplified space) and return the new guess."""
        stroke = _as_stroke(points)
        if len(stroke) == 0:
            return self._stack[-1].prediction if self._stack else self._uniform()
        n = len(self._stack) + 1  # strokes after this one
        t = min(n, self.cfg.pad_len) - 1  # the step this stroke lands on
        frame = add_stroke(self.frame, stroke)  # (m, m)
        # The state entering step t is the one after step t - 1; past pad_len the
        # last step is re-run from there with the grown frame, as in training.
        state = self._stack[t - 1].state if t > 0 else None
        training = self.model.training  # e.g. replays during a training run's evaluation
        if training:
            self.model.eval()
        try:
            device = next(self.model.parameters()).device
            features = self.model.encode(torch.from_numpy(frame)[None].to(device))  # (1, F)
            hidden = None  # an ensemble has no one hidden layer
            if hasattr(self.model, "step_hidden"):
                h, log_probs, new_state = self.model.step_hidden(features, state)  # (1, C)
                hidden = h[0].double().cpu().numpy()
            else:
                log_probs, new_state = self.model.step(features, state)  # (1, C)
        finally:
            if training:
                self.model.train()
        probs = torch.softmax(log_probs[0].double() / self.temperature, -1).cpu().numpy()
        familiar = None
        if self.familiarity is not None and self.familiarity.limit is not None:
            familiar = self.familiarity.familiar(hidden)
        prediction = Prediction(probs, n, familiar=familiar)
        self._stack.append(_Step(frame, new_state, prediction, hidden))
        return prediction

    def finish(self, prediction: Prediction | None = None) -> Prediction | None:
        """The guess if the drawing ends with `prediction` (by default the latest one):
        reweighted by the ending prior, marked finished. None before the first stroke."""
        if prediction is None:
            if not self._stack:
                return None
            prediction = self._stack[-1].prediction
        if prediction.finished or prediction.n_strokes < 1:
            return prediction
        probs = prediction.probs
        if self.ending is not None:
            probs = self.ending.finish(probs, prediction.n_strokes)
        return Prediction(probs, prediction.n_strokes, finished=True, familiar=prediction.familiar)

    def undo(self) -> Prediction | None:
        """Remove the last stroke; the prediction before it (None when nothing is left)."""
        if self._stack:
            self._stack.pop()
        return self._stack[-1].prediction if self._stack else None

    def reset(self) -> None:
        """Start a new drawing: nothing of the previous one is kept."""
        self._stack = []

    def replay(self, strokes: Sequence[np.ndarray]) -> Prediction | None:
        """Reset, then add each stroke; the last prediction (None for no non-empty stroke)."""
        self.reset()
        for s in strokes:
            self.add_stroke(s)
        return self._stack[-1].prediction if self._stack else None
