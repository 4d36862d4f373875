"""accuracy_by_stroke.png's figure (experiments/study_plot.py), read from its artists."""

from __future__ import annotations

import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import PolyCollection
from matplotlib.colors import to_rgb

from experiments.study_plot import MARKERS, plot_accuracy_by_stroke

MAX_K = 8
REAL = "the real dev doodles"


def model(name: str, runs: int, level: float, std: float | None = 0.02) -> dict:
    curve = [(level - 0.1 / k, std if runs > 1 else None) for k in range(1, MAX_K + 1)]
    return {
        "variant": name,
        "kind": "model",
        "runs": runs,
        "seeds": 3,
        "top1": level - 0.01,  # the finished guess: not stroke 8's
        "top1_std": std if runs > 1 else None,
        "curve": curve,
    }


def peer(level: float) -> dict:
    return {
        "variant": "$P (leave-one-out)",
        "kind": "peer",
        "runs": 1,
        "seeds": 1,
        "top1": level,
        "top1_std": None,
        "curve": [(level, None)] * MAX_K,
    }


def curves(ax):
    """The per-stroke lines, in row order (the finished points are errorbar lines)."""
    return [line for line in ax.get_lines() if len(line.get_xdata()) == MAX_K]


def bands(ax):
    return [c for c in ax.collections if isinstance(c, PolyCollection)]


def test_each_band_takes_its_own_lines_colour():
    """A row without a band (one finished seed, a peer) shifted every later band's
    colour: fill_between drew from its own cycle (cnn's band was fr's blue)."""
    rows = [model("fr", 1, 0.6), peer(0.5), model("cnn", 2, 0.7), model("deep", 3, 0.4)]
    ax = plot_accuracy_by_stroke(rows, "t", REAL, MAX_K).axes[0]
    lines = curves(ax)
    got = [to_rgb(b.get_facecolor()[0]) for b in bands(ax)]
    assert got == [to_rgb(lines[2].get_color()), to_rgb(lines[3].get_color())]
    assert len({to_rgb(line.get_color()) for line in lines}) == 4


def test_the_y_axis_is_0_to_100_and_names_the_eval_data():
    ax = plot_accuracy_by_stroke([model("a", 2, 0.6)], "t", "synth", MAX_K).axes[0]
    assert ax.get_ylim() == (0, 100)
    assert ax.get_ylabel() == "top-1 on synth (%)"
    ax = plot_accuracy_by_stroke([model("a", 2, 0.6)], "t", REAL, MAX_K).axes[0]
    assert ax.get_ylabel() == "top-1 on the real dev doodles (%)"


def test_six_variants_stay_tellable_apart():
    """Six translucent bands at 0.2 merged into mud, and six solid lines with one
    marker were told apart by colour alone (not in greyscale)."""
    rows = [model(f"v{i}", 3, 0.3 + 0.05 * i) for i in range(6)]
    ax = plot_accuracy_by_stroke(rows, "t", REAL, MAX_K).axes[0]
    lines = curves(ax)
    assert len({line.get_marker() for line in lines}) == 6
    assert len({str(line.get_linestyle()) for line in lines}) >= 3
    assert all(b.get_alpha() <= 0.1 for b in bands(ax))
    two = plot_accuracy_by_stroke(rows[:2], "t", REAL, MAX_K).axes[0]
    assert all(b.get_alpha() == pytest.approx(0.2) for b in bands(two))


def test_identical_curves_both_show():
    """One curve drawn over an identical one hid it: each has its own hollow marker."""
    rows = [model("fr", 1, 0.1), model("cnn", 1, 0.1)]
    a, b = curves(plot_accuracy_by_stroke(rows, "t", REAL, MAX_K).axes[0])
    assert list(a.get_ydata()) == list(b.get_ydata())
    assert a.get_marker() != b.get_marker()
    assert a.get_markerfacecolor() == b.get_markerfacecolor() == "none"


def test_the_legend_is_outside_the_axes():
    """It sat on a line inside the axes."""
    rows = [model(f"depth{i}", 3, 0.3 + 0.1 * i) for i in range(1, 4)] + [peer(0.5)]
    fig = plot_accuracy_by_stroke(rows, "t", REAL, MAX_K)
    renderer = FigureCanvasAgg(fig).get_renderer()
    fig.draw(renderer)
    ax = fig.axes[0]
    box, legend = ax.get_window_extent(renderer), ax.get_legend().get_window_extent(renderer)
    assert legend.x0 >= box.x1
    assert legend.x1 <= fig.bbox.x1  # and on the figure


def test_the_finished_guess_is_beside_stroke_8():
    """The curve ended at stroke 8 while the table gave the finished guess's top-1
    (59.4% against 60.1%): the finished point is drawn, in its line's colour and
    marker, at an x labelled "finished", with its ± std."""
    rows = [model("fr", 2, 0.6, std=0.03), model("cnn", 1, 0.7), peer(0.5)]
    ax = plot_accuracy_by_stroke(rows, "t", REAL, MAX_K).axes[0]
    labels = {t.get_text(): t.get_position()[0] for t in ax.get_xticklabels()}
    assert labels["8"] == MAX_K and labels["finished"] > MAX_K
    lines = curves(ax)
    points = [c.lines[0] for c in ax.containers]  # the errorbars' data lines
    assert len(points) == 3
    for row, line, point in zip(rows, lines, points, strict=True):
        (x,), (y,) = point.get_xdata(), point.get_ydata()
        assert x == pytest.approx(labels["finished"], abs=0.35)
        assert y == pytest.approx(100 * row["top1"])
        assert to_rgb(point.get_color()) == to_rgb(line.get_color())
        assert point.get_marker() == line.get_marker()
    assert len({p.get_xdata()[0] for p in points}) == 3  # side by side, none hidden
    fr_bar = ax.containers[0].lines[2][0]  # the ± std segment
    (seg,) = fr_bar.get_segments()
    assert [y for _x, y in seg] == pytest.approx([100 * (0.59 - 0.03), 100 * (0.59 + 0.03)])
    assert ax.containers[1].has_yerr is False  # one seed: no spread
    assert MARKERS[0] == lines[0].get_marker()
