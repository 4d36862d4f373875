"""The drawing window's state and decisions, as a plain object a test can drive.

The pyglet window forwards input here (view coordinates, y up, times in seconds) and
draws the `Scene` this returns; nothing here imports pyglet.

**Shapes.** Strokes gather into the *current shape* (the last shape, unless it has
snapped). A stroke far from it by the gap rule of `live.grouping` starts a new shape;
the abandoned shape stays on the canvas as ink. When the shape a stroke went into
comes near earlier shapes still in ink, it *gathers* them (`live.grouping`: a smiley's
eyes drawn first become one face with the outline around them).

A stroke that comes near a snapped shape reopens it (`reopen_snaps`; nearer than the
gap rule asks of ink, `reopen_gap`: on it, or beside it; the newest such shape, and if
it is not the last one, the stroke's new shape gathers it):
the snap is lifted, the ink comes back, and the shape is classified again with the
new stroke (undo puts the snap back), so a square that was a house's walls becomes
the house once the roof is drawn, and a circle gets its eyes and becomes a smiley.
(ARCHITECTURE.md starts a new shape after every snap; replaying real doodles through
the window showed that this splits a third of them into fragments that then snap to
something else, the rays of a snapped sun as lines. By the gap rule itself, a shape
drawn 50 px beside a snapped circle of 160 px lifted its snap, and the two were read
as one drawing; the replay keeps every gain with the nearer rule.) Elsewhere on the
canvas, the next stroke after a snap starts a new shape with a fresh classifier state.

**Classifier input.** The current shape's ink is normalised into the model's
simplified space with `core.strokes.normalize_strokes`, exactly as the training data
was made (align to 0, larger side 255, resample, RDP). Normalisation depends on the
shape's bounding box, so after every change the normalised strokes are compared with
those the classifier already holds: if they are the old ones plus one, the new stroke
is added (`add_stroke`: one CNN frame and one LSTM step); if they are the old ones
minus the last, `undo` pops the saved state; otherwise (the bounding box grew or
shrank, or another shape became current) the classifier `replay`s the shape from a
fresh state, which is still only a few ms for a handful of strokes.

**Snaps.** After each pen-up the `SnapPolicy` reads the shape's prediction history;
when it says snap (auto-snap on) or the user asks (Space), the class's template is
fitted to the ink (`core.fit.fit_template`, in screen coordinates, y down). A fit
worse than `max_fit_error` is refused (the ink stays, the panel says why); otherwise
the template replaces the ink with a short morph, the shape stays snapped, and the
next stroke starts a new shape with a fresh classifier state. The policy is given the
shape's ink with its guesses: a scribble (ink crossing itself all over, core/scribble.py)
never snaps, not on demand either, and gets no preview; the status says why. When the pen rests for
`pause_s` after a stroke, the shape counts as finished (`tick`): the policy is asked
again with its completeness rules waived, about the finished guess (the classifier's
`finish`: reweighted by the ending prior), so a lone circle snaps without waiting for
a second stroke that would show it is not the start of a smiley face. Judged then: the
last shape drawn on that is more than a speck (a click, a dot), so a stray click
elsewhere does not cancel the square's judgement, and a dot never snaps (as a line),
not even on demand (Space). The panel shows that shape too (its guesses, its strokes),
never a dot's, and a save skips specks (`live.saving`).
A shape left for real ink stays ink until gathered or reopened: it is most often a
part drawn apart (a smiley's mouth, an hourglass's side). In the window replay of the
real dev doodles, judging every shape left at the rest cost precision 97.7 -> 96.4%
(parts snapped as lines), and judging a left shape at once 97.7 -> 92.1%.

**Preview.** While the current shape is ink and the pen is up, the scene shows its
top guess's template fitted to the ink, faint, under it (`preview_template`), once the
guess is `preview_min` sure: the completion Space would make. It is fitted once per new
stroke or guess (kept with the strokes it was fitted to), not for a held shape (its snap
was just taken back) nor for a fit too bad to snap or a scribble, and never exported.

**Undo** walks back through a stack of records: a snap is reverted to the ink first
(the shape is *held*: it will not auto-snap again until it changes), then strokes go
one by one, the classifier following; a clear is undone as a whole. **Redo** puts back
what undo took, step by step: each undo keeps what it changed, as it was before
(`live.redo`: the records it took, the shapes it changed, the places of the shapes it
put back or took away), and redo restores that (re-classified if the model was
switched since); anything new (a stroke, a snap, a clear) ends what can be redone.

**Saving** (which shapes are saved as they are, the second Escape that quits with
unsaved ink, PNG export) is kept by `live.saving.Saving`, which the controller holds.

**Loading.** The classifier is loaded in `__init__`, unless told to wait (`load=False`):
the window (`live.app.run`) opens first, saying the model is loading, and `load`s it
a few frames later, since importing torch and reading the checkpoint take seconds.
Until then the controller is one without a model that waits for it: ink is drawn and
grouped, with no guesses; the rest is not judged (`tick` waits) and M and Space say
the model is still loading. `load` then reads every shape drawn meanwhile. A model
that cannot be loaded is an error kept for the panel, as it always was: drawing goes
on, unguessed.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from core.errors import FrankensteinError
from core.scribble import crossings
from core.strokes import normalize_strokes
from live.canvas import (
    ActiveStroke,
    AddedStroke,
    Cleared,
    Reopened,
    Shape,
    ShapeState,
    Snap,
    Snapped,
    Stroke,
    UndoRecord,
)
from live.geometry import clamp_to_canvas, flip_y, make_layout, nearest_points
from live.grouping import gather, is_speck, joins, reopens
from live.redo import Undoing, Undone
from live.saving import Saving
from live.scene import CanvasLines, Panel, Scene, preview_lines
from live.settings import ACTION_HELP, POLICY_FIELDS, LiveSettings, ModelName, key_label

if TYPE_CHECKING:
    from core.classifier import Prediction, StrokeClassifier
    from core.fit import Fit
    from core.snap import SnapDecision

Loader = Callable[[ModelName, "Path | None"], "StrokeClassifier"]
MODEL_TITLES = {"frankenstein": "Frankenstein (CNN+LSTM)", "cnn": "CNN-only"}
# Undo or clear while the pen is down: the drag goes on, drawing nothing until it lifts.
CANCELLED = "stroke cancelled: lift the pen to draw again"


def load_classifier(name: ModelName, checkpoint: Path | None) -> StrokeClassifier:
    """The classifier of a checkpoint: `checkpoint` if given, else the bundled `name`."""
    from core.classifier import StrokeClassifier

    return StrokeClassifier.from_checkpoint(checkpoint if checkpoint is not None else name)


@dataclass(frozen=True)
class Update:
    """What one pen-up did."""

    stroke_added: bool
    new_shape: bool = False
    prediction: Prediction | None = None
    snapped: str | None = None  # the class it snapped to
    refused: str | None = None  # why a snap was refused (the template fits badly)


class Controller:
    """Canvas state, classifier and snap decisions behind the drawing window."""

    def __init__(
        self,
        settings: LiveSettings | None = None,
        *,
        loader: Loader = load_classifier,
        window_size: tuple[int, int] | None = None,
        load: bool = True,
    ) -> None:
        """With `load` False, the model is loaded only when `load()` is called."""
        from core.snap import SnapPolicy

        self.settings = settings = settings or LiveSettings()
        self._loader = loader
        self.layout = make_layout(
            window_size or settings.window_size, settings.canvas_size, settings.panel_width
        )
        self.shapes: list[Shape] = []
        self.undo_stack: list[UndoRecord] = []
        self._redo: list[Undone] = []  # the canvas before each undo, newest last
        self.auto_snap = settings.auto_snap
        self.preview = settings.preview
        # the completion preview's last fit: (shape, its strokes, class, template or None)
        self._previewed: tuple | None = None
        self._crossed: tuple[tuple[Stroke, ...], int] | None = None  # `_crossings`' last
        self._canvas_lines = CanvasLines()  # each scene's lines: unchanged shapes' kept
        given = {k: v for k in POLICY_FIELDS if (v := getattr(settings, k)) is not None}
        self.policy = SnapPolicy(**given, heed_familiarity=settings.heed_familiarity)
        self.help_visible = False
        self._saving = Saving(settings)  # what is saved as it is; Escape pressed once
        self._error_status: str | None = None  # the status, while it is an error
        self.status = "draw a shape"
        self.error: str | None = None
        self.version = 0  # bumped on every visible change
        self.now = 0.0
        self._next_id = 0
        self._active: ActiveStroke | None = None  # the stroke being drawn
        self._n_drawn = 0  # strokes begun, to number the next one
        self._pause_from: float | None = None  # the last pen-up, until its pause is judged
        self._unfinished: list[Shape] = []  # drawn on since the pen last rested
        self._classifiers: dict[ModelName, StrokeClassifier] = {}
        self._load_errors: dict[ModelName, str] = {}
        self._fed: list[np.ndarray] = []  # normalised strokes the classifier holds
        self.model_name: ModelName = settings.model
        self.classifier: StrokeClassifier | None = None
        self.loading = True  # until `load` has run
        if load:
            self.load()

    # ------------------------------------------------------------------ models

    def load(self) -> str | None:
        """Load the model to start with (once), and read the shapes drawn while it
        loaded; the load error, or None."""
        if not self.loading:
            return self.error
        self.loading = False
        self.classifier = self._classifier(self.model_name)
        if self.classifier is None:
            self.error = self._load_errors[self.model_name]  # the panel's model line says
            # "none (drawing works, but no guesses)"; the status stays what was drawn
        else:
            self._reclassify(self.shapes)
            self._sync()
        self._changed()
        return self.error

    def _classifier(self, name: ModelName) -> StrokeClassifier | None:
        """The classifier of a model, loaded once; None (and an error kept) if it fails."""
        if name not in self._classifiers and name not in self._load_errors:
            ckpt = self.settings.checkpoint if name == self.settings.model else None
            try:
                self._classifiers[name] = self._loader(name, ckpt)
            except FrankensteinError as e:
                self._load_errors[name] = str(e)
        return self._classifiers.get(name)

    @property
    def _guessing(self) -> ModelName | None:
        """The model whose guesses the shapes hold: None while no model is loaded."""
        return self.model_name if self.classifier is not None else None

    @property
    def load_error(self) -> str | None:
        """Why the model in use could not be loaded (None when it is loaded)."""
        return self._load_errors.get(self.model_name) if self.classifier is None else None

    def switch_model(self) -> bool:
        """Use the other model (Frankenstein <-> CNN-only) and re-classify every shape."""
        if self.loading:  # it would load the other model while this one waits
            self.status = f"{MODEL_TITLES[self.model_name]} is still loading"
            self._changed()
            return False
        other: ModelName = "cnn" if self.model_name == "frankenstein" else "frankenstein"
        clf = self._classifier(other)
        if clf is None:
            self._say_error(f"cannot switch to {MODEL_TITLES[other]}: {self._load_errors[other]}")
            return False
        for shape in self.shapes:
            shape.keep_guesses(self.model_name)  # switching back takes them up again
        self.model_name, self.classifier, self.error = other, clf, None
        clf.reset()  # it may hold a shape from when it was last in use
        self._fed = []
        self._reclassify(self.shapes)
        self._sync()
        self.status = f"switched to {MODEL_TITLES[other]}"
        self._rejudge()  # the shape the pen rested on, as this model reads it
        self._changed()
        return True

    def _reclassify(self, shapes: list[Shape] | tuple[Shape, ...]) -> None:
        """Guesses of the model in use for those of `shapes` on the canvas whose ink or
        model changed (the current shape's come from `_sync`): every guess shown or
        saved is this model's, of the ink as it is. Those this model made of the same
        ink before (`Shape.seen`: before a switch to the other model and back, or a
        clear undone) are taken up again, not read again (2 s for 300 shapes)."""
        clf = self.classifier
        stale = [s for s in shapes if s is not self.current and s.strokes and s in self.shapes]
        stale = [s for s in stale if not s.kept_guesses(self.model_name)]
        if clf is None or not stale:
            return
        height = self.settings.canvas_size[1]
        for shape in stale:
            clf.replay(normalize_strokes(shape.screen_ink(height)))
            _set_history(shape, clf.history)
            shape.keep_guesses(self.model_name)
        clf.reset()
        self._fed = []

    # --------------------------------------------------------------------- ink

    @property
    def current(self) -> Shape | None:
        """The shape new strokes join: the last one, unless it snapped."""
        if self.shapes and self.shapes[-1].state is not ShapeState.SNAPPED:
            return self.shapes[-1]
        return None

    @property
    def drawing(self) -> bool:
        """Whether a stroke is being drawn (pen down)."""
        return self._active is not None

    def pen_down(self, x: float, y: float, t: float) -> bool:
        """Start a stroke at view point (x, y), pulled onto the canvas's edge from the
        band beside it; False if it is on the panel (ignored)."""
        self.now = t
        self._saving.quit_asked = False
        if self._active is not None:  # a release we never saw: end that stroke where
            self._end_stroke(t)  # it was last seen, not with a jump to this press
        if self.help_visible:  # a click on the help closes it, it draws nothing
            self.help_visible = False
            self._changed()
            return False
        if not self.layout.in_drawing_area(x, y):
            return False
        self._n_drawn += 1
        self._active = ActiveStroke(self._n_drawn, self._to_canvas(x, y), t, self.layout.scale)
        self._changed()
        return True

    def pen_move(self, x: float, y: float, t: float) -> None:
        """The pen moved while down; points off the canvas follow its edge."""
        self.now = t
        if self._active is None:
            return
        if self._active.append(self._to_canvas(x, y), t):
            self._changed()

    def pen_up(self, x: float, y: float, t: float) -> Update:
        """End the stroke: classify, and snap if the policy says so."""
        self.now = t
        if self._active is None:
            return Update(stroke_added=False)
        self.pen_move(x, y, t)
        return self._end_stroke(t)

    def _end_stroke(self, t: float) -> Update:
        stroke = self._active.stroke()
        self._active = None
        return self._add_stroke(stroke, t)

    def _to_canvas(self, x: float, y: float) -> tuple[float, float]:
        cx, cy = self.layout.to_canvas(x, y)
        return clamp_to_canvas(cx, cy, self.settings.canvas_size)

    def _reopen(self, stroke: Stroke) -> None:
        """Lift the snap of the newest snapped shape `stroke` joins (undo can put it
        back); the stroke then gathers it, if it is not the last shape."""
        if not self.settings.reopen_snaps:
            return
        for shape in reversed(self.shapes):
            if shape.state is ShapeState.SNAPPED and reopens(shape, stroke, self.settings):
                self._record(Reopened(shape.id, shape.snap))
                shape.snap, shape.state = None, ShapeState.INK
                return

    def _add_stroke(self, stroke: Stroke, t: float) -> Update:
        self._reopen(stroke)
        new_shape = not joins(self.current, stroke, self.settings)
        if new_shape:
            self.shapes.append(Shape(self._next_id))
            self._next_id += 1
        shape = self.shapes[-1]
        shape.strokes.append(stroke)
        if shape.state is ShapeState.HELD:
            shape.state = ShapeState.INK  # it changed, so it may snap again
        gathered = gather(shape, self.shapes, self.settings, stroke.scale)
        self._record(AddedStroke(shape.id, gathered))
        # drawn on since the last rest: `tick` judges the last that is more than a speck
        self._unfinished = [s for s in self._unfinished if s in self.shapes and s is not shape]
        self._unfinished.append(shape)
        prediction = self._sync()
        self._pause_from = t
        snapped = refused = None
        self.status = f"{shape.n_strokes} stroke{'s' if shape.n_strokes > 1 else ''}"
        if is_speck(shape):  # its guesses are no drawing's: they are not shown either
            self.status += ": a speck (a click, a dot), never snapped nor saved"
        elif prediction is not None and self.auto_snap:
            decision, why = self._judge(shape, shape.history)
            if decision is not None:
                snapped, refused = self._snap(
                    shape, decision.cls, decision.confidence, decision.reason, t
                )
            else:
                self.status += f"; not snapped yet: {why}"
        self._changed()
        return Update(True, new_shape, prediction, snapped, refused)

    def tick(self, now: float) -> Update | None:
        """The clock's tick: after a pause of `pause_s` since the last stroke, the last
        shape drawn on since the last pause (specks aside) is finished; snap it if the
        policy (completeness rules waived) says so."""
        self.now = max(self.now, now)
        if self.loading:  # the rest is judged once there are guesses to judge
            return None
        if self._pause_from is None or now - self._pause_from < self.settings.pause_s:
            return None
        if self._active is not None:  # the pen is down again: the next stroke decides
            return None
        self._pause_from = None
        left = [s for s in self._unfinished if s in self.shapes]
        self._unfinished = []
        # The last shape drawn on that is more than a speck (a click, a dot: never a
        # drawing). Not every shape left: one left for real ink is most often a part
        # drawn apart (a smiley's mouth, an hourglass's side), to be gathered by a later
        # stroke, and judging those too snapped them as lines (window replay: precision
        # 97.7 -> 96.4%, 3 more wrong snaps).
        drawn = [s for s in left if not is_speck(s)]
        return self._finish(drawn[-1], now) if drawn else None

    def _finish(self, shape: Shape | None, now: float, news: str | None = None) -> Update | None:
        """Judge `shape` as finished: snap it if the policy, completeness rules waived,
        says so about the finished guess; else the status says why not (after `news`,
        what made it judged again, if given)."""
        if not self.auto_snap or shape is None or shape.state is not ShapeState.INK:
            return None
        if not shape.history:
            return None
        final = shape.history[-1]
        if self.classifier is not None:
            final = self.classifier.finish(final)
        shape.final = final  # the panel shows what was judged
        shape.keep_guesses(self.model_name)  # so M and back, or an undo, keep it too
        seen = [*shape.history[:-1], final]
        decision, why = self._judge(shape, seen, finished=True)
        if decision is None:
            self.status = f"{news}; not snapped: {why}" if news else f"finished, not snapped: {why}"
            self._changed()
            return None
        snapped, refused = self._snap(
            shape, decision.cls, decision.confidence, decision.reason, now
        )
        self._changed()
        return Update(False, False, final, snapped, refused)

    def _judge(
        self, shape: Shape, history: list[Prediction], finished: bool = False
    ) -> tuple[SnapDecision | None, str]:
        """The policy's decision and reason about `shape`'s ink with these guesses."""
        n = self._crossings(shape)
        return self.policy.judge(history, finished=finished, ink=shape.ink(), n_crossings=n)

    def _scribble(self, shape: Shape) -> str | None:
        """Why `shape` is a scribble that never snaps (the policy's rule 6), or None."""
        return self.policy.scribble(shape.ink(), self._crossings(shape))

    def _crossings(self, shape: Shape) -> int | None:
        """How often the shape's ink crosses itself (core/scribble.py: 0.4 ms for a
        doodle, up to 2 ms for a scribble of 1,000 points), counted once per ink: at
        pen-up the policy's judgement and then the preview ask of the same strokes, and
        the rest, Space, A, [ and ] again. Kept for the last strokes counted, which a new
        stroke, an undo or a clear changes (strokes are compared as objects); None while
        the policy has no scribble rule (nothing to count)."""
        if self.policy.scribble_crossings is None:
            return None
        strokes = tuple(shape.strokes)  # held here, so their ids are not reused
        if self._crossed is None or self._crossed[0] != strokes:
            self._crossed = (strokes, crossings(shape.ink()))
        return self._crossed[1]

    # -------------------------------------------------------------- classifier

    def _sync(self) -> Prediction | None:
        """Make the classifier hold exactly the current shape's normalised strokes."""
        shape = self.current
        clf = self.classifier
        if clf is None:
            return None
        height = self.settings.canvas_size[1]
        target = list(normalize_strokes(shape.screen_ink(height))) if shape else []
        fed = self._fed
        if _same(fed, target):
            pass
        elif len(target) == len(fed) + 1 and _same(fed, target[:-1]):
            clf.add_stroke(target[-1])
        elif len(target) == len(fed) - 1 and _same(fed[:-1], target):
            clf.undo()
        elif not target:
            clf.reset()
        else:
            clf.replay(target)
        self._fed = target
        if shape is None:
            return None
        _set_history(shape, clf.history)
        return shape.history[-1] if shape.history else None

    # ------------------------------------------------------------------- snaps

    def _fit(self, shape: Shape, cls: str) -> tuple[Fit, tuple[np.ndarray, ...] | None]:
        """The template of `cls` fitted to the shape's ink, and its strokes in canvas
        coordinates; None for those when it fits too badly to snap (`max_fit_error`)."""
        from core.fit import fit_template

        height = self.settings.canvas_size[1]
        fit = fit_template(shape.screen_ink(height), cls)
        if not np.isfinite(fit.error) or fit.error > self.settings.max_fit_error:
            return fit, None
        return fit, tuple(flip_y(s, height) for s in fit.strokes)

    def _snap(
        self, shape: Shape, cls: str, confidence: float, reason: str, t: float
    ) -> tuple[str | None, str | None]:
        """Fit `cls` to the shape's ink and snap it; (class, None) or (None, why refused)."""
        fit, template = self._fit(shape, cls)
        if template is None:
            why = (
                f"not snapped to {cls}: the template fits the ink badly "
                f"(error {fit.error:.2f} > {self.settings.max_fit_error:.2f})"
            )
            self.status = why
            return None, why
        ink = np.concatenate(shape.ink())
        start = tuple(nearest_points(s, ink) for s in template)
        shape.snap = Snap(cls, float(confidence), reason, fit, template, start, t)
        shape.state = ShapeState.SNAPPED
        self._record(Snapped(shape.id))
        self._sync()  # no current shape now: the classifier starts fresh
        self.status = f"snapped to {cls} ({confidence:.0%})"
        return cls, None

    def classify_now(self) -> str | None:
        """Snap the shape the panel shows (`_drawn`) to its top guess now; the class, or
        None (status says why)."""
        shape = self._drawn()
        if self._active is not None:  # it would snap half a stroke, then reopen
            self.status = "finish the stroke first"
        elif shape is not None and shape.state is ShapeState.SNAPPED:
            self.status = "nothing to snap: the last shape is already snapped; draw another"
        elif shape is None and self.shapes:  # specks only
            self.status = "nothing to snap: a speck (a click, a dot) never snaps"
        elif shape is None or not shape.strokes:
            self.status = "nothing to snap: draw a shape first"
        elif self.loading:
            self.status = "the model is still loading: no guess to snap to yet"
        elif shape.guess is None:
            self.status = "no model loaded: cannot classify"
        elif (scribble := self._scribble(shape)) is not None:
            self.status = f"nothing to snap: {scribble}"
        else:
            top = shape.guess  # the one the panel shows
            cls, _ = self._snap(shape, top.label, top.confidence, "on demand", self.now)
            self._changed()
            return cls
        self._changed()
        return None

    def preview_template(self) -> tuple[np.ndarray, ...] | None:
        """The completion preview: the top guess of the shape the panel shows (`_drawn`)
        fitted to its ink, in canvas coordinates, while the preview is on, the pen is up,
        the shape is ink (not held: its snap was just taken back) and the guess is at
        least `preview_min` sure; None otherwise, or when the template fits too badly
        to snap, or the ink is a scribble (Space would not snap it). One fit per new stroke or guess (2 to 6 ms; docs/measured.md)."""
        shape = self._drawn()
        if not self.preview or self._active is not None or shape is None:
            return None
        guess = shape.guess
        if shape.state is not ShapeState.INK or guess is None:
            return None
        if guess.confidence < self.settings.preview_min:
            return None
        strokes = tuple(shape.strokes)  # held here, so their ids are not reused
        last = self._previewed
        if last is None or last[0] is not shape or last[1] != strokes or last[2] != guess.label:
            scribble = self._scribble(shape) is not None  # Space would not snap it
            fitted = None if scribble else self._fit(shape, guess.label)[1]
            self._previewed = (shape, strokes, guess.label, fitted)
        return self._previewed[3]

    def toggle_preview(self) -> bool:
        self.preview = not self.preview
        self.status = f"completion preview {'on' if self.preview else 'off'}"
        self._changed()
        return self.preview

    def toggle_auto_snap(self) -> bool:
        self.auto_snap = not self.auto_snap
        self.status = f"auto-snap {'on' if self.auto_snap else 'off'}"
        self._rejudge()
        self._changed()
        return self.auto_snap

    def _rejudge(self) -> None:
        """Ask the policy again about the shape the pen rested on, the one the panel
        shows (auto-snap just turned on, another threshold, the other model): what the
        rest would snap now, it snaps. If a rule still holds it, the status says which,
        after the change (the news): "switched to CNN-only; not snapped: eye 0.94, but
        the ink looks unlike the eye doodles it learnt"."""
        shape = self._drawn()
        rested = self._pause_from is None and self._active is None
        if rested and shape is not None and shape.strokes:
            self._finish(shape, self.now, news=self.status)

    def _set_threshold(self, value: float) -> float:
        step = self.settings.threshold_step
        value = round(min(max(value, step), 1.0), 4)
        self.policy = self.policy.model_copy(update={"threshold": value})
        self.status = f"threshold {value:.2f}"
        self._rejudge()
        self._changed()
        return value

    def threshold_up(self) -> float:
        return self._set_threshold(self.policy.threshold + self.settings.threshold_step)

    def threshold_down(self) -> float:
        return self._set_threshold(self.policy.threshold - self.settings.threshold_step)

    # -------------------------------------------------------------- undo, clear

    def undo(self) -> bool:
        """Step back: a stroke being drawn (cancelled: the rest of its drag draws nothing),
        else the newest snap, stroke or clear."""
        if self._active is not None:
            self._active = None
            self.status = CANCELLED
        elif not self.undo_stack:
            self.status = "nothing to undo"
            self._changed()
            return False
        else:
            undoing = Undoing(self.shapes, self.undo_stack, self._guessing)
            record = undoing.pop()
            changed: tuple[Shape, ...] = ()  # shapes back on the canvas, or with other ink
            if isinstance(record, Snapped):
                shape = self._shape(record.shape_id)
                undoing.keep(shape)
                shape.snap, shape.state = None, ShapeState.HELD
                self.status = "snap undone: your ink is back (it won't snap until it changes)"
            elif isinstance(record, AddedStroke):
                shape = self._shape(record.shape_id)
                undoing.keep(shape, *(other for _, other in record.gathered))
                if shape in self._unfinished:  # what undo leaves is not snapped by a pause
                    self._unfinished.remove(shape)
                for place, other in reversed(record.gathered):  # they go back apart
                    theirs = {id(st) for st in other.strokes}
                    shape.strokes = [st for st in shape.strokes if id(st) not in theirs]
                    undoing.insert(place, other)
                shape.strokes.pop()  # then the stroke itself, the newest of its own
                if shape.state is ShapeState.HELD:
                    shape.state = ShapeState.INK
                if not shape.strokes:
                    undoing.remove(shape)
                self.status = "stroke removed"
                changed = (shape, *(other for _, other in record.gathered))
                top = self.undo_stack[-1] if self.undo_stack else None
                touched = {record.shape_id, *(other.id for _, other in record.gathered)}
                if isinstance(top, Reopened) and top.shape_id in touched:
                    # the stroke had lifted a snap: taking it back restores the snap
                    undoing.pop()
                    reopened = shape if top.shape_id == shape.id else self._shape(top.shape_id)
                    reopened.snap, reopened.state = top.snap, ShapeState.SNAPPED
                    self.status = f"stroke removed; snapped to {top.snap.cls} again"
            else:
                undoing.keep(*record.shapes)
                for shape in list(self.shapes):
                    undoing.remove(shape)
                for place, shape in enumerate(record.shapes):
                    undoing.insert(place, shape)
                changed = record.shapes
                self.status = "clear undone"
            undoing.keep(self.current)  # `_sync` gives it the classifier's guesses
            self._redo.append(undoing.done())
            # their guesses were made before (of other ink, or by the other model)
            self._reclassify(changed)
            self._sync()
        self._changed()
        return True

    def redo(self) -> bool:
        """Put back what the last undo took (a snap, a stroke, a clear)."""
        if self._active is not None:
            self.status = "finish the stroke first"
        elif not self._redo:
            self.status = "nothing to redo"
        else:
            before = self._redo.pop()
            before.redo(self.shapes, self.undo_stack)
            self._pause_from, self._unfinished = None, []  # what redo puts back waits, as undo's
            if before.model != self._guessing:  # the other model's guesses, or none
                self._reclassify(self.shapes)
            self._sync()
            self.status = _redone(self.undo_stack[-1], self.shapes)
            self._changed()
            return True
        self._changed()
        return False

    def _record(self, record: UndoRecord) -> None:
        """A new step to undo; what undo took can no longer be redone."""
        self.undo_stack.append(record)
        self._redo.clear()

    def _shape(self, shape_id: int) -> Shape:
        return next(s for s in self.shapes if s.id == shape_id)

    def clear(self) -> None:
        """Empty the canvas (undo brings it back), a stroke being drawn too (the rest of
        its drag draws nothing)."""
        drawing, self._active = self._active is not None, None
        self._pause_from, self._unfinished = None, []
        if self.shapes:
            for shape in self.shapes:
                shape.keep_guesses(self.model_name)  # an undo puts them back as they were
            self._record(Cleared(tuple(self.shapes)))
            self.shapes = []
        self._sync()
        self.status = f"cleared; {CANCELLED}" if drawing else "cleared"
        self._changed()

    # ------------------------------------------------------------ save, export

    def save(self, label: str | None = None) -> list[Path]:
        """Append each shape not saved yet (or changed since) to
        `<save dir>/{raw,simplified}/<class>.ndjson`; the files written.

        Every shape is saved under `label` if given (else `settings.save_label`, draw's
        --label), else a snapped one under its class, others under their top guess; ink saved before is not saved again under another word, and
        specks are skipped (`live.saving`). Raises FrankensteinError if there is
        nothing to save. Refused while a stroke is being drawn, as Space and redo are:
        the save would leave out the stroke and still say it saved the shape.
        """
        if self._active is not None:
            self.status = "finish the stroke first"
            self._changed()
            return []
        label = label if label is not None else self.settings.save_label
        paths, self.status = self._saving.save(self.shapes, label)
        self._changed()
        return paths

    @property
    def unsaved(self) -> bool:
        """Whether there is ink that no save has written as it is now (under any label)."""
        return self._saving.unsaved(self.shapes, self._active is not None)

    def may_quit(self, how: str = "Esc") -> bool:
        """Escape (the help closed) or the window's close button (`how`): True to close
        the window now. With unsaved ink only at a second try in a row; the first says
        so on the status line."""
        status = self._saving.may_quit(self.shapes, self._active is not None, how)
        if status is None:
            return True
        self.status = status
        self._changed()
        return False

    def export_png(self, path: str | Path | None = None) -> Path | None:
        """Write the canvas (without the panel) as a PNG; the path written. Refused (None)
        while a stroke is being drawn, as S is: the PNG would hold half the stroke."""
        if self._active is not None:
            self.status = "finish the stroke first"
            self._changed()
            return None
        out, self.status = self._saving.export_png(
            self.shapes, lambda: self.scene(float("inf"), preview=False), path
        )
        self._changed()
        return out

    # ------------------------------------------------------- window, actions

    def resize(self, width: int, height: int) -> None:
        """The window changed size: the canvas scales into the new drawing area."""
        s = self.settings
        self.layout = make_layout((width, height), s.canvas_size, s.panel_width)
        self._changed()

    def toggle_help(self) -> bool:
        self.help_visible = not self.help_visible
        self._changed()
        return self.help_visible

    def perform(self, action: str) -> None:
        """Run a key action by name (see `settings.ACTION_HELP`); a user error goes to the
        status line instead of raising."""
        methods = {
            "undo": self.undo,
            "redo": self.redo,
            "clear": self.clear,
            "switch_model": self.switch_model,
            "classify_now": self.classify_now,
            "toggle_auto_snap": self.toggle_auto_snap,
            "toggle_preview": self.toggle_preview,
            "threshold_down": self.threshold_down,
            "threshold_up": self.threshold_up,
            "save": self.save,
            "export": self.export_png,
            "help": self.toggle_help,
        }
        self._saving.quit_asked = False
        try:
            methods[action]()
        except FrankensteinError as e:
            self._say_error(str(e))

    def _say_error(self, message: str) -> None:
        """Put `message` on the status line in the error colour (until the status changes)."""
        self.status = self._error_status = message
        self._changed()

    def _changed(self) -> None:
        self.version += 1

    # ------------------------------------------------------------ render model

    def scene(self, now: float | None = None, *, preview: bool = True) -> Scene:
        """What to draw at time `now` (seconds; default: the latest event's time); with
        `preview`, the completion preview under the ink (`preview_template`)."""
        now = self.now if now is None else now
        lines, animating = self._canvas_lines(self.shapes, self._active, self.settings, now)
        template = self.preview_template() if preview else None
        if template is not None:
            lines = (*preview_lines(template, self.settings), *lines)
        return Scene(self.settings.canvas_size, lines, self._panel(), animating)

    def _drawn(self) -> Shape | None:
        """The shape the panel speaks of: the last one that is more than a speck. A
        stray click's guesses are no drawing's, nor are its strokes: the rest (`tick`),
        Space, A, [ and ] and the preview act on the same shape."""
        return next((s for s in reversed(self.shapes) if not is_speck(s)), None)

    def _panel(self) -> Panel:
        last = self._drawn()
        guess = last.guess if last else None
        guesses = tuple(guess.top(3)) if guess is not None else ()
        model = MODEL_TITLES[self.model_name]
        ckpt = self.settings.checkpoint
        if self.model_name == self.settings.model and ckpt is not None:
            model += f" ({Path(ckpt).name})"  # the file's name: the panel shortens a long one
        if self.loading:
            model = f"loading {model}…"
        elif self.classifier is None:
            model = "none"
        keys = self.settings.keys.actions()
        help_rows = (
            *((" / ".join(key_label(k) for k in keys[a]), what) for a, what in ACTION_HELP.items()),
            ("Escape", "close this help, else the window (twice with unsaved ink)"),
        )
        return Panel(
            guesses=tuple((str(n), float(p)) for n, p in guesses),
            model=model,
            n_strokes=last.n_strokes if last else 0,
            n_shapes=len(self.shapes),
            threshold=float(self.policy.threshold),
            auto_snap=self.auto_snap,
            status=self.status,
            status_error=self.status == self._error_status,
            error=self.error,
            help=help_rows,
            help_visible=self.help_visible,
            no_model=self.load_error is not None,
        )


def _redone(record: UndoRecord, shapes: list[Shape]) -> str:
    """The status after redo put back the step `record` undoes."""
    if isinstance(record, Snapped):
        snap = next(s.snap for s in shapes if s.id == record.shape_id)
        return f"snap redone: snapped to {snap.cls}"
    if isinstance(record, Cleared):
        return "clear redone"
    return "stroke redone"


def _set_history(shape: Shape, history: list[Prediction]) -> None:
    """Give `shape` the classifier's predictions; a finished guess of other ones goes
    (of the same ones read again, as after an undone snap, it stays)."""
    if len(history) != len(shape.history) or not all(
        _same_guess(a, b) for a, b in zip(history, shape.history, strict=True)
    ):
        shape.final = None
    shape.history = history


def _same_guess(a: Prediction, b: Prediction) -> bool:
    """The same guess, or one equal to it (the same ink read again; a batched read
    may differ in the last bits)."""
    return a is b or (
        a.n_strokes == b.n_strokes and np.allclose(a.probs, b.probs, rtol=0.0, atol=1e-6)
    )


def _same(a: list[np.ndarray], b: list[np.ndarray]) -> bool:
    return len(a) == len(b) and all(
        x.shape == y.shape and np.array_equal(x, y) for x, y in zip(a, b, strict=True)
    )


def default_clock() -> float:
    """Seconds on a monotonic clock: the times of pen events and transitions."""
    return time.monotonic()
