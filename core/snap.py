"""The snap policy: given a drawing's prediction history, snap now, and to what?

Shared by the live window (replace the ink with a template) and the evaluation
(snap precision and strokes saved when replaying real doodles stroke by stroke), so
both judge the same rule. `SnapPolicy.decide(history)` snaps to the top class of the
latest prediction when all of these hold:

1. **confidence**: its calibrated probability >= `threshold`;
2. **margin**: it leads the runner-up by >= `margin`;
3. **completeness**: the drawing has at least `min_strokes[cls]` strokes, for the
   classes people draw in several strokes (a smiley face is not done after its
   outline; a house is rarely one stroke);
4. **steadiness**: for `steady_classes` (by default every class: partial drawings
   are often confidently something else, two sides of a hexagon an hourglass, a
   circle the start of a smiley face or a sun, a square the walls of a house), the
   top class must have been the same for the last `steady_steps` predictions while
   the probability mass may still be moving, unless its probability already
   reaches `steady_override` below 1 (by default 1: nothing skips the wait, not even
   a probability that rounds to 1; the confident partial drawings are the wrong ones);
5. **familiarity**: the ink looks like the training doodles of that class
   (`Prediction.familiar`, from the checkpoint's statistics, core/familiar.py), unless
   `heed_familiarity` is off or the prediction does not say;
6. **not a scribble**: the shape's ink (`ink`, where the caller gives it: the window
   gives the shape's strokes, the evaluation the drawing's first k) crosses itself
   fewer than `scribble_crossings` times (core/scribble.py), unless that is None.
   Checked first, so the reason names it: a scribble's guesses are no shape's.
Rules 3 and 4 guard against premature snaps while a drawing goes on; `finished=True`
(the drawing is known to be over: the user paused or asked, or a replay reached its
end) waives them, since nothing can be premature then. Rules 5 and 6 hold even then: a
finished scribble is still unlike every shape.

The defaults come from replaying the real dev doodles through the bundled models
(`frankenstein eval`, `frankenstein draw --score`; docs/training.md, "The snap policy"):
threshold 0.8 and margin 0.2 as designed, steadiness for every class over three
strokes with no override; the scribble limit from the crossings of the real dev
doodles and of scribbles (`python -m experiments.probes.scribble`). They are fields, so
the window and the evaluation can try others.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, field_validator

from core.classes import CLASSES, class_index
from core.scribble import SCRIBBLE_CROSSINGS, crossings


class _Guess(Protocol):
    """What the policy reads of a prediction (core.classifier.Prediction has it)."""

    probs: np.ndarray
    n_strokes: int
    # optional: familiar (C,) bool or None, the classes the ink looks like


Ink = Sequence[np.ndarray]  # a shape's strokes, (n, 2) points each


@dataclass(frozen=True)
class SnapDecision:
    """Snap the current ink to `cls`; `reason` says which rules passed, for display and logs."""

    cls: str
    confidence: float
    reason: str


def _class_name(name: str) -> str:
    return CLASSES[class_index(name)]


class SnapPolicy(BaseModel):
    """When to snap: thresholds and per-class completeness rules (see the module docstring)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    threshold: float = Field(0.8, ge=0.0, le=1.0)
    margin: float = Field(0.2, ge=0.0, le=1.0)
    min_strokes: dict[str, int] = Field(
        default_factory=lambda: {
            "smiley face": 3,  # outline, eyes, mouth
            "eye": 2,
            "sun": 2,
            "ice cream": 2,
            "house": 2,
            "fish": 2,
            "donut": 2,  # two rings
        }
    )
    # Every class, not only the shapes that often begin another (a circle that becomes
    # a smiley face, a square that becomes a house): replayed real doodles showed wrong
    # snaps mid-drawing for most classes (two sides of a hexagon read as an hourglass),
    # and waiting for a second agreeing stroke cut them with no loss of recall. The
    # wrong snaps left were mostly two strokes read confidently (>= 0.99) as the wrong
    # class: a third agreeing stroke, with no confidence that skips it, cut them by a
    # third to a half for every Frankenstein retrain measured, at under one point of
    # recall, for half the strokes saved (docs/training.md, "The snap policy").
    steady_classes: tuple[str, ...] = CLASSES
    steady_steps: int = Field(3, ge=1)
    steady_override: float = Field(1.0, ge=0.0, le=1.0)
    heed_familiarity: bool = True
    # ink crossing itself this many times is a scribble, never snapped; None: no such rule
    scribble_crossings: int | None = Field(SCRIBBLE_CROSSINGS, ge=1)

    @field_validator("min_strokes")
    @classmethod
    def _known_min_strokes(cls, v: dict[str, int]) -> dict[str, int]:
        out = {}
        for name, k in v.items():
            if k < 1:
                raise ValueError(f"min_strokes[{name!r}]={k} must be >= 1")
            out[_class_name(name)] = k
        return out

    @field_validator("steady_classes")
    @classmethod
    def _known_steady(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(_class_name(n) for n in v)

    def decide(
        self, history: Sequence[_Guess], *, finished: bool = False, ink: Ink | None = None
    ) -> SnapDecision | None:
        """Snap to the latest top class, or None; `history` holds one prediction per
        stroke, `ink` (if given) the strokes they were made of, in any coordinates."""
        return self.judge(history, finished=finished, ink=ink)[0]

    def explain(
        self, history: Sequence[_Guess], *, finished: bool = False, ink: Ink | None = None
    ) -> str:
        """Why `decide` snaps or waits, in one line (for the window's status and logs)."""
        return self.judge(history, finished=finished, ink=ink)[1]

    def judge(
        self,
        history: Sequence[_Guess],
        *,
        finished: bool = False,
        ink: Ink | None = None,
        n_crossings: int | None = None,
    ) -> tuple[SnapDecision | None, str]:
        """`decide` and `explain` at once (the ink's crossings counted once);
        `n_crossings`, if given, is `crossings(ink)` counted already (the window keeps
        each ink's count: it asks about the same ink again for the preview and the rest)."""
        ok, reason = self._verdict(history, finished, ink, n_crossings)
        if not ok:
            return None, reason
        last = history[-1]
        i = int(np.argmax(last.probs))
        return SnapDecision(CLASSES[i], float(last.probs[i]), reason), reason

    def scribble(self, ink: Ink, n_crossings: int | None = None) -> str | None:
        """Why `ink` (a shape's strokes) is a scribble that never snaps, or None if it
        is not one (rule 6); `n_crossings`: its crossings, if counted already."""
        if self.scribble_crossings is None:
            return None
        n = crossings(ink) if n_crossings is None else n_crossings
        if n < self.scribble_crossings:
            return None
        return f"looks like a scribble, not a shape (it crosses itself {n} times)"

    def _verdict(
        self, history: Sequence[_Guess], finished: bool, ink: Ink | None, n_crossings: int | None
    ) -> tuple[bool, str]:
        if not history:
            return False, "no strokes yet"
        scribble = None if ink is None else self.scribble(ink, n_crossings)
        if scribble is not None:
            return False, scribble
        last = history[-1]
        probs = np.asarray(last.probs, np.float64)
        order = np.argsort(-probs, kind="stable")
        i, p = int(order[0]), float(probs[order[0]])
        cls = CLASSES[i]
        lead = p - float(probs[order[1]])
        if p < self.threshold:
            shown, threshold = _apart(p, self.threshold)
            return False, f"{cls} {shown} below threshold {threshold}"
        if lead < self.margin:
            runner = CLASSES[int(order[1])]
            shown, margin = _apart(lead, self.margin)
            return False, f"{cls} leads {runner} by {shown} < margin {margin}"
        familiar = getattr(last, "familiar", None)
        if self.heed_familiarity and familiar is not None and not familiar[i]:
            return False, f"{cls} {p:.2f}, but the ink looks unlike the {cls} doodles it learnt"
        reason = f"{cls} {p:.2f} >= {self.threshold:.2f}, margin {lead:.2f}"
        if finished:
            return True, reason + ", drawing finished"
        need = self.min_strokes.get(cls, 1)
        if last.n_strokes < need:
            return False, f"{cls} needs {need} strokes, has {last.n_strokes}"
        # an override of 1 is "never": a guess can round to exactly 1.0 (every other
        # class ~37 nats behind), and it must wait like any other
        skips = self.steady_override < 1.0 and p >= self.steady_override
        if cls in self.steady_classes and not skips:
            recent = history[-self.steady_steps :]
            steady = len(recent) == self.steady_steps and all(
                int(np.argmax(h.probs)) == i for h in recent
            )
            if not steady:
                wait = f"{cls} not yet top for {self.steady_steps} strokes"
                if self.steady_override < 1.0:
                    wait += f" (and {p:.2f} < {self.steady_override:.2f})"
                return False, wait
            reason += f", top for {self.steady_steps} strokes"
        return True, reason


def _apart(a: float, b: float) -> tuple[str, str]:
    """a and b to two decimals, or as many more as tell them apart ("0.797 below
    threshold 0.800", not "0.80 below threshold 0.80")."""
    digits = 2
    while f"{a:.{digits}f}" == f"{b:.{digits}f}" and digits < 12:
        digits += 1
    if f"{a:.{digits}f}" == f"{b:.{digits}f}":  # closer still: every digit there is
        return repr(a), repr(b)
    return f"{a:.{digits}f}", f"{b:.{digits}f}"
