"""The drawing window's save, export and quit bookkeeping: what has been saved as it is.

A save appends each shape with ink that no save has written as it is now (its strokes)
to the Quick, Draw! files of `live.save`; a shape saved before as it is now (unchanged,
or undone and redone back to that) is not written twice, not even under another word (the model switched, a snap came since):
the same ink in two classes' files would be one doodle with two labels in the data.
The word is the label given (draw --label), else the class it snapped to, else its
top guess; a shape with none is skipped, and so is a speck (`live.grouping.is_speck`: a click, a
dot, which never snaps, so it is no drawing of any class). Ink is *unsaved* while a
stroke is being drawn or some shape's strokes (specks aside) are not those last
saved, and then the window closes only at a second Escape (or close button) in a
row. An export writes the canvas, panel aside, as a PNG (`live.png`).

`Saving` keeps the record and words the status line; the `Controller` holds one and
shows what it says. Nothing here imports pyglet.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path

from core.classes import CLASSES, class_index
from core.errors import FrankensteinError
from live.canvas import Shape
from live.grouping import is_speck
from live.png import export_png
from live.save import save_shapes
from live.scene import Scene
from live.settings import LiveSettings


class Saving:
    """Which shapes are saved as they are, and whether Escape was pressed once already."""

    def __init__(self, settings: LiveSettings) -> None:
        self.settings = settings
        self.quit_asked = False  # Escape was pressed once with unsaved ink
        # shape id -> {its strokes as saved: word}: every state saved, not only the last,
        # so undo and redo back to a saved state do not save the same ink twice
        self._saved: dict[int, dict[tuple, str]] = {}

    def save(self, shapes: Sequence[Shape], label: str | None = None) -> tuple[list[Path], str]:
        """Append each shape not saved yet (or changed since) to
        `<save dir>/{raw,simplified}/<class>.ndjson`; (the files written, the status).

        Every shape is saved under `label` if given (the person's word: draw --label),
        else a snapped one under its class, others under their top guess; specks are
        skipped. Raises FrankensteinError if there is
        nothing to save.
        """
        if label is not None:
            label = CLASSES[class_index(label)]
        if not shapes:
            raise FrankensteinError("nothing to save: the canvas is empty")
        inked = [s for s in shapes if s.strokes]
        drawings = [s for s in inked if not is_speck(s)]
        specks = _count(len(inked) - len(drawings), "speck")
        if not drawings:
            raise FrankensteinError(
                f"nothing to save: only {specks} (a click, a dot) on the canvas"
            )
        labelled = [(s, word) for s, word in _labelled(drawings, label) if word is not None]
        if not labelled:
            raise FrankensteinError(
                "nothing saved: no model is loaded, so no shape has a class to be saved under"
            )
        todo = [(s, word) for s, word in labelled if not self._is_saved(s)]
        before = [(s, word) for s, word in labelled if self._is_saved(s)]
        notes = []
        if len(labelled) < len(drawings):
            notes.append(f"{len(drawings) - len(labelled)} without a label skipped")
        if len(drawings) < len(inked):
            notes.append(f"{specks} skipped")
        if not todo:
            status = "nothing new to save: " + self._saved_before(before, whole=True)
            return [], status + (f" ({'; '.join(notes)})" if notes else "")
        height = self.settings.canvas_size[1]
        paths = save_shapes(todo, self.settings.save_dir, height)
        for shape, word in todo:
            self._saved.setdefault(shape.id, {})[tuple(shape.strokes)] = word
        status = (
            f"saved {_count(len(todo), 'shape')} as {_words(todo, label)}"
            f" to {self.settings.save_dir}"
        )
        if before:
            notes.insert(0, self._saved_before(before))
        return paths, status + (f" ({'; '.join(notes)})" if notes else "")

    def _is_saved(self, shape: Shape) -> bool:
        """Whether `shape`'s ink was saved as it is now, under whichever word."""
        return tuple(shape.strokes) in self._saved.get(shape.id, {})

    def _word(self, shape: Shape) -> str:
        """The word `shape`'s ink, as it is now, was saved under."""
        return self._saved[shape.id][tuple(shape.strokes)]

    def _saved_before(self, before: list[tuple[Shape, str]], *, whole: bool = False) -> str:
        """What the status says of the shapes (with the word they would go under now)
        saved before as they are: under which word, when it is not that one."""
        if any(self._word(s) != word for s, word in before):
            words = ", ".join(sorted({self._word(s) for s, _ in before}))
            return f"{_count(len(before), 'shape')} saved already, as {words}"
        return "every shape is saved as it is" if whole else f"{len(before)} saved before"

    def unsaved(self, shapes: Sequence[Shape], drawing: bool) -> bool:
        """Whether there is ink that no save has written as it is now (under any label):
        a stroke being drawn (`drawing`), or a shape's strokes changed since saved
        (specks aside: no save writes them)."""
        return drawing or any(
            not self._is_saved(s) for s in shapes if s.strokes and not is_speck(s)
        )

    def may_quit(self, shapes: Sequence[Shape], drawing: bool, how: str) -> str | None:
        """None to close the window now; else (unsaved ink, first try in a row) the
        status that says so, and the next try closes."""
        if self.quit_asked or not self.unsaved(shapes, drawing):
            return None
        self.quit_asked = True
        if not any(word for _, word in _labelled(shapes, self.settings.save_label)):  # no class
            return f"unsaved ink: {how} again quits, E exports it as a PNG"
        return f"unsaved ink: {how} again quits, S saves"

    def export_png(
        self, shapes: Sequence[Shape], scene: Callable[[], Scene], path: str | Path | None
    ) -> tuple[Path, str]:
        """Write `scene()` (the canvas, drawn to the end) as a PNG; (the path written, the
        status). `path` defaults to `<save dir>/png/drawing-<time>.png`."""
        if not any(s.strokes for s in shapes):
            raise FrankensteinError("nothing to export: the canvas is empty")
        if path is None:
            stamp = datetime.now().strftime("%Y%m%d-%H%M%S-%f")
            path = self.settings.save_dir / "png" / f"drawing-{stamp}.png"
        out = export_png(scene(), path, background=self.settings.colours.canvas)
        return out, f"exported {out.name} to {out.parent}"


def _labelled(shapes: Sequence[Shape], label: str | None) -> list[tuple[Shape, str | None]]:
    """Each shape with ink and the word it is saved under: `label`, the person's word,
    else the class it snapped to, else its top guess (None: no label)."""
    return [(s, label or s.label()) for s in shapes if s.strokes]


def _words(saved: list[tuple[Shape, str]], label: str | None, shown: int = 4) -> str:
    """The words `saved` went under, in order, "circle, fish (a 79% guess)": a shape
    saved under the model's guess, not a snap nor a label given, says how sure it was,
    so that a wrong word is seen before it becomes data."""
    words = []
    for shape, word in saved[:shown]:
        guess = shape.guess
        if shape.snap is None and label is None and guess is not None:
            word += f" (a {guess.probs[guess.index]:.0%} guess)"
        words.append(word)
    more = len(saved) - shown
    return ", ".join(words) + (f" and {more} more" if more > 0 else "")


def _count(n: int, thing: str) -> str:
    """ "1 shape", "2 shapes"."""
    return f"{n} {thing}{'s' if n != 1 else ''}"
