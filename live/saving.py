"""The drawing window's save, export and quit bookkeeping: what has been saved as it is.

A save appends each shape with ink that no save has written as it is now (its strokes
and the word it goes under) to the Quick, Draw! files of `live.save`; a shape saved
before and unchanged is not written twice. The word is the class it snapped to, else
the label given, else its top guess; a shape with none is skipped. Ink is *unsaved*
while a stroke is being drawn or some shape's strokes are not those last saved (under
any label), and then the window closes only at a second Escape (or close button) in a
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
from live.png import export_png
from live.save import save_shapes
from live.scene import Scene
from live.settings import LiveSettings


class Saving:
    """Which shapes are saved as they are, and whether Escape was pressed once already."""

    def __init__(self, settings: LiveSettings) -> None:
        self.settings = settings
        self.quit_asked = False  # Escape was pressed once with unsaved ink
        self._saved: dict[int, tuple] = {}  # shape id -> (its strokes, word) as last saved

    def save(self, shapes: Sequence[Shape], label: str | None = None) -> tuple[list[Path], str]:
        """Append each shape not saved yet (or changed since) to
        `<save dir>/{raw,simplified}/<class>.ndjson`; (the files written, the status).

        A snapped shape is saved under its class, others under `label` if given, else
        their top guess. Raises FrankensteinError if there is nothing to save.
        """
        if label is not None:
            label = CLASSES[class_index(label)]
        labelled = [(s, word) for s, word in _labelled(shapes, label) if word is not None]
        todo = [(s, word) for s, word in labelled if not self._is_saved(s, word)]
        if not shapes:
            raise FrankensteinError("nothing to save: the canvas is empty")
        if not labelled:
            raise FrankensteinError("nothing saved: no label (no model loaded and none given)")
        skipped = len(shapes) - len(labelled)
        unlabelled = f" ({skipped} without a label skipped)" if skipped else ""
        if not todo:
            return [], "nothing new to save: every shape is saved as it is" + unlabelled
        height = self.settings.canvas_size[1]
        paths = save_shapes(todo, self.settings.save_dir, height)
        for shape, word in todo:
            self._saved[shape.id] = (tuple(shape.strokes), word)
        n = len(todo)
        status = f"saved {n} shape{'s' if n > 1 else ''} to {self.settings.save_dir}"
        if len(labelled) > n:
            status += f" ({len(labelled) - n} saved before)"
        return paths, status + unlabelled

    def _is_saved(self, shape: Shape, word: str | None) -> bool:
        """Whether `shape` was saved under `word` and has not changed since."""
        return self._saved.get(shape.id) == (tuple(shape.strokes), word)

    def unsaved(self, shapes: Sequence[Shape], drawing: bool) -> bool:
        """Whether there is ink that no save has written as it is now (under any label):
        a stroke being drawn (`drawing`), or a shape's strokes changed since saved."""
        return drawing or any(
            self._saved.get(s.id, ((),))[0] != tuple(s.strokes) for s in shapes if s.strokes
        )

    def may_quit(self, shapes: Sequence[Shape], drawing: bool, how: str) -> str | None:
        """None to close the window now; else (unsaved ink, first try in a row) the
        status that says so, and the next try closes."""
        if self.quit_asked or not self.unsaved(shapes, drawing):
            return None
        self.quit_asked = True
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
    """Each shape with ink and the word it is saved under: the class it snapped to,
    else `label`, else its top guess (None: no label)."""
    return [(s, s.snap.cls if s.snap else (label or s.label())) for s in shapes if s.strokes]
