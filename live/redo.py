"""What redo puts back: what one undo changed, and nothing more.

Each undo used to keep the whole canvas as it was before it (a copy of every shape and
undo record) so redo could put it back; undoing back through a long session then kept
memory growing with the square of its history (2,000 strokes: +427 MB, measured).
An `Undone` holds only what its undo changed: the records it took off the undo stack,
each shape it changed as it was before (a copy sharing the strokes and snaps, which
never change), the shapes it inserted into or removed from the shape list (with their
places), and the model that classified them. Redo applies it to the canvas as that undo
left it (anything new since ends what can be redone), so the edits are undone in
reverse order, and the shapes take their fields back in place: the undo records keep
pointing at the shapes on the canvas.
"""

from __future__ import annotations

from dataclasses import dataclass

from live.canvas import Shape, UndoRecord


@dataclass(frozen=True, eq=False)
class Undone:
    """What one undo changed (see the module docstring); `Undoing` gathers it."""

    records: tuple[UndoRecord, ...]  # taken off the undo stack, in the stack's order
    before: tuple[tuple[Shape, Shape], ...]  # (a shape it changed, its copy from before)
    edits: tuple[tuple[int, Shape, bool], ...]  # (place, shape, inserted?), in order made
    model: str | None  # the model that classified the shapes before the undo (None: none)

    def redo(self, shapes: list[Shape], records: list[UndoRecord]) -> None:
        """Put back, in `shapes` and `records` (the canvas as the undo left it), what
        the undo took."""
        for place, shape, inserted in reversed(self.edits):
            if inserted:
                assert shapes[place] is shape, "redo on a canvas its undo did not leave"
                del shapes[place]
            else:
                shapes.insert(place, shape)
        for shape, before in self.before:
            shape.restore(before)
        records.extend(self.records)


class Undoing:
    """An undo in progress on `shapes` and `records` (the undo stack), noting what it
    changes for `done`'s `Undone`: records are taken with `pop`, every shape is
    passed to `keep` before it changes, shapes enter and leave the list by `insert`
    and `remove`."""

    def __init__(self, shapes: list[Shape], records: list[UndoRecord], model: str | None) -> None:
        self.shapes, self.records, self.model = shapes, records, model
        self._taken: list[UndoRecord] = []
        self._before: dict[int, tuple[Shape, Shape]] = {}  # id(shape) -> (shape, copy)
        self._edits: list[tuple[int, Shape, bool]] = []

    def pop(self) -> UndoRecord:
        """The newest undo record, taken off the stack."""
        record = self.records.pop()
        self._taken.insert(0, record)
        return record

    def keep(self, *shapes: Shape | None) -> None:
        """Remember these shapes as they are now, before the undo changes them (the
        first time each is kept counts)."""
        for shape in shapes:
            if shape is not None and id(shape) not in self._before:
                self._before[id(shape)] = (shape, shape.copy())

    def insert(self, place: int, shape: Shape) -> None:
        self.shapes.insert(place, shape)
        self._edits.append((place, shape, True))

    def remove(self, shape: Shape) -> None:
        place = self.shapes.index(shape)
        del self.shapes[place]
        self._edits.append((place, shape, False))

    def done(self) -> Undone:
        return Undone(
            tuple(self._taken), tuple(self._before.values()), tuple(self._edits), self.model
        )
