"""Pure pieces: layout and transforms, settings validation, the PNG painter, the replay
placement."""

import numpy as np
import pytest
from pydantic import ValidationError

from core.strokes import Drawing
from live.canvas import Shape, Stroke
from live.geometry import bbox, bbox_gap, clamp_to_canvas, flip_y, make_layout, nearest_points
from live.grouping import is_speck
from live.png import render_canvas
from live.replay import place_drawings
from live.scene import Panel, Polyline, Scene, ease, morph
from live.settings import LiveSettings, key_label


@pytest.mark.parametrize("window", [(1060, 600), (500, 900), (3000, 400), (200, 150)])
def test_the_canvas_fits_the_drawing_area_and_round_trips(window):
    layout = make_layout(window, (800, 600), 260)
    c, p = layout.canvas, layout.panel
    assert p.x + p.w == window[0] and p.w <= 0.4 * window[0] + 1
    assert c.x >= 0 and c.y >= 0 and c.x + c.w <= p.x + 1e-6 and c.y + c.h <= window[1] + 1e-6
    assert c.w / c.h == pytest.approx(800 / 600)
    assert c.w == pytest.approx(p.x) or c.h == pytest.approx(window[1])  # it fills one way
    pts = np.array([[0, 0], [800, 600], [123.5, 456.25]], np.float32)
    back = np.array([layout.to_canvas(*v) for v in layout.to_view(pts)])
    np.testing.assert_allclose(back, pts, atol=1e-3)
    assert layout.in_canvas(*layout.to_view(pts)[2]) and not layout.in_canvas(p.x + 5, 5)


def test_small_pure_helpers():
    assert clamp_to_canvas(-5, 700, (800, 600)) == (0.0, 600.0)
    pts = np.array([[1, 2], [3, 4]], np.float32)
    np.testing.assert_array_equal(flip_y(flip_y(pts, 600), 600), pts)
    assert flip_y(pts, 600)[0, 1] == 598
    assert bbox_gap((0, 0, 10, 10), (5, 5, 20, 20)) == 0
    assert bbox_gap((0, 0, 10, 10), (13, 14, 20, 20)) == 5
    np.testing.assert_array_equal(
        nearest_points([[0, 0], [9, 9]], [[1, 1], [10, 10]]), [[1, 1], [10, 10]]
    )
    assert ease(0) == 0 and ease(1) == 1 and ease(0.5) == 0.5 and ease(2) == 1
    np.testing.assert_allclose(morph(np.zeros((1, 2)), np.ones((1, 2)), 0.5), [[0.5, 0.5]])
    assert key_label("ctrl+z") == "Ctrl+Z" and key_label("bracketleft") == "["
    assert key_label("f1") == "F1" and key_label("space") == "Space"


def test_a_shape_box_is_the_box_of_all_its_ink_and_an_empty_stroke_widens_none():
    rng = np.random.default_rng(3)
    strokes = [
        Stroke(rng.uniform(-50, 900, (n, 2)).astype(np.float32), np.zeros(n)) for n in (1, 7, 40)
    ]
    empty = Stroke(np.zeros((0, 2), np.float32), np.zeros(0))
    shape = Shape(1, [strokes[0], empty, *strokes[1:]])
    assert shape.box() == bbox([s.points for s in strokes])
    assert strokes[2].box is strokes[2].box  # worked out once
    assert is_speck(Shape(2, [empty])) and is_speck(Shape(3, [strokes[0]]))
    assert not is_speck(shape)


def test_settings_reject_unknown_keys_and_bad_values():
    with pytest.raises(ValidationError, match="tresh"):
        LiveSettings(tresh=0.5)
    with pytest.raises(ValidationError, match="threshold"):
        LiveSettings(threshold=1.5)
    with pytest.raises(ValidationError, match="not a key name"):
        LiveSettings(keys={"undo": ["ctrl z"]})
    with pytest.raises(ValidationError, match="too small"):
        LiveSettings(canvas_size=(4, 600))
    s = LiveSettings(model="cnn", keys={"undo": ["Ctrl+Y"]})
    assert s.keys.undo == ("ctrl+y",) and s.other_model() == "frankenstein"
    assert s.save_dir.name == "drawings"


def test_a_save_dir_that_is_a_file_is_refused_before_the_window_opens(tmp_path, capsys):
    """`draw --save-dir afile` opened the window, and S failed after the drawing."""
    from ui.cli import main

    afile = tmp_path / "afile"
    afile.write_text("not a folder")
    for given, what in ((afile, "a file"), (afile / "sub", "a path under a file")):
        with pytest.raises(ValidationError, match=f"{what}, not a folder to save drawings"):
            LiveSettings(save_dir=given)
        assert main(["draw", "--save-dir", str(given)]) == 2
        assert capsys.readouterr().err == (
            f"frankenstein: error: --save-dir {given}: {what}, not a folder to save drawings into\n"
        )
    assert LiveSettings(save_dir=tmp_path / "new" / "drawings").save_dir.parent.name == "new"


def test_the_png_painter_draws_lines_dots_and_fading_strokes():
    panel = Panel((), "none", 0, 0, 0.8, True, "", None, (), False)
    lines = (
        Polyline(np.array([[10, 10], [90, 10]], np.float32), (0, 0, 0), 1.0, 4, "ink"),
        Polyline(np.array([[50, 80]], np.float32), (0, 0, 255), 1.0, 6, "template"),
        Polyline(np.array([[10, 50], [90, 50]], np.float32), (0, 0, 0), 0.5, 4, "ink"),
    )
    image = np.asarray(render_canvas(Scene((100, 100), lines, panel, False))).astype(int)
    assert image.shape == (100, 100, 3)
    assert tuple(image[89, 50]) == (0, 0, 0)  # y flipped: canvas y 10 -> row 89
    assert tuple(image[20, 50]) == (0, 0, 255)  # the dot
    assert 100 < image[49, 50, 0] < 160  # half-faded over white
    assert image[70, 50].sum() == 3 * 255


def test_replayed_doodles_are_placed_side_by_side_on_the_canvas():
    d = Drawing(
        (np.array([[0, 0], [500, 250]], np.float32), np.array([[0, 250]], np.float32)),
        times=(np.array([0.0, 100.0]), np.array([400.0])),
    )
    placed = place_drawings([d] * 5, (800, 600))
    boxes = []
    for p in placed:
        pts = np.concatenate(p.strokes)
        assert (pts >= 0).all() and (pts[:, 0] <= 800).all() and (pts[:, 1] <= 600).all()
        boxes.append((*pts.min(axis=0), *pts.max(axis=0)))
        np.testing.assert_allclose(p.times[1], [0.4])
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            assert bbox_gap(a, b) > 20  # separate shapes, apart
    # y is flipped: the first point (top-left of the doodle) is the highest on the canvas
    first = placed[0].strokes[0]
    assert first[0, 1] > first[1, 1]
