"""The controller without a screen: ink, predictions, snaps, shapes, undo, clear."""

import numpy as np
import pytest

from core.classifier import StrokeClassifier
from core.strokes import normalize_strokes
from live.canvas import ShapeState
from live.controller import Controller
from tests.live.helpers import circle, counting_classifier, draw, line, loader_of, square

H = 600  # canvas height of the default settings (view == canvas at the default size)


def fresh_probs(model, shape):
    """What a fresh classifier says about the shape's ink, normalised as in training."""
    return StrokeClassifier(model).replay(normalize_strokes(shape.screen_ink(H))).probs


def test_a_stroke_is_kept_in_canvas_coordinates_with_times(make_controller):
    c = make_controller()
    pts = line(100, 100, 300, 200)
    update = draw(c, pts, t0=2.0, dt=0.02)
    assert update.stroke_added and update.new_shape
    (shape,) = c.shapes
    (stroke,) = shape.strokes
    np.testing.assert_allclose(stroke.points, pts, atol=1e-4)
    np.testing.assert_allclose(stroke.times, 2.0 + 0.02 * np.arange(len(pts)))
    # core sees y down
    np.testing.assert_allclose(shape.screen_ink(H)[0][:, 1], H - pts[:, 1], atol=1e-4)


def test_predictions_update_after_every_pen_up_as_a_fresh_replay_would(settings, tiny_models):
    counting = counting_classifier()
    c = Controller(
        settings.model_copy(update={"auto_snap": False}),
        loader=loader_of(tiny_models, counting),
    )
    strokes = [
        line(300, 300, 400, 300),  # first stroke
        line(300, 300, 300, 280),  # inside the normalised box (the larger side rules)
        line(300, 300, 300, 150),  # grows the larger side: a replay
        line(320, 290, 380, 260),  # inside it: one more step
    ]
    for k, s in enumerate(strokes, start=1):
        update = draw(c, s, t0=k)
        shape = c.shapes[-1]
        assert len(c.shapes) == 1 and shape.n_strokes == k
        assert len(shape.history) == k and update.prediction is shape.history[-1]
        np.testing.assert_allclose(
            shape.history[-1].probs, fresh_probs(tiny_models["frankenstein"], shape), atol=1e-5
        )
        assert c.scene().panel.guesses == tuple(shape.history[-1].top(3))
    # The cheap path is taken when the bounding box did not change.
    assert counting.calls == ["add_stroke", "add_stroke", "replay", "add_stroke"]
    c.undo()  # the same box: a pop; then the box shrinks back: a replay
    c.undo()
    assert counting.calls[4:] == ["undo", "replay"]


def test_confident_shape_snaps_to_a_template_fitted_on_the_ink(make_controller):
    c = make_controller(frankenstein="circle")
    ink = circle(400, 300, 120)
    update = draw(c, ink, t0=1.0)
    assert update.snapped == "circle" and update.refused is None
    (shape,) = c.shapes
    assert shape.state is ShapeState.SNAPPED and shape.snap.cls == "circle"
    assert shape.snap.fit.error < 0.05
    # The template lies on the ink: every template point is near the drawn circle.
    pts = np.concatenate(shape.snap.template)
    radius = np.linalg.norm(pts - [400, 300], axis=1)
    assert np.abs(radius - 120).max() < 12
    assert c.current is None and c.classifier.n_strokes == 0
    assert "snapped" in c.status


def test_the_shipped_policy_waits_for_three_agreeing_strokes_or_a_pause(make_controller):
    """steady_override None: the SnapPolicy defaults, as `frankenstein draw` runs."""
    c = make_controller(frankenstein="square", steady_override=None, max_fit_error=10.0)
    assert (c.policy.steady_steps, c.policy.steady_override) == (3, 1.0)
    sides = [line(300, 200, 500, 200), line(500, 200, 500, 400), line(500, 400, 300, 400)]
    for t, side in enumerate(sides[:2], start=1):
        assert draw(c, side, t0=float(t)).snapped is None  # confident, but not yet steady
        assert "not yet top for 3 strokes" in c.status
    assert draw(c, sides[2], t0=3.0).snapped == "square"
    (shape,) = c.shapes
    assert shape.state is ShapeState.SNAPPED and len(shape.strokes) == 3
    # one stroke alone snaps only when the pen rests (the drawing is finished)
    c.clear()
    outline = square(400, 300, 100)
    assert draw(c, outline, t0=10.0).snapped is None
    end = 10.0 + 0.01 * (len(outline) - 1)
    assert c.tick(end + c.settings.pause_s + 0.01).snapped == "square"


def test_the_snap_transition_morphs_ink_into_the_template(make_controller):
    c = make_controller(frankenstein="circle")
    draw(c, circle(400, 300, 120), t0=1.0)
    at = c.shapes[0].snap.at
    mid = c.scene(at + 0.15)  # half of the 0.3 s transition
    kinds = {ln.kind for ln in mid.lines}
    assert mid.animating and kinds == {"ink", "template"}
    ink_alpha = [ln.alpha for ln in mid.lines if ln.kind == "ink"]
    assert all(0.0 < a < 1.0 for a in ink_alpha)
    end = c.scene(at + 1.0)
    assert not end.animating and {ln.kind for ln in end.lines} == {"template"}
    final = np.concatenate([ln.points for ln in end.lines])
    np.testing.assert_allclose(final, np.concatenate(c.shapes[0].snap.template))
    start = c.scene(at)
    moving = np.concatenate([ln.points for ln in start.lines if ln.kind == "template"])
    assert np.abs(moving - final).max() > 1.0  # the template starts on the ink, not in place


def test_after_a_snap_a_stroke_elsewhere_starts_a_new_shape_with_a_fresh_state(
    make_controller,
):
    c = make_controller(frankenstein="circle")
    draw(c, circle(200, 300, 80), t0=1.0)
    c.toggle_auto_snap()
    update = draw(c, line(500, 300, 650, 300), t0=2.0)
    assert update.new_shape and len(c.shapes) == 2
    assert c.shapes[0].state is ShapeState.SNAPPED
    assert c.classifier.n_strokes == 1 and len(c.shapes[1].history) == 1


def test_a_stroke_on_a_snapped_shape_reopens_it_and_undo_snaps_it_back(make_controller):
    c = make_controller(frankenstein="circle")
    draw(c, circle(400, 300, 120), t0=1.0)
    shape = c.shapes[0]
    snap = shape.snap
    c.toggle_auto_snap()
    update = draw(c, line(350, 300, 450, 300), t0=2.0)  # on top of the snapped circle
    assert not update.new_shape and c.shapes == [shape]
    assert shape.state is ShapeState.INK and shape.snap is None and shape.n_strokes == 2
    # the ink is back, over the circle it would snap to, faint (the completion preview)
    assert {ln.kind for ln in c.scene().lines} == {"ink", "preview"}
    # classified again with its ink and the new stroke
    assert c.classifier.n_strokes == 2 and len(shape.history) == 2
    assert c.undo()  # the stroke goes, and the snap it lifted comes back in one step
    assert shape.n_strokes == 1 and shape.state is ShapeState.SNAPPED and shape.snap is snap
    assert "snapped to circle again" in c.status
    assert c.current is None and c.classifier.n_strokes == 0


def test_a_stroke_on_an_earlier_snapped_shape_reopens_and_gathers_it(make_controller):
    """Not only the last shape: rays drawn round a circle snapped before a square."""
    c = make_controller(frankenstein="circle", max_fit_error=10.0)
    draw(c, circle(200, 300, 60), t0=0)
    circle_shape = c.shapes[0]
    draw(c, circle(600, 300, 60), t0=1)  # another shape, snapped, now the last
    assert [s.state for s in c.shapes] == [ShapeState.SNAPPED] * 2
    c.toggle_auto_snap()
    snap = circle_shape.snap
    update = draw(c, line(200, 380, 200, 420), t0=2)  # a ray under the first circle
    assert update.new_shape and len(c.shapes) == 2  # the new shape gathered the circle
    joined = c.shapes[-1]
    assert joined.n_strokes == 2 and joined.state is ShapeState.INK
    assert c.shapes[0].state is ShapeState.SNAPPED  # the other circle keeps its snap
    assert c.undo()  # the ray goes, the circle comes back apart with its snap
    assert circle_shape in c.shapes and circle_shape.snap is snap
    assert circle_shape.state is ShapeState.SNAPPED and circle_shape.n_strokes == 1


def test_a_reopened_shape_snaps_again_with_its_new_stroke(make_controller):
    c = make_controller(frankenstein="circle")
    draw(c, circle(400, 300, 120), t0=1.0)
    update = draw(c, line(380, 300, 420, 300), t0=2.0)
    assert update.snapped == "circle" and len(c.shapes) == 1
    assert c.shapes[0].n_strokes == 2 and c.shapes[0].state is ShapeState.SNAPPED
    assert c.undo()  # the second snap
    assert c.shapes[0].state is ShapeState.HELD and c.shapes[0].n_strokes == 2
    assert c.undo()  # the stroke, and with it the first snap comes back
    assert c.shapes[0].state is ShapeState.SNAPPED and c.shapes[0].n_strokes == 1


def test_a_shape_drawn_beside_a_snapped_one_leaves_its_snap_alone(make_controller):
    """A second circle 50 px right of a snapped one of radius 80 came within the gap
    rule (35% of 160 px), lifted the first one's snap and was read with it as one
    drawing (saved again as a fish); reopening asks for the stroke to come nearer."""
    c = make_controller(frankenstein="circle", max_fit_error=10.0)
    draw(c, circle(200, 300, 80), t0=1.0)
    first = c.shapes[0]
    assert first.state is ShapeState.SNAPPED
    update = draw(c, circle(410, 300, 80), t0=2.0)  # boxes 50 px apart
    assert update.new_shape and len(c.shapes) == 2
    assert first.state is ShapeState.SNAPPED and first.n_strokes == 1
    second = c.shapes[1]
    assert second.n_strokes == 1 and second.state is ShapeState.SNAPPED
    draw(c, line(110, 300, 110, 200), t0=3.0)  # 10 px left of the first circle
    # near enough: reopened, and gathered by the stroke's shape
    assert first.snap is None and first not in c.shapes
    assert c.shapes[0] is second and c.shapes[1].n_strokes == 2


def test_without_reopening_every_stroke_after_a_snap_starts_a_new_shape(make_controller):
    c = make_controller(frankenstein="circle", reopen_snaps=False)
    draw(c, circle(400, 300, 120), t0=1.0)
    c.toggle_auto_snap()
    update = draw(c, line(350, 300, 450, 300), t0=2.0)
    assert update.new_shape and len(c.shapes) == 2
    assert c.shapes[0].state is ShapeState.SNAPPED


def test_several_shapes_side_by_side(make_controller):
    c = make_controller(frankenstein="circle")
    centres = [(150, 150), (400, 450), (650, 200)]
    for i, (x, y) in enumerate(centres):
        assert draw(c, circle(x, y, 80), t0=i).snapped == "circle"
    assert [s.state for s in c.shapes] == [ShapeState.SNAPPED] * 3
    for shape, (x, y) in zip(c.shapes, centres, strict=True):
        centre = np.concatenate(shape.snap.template).mean(axis=0)
        np.testing.assert_allclose(centre, [x, y], atol=8)


def test_a_stroke_far_from_unsnapped_ink_starts_a_new_shape_and_a_near_one_joins(
    make_controller,
):
    c = make_controller(auto_snap=False)
    draw(c, circle(200, 300, 80))
    assert draw(c, line(230, 300, 330, 300), t0=1).new_shape is False  # a ray: joins
    assert draw(c, line(300, 330, 300, 420), t0=2).new_shape is False  # within the margin
    update = draw(c, circle(650, 300, 60), t0=3)  # far away: something else
    assert update.new_shape and len(c.shapes) == 2
    assert c.shapes[0].n_strokes == 3 and c.shapes[0].state is ShapeState.INK
    assert c.classifier.n_strokes == 1


def test_eyes_drawn_first_are_gathered_by_the_face_around_them(make_controller):
    c = make_controller(auto_snap=False)
    draw(c, circle(350, 330, 8), t0=0)  # left eye
    assert draw(c, circle(450, 330, 8), t0=1).new_shape  # far apart for an eye's size
    outline = draw(c, circle(400, 300, 120), t0=2)
    assert len(c.shapes) == 1 and c.shapes[0].n_strokes == 3
    assert [float(st.times[0]) for st in c.shapes[0].strokes] == [0, 1, 2]  # drawing order
    assert c.classifier.n_strokes == 3 and outline.prediction.n_strokes == 3
    eyes = c.shapes[0].strokes[:2]
    assert c.undo()  # the outline goes, and the eyes come apart again
    assert [s.strokes for s in c.shapes] == [[eyes[0]], [eyes[1]]]
    assert c.classifier.n_strokes == 1  # the right eye is the current shape


@pytest.mark.parametrize("snapped", [True, False])
def test_snapped_shapes_are_not_gathered_ink_is(make_controller, snapped):
    # (without reopening, which would lift the circle's snap first: the test below)
    c = make_controller(
        frankenstein="circle", max_fit_error=10.0, auto_snap=snapped, reopen_snaps=False
    )
    draw(c, circle(200, 300, 60), t0=0)  # box x 140..260
    assert (c.shapes[0].state is ShapeState.SNAPPED) is snapped
    if snapped:
        c.toggle_auto_snap()
    draw(c, line(600, 100, 700, 100), t0=1)  # far from the circle: a shape of its own
    draw(c, line(330, 100, 330, 500), t0=2)  # far from that line, near the circle
    if snapped:
        assert [s.n_strokes for s in c.shapes] == [1, 1, 1]
        assert c.shapes[0].state is ShapeState.SNAPPED
    else:
        assert [s.n_strokes for s in c.shapes] == [1, 2]  # the circle's ink was gathered
        assert c.classifier.n_strokes == 2


def test_a_badly_fitting_snap_is_refused_and_the_ink_stays(make_controller):
    c = make_controller(frankenstein="line", max_fit_error=0.1)
    update = draw(c, circle(400, 300, 120), t0=1.0)
    assert update.snapped is None and "line" in update.refused
    assert c.shapes[0].state is ShapeState.INK and "fits the ink badly" in c.status
    assert {ln.kind for ln in c.scene().lines} == {"ink"}


def test_undo_reverts_the_snap_first_then_removes_strokes(make_controller):
    c = make_controller(frankenstein="circle")
    draw(c, circle(400, 300, 120), t0=1.0)
    shape = c.shapes[0]
    assert c.undo()
    assert shape.state is ShapeState.HELD and shape.snap is None
    assert {ln.kind for ln in c.scene().lines} == {"ink"}
    assert c.current is shape and c.classifier.n_strokes == 1  # classifier back on the ink
    assert c.undo()
    assert c.shapes == [] and c.classifier.n_strokes == 0
    assert not c.undo() and c.status == "nothing to undo"


def test_undo_removes_strokes_one_by_one_restoring_the_classifier_state(make_controller):
    c = make_controller(auto_snap=False)
    strokes = [line(300, 300, 400, 300), line(300, 300, 300, 220), line(320, 290, 380, 240)]
    seen = []
    for k, s in enumerate(strokes):
        draw(c, s, t0=k)
        seen.append(c.shapes[0].history[-1].probs.copy())
    for k in (2, 1):
        assert c.undo()
        assert c.classifier.n_strokes == k and c.shapes[0].n_strokes == k
        np.testing.assert_allclose(c.classifier.history[-1].probs, seen[k - 1], atol=1e-6)
        assert c.scene().panel.n_strokes == k
    draw(c, strokes[1], t0=9)  # drawing again after undo continues the same shape
    np.testing.assert_allclose(c.shapes[0].history[-1].probs, seen[1], atol=1e-6)


def test_a_held_shape_does_not_snap_until_it_changes(make_controller):
    c = make_controller(frankenstein="circle")
    draw(c, circle(400, 300, 120), t0=1.0)
    c.undo()
    shape = c.shapes[0]
    assert shape.state is ShapeState.HELD
    c.switch_model()  # re-classifying it is not a change
    c.switch_model()
    assert shape.state is ShapeState.HELD
    # A stroke far away starts another shape; the held one stays ink.
    draw(c, circle(100, 100, 40), t0=2.0)
    assert shape.state is ShapeState.HELD and c.shapes[1].state is ShapeState.SNAPPED
    c.undo()
    c.undo()  # back to the held shape being current
    assert c.current is shape
    update = draw(c, line(420, 300, 480, 300), t0=3.0)  # it changes: it may snap again
    assert not update.new_shape and update.snapped == "circle"


def test_clear_empties_the_canvas_and_undo_brings_it_back(make_controller):
    c = make_controller(frankenstein="circle")
    draw(c, circle(200, 300, 80), t0=0)
    c.toggle_auto_snap()
    draw(c, line(600, 100, 700, 500), t0=1)  # a new, unsnapped shape
    before = [(s.id, s.state, s.n_strokes) for s in c.shapes]
    c.clear()
    assert c.shapes == [] and c.scene().lines == () and c.classifier.n_strokes == 0
    assert c.undo()
    assert [(s.id, s.state, s.n_strokes) for s in c.shapes] == before
    assert c.classifier.n_strokes == c.shapes[-1].n_strokes


def test_classify_now_snaps_the_current_shape_to_its_top_guess(make_controller):
    c = make_controller(frankenstein="square", auto_snap=False)
    assert c.classify_now() is None and c.status == "nothing to snap: draw a shape first"
    draw(c, square(400, 300, 100), t0=0)
    assert c.shapes[0].state is ShapeState.INK
    assert c.classify_now() == "square"
    assert c.shapes[0].state is ShapeState.SNAPPED
    corners = np.concatenate(c.shapes[0].snap.template)
    np.testing.assert_allclose(corners.min(axis=0), [300, 200], atol=8)
    np.testing.assert_allclose(corners.max(axis=0), [500, 400], atol=8)


def test_classify_now_after_the_last_shape_snapped_says_it_is_snapped(make_controller):
    """Space again on a snapped shape said "draw a shape first", as on an empty canvas."""
    c = make_controller(frankenstein="square", auto_snap=False)
    draw(c, square(400, 300, 100), t0=0)
    assert c.classify_now() == "square"
    steps = list(c.undo_stack)
    assert c.classify_now() is None
    assert c.status == "nothing to snap: the last shape is already snapped; draw another"
    assert c.shapes[0].state is ShapeState.SNAPPED and c.undo_stack == steps


def test_auto_snap_can_be_turned_off_and_on(make_controller):
    c = make_controller(frankenstein="circle")
    assert c.toggle_auto_snap() is False
    assert draw(c, circle(200, 300, 80)).snapped is None
    assert c.toggle_auto_snap() is True
    assert c.scene().panel.auto_snap
    assert draw(c, line(230, 300, 300, 300), t0=1).snapped == "circle"


def test_threshold_keys_move_the_snap_threshold(make_controller):
    c = make_controller(frankenstein="circle", threshold=0.8, threshold_step=0.05)
    assert c.threshold_up() == pytest.approx(0.85)
    c.threshold_down()
    assert c.threshold_down() == pytest.approx(0.75)
    for _ in range(10):
        c.threshold_up()
    assert c.policy.threshold == 1.0 and c.scene().panel.threshold == 1.0
    assert draw(c, circle(200, 300, 80)).snapped is None  # nothing is that sure
    for _ in range(40):
        c.threshold_down()
    assert c.policy.threshold == pytest.approx(0.05)
    assert draw(c, line(230, 300, 300, 300), t0=1).snapped == "circle"


def test_switch_model_reclassifies_the_current_shape(make_controller):
    c = make_controller(frankenstein="circle", cnn="square", auto_snap=False)
    draw(c, circle(400, 300, 100))
    draw(c, line(420, 300, 480, 300), t0=1)
    assert c.scene().panel.guesses[0][0] == "circle"
    assert c.switch_model() and c.model_name == "cnn"
    assert c.scene().panel.model == "CNN-only"
    assert c.shapes[0].history[-1].label == "square" and len(c.shapes[0].history) == 2
    assert c.switch_model() and c.scene().panel.guesses[0][0] == "circle"


def test_switching_back_or_undoing_a_clear_reads_no_shape_again(settings, tiny_models):
    """Each model's guesses of a shape's ink are kept: M and back, or a clear undone,
    read every shape again (2 s for 300 shapes) to get the guesses it had."""
    counting = counting_classifier()
    c = Controller(
        settings.model_copy(update={"auto_snap": False}),
        loader=loader_of(tiny_models, counting),
    )
    draw(c, circle(200, 300, 60), t0=0)
    draw(c, circle(600, 300, 60), t0=1)  # a shape of its own, now the current one
    first, second = c.shapes
    assert c.switch_model() and c.switch_model()  # each model has read both shapes once
    counting.calls.clear()
    assert c.switch_model() and c.switch_model()
    assert counting.calls == ["add_stroke", "add_stroke"]  # the current shape's stroke
    for shape in c.shapes:
        np.testing.assert_allclose(
            shape.history[-1].probs, fresh_probs(tiny_models["frankenstein"], shape), atol=1e-5
        )
    c.clear()
    counting.calls.clear()
    assert c.undo() and c.shapes == [first, second]
    assert counting.calls == ["add_stroke"]
    assert c.scene().panel.guesses == tuple(second.history[-1].top(3))


def test_a_pause_after_a_stroke_finishes_the_shape(make_controller):
    # a smiley face needs 3 strokes, unless the drawing is known to be finished
    c = make_controller(frankenstein="smiley face", max_fit_error=10.0, pause_s=1.0)
    update = draw(c, circle(400, 300, 120), t0=0.0)
    end = 0.48  # the stroke's pen-up time
    assert update.snapped is None and c.tick(end + 0.5) is None
    paused = c.tick(end + 1.01)
    assert paused.snapped == "smiley face" and c.shapes[0].state is ShapeState.SNAPPED
    assert c.tick(end + 5.0) is None  # judged once


def test_an_undone_snap_keeps_the_finished_guess_it_was_judged_by(make_controller):
    """The bars fell back to the unfinished guess (circle 98% -> 72% in a real window)
    while the status said only that the ink was back."""
    c = make_controller(frankenstein="smiley face", max_fit_error=10.0, pause_s=1.0)
    draw(c, circle(400, 300, 120), t0=0.0)
    assert c.tick(0.48 + 1.01).snapped == "smiley face"
    final = c.shapes[0].final
    assert final is not None and final.finished
    assert c.undo() and c.shapes[0].state is ShapeState.HELD
    assert c.shapes[0].final is final
    assert c.scene().panel.guesses == tuple(final.top(3))
    draw(c, line(380, 300, 420, 300), t0=3.0)  # other ink: the live guess again
    assert c.shapes[0].final is None


def test_a_finished_guess_made_after_a_model_switch_survives_an_undo(make_controller):
    """M and back kept the shape's guesses from before it was judged; an undo that put
    the shape back took up that copy, without the finished guess made since."""
    c = make_controller(frankenstein="smiley face", threshold=1.0, pause_s=1.0)
    draw(c, circle(200, 300, 60), t0=0.0)
    shape = c.shapes[0]
    assert c.switch_model() and c.switch_model()
    c.tick(5.0)  # judged, not snapped (nothing is that sure): its finished guess
    final = shape.final
    assert final is not None and shape.state is ShapeState.INK
    draw(c, line(600, 300, 650, 300), t0=10.0)  # a shape of its own
    draw(c, line(640, 310, 270, 310), t0=11.0)  # joins it and reaches the circle
    assert len(c.shapes) == 1 and c.shapes[0].n_strokes == 3  # gathered
    assert c.undo() and shape in c.shapes
    assert shape.final is final


def test_drawing_on_or_undoing_before_the_pause_does_not_snap(make_controller):
    c = make_controller(frankenstein="smiley face", max_fit_error=10.0, pause_s=1.0)
    draw(c, circle(400, 300, 120), t0=0.0)
    c.pen_down(380, 330, 0.9)  # the next stroke starts within the pause
    assert c.tick(2.0) is None
    c.pen_up(390, 330, 2.1)
    c.undo()  # what undo leaves is not snapped by a pause
    assert c.tick(10.0) is None and c.shapes[0].state is ShapeState.INK
    c.toggle_auto_snap()
    draw(c, line(380, 330, 420, 330), t0=11.0)
    assert c.tick(20.0) is None  # auto-snap off: no pause snap either


def test_a_pause_snaps_by_the_finished_guess(settings, tiny_models):
    # The live guess hedges between a smiley face (0.55) and a circle (0.45): no snap.
    # Smiley faces never stop after one stroke (the ending prior), so once the pause
    # says the drawing is over, it is a circle, and that is what snaps.
    c = hedging_controller(settings, tiny_models)
    update = draw(c, circle(400, 300, 120), t0=0.0)
    assert update.snapped is None and update.prediction.label == "smiley face"
    paused = c.tick(0.48 + 1.01)
    assert paused.snapped == "circle" and paused.prediction.finished
    assert paused.prediction.label == "circle" and paused.prediction.confidence > 0.8


def test_a_pause_that_does_not_snap_says_why(make_controller):
    c = make_controller(frankenstein="line", pause_s=1.0)
    c.policy = c.policy.model_copy(update={"threshold": 1.0})  # nothing is that sure
    draw(c, line(300, 300, 500, 300), t0=0.0)
    version = c.version
    assert c.tick(5.0) is None
    assert c.status.startswith("finished, not snapped: line") and "below threshold 1.00" in c.status
    assert c.version > version  # the panel redraws with it


@pytest.mark.parametrize(("limit", "heed"), [(-1e9, True), (1e9, True), (-1e9, False)])
def test_ink_unlike_the_class_never_snaps_and_the_status_says_why(
    settings, tiny_models, limit, heed
):
    from tests.core.tiny_models import tiny_familiarity
    from tests.live.helpers import biased

    model = biased(tiny_models["frankenstein"], "circle")

    def load(name, checkpoint):
        return StrokeClassifier(model, familiarity=tiny_familiarity(model, limit=limit))

    s = settings.model_copy(
        update={"max_fit_error": 10.0, "pause_s": 1.0, "heed_familiarity": heed}
    )
    c = Controller(s, loader=load)
    update = draw(c, circle(400, 300, 120), t0=0.0)
    assert update.prediction.label == "circle" and update.prediction.confidence > 0.99
    if limit > 0 or not heed:  # every class familiar, or told not to check: it snaps
        assert update.snapped == "circle"
        return
    assert update.snapped is None
    assert "but the ink looks unlike the circle doodles it learnt" in c.status
    assert c.tick(0.48 + 1.01) is None  # nor when the pen rests
    assert c.status == (
        "finished, not snapped: circle 1.00, but the ink looks unlike the circle doodles it learnt"
    )


def test_a_shape_left_for_another_within_its_rest_is_judged_when_the_pen_rests(
    make_controller,
):
    """A stray click (or a stroke) elsewhere before the pen rested used to cancel the
    square's rest for good: now it is judged, as finished, with the new shape."""
    c = make_controller(frankenstein="square", steady_override=None, max_fit_error=10.0)
    outline = square(250, 300, 100)
    assert draw(c, outline, t0=0.0).snapped is None  # one stroke: waits for the rest
    end = 0.01 * (len(outline) - 1)
    update = draw(c, [(650, 100)], t0=end + 0.5)  # a click far away: a dot, a new shape
    assert update.new_shape and update.stroke_added
    first, dot = c.shapes
    assert first.state is ShapeState.INK  # not yet: the eyes drawn first wait like this
    assert c.tick(end + 0.5 + c.settings.pause_s - 0.01) is None
    paused = c.tick(end + 0.5 + c.settings.pause_s + 0.01)
    assert paused is not None and first.state is ShapeState.SNAPPED
    assert first.snap.cls == "square" and "snapped to square" in c.status
    assert dot.strokes[0].points.shape == (1, 2) and c.shapes == [first, dot]
    assert c.tick(end + 10.0) is None  # judged once


def test_the_panel_shows_the_drawing_not_a_stray_click(make_controller):
    """A click after the square used to fill the panel with the dot's guesses while the
    status said the square snapped: the panel speaks of the last shape more than a
    speck, the one the rest judges."""
    c = make_controller(auto_snap=False)  # random weights: each ink its own guesses
    draw(c, line(100, 100, 300, 100), t0=0.0)
    draw(c, line(100, 100, 100, 300), t0=1.0)
    drawn = c.shapes[0]
    draw(c, [(650, 500)], t0=2.0)  # a click far away: a shape of its own
    dot = c.shapes[1]
    assert dot.guess.top(3) != drawn.guess.top(3)
    panel = c.scene().panel
    assert panel.guesses == tuple((str(n), float(p)) for n, p in drawn.guess.top(3))
    assert panel.n_strokes == 2 and panel.n_shapes == 2
    assert "a speck" in c.status and "not snapped yet" not in c.status
    c.clear()
    draw(c, [(400, 300)], t0=3.0)  # only a dot: no guesses to show
    assert c.scene().panel.guesses == () and c.scene().panel.n_strokes == 0


def _square_then_a_click(c, rest: bool = True):
    """A square, then a click far away (a speck, a shape of its own), then the rest."""
    outline = square(250, 300, 100)
    draw(c, outline, t0=0.0)
    end = 0.01 * (len(outline) - 1)
    draw(c, [(650, 100)], t0=end + 0.5)
    if rest:
        c.tick(end + 0.5 + c.settings.pause_s + 0.01)
    return c.shapes


def test_space_after_a_stray_click_snaps_the_shape_the_panel_shows(make_controller):
    """Space, A, [ and the preview acted on the click, while the panel showed the square."""
    c = make_controller(frankenstein="square", auto_snap=False, max_fit_error=10.0)
    drawn, dot = _square_then_a_click(c, rest=False)
    assert c.classify_now() == "square" and c.status.startswith("snapped to square")
    assert drawn.state is ShapeState.SNAPPED and dot.state is ShapeState.INK
    assert c.classify_now() is None and "already snapped" in c.status


def test_a_after_a_stray_click_judges_the_shape_the_panel_shows(make_controller):
    c = make_controller(frankenstein="square", auto_snap=False, max_fit_error=10.0)
    drawn, _ = _square_then_a_click(c)
    assert drawn.state is ShapeState.INK
    c.toggle_auto_snap()
    assert drawn.state is ShapeState.SNAPPED and "snapped to square" in c.status


def test_a_lower_threshold_after_a_stray_click_judges_the_shape_the_panel_shows(
    make_controller,
):
    c = make_controller(frankenstein="square", threshold=1.0, max_fit_error=10.0)
    drawn, _ = _square_then_a_click(c)
    assert drawn.state is ShapeState.INK and "below threshold" in c.status
    c.threshold_down()
    assert drawn.state is ShapeState.SNAPPED and "snapped to square" in c.status


def test_the_preview_stays_on_the_shape_the_panel_shows_after_a_stray_click(
    make_controller,
):
    c = make_controller(frankenstein="square", auto_snap=False, max_fit_error=10.0)
    _square_then_a_click(c)
    shown = [ln for ln in c.scene().lines if ln.kind == "preview"]
    assert shown and np.concatenate([ln.points for ln in shown])[:, 0].max() < 400


def test_a_speck_never_snaps_not_even_on_demand(make_controller):
    """A dot (or a 2-unit flick) is no shape: a confident model snapped it as a line."""
    c = make_controller(frankenstein="line")
    update = draw(c, [(300, 300), (302, 300)])
    assert update.snapped is None and c.shapes[0].state is ShapeState.INK
    assert c.classify_now() is None and c.shapes[0].state is ShapeState.INK
    assert c.status == "nothing to snap: a speck (a click, a dot) never snaps"
    assert draw(c, line(300, 300, 500, 300), t0=1.0).snapped == "line"  # it grew


def test_a_shape_left_for_real_ink_waits_to_be_gathered(make_controller):
    """Only specks let a left shape be judged at the rest: a shape left for a stroke
    elsewhere is mostly a part drawn apart (a smiley's mouth), judged once gathered."""
    c = make_controller(frankenstein="square", steady_override=None, max_fit_error=10.0)
    outline = square(250, 300, 100)
    draw(c, outline, t0=0.0)
    end = 0.01 * (len(outline) - 1)
    stroke = [(600 + 5 * i, 100.0) for i in range(20)]  # 95 units long: real ink
    assert draw(c, stroke, t0=end + 0.5).new_shape
    first, second = c.shapes
    c.tick(end + 0.5 + 0.19 + c.settings.pause_s + 0.01)
    assert first.state is ShapeState.INK and first.final is None  # not judged
    assert second.final is not None  # the last shape was


def test_undoing_the_stray_stroke_leaves_the_rest_of_the_last_shape(make_controller):
    c = make_controller(frankenstein="square", steady_override=None, max_fit_error=10.0)
    outline = square(250, 300, 100)
    draw(c, outline, t0=0.0)
    end = 0.01 * (len(outline) - 1)
    draw(c, [(650, 100)], t0=end + 0.5)
    c.undo()  # the dot goes; the square is still waiting for the pen to rest
    assert c.tick(end + 5.0).snapped == "square"


def test_a_click_off_the_canvas_does_not_cancel_the_rest(make_controller):
    c = make_controller(frankenstein="square", steady_override=None, max_fit_error=10.0)
    outline = square(250, 300, 100)
    draw(c, outline, t0=0.0)
    end = 0.01 * (len(outline) - 1)
    assert not c.pen_down(900, 300, end + 0.5)  # on the side panel
    c.pen_up(900, 300, end + 0.6)
    assert c.tick(end + c.settings.pause_s + 0.01).snapped == "square"


def hedging_controller(settings, tiny_models, **overrides):
    """The live guess hedges, smiley face 0.55 against circle 0.45; smiley faces never
    stop after one stroke (the ending prior), so the finished guess is a circle."""
    import torch

    from core.classes import NUM_CLASSES, class_index
    from core.ending import EndingPrior
    from tests.live.helpers import biased

    model = biased(tiny_models["frankenstein"], "smiley face")
    last = [m for m in model.modules() if isinstance(m, torch.nn.Linear)][-1]
    with torch.no_grad():
        last.bias[class_index("circle")] = 25.0 - 0.2
    counts = np.zeros((NUM_CLASSES, 3), np.int64)
    counts[:, 0] = 10
    counts[class_index("smiley face")] = [0, 0, 10]

    def load(name, checkpoint):
        return StrokeClassifier(model, ending=EndingPrior(counts))

    s = settings.model_copy(update={"max_fit_error": 10.0, "pause_s": 1.0, **overrides})
    return Controller(s, loader=load)


@pytest.mark.parametrize("threshold", [None, 0.999])
def test_once_finished_the_bars_show_the_guess_the_status_speaks_of(
    settings, tiny_models, threshold
):
    c = hedging_controller(settings, tiny_models, threshold=threshold)
    draw(c, circle(400, 300, 120), t0=0.0)
    assert c.scene().panel.guesses[0][0] == "smiley face"  # live
    c.tick(5.0)
    (name, p), *_ = c.scene().panel.guesses
    assert name == "circle" and p > 0.8
    if threshold is None:
        assert c.status == f"snapped to circle ({p:.0%})"
    else:
        assert c.status.startswith(f"finished, not snapped: circle {p:.2f}")
        assert c.classify_now() == "circle"  # Space snaps to the guess shown
    draw(c, line(380, 330, 420, 330), t0=6.0)  # drawing on: the live guess again
    assert c.scene().panel.guesses == tuple(c.shapes[-1].history[-1].top(3))


def test_switching_model_after_a_snap_shows_the_new_models_guesses(make_controller):
    c = make_controller(frankenstein="circle", cnn="square")
    draw(c, circle(400, 300, 120), t0=0.0)
    assert c.shapes[0].state is ShapeState.SNAPPED
    assert c.scene().panel.guesses[0][0] == "circle"
    c.switch_model()
    assert c.scene().panel.guesses[0][0] == "square"
    assert c.shapes[0].snap.cls == "circle"  # the snap stays as it was
    assert c.current is None and c.classifier.n_strokes == 0


def test_a_lower_threshold_snaps_the_shape_the_pen_rested_on(make_controller):
    c = make_controller(frankenstein="square", threshold=1.0, max_fit_error=10.0)
    draw(c, square(400, 300, 100), t0=0.0)
    c.tick(5.0)  # the pen rested: finished, but under a threshold of 1
    shape = c.shapes[0]
    assert shape.state is ShapeState.INK and c.status.startswith("finished, not snapped")
    c.threshold_down()
    assert shape.state is ShapeState.SNAPPED and shape.snap.cls == "square"


def test_auto_snap_turned_on_snaps_the_shape_the_pen_rested_on(make_controller):
    c = make_controller(frankenstein="square", auto_snap=False, max_fit_error=10.0)
    draw(c, square(400, 300, 100), t0=0.0)
    c.tick(5.0)
    assert c.shapes[0].state is ShapeState.INK
    c.toggle_auto_snap()
    assert c.shapes[0].state is ShapeState.SNAPPED


def test_switching_model_judges_the_shape_the_pen_rested_on(settings, tiny_models):
    """The model in use could not load (a broken checkpoint): the rest judged nothing.
    M to a model that reads the square as one left it ink, "square 100%" on the panel
    with auto-snap on, until ] then [ judged it again."""
    from core.errors import FrankensteinError
    from tests.live.helpers import biased

    cnn = biased(tiny_models["cnn"], "square")

    def load(name, checkpoint):
        if name == "frankenstein":
            raise FrankensteinError("cannot load broken.pt")
        return StrokeClassifier(cnn)

    c = Controller(settings.model_copy(update={"max_fit_error": 10.0}), loader=load)
    draw(c, square(400, 300, 100), t0=0.0)
    assert c.tick(5.0) is None and c.shapes[0].state is ShapeState.INK
    assert c.switch_model() and c.shapes[0].state is ShapeState.SNAPPED
    assert c.shapes[0].snap.cls == "square" and c.status.startswith("snapped to square")


def test_switching_model_says_which_rule_holds_the_shape_the_pen_rested_on(make_controller):
    c = make_controller(frankenstein="square", cnn="square", threshold=1.0, max_fit_error=10.0)
    draw(c, square(400, 300, 100), t0=0.0)
    c.tick(5.0)
    assert c.status.startswith("finished, not snapped: square")
    assert c.switch_model() and c.shapes[0].state is ShapeState.INK
    assert c.status.startswith("switched to CNN-only; not snapped: square")
    assert "below threshold 1.00" in c.status
    c.threshold_down()  # the other changes that judge it again say so too
    assert c.shapes[0].state is ShapeState.SNAPPED


def test_a_threshold_change_mid_drawing_leaves_the_shape_to_its_rest(make_controller):
    c = make_controller(frankenstein="square", threshold=1.0, max_fit_error=10.0)
    draw(c, square(400, 300, 100), t0=0.0)  # no rest yet
    c.threshold_down()
    assert c.shapes[0].state is ShapeState.INK and c.status == "threshold 0.95"
    assert c.tick(5.0).snapped == "square"  # the rest judges it, at the new threshold


def test_space_while_the_pen_is_down_waits_for_the_stroke(make_controller):
    c = make_controller(frankenstein="square", max_fit_error=10.0, auto_snap=False)
    draw(c, square(400, 300, 100), t0=0.0)
    c.pen_down(400, 300, 1.0)
    c.pen_move(420, 300, 1.1)
    assert c.classify_now() is None and c.status == "finish the stroke first"
    assert c.shapes[0].state is ShapeState.INK


def test_exporting_an_empty_canvas_is_refused(make_controller, tmp_path):
    c = make_controller(save_dir=tmp_path)
    c.perform("export")
    assert c.status == "nothing to export: the canvas is empty"
    assert not any(tmp_path.rglob("*.png"))


def _canvas(c):
    """What the canvas shows: each shape's id, state, snap class and strokes (by identity)."""
    return [(s.id, s.state, s.snap and s.snap.cls, tuple(map(id, s.strokes))) for s in c.shapes]


def test_redo_puts_back_what_undo_took_step_by_step(make_controller):
    c = make_controller(frankenstein="circle")
    draw(c, circle(200, 300, 80), t0=0)  # snaps: a stroke, then a snap
    c.toggle_auto_snap()
    draw(c, line(600, 100, 700, 500), t0=1)  # another shape, left as ink
    states = [_canvas(c)]
    for _ in range(3):  # the line, the snap, the circle's stroke
        assert c.undo()
        states.append(_canvas(c))
    assert c.shapes == [] and states[2][0][1] is ShapeState.HELD
    for k, status in zip(
        (2, 1, 0), ("stroke redone", "snap redone: snapped to circle", "stroke redone"), strict=True
    ):
        assert c.redo()
        assert _canvas(c) == states[k] and c.status == status
        assert c.classifier.n_strokes == (c.current.n_strokes if c.current else 0)
    line_shape = c.shapes[-1]
    np.testing.assert_allclose(
        line_shape.history[-1].probs, fresh_probs(c.classifier.model, line_shape), atol=1e-5
    )
    assert not c.redo() and c.status == "nothing to redo"
    assert c.undo() and _canvas(c) == states[1]  # and undo goes back again from there


def test_a_new_stroke_snap_or_clear_ends_what_can_be_redone(make_controller):
    c = make_controller(auto_snap=False)
    for act in (
        lambda: draw(c, line(300, 500, 400, 500), t0=5),
        lambda: c.classify_now(),
        lambda: c.clear(),
    ):
        draw(c, line(100, 100, 200, 100), t0=1)
        draw(c, line(100, 120, 200, 120), t0=2)
        assert c.undo()
        act()
        assert not c.redo() and c.status == "nothing to redo"
        c.clear()


def test_redo_of_a_clear_and_of_a_stroke_that_reopened_a_snap(make_controller):
    c = make_controller(frankenstein="circle")
    draw(c, circle(400, 300, 120), t0=1.0)
    shape, snap = c.shapes[0], c.shapes[0].snap
    c.toggle_auto_snap()
    draw(c, line(350, 300, 450, 300), t0=2.0)  # reopens the circle
    reopened = _canvas(c)
    assert c.undo() and shape.snap is snap  # stroke and lifted snap in one step
    assert c.redo() and _canvas(c) == reopened and c.shapes[0].snap is None
    assert c.shapes[0].state is ShapeState.INK and c.classifier.n_strokes == 2
    assert c.undo() and c.shapes[0].snap is snap and c.shapes[0].n_strokes == 1
    c.clear()
    assert c.undo() and len(c.shapes) == 1
    assert c.redo() and c.shapes == [] and c.status == "clear redone"
    assert c.undo() and c.shapes[0].snap is snap


def test_redo_after_a_model_switch_puts_back_that_model_guesses(make_controller):
    c = make_controller(auto_snap=False)
    draw(c, line(100, 100, 300, 100), t0=0)
    draw(c, circle(600, 300, 80), t0=1)
    assert c.undo()  # the circle goes
    assert c.switch_model()
    assert c.redo()
    model = c.classifier.model
    for shape in c.shapes:  # both read by the CNN now, the restored one too
        np.testing.assert_allclose(shape.history[-1].probs, fresh_probs(model, shape), atol=1e-5)


def test_redo_of_saved_ink_leaves_it_saved(make_controller):
    c = make_controller(frankenstein="circle")
    draw(c, circle(200, 300, 80), t0=0)
    c.perform("save")
    assert not c.unsaved
    assert c.undo() and c.undo() and c.shapes == []
    assert c.redo() and c.redo() and not c.unsaved  # the same strokes: not saved twice
    c.perform("save")
    assert c.status.startswith("nothing new to save")


def test_redo_waits_for_a_stroke_being_drawn(make_controller):
    c = make_controller(auto_snap=False)
    draw(c, line(100, 100, 300, 100), t0=0)
    assert c.undo()
    c.pen_down(400, 400, 1.0)
    assert not c.redo() and c.status == "finish the stroke first" and c.shapes == []
