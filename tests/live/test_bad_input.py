"""Bad input does not break the window's controller: dots, strokes off the canvas, very
many strokes, resizing mid-stroke, missing or broken checkpoints."""

import numpy as np

from core.checkpoint import save_checkpoint
from live.controller import Controller
from tests.live.helpers import circle, draw, line

H = 600


def test_a_click_without_drag_is_a_dot(make_controller):
    c = make_controller(auto_snap=False)
    update = draw(c, [(200, 200)])
    assert update.stroke_added and c.shapes[0].strokes[0].points.shape == (1, 2)
    assert c.classifier.n_strokes == 1 and np.isfinite(update.prediction.probs).all()
    (dot,) = c.scene().lines
    assert dot.points.shape == (1, 2)
    # pressing and releasing in place with jitter-free moves is still one point
    c.pen_down(300, 300, 1.0)
    c.pen_move(300, 300, 1.01)
    c.pen_up(300, 300, 1.02)
    assert c.shapes[-1].strokes[-1].points.shape == (1, 2)


def test_a_stroke_that_starts_off_the_canvas_is_ignored(make_controller):
    c = make_controller()
    assert not c.pen_down(900, 300, 0.0)  # in the side panel
    c.pen_move(700, 300, 0.1)
    update = c.pen_up(600, 300, 0.2)
    assert not update.stroke_added and c.shapes == [] and c.undo_stack == []


def test_a_click_on_the_help_overlay_closes_it_without_drawing(make_controller):
    c = make_controller()
    c.toggle_help()
    assert draw(c, line(100, 100, 300, 300)).stroke_added is False
    assert not c.help_visible and c.shapes == []
    assert draw(c, line(100, 100, 300, 300)).stroke_added


def test_a_stroke_that_leaves_the_canvas_follows_its_edge(make_controller):
    c = make_controller(auto_snap=False)
    draw(c, [(700, 300), (790, 300), (1000, 300), (1000, -50), (700, -80), (600, 100)])
    pts = c.shapes[0].strokes[0].points
    assert pts[:, 0].max() == 800 and pts[:, 1].min() == 0
    assert (pts >= 0).all() and (pts[:, 0] <= 800).all() and (pts[:, 1] <= 600).all()
    assert c.classifier.n_strokes == 1


def test_fifty_strokes_in_one_shape(make_controller, tiny_models):
    from core.classifier import StrokeClassifier
    from core.strokes import normalize_strokes

    c = make_controller(auto_snap=False)
    rng = np.random.default_rng(0)
    draw(c, circle(400, 300, 160))  # an outline, then 49 strokes inside it
    for k in range(1, 50):
        x, y = rng.uniform(250, 550, size=2)
        draw(c, line(x, y, x + 30, y + rng.uniform(-30, 30), n=6), t0=k)
    (shape,) = c.shapes
    assert shape.n_strokes == 50 and len(shape.history) == 50 and c.classifier.n_strokes == 50
    fresh = StrokeClassifier(tiny_models["frankenstein"])
    expect = fresh.replay(normalize_strokes(shape.screen_ink(H)))
    np.testing.assert_allclose(shape.history[-1].probs, expect.probs, atol=1e-5)
    assert c.scene().panel.n_strokes == 50
    for _ in range(50):
        assert c.undo()
    assert c.shapes == [] and c.classifier.n_strokes == 0


def test_resizing_mid_stroke_keeps_the_stroke_on_the_canvas(make_controller):
    c = make_controller(auto_snap=False)
    c.pen_down(100, 100, 0.0)
    c.pen_move(200, 100, 0.1)
    c.resize(930, 300)  # half the height: the canvas scales by 0.5, centred
    assert c.layout.scale == 0.5 and c.layout.canvas.x == (930 - 260 - 400) / 2
    x, y = c.layout.to_view(np.array([[300, 200]]))[0]
    c.pen_move(x, y, 0.2)
    c.pen_up(x, y, 0.3)
    pts = c.shapes[0].strokes[0].points
    np.testing.assert_allclose(pts, [[100, 100], [200, 100], [300, 200]])
    c.resize(2000, 600)  # wider than needed: the canvas is centred in the drawing area
    x, y = c.layout.to_canvas(*c.layout.to_view(np.array([[300, 200]]))[0])
    assert (x, y) == (300, 200) and c.layout.canvas.x > 0


def test_a_missing_checkpoint_leaves_a_window_that_draws_without_guesses(settings, tmp_path):
    missing = tmp_path / "nope.pt"
    c = Controller(settings.model_copy(update={"checkpoint": missing}))
    assert c.classifier is None and str(missing) in c.error
    assert c.scene().panel.error == c.error and c.scene().panel.model == "none"
    update = draw(c, circle(300, 300, 100))
    assert update.stroke_added and update.prediction is None and c.shapes[0].history == []
    assert c.classify_now() is None and "no model" in c.status
    assert c.undo() and c.shapes == []


def test_a_broken_checkpoint_is_a_clear_message(settings, tmp_path, tiny_models):
    garbage = tmp_path / "garbage.pt"
    garbage.write_bytes(b"this is not a checkpoint")
    truncated = tmp_path / "truncated.pt"
    save_checkpoint(truncated, tiny_models["frankenstein"])
    truncated.write_bytes(truncated.read_bytes()[:200])
    for path in (garbage, truncated):
        c = Controller(settings.model_copy(update={"checkpoint": path}))
        assert c.classifier is None and str(path) in c.error, c.error
        assert "Traceback" not in c.error and "\n" not in c.error


def test_a_real_checkpoint_loads_through_the_default_loader(settings, tmp_path, tiny_models):
    path = tmp_path / "tiny.pt"
    save_checkpoint(path, tiny_models["cnn"])
    c = Controller(settings.model_copy(update={"model": "cnn", "checkpoint": path}))
    assert c.error is None and c.scene().panel.model == "CNN-only (tiny.pt)"
    update = draw(c, circle(300, 300, 100))
    assert update.prediction is not None and len(c.shapes[0].history) == 1


def test_switching_to_a_model_that_cannot_load_keeps_the_current_one(settings, tiny_models):
    from core.classifier import StrokeClassifier
    from live.controller import load_classifier

    def loader(name, checkpoint):
        if name == "cnn":
            return load_classifier("cnn", settings.save_dir / "absent.pt")
        return StrokeClassifier(tiny_models[name])

    c = Controller(settings, loader=loader)
    draw(c, circle(300, 300, 100))
    assert not c.switch_model()
    assert c.model_name == "frankenstein" and c.classifier is not None
    assert "absent.pt" in c.status and c.shapes[0].history


def test_a_lost_release_ends_the_stroke_where_it_was_last_seen(make_controller):
    """Press, drag, then (alt-tab) no release: the next press ends the old stroke at its
    own last point, without a long segment to the new press."""
    c = make_controller(auto_snap=False)
    c.pen_down(100, 100, 0.0)
    c.pen_move(150, 120, 0.1)
    c.pen_move(200, 100, 0.2)
    assert c.pen_down(600, 500, 5.0)  # the release never came
    (shape,) = c.shapes
    np.testing.assert_allclose(shape.strokes[0].points, [(100, 100), (150, 120), (200, 100)])
    c.pen_up(610, 500, 5.1)
    assert len(c.shapes) == 2 and c.shapes[1].strokes[0].points[0].tolist() == [600, 500]


def test_a_press_beside_the_canvas_starts_the_stroke_at_its_edge(make_controller):
    """A window wider than the canvas leaves a band of background beside it: a press
    there meant the canvas (a stroke leaving it follows its edge just the same), while
    a press on the panel still draws nothing."""
    c = make_controller(auto_snap=False, window_size=(1260, 600))
    assert (c.layout.canvas.x, c.layout.panel.x) == (100, 1000)
    update = draw(c, line(97, 300, 400, 300))
    assert update.stroke_added
    pts = c.shapes[0].strokes[0].points
    assert tuple(pts[0]) == (0, 300) and pts[:, 0].min() == 0
    assert draw(c, line(950, 590, 960, 650), t0=1.0).stroke_added  # the band's corner
    assert tuple(c.shapes[-1].strokes[0].points[-1]) == (800, 600)
    assert not c.pen_down(1000, 300, 2.0) and not c.pen_down(1100, 300, 2.0)  # the panel
    assert not c.pen_up(1100, 300, 2.1).stroke_added and len(c.shapes) == 2
