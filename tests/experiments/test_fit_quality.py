"""The fit-quality probe: per-class rows of fit error, leans, stretches and forms."""

from __future__ import annotations

import numpy as np
import pytest

from core.fit import fit_template
from core.shapes import TEMPLATES
from core.strokes import Drawing
from experiments.probes.fit_quality import fit_rows, main, past
from tests.core.geometry import place


def test_rows_count_each_class_its_stretches_and_other_forms(capsys):
    square = [s * 200 for s in TEMPLATES["square"].strokes]
    rectangle = [s * np.array([200, 100], np.float32) for s in TEMPLATES["square"].strokes]
    peak = [s * 150 for s in TEMPLATES["mountain"].variants[0]]
    drawings = [
        Drawing(square, "square"),
        Drawing(rectangle, "square"),
        Drawing(peak, "mountain"),
    ]
    rows, overall = fit_rows(drawings)
    assert [r["class"] for r in rows] == ["mountain", "square"]
    mountain, squares = rows
    assert squares["n"] == 2 and squares["stretched"] == 1 and squares["leaning"] is None
    assert mountain["other_form"] == 1 and mountain["leaning"] == mountain["tilted"] == 0
    assert squares["past_canvas"] == mountain["past_canvas"] == 0  # placed as the window does
    assert overall < 2e-3 and all(r["median_error"] < 2e-3 for r in rows)


def test_how_far_a_template_reaches_past_the_canvas():
    square = TEMPLATES["square"].strokes
    beyond = fit_template(place(square, scale=200, shift=(-50, 500)), "square")
    assert past(beyond, (800, 600)) == pytest.approx(100, abs=0.5)  # y to 700, x from -50
    inside = fit_template(place(square, scale=200, shift=(50, 50)), "square")
    assert past(inside, (800, 600)) == 0.0


def test_the_command_prints_a_row_a_class_and_the_overall_median(tmp_path, capsys):
    line = '{"word": "line", "key_id": "1", "drawing": [[[0, 255], [0, 0]]]}\n'
    (tmp_path / "line.ndjson").write_text(line)
    assert main(["--data", str(tmp_path)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[1].split()[:2] == ["line", "1"]
    assert out[-1].startswith("all 1 drawings: median error")


def test_a_drawing_is_placed_as_the_window_places_it(real_dev):
    """The probe may not import live (experiments -> training, core): it places a
    drawing alone with the same sum as live.replay.place_drawings, on the same canvas."""
    from experiments.probes.fit_quality import CANVAS, on_canvas
    from live.geometry import flip_y
    from live.replay import place_drawings
    from live.settings import LiveSettings
    from training.replay import read_eval_drawings

    assert LiveSettings().canvas_size == CANVAS
    drawings = read_eval_drawings(real_dev / "simplified", limit=1)
    for d in drawings[:5]:
        window = [flip_y(s, CANVAS[1]) for s in place_drawings([d], CANVAS)[0].strokes]
        for ours, theirs in zip(on_canvas(d, CANVAS), window, strict=True):
            np.testing.assert_allclose(ours, theirs, atol=1e-3)
