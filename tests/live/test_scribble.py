"""A scribble never snaps in the window (core/scribble.py, the snap policy's rule 6):
not at pen-up, not when the pen rests, not on Space, and no completion preview offers
it; the status says why. Real doodles that snap without the rule still snap with it."""

from __future__ import annotations

import numpy as np
import pytest

from core.classes import CLASSES
from core.errors import FrankensteinError
from live.settings import LiveSettings
from tests.live.helpers import circle, draw, random_walk

SCRIBBLE = "looks like a scribble, not a shape (it crosses itself "


def test_a_scribble_never_snaps_though_the_model_is_sure(make_controller):
    c = make_controller(frankenstein="circle", preview=True)
    assert draw(c, circle(300, 300, 80)).snapped == "circle"  # a shape snaps at once
    c.clear()
    update = draw(c, random_walk(1000, seed=1))
    assert update.snapped is None and update.prediction.label == "circle"
    assert c.status.startswith(f"1 stroke; not snapped yet: {SCRIBBLE}")
    assert c.preview_template() is None  # Space would not snap it: nothing to preview
    assert c.tick(100.0) is None
    assert c.status.startswith(f"finished, not snapped: {SCRIBBLE}")
    assert c.classify_now() is None
    assert c.status.startswith(f"nothing to snap: {SCRIBBLE}")
    assert all(s.snap is None for s in c.shapes)
    assert c.shapes[-1].guess.label == "circle"  # the guesses are what they were


def test_the_rule_can_be_turned_off(make_controller):
    c = make_controller(frankenstein="circle")
    c.policy = c.policy.model_copy(update={"scribble_crossings": None})
    assert draw(c, random_walk(1000, seed=1)).snapped == "circle"


def _bundled(model: str = "frankenstein", **policy) -> LiveSettings:
    from core.checkpoint import resolve_checkpoint

    try:
        resolve_checkpoint(model)
    except FrankensteinError as e:
        pytest.fail(f"the bundled checkpoint is needed here: {e}")
    return LiveSettings(model=model, **policy)


def test_the_bundled_model_reads_a_scribble_as_a_sun_but_it_does_not_snap(tmp_path):
    from live.controller import Controller

    settings = _bundled().model_copy(update={"save_dir": tmp_path})
    walk = random_walk(1000, seed=2)
    without = Controller(settings)
    without.policy = without.policy.model_copy(update={"scribble_crossings": None})
    draw(without, walk)
    assert without.tick(100.0).snapped == "sun"  # what it did before the rule
    c = Controller(settings)
    draw(c, walk)
    assert c.tick(100.0) is None and c.shapes[0].snap is None
    assert c.status.startswith(f"finished, not snapped: {SCRIBBLE}")


def _replay(controller, drawing) -> tuple[str, ...]:
    """Draw a real doodle alone on the canvas with its own timing, as `draw --score`
    places it (live.replay), resting after it; the classes of the shapes snapped."""
    from live.replay import place_drawings

    c = controller
    c.clear()
    (placed,) = place_drawings([drawing], c.settings.canvas_size)
    start = c.now + 1.0
    for stroke, times in zip(placed.strokes, placed.times, strict=True):
        view = np.round(c.layout.to_view(stroke))  # mouse events are whole pixels
        t = start + times
        c.tick(float(t[0]))  # the clock ticked while the pen was up
        c.pen_down(*view[0], float(t[0]))
        for p, tp in zip(view[1:], t[1:], strict=True):
            c.pen_move(*p, float(tp))
        c.pen_up(*view[-1], float(t[-1]))
    c.tick(c.now + c.settings.pause_s + 0.1)
    return tuple(s.snap.cls for s in c.shapes if s.snap is not None)


def test_real_doodles_of_every_class_that_snap_without_the_rule_still_snap(real_dev, tmp_path):
    """Per class, the first raw real dev doodle (of its first eight) that snaps to its
    class in the window without the scribble rule, and the most crossed doodle of all (a hockey stick
    with its blade shaded in, 82 crossings): each snaps alike with the rule."""
    from core.scribble import crossings
    from core.strokes import iter_ndjson
    from live.controller import Controller

    settings = _bundled().model_copy(update={"save_dir": tmp_path})
    today = Controller(settings)
    today.policy = today.policy.model_copy(update={"scribble_crossings": None})
    ruled = Controller(settings)
    picked = []
    for cls in CLASSES:
        for d in iter_ndjson(real_dev / "raw" / f"{cls}.ndjson", limit=8):
            snaps = _replay(today, d)
            if cls in snaps:
                picked.append((d, snaps))
                break
    assert {d.word for d, _ in picked} == set(CLASSES)
    sticks = list(iter_ndjson(real_dev / "raw" / "hockey stick.ndjson"))
    shaded = max(sticks, key=lambda d: crossings(d.strokes))
    assert crossings(shaded.strokes) >= 80
    picked.append((shaded, _replay(today, shaded)))
    for d, snaps in picked:
        assert _replay(ruled, d) == snaps, (d.word, d.key_id)


def test_a_shape_s_crossings_are_counted_once_per_ink(open_window, monkeypatch):
    """At pen-up the window counted a shape's crossings twice (the policy's judgement,
    then the preview: 2 ms each for a scribble of 1,000 points), and again at the rest
    and on Space. Counted through a wrapper of the real `crossings`, wherever it is
    called: once per ink, again only when a stroke, an undo or a clear changes it, and
    what it says is the same."""
    import core.snap
    import live.controller
    from core.scribble import crossings
    from tests.live.window_helpers import stroke

    counted = []

    def counting(strokes):
        counted.append(len(strokes))
        return crossings(strokes)

    monkeypatch.setattr(core.snap, "crossings", counting)
    monkeypatch.setattr(live.controller, "crossings", counting)
    w = open_window(frankenstein="circle", preview=True)
    c = w.controller
    walk = random_walk(1000, seed=1)
    stroke(w, walk)  # pen-up: judged, then the preview drawn
    n = crossings(c.shapes[0].ink())
    assert counted == [1]
    assert c.status == f"1 stroke; not snapped yet: {SCRIBBLE}{n} times)"
    assert c.preview_template() is None
    assert c.tick(w.clock.t + 100.0) is None  # the rest: the same ink
    assert c.status == f"finished, not snapped: {SCRIBBLE}{n} times)"
    assert c.classify_now() is None and c.status == f"nothing to snap: {SCRIBBLE}{n} times)"
    w.refresh()
    assert counted == [1]
    stroke(w, walk[::-1] + 3.0)  # a second stroke on it: new ink, counted once
    n2 = crossings(c.shapes[0].ink())
    assert counted == [1, 2] and c.status.endswith(f"{SCRIBBLE}{n2} times)")
    c.undo()  # back to the first stroke's ink
    w.refresh()
    assert c.classify_now() is None and c.status == f"nothing to snap: {SCRIBBLE}{n} times)"
    assert counted == [1, 2, 1]
    c.clear()
    stroke(w, circle(300, 300, 80))  # a shape: counted once, and it snaps as before
    assert counted == [1, 2, 1, 1] and c.shapes[-1].snap.cls == "circle"
