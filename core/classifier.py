"""The stateful per-stroke classifier: one CNN frame and one LSTM step per stroke.

`StrokeClassifier` wraps a trained model for one drawing at a time. After each
stroke it keeps the cumulative frame (core/raster.py), the LSTM state (h, c) and
the prediction, on a stack, so a stroke costs one CNN frame and one LSTM step
instead of a re-run of the sequence, and `undo` is a pop. Its prediction after
stroke k equals the batch model's output at step k (the tests check it to 1e-5).

Past `pad_len` strokes it does what the training frames do: every further stroke
goes into the last frame, so the last step is re-run from the state saved before
it, with the grown last frame. The CNN-only model just classifies the current frame.
`replay` builds the same stack for a whole drawing in batches (the window replays
whole shapes): the frames through the CNN together, the strokes past pad_len in one step.

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

from collections.abc import Callable, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from core.classes import CLASSES
from core.ending import EndingPrior
from core.familiar import Familiarity
from core.models import LSTMState, SketchModel
from core.raster import add_stroke, stroke_frames
from core.strokes import StrokeError  # defined with the strokes; raised here too

# Frames through the CNN at a time in `replay`. Measured on one core here (the default
# model, 40 frames): 16 takes half the time of one at a time or of all 40 at once,
# whose first layer's output outgrows the cache (training/replay.py's FRAME_BATCH).
FRAME_BATCH = 16


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


def _map_state(fn: Callable[[torch.Tensor], torch.Tensor], state):
    """`fn` of every tensor of an LSTM state, or of an ensemble's tuple of member states."""
    if state is None:
        return None
    if isinstance(state, torch.Tensor):
        return fn(state)
    return tuple(_map_state(fn, s) for s in state)


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

        return cls.from_loaded(load_checkpoint(resolve_checkpoint(name_or_path)))

    @classmethod
    def from_loaded(cls, ckpt) -> StrokeClassifier:
        """A classifier for a checkpoint already loaded (`core.checkpoint.Checkpoint`),
        for a caller that reads its meta too."""
        return cls(
            ckpt.model,
            temperature=ckpt.temperature,
            ending=ckpt.ending,
            familiarity=ckpt.familiarity,
        )

    def unchecked_familiarity(self, heed: bool) -> str | None:
        """Why its snaps are not checked for familiarity, a note under a report of them
        (eval's and `draw --score`'s): its figures are not the ones a checkpoint with
        familiarity statistics gives. None where they are checked (or not asked to be)."""
        if self.familiarity is None and hasattr(self.model, "step_hidden"):
            return (
                "this checkpoint has no familiarity statistics, so its snaps are not checked "
                "against them; `frankenstein calibrate` fits them for a checkpoint made before "
                "they existed, where its validation set has every class and a right snap"
            )
        if self.familiarity is None and heed:
            return (
                "an ensemble has no familiarity statistics, so its snaps are not checked "
                "against them: compare them with single models' --ignore-familiarity figures"
            )
        return None

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
        frame = add_stroke(self.frame, stroke)  # (m, m)
        with self._eval():
            device = next(self.model.parameters()).device
            features = self.model.encode(torch.from_numpy(frame)[None].to(device))  # (1, F)
            self._step(frame[None], features)
        return self._stack[-1].prediction

    def _step(self, frames: np.ndarray, features: torch.Tensor) -> None:
        """Push the steps of the next strokes, given their frames (K, m, m) and CNN
        features (K, F). All K enter the LSTM from one state, so K > 1 only past pad_len,
        where every stroke re-runs the last step."""
        n = len(self._stack) + 1  # strokes after the first of them
        t = min(n, self.cfg.pad_len) - 1  # the step they land on
        # The state entering step t is the one after step t - 1; past pad_len the
        # last step is re-run from there with the grown frame, as in training.
        state = self._stack[t - 1].state if t > 0 else None
        k = len(features)
        if k > 1:
            state = _map_state(lambda x: x.repeat(1, k, 1), state)  # (L, 1, ...) -> (L, K, ...)
        hidden = None  # an ensemble has no one hidden layer
        if hasattr(self.model, "step_hidden"):
            h, log_probs, new_state = self.model.step_hidden(features, state)  # (K, C)
            hidden = h.double().cpu().numpy()
        else:
            log_probs, new_state = self.model.step(features, state)  # (K, C)
        probs = torch.softmax(log_probs.double() / self.temperature, -1).cpu().numpy()
        familiar = None
        if self.familiarity is not None and self.familiarity.limit is not None:
            familiar = self.familiarity.familiar(hidden)  # (K, C)
        for i in range(k):
            prediction = Prediction(
                probs[i], n + i, familiar=None if familiar is None else familiar[i]
            )
            after = new_state if k == 1 else _map_state(lambda x, i=i: x[:, i : i + 1], new_state)
            self._stack.append(
                _Step(frames[i], after, prediction, None if hidden is None else hidden[i])
            )

    @contextmanager
    def _eval(self):
        """The model in eval mode (no dropout), switched back after if it was training
        (e.g. replays during a training run's evaluation)."""
        training = self.model.training
        if training:
            self.model.eval()
        try:
            yield
        finally:
            if training:
                self.model.train()

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

    @torch.inference_mode()
    def replay(self, strokes: Sequence[np.ndarray]) -> Prediction | None:
        """Reset, then add each stroke; the last prediction (None for no non-empty stroke).

        The window replays whole shapes (a shape whose normalisation box moved; every
        shape on a model switch), and one `add_stroke` at a time took ~50 ms for 40
        strokes, a visible stall, so the work is batched (about 2x faster): every
        cumulative frame is drawn in one pass, the CNN reads them FRAME_BATCH at a time,
        the LSTM takes one step per stroke up to pad_len, and the strokes past it, each a
        re-run of the last step from one state, take that step together. The stack is the
        one `add_stroke` would build (up to a batch's float rounding: the tests check it
        to 1e-5), so undo and further strokes go on alike. A stroke that is not one
        raises StrokeError before anything is added. A subclass with its own
        `add_stroke` is fed one stroke at a time, as it expects.
        """
        self.reset()
        if type(self).add_stroke is not StrokeClassifier.add_stroke:
            for s in strokes:
                self.add_stroke(s)
            return self._stack[-1].prediction if self._stack else None
        kept = [p for p in map(_as_stroke, strokes) if len(p)]  # empty strokes: none
        if not kept:
            return None
        frames, _ = stroke_frames([kept], self.cfg.m)  # (S, m, m), frame k after stroke k
        last = self.cfg.pad_len - 1  # the step every stroke from here on lands on
        with self._eval():
            device = next(self.model.parameters()).device
            features = torch.cat(
                [
                    self.model.encode(torch.from_numpy(frames[i : i + FRAME_BATCH]).to(device))
                    for i in range(0, len(frames), FRAME_BATCH)
                ]
            )  # (S, F)
            for k in range(min(len(kept), last)):
                self._step(frames[k : k + 1], features[k : k + 1])
            if len(kept) > last:
                self._step(frames[last:], features[last:])
        return self._stack[-1].prediction
