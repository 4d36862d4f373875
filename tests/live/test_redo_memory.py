"""What redo keeps grows with what the undos changed, not with the square of the history.

Each undo used to keep a copy of the whole canvas (every shape and undo record) for
redo, so undoing back through a long session kept memory growing with the square of
its length (2,000 strokes undone: +427 MB)."""

from __future__ import annotations

import gc
import sys
import types

from tests.live.helpers import draw, line


def _retained(root: object) -> tuple[int, int]:
    """(objects, bytes) reachable from `root`, each counted once; classes, modules and
    functions (shared by everything) are not followed."""
    skip = (type, types.ModuleType, types.FunctionType, types.BuiltinFunctionType)
    seen: set[int] = set()
    todo, size = [root], 0
    while todo:
        obj = todo.pop()
        if id(obj) in seen or isinstance(obj, skip):
            continue
        seen.add(id(obj))
        size += sys.getsizeof(obj)
        todo.extend(gc.get_referents(obj))
    return len(seen), size


def _undo_all(make_controller, n_strokes: int) -> tuple[int, int]:
    """Draw `n_strokes` apart (a shape each, a clear after every tenth), undo them all;
    what the redo stack keeps."""
    c = make_controller(auto_snap=False)
    for k in range(n_strokes):
        x, y = 60 + 90 * (k % 8), 60 + 100 * (k // 8 % 5)
        draw(c, line(x, y, x + 40, y + 30), t0=2.0 * k)
        if k % 10 == 9:
            c.clear()
    while c.undo_stack:
        assert c.undo()
    return _retained(c._redo)


def test_what_redo_keeps_grows_linearly_with_the_undos(make_controller):
    objects, size = _undo_all(make_controller, 40)
    objects2, size2 = _undo_all(make_controller, 80)
    # twice the history undone: about twice as much kept (4x when each undo kept it all)
    assert objects2 < 2.3 * objects, (objects, objects2)
    assert size2 < 2.3 * size, (size, size2)
