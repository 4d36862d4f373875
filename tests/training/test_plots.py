"""The figures `frankenstein eval --plots` writes (training/plots.py), read from the
matplotlib Figures they are saved from: a report of the bundled CNN on real doodles."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from matplotlib.colors import to_rgba

from training.plots import save_plots

WRONG_COLUMNS = 6  # panels a row of wrong_snaps.png
FILES = ["confusion.png", "accuracy_at_stroke.png", "snap_sweep.png", "wrong_snaps.png"]


@pytest.fixture(scope="module")
def replays(real_dev):
    """The bundled CNN's replays of 10 real doodles a class (180), in replay order."""
    from core.classifier import StrokeClassifier
    from training.replay import read_eval_drawings, replay_many

    drawings = read_eval_drawings(real_dev / "simplified", limit=10)
    return replay_many(StrokeClassifier.from_checkpoint("cnn"), drawings)


def report_of(replays, **policy) -> dict:
    from core.snap import SnapPolicy
    from training.replay import replays_report

    return replays_report(replays, SnapPolicy(**policy))


LAX = {"threshold": 0.5, "steady_steps": 1, "steady_override": 0.5, "heed_familiarity": False}


def lum(colour) -> float:
    """Relative luminance, 0 black to 1 white."""
    r, g, b, _ = to_rgba(colour)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def texts(fig) -> str:
    """Every piece of text of a figure: its title, the axes' titles, labels and texts."""
    import matplotlib.text

    return "\n".join(t.get_text() for t in fig.findobj(matplotlib.text.Text))


def test_a_rerun_without_wrong_snaps_replaces_the_old_figure(replays, tmp_path):
    """wrong_snaps.png was written only where there were wrong snaps: a second eval into
    the same folder with none left the first one's panels beside its own confusion."""
    drawn = [r.drawing for r in replays]
    lax, strict = report_of(replays, **LAX), report_of(replays, threshold=1.0)
    assert lax["snap"]["wrong"] > 0 and strict["snap"]["wrong"] == 0
    first = save_plots(lax, tmp_path, model="cnn", drawings=drawn)
    before = (tmp_path / "wrong_snaps.png").read_bytes()
    second = save_plots(strict, tmp_path, model="cnn", drawings=drawn)
    assert [p.name for p in first] == [p.name for p in second] == FILES
    assert (tmp_path / "wrong_snaps.png").read_bytes() != before


def test_no_wrong_snaps_is_a_figure_saying_so(replays):
    from training.plots import FIGURES, figures

    strict = report_of(replays, threshold=1.0)
    drawn = figures(strict, model="cnn", drawings=[r.drawing for r in replays])
    assert list(drawn) == list(FIGURES) == FILES
    fig = drawn["wrong_snaps.png"]
    assert "no wrong snaps at threshold 1.00" in texts(fig)
    assert not [ax for ax in fig.axes if ax.lines]  # no panel


def test_every_title_names_the_model_data_split_and_n(replays):
    """Titles said only the model: two figures of different evals looked alike."""
    from training.plots import figures

    drawings = [r.drawing for r in replays]
    for report in (report_of(replays, **LAX), report_of(replays, threshold=1.0)):
        report["split"] = "test"  # as eval --split test adds it
        drawn = figures(report, model="cnn", data="simplified", drawings=drawings)
        for name, fig in drawn.items():
            assert "cnn on simplified (test split), n=180" in texts(fig).replace("\n", " "), name
        threshold = rf"threshold (used )?{report['snap']['threshold']:.2f}"
        for name in ("snap_sweep.png", "wrong_snaps.png"):
            assert re.search(threshold, texts(drawn[name])), name


def test_the_data_is_named_by_its_folder_and_the_folders_parent(tmp_path, monkeypatch):
    """Named by the folder alone, every real-doodle figure said "on simplified"."""
    from training.plots import data_label

    folder = tmp_path / "quickdraw-real-dev" / "simplified"
    folder.mkdir(parents=True)
    monkeypatch.chdir(folder)
    assert data_label(folder) == data_label(Path(".")) == "quickdraw-real-dev/simplified"


@pytest.mark.parametrize("policy", [LAX, {}], ids=["8 rows", "2 rows"])
def test_the_heading_of_wrong_snaps_clears_the_panels_titles(replays, policy):
    """tight_layout ignored the suptitle: it overprinted the first row's titles, the
    more the more rows of panels (63 wrong snaps of the real dev doodles)."""
    from training.plots import figures

    report = report_of(replays, **policy)
    assert report["snap"]["wrong"] > WRONG_COLUMNS  # more than a row
    fig = figures(report, model="cnn", drawings=[r.drawing for r in replays])["wrong_snaps.png"]
    fig.draw_without_rendering()  # lays it out as savefig does
    heading = fig._suptitle.get_window_extent()
    titles = [ax.title.get_window_extent() for ax in fig.axes if ax.get_title()]
    assert len(titles) == report["snap"]["wrong"]
    assert all(heading.y0 >= t.y1 for t in titles)  # pixels up from the bottom


def test_wrong_snap_panels_name_the_drawing_and_p_as_the_table_does(replays):
    """p had two decimals (1.00 for the table's 0.995) and no key_id to find its row."""
    from training.plots import figures

    report = report_of(replays, **LAX)
    fig = figures(report, model="cnn", drawings=[r.drawing for r in replays])["wrong_snaps.png"]
    titles = [ax.get_title() for ax in fig.axes if ax.get_title()]
    for w, title in zip(report["snap"]["wrong_snaps"], titles, strict=True):
        assert w["key_id"] in title and f"p {w['confidence']:.3f}" in title, title


def test_too_many_wrong_snaps_are_taken_in_turn_from_each_class(replays):
    """The panels were the first 48 in replay order, the first classes alone: whole
    classes were never shown."""
    from training.plot_wrong import shown_wrong_snaps

    wrong = report_of(replays, **LAX)["snap"]["wrong_snaps"]
    classes = list(dict.fromkeys(w["true"] for w in wrong))
    assert len(classes) > 6 and len(wrong) > len(classes)  # some class has two or more
    shown = shown_wrong_snaps(wrong, 6)
    assert [w["true"] for w in shown] == classes[:6]  # one of each, in the report's order
    shown = shown_wrong_snaps(wrong, len(classes) + 1)
    assert {w["true"] for w in shown} == set(classes)
    assert [w["index"] for w in shown] == sorted(w["index"] for w in shown)
    assert shown_wrong_snaps(wrong, len(wrong)) == wrong


def _labelled(ax) -> dict:
    return {line.get_label(): line for line in ax.lines if not line.get_label().startswith("_")}


def test_accuracy_by_stroke_is_in_percent_with_the_drawings_behind_each_point(replays):
    """A 0-1 fraction where every table says %, and no sign of how many drawings a point
    stands on (8 of 300 have 8 strokes)."""
    import math

    from training.plots import figures

    report = report_of(replays[::6])  # 30 drawings: few of them with many strokes
    report["accuracy_at_stroke_live"] = report["accuracy_at_stroke"]  # as eval adds it
    fig = figures(report, model="cnn")["accuracy_at_stroke.png"]
    curves, counts = fig.axes
    rows = report["accuracy_at_stroke"]
    assert any(r["n"] < 10 for r in rows) and any(r["n"] >= 10 for r in rows)
    lines = _labelled(curves)
    so_far = lines["all drawings, last stroke so far"].get_ydata()
    assert list(so_far) == pytest.approx([100 * r["so_far"] for r in rows])
    at_k = lines["drawings with >= k strokes"].get_ydata()
    grey = next(line for line in curves.lines if line.get_label().startswith("_")).get_ydata()
    for r, y, g in zip(rows, at_k, grey, strict=True):  # a point of few drawings: grey
        few = r["n"] < 10
        assert (math.isnan(y), math.isnan(g)) == (few, not few)
        assert (g if few else y) == pytest.approx(100 * r["top1"])
    assert curves.get_ylim()[1] > 100 and "%" in curves.get_ylabel()
    assert [p.get_height() for p in counts.patches] == [r["n"] for r in rows]
    assert [t.get_text() for t in counts.texts] == [f"{r['n']:,}" for r in rows]


def test_the_window_s_view_is_a_fainter_dashed_tint_of_its_model_s_colour(replays):
    """The README calls them "the fainter lines": they were other hues (green, red)."""
    import colorsys

    from matplotlib.colors import to_rgb

    from training.plots import figures

    report = report_of(replays)
    report["accuracy_at_stroke_live"] = report["accuracy_at_stroke"]
    lines = _labelled(figures(report, model="cnn")["accuracy_at_stroke.png"].axes[0])
    model = colorsys.rgb_to_hls(*to_rgb(lines["drawings with >= k strokes"].get_color()))
    for label in (">= k, window's view", "all, window's view"):
        window = colorsys.rgb_to_hls(*to_rgb(lines[label].get_color()))
        assert window[0] == pytest.approx(model[0], abs=0.02)  # the same hue
        assert window[1] > model[1] + 0.1  # lighter
        assert lines[label].get_linestyle() not in ("-", "None")


def test_accuracy_series_differ_without_hue_and_hide_none_of_each_other(replays):
    """Series told apart by hue alone (red-green), and equal points (k = 1: "so far" is
    ">= k") where a later marker covered an earlier one."""
    from training.plots import figures

    report = report_of(replays)
    report["accuracy_at_stroke_live"] = report["accuracy_at_stroke"]
    curves = figures(report, model="cnn")["accuracy_at_stroke.png"].axes[0]
    drawn = sorted(_labelled(curves).values(), key=lambda line: line.get_zorder())
    drawn = [line for line in drawn if line.get_xdata().size]  # not a legend's entry
    looks = [(line.get_marker(), line.get_linestyle()) for line in drawn]
    assert len(set(looks)) == len(looks) == 4
    sizes = [line.get_markersize() for line in drawn if line.get_markerfacecolor() != "none"]
    assert sizes == sorted(sizes, reverse=True) and len(set(sizes)) == len(sizes)
    hollow = drawn[len(sizes) :]  # drawn after every filled one
    assert all(line.get_markerfacecolor() == "none" for line in hollow)


def test_compare_draws_both_models_by_stroke(real_dev, tmp_path):
    """With --compare B the text compared A and B at every stroke and the figure drew A
    alone: the JSON holds B's accuracy by stroke and the figure draws it, in B's colour,
    labelled by name, as the comparison table's B column."""
    import json
    import math

    from training.plots import figures
    from ui.cli import main

    out = tmp_path / "r.json"
    data = ["--data", str(real_dev / "simplified"), "--limit", "3", "--json", str(out)]
    assert main(["eval", "--model", "cnn", "--compare", "frankenstein", *data]) == 0
    report = json.loads(out.read_text())
    paired = {r["k"]: r for r in report["compare"]["rows"]}
    theirs = report["compare"]["accuracy_at_stroke"]
    assert [r["top1"] for r in theirs] == pytest.approx([paired[r["k"]]["b"] for r in theirs])
    fig = figures(report, model="cnn", other="frankenstein")["accuracy_at_stroke.png"]
    assert "cnn vs frankenstein" in texts(fig)
    lines = _labelled(fig.axes[0])
    a, b = (lines[f"{m}: drawings with >= k strokes"] for m in ("cnn", "frankenstein"))
    assert a.get_color() != b.get_color() and a.get_marker() != b.get_marker()
    for r, y in zip(theirs, b.get_ydata(), strict=True):
        assert math.isnan(y) if r["n"] < 10 else y == pytest.approx(100 * r["top1"])
    assert "frankenstein: all drawings, last stroke so far" in lines


def test_snap_sweep_is_in_percent_with_strokes_saved_on_its_own_axis(replays):
    """No y-axis label, strokes saved (about 5%) a flat line on precision's 0-1 scale,
    and the legend over the data."""
    from training.plots import figures

    report = report_of(replays)
    fig = figures(report, model="cnn")["snap_sweep.png"]
    left, right = fig.axes
    sweep = report["snap"]["sweep"]
    ts = [s["threshold"] for s in sweep]
    assert "%" in left.get_ylabel() and "%" in right.get_ylabel()
    lines = _labelled(left) | _labelled(right)
    for key, axes in (("precision", left), ("recall", left), ("strokes saved", right)):
        (line,) = (line for label, line in lines.items() if label.startswith(key))
        assert line.axes is axes and list(line.get_xdata()) == ts
        assert line.get_marker() not in ("", "None")  # a marker at each threshold measured
        values = [100 * s[key.replace(" ", "_")] for s in sweep]
        assert list(line.get_ydata()) == pytest.approx(values)
    saved = [100 * s["strokes_saved"] for s in sweep]
    assert max(saved) < right.get_ylim()[1] < 2 * max(saved)  # its shape fills its axis
    precision, recall = (lines[k] for k in ("precision", "recall"))  # equal for one drawing
    assert precision.get_markersize() > recall.get_markersize() > 0
    assert left.get_legend() is None and right.get_legend() is None
    (legend,) = fig.legends  # under the axes
    fig.draw_without_rendering()
    assert legend.get_window_extent().y1 <= left.get_window_extent().y0


def test_confusion_is_coloured_by_the_share_of_its_row_with_counts_and_a_colorbar(replays):
    """Coloured by raw count, the 47 lines' diagonal was the one dark cell, and a class of
    10 drawings with 8 right looked like an error; single errors near white."""
    import numpy as np

    from training.plots import figures

    report = report_of(replays)
    matrix = np.asarray(report["confusion"]["matrix"])
    fig = figures(report, model="cnn")["confusion.png"]
    ax = fig.axes[0]
    (image,) = ax.images
    assert image.colorbar is not None and "%" in image.colorbar.ax.get_ylabel()
    shares = 100 * matrix / matrix.sum(axis=1, keepdims=True)
    assert np.asarray(image.get_array()) == pytest.approx(shares)
    cells = {(round(t.get_position()[1]), round(t.get_position()[0])): t for t in ax.texts}
    assert set(cells) == set(zip(*np.nonzero(matrix), strict=True))
    for (i, j), text in cells.items():
        assert text.get_text() == str(matrix[i, j])
        behind = image.cmap(image.norm(shares[i, j]))
        assert abs(lum(text.get_color()) - lum(behind)) > 0.45, (i, j)  # readable
        if matrix[i, j] == 1 and i != j:  # a single error is a visible tint
            assert lum(behind) < lum(image.cmap(image.norm(0))) - 0.05
