"""The figures `frankenstein eval --plots` writes (training/plots.py), read from the
matplotlib Figures they are saved from: a report of the bundled CNN on real doodles."""

from __future__ import annotations

import re

import pytest

from training.plots import save_plots

FILES = ["confusion.png", "accuracy_at_stroke.png", "snap_sweep.png", "wrong_snaps.png"]


@pytest.fixture(scope="module")
def replays(real_dev):
    """The bundled CNN's replays of 4 real doodles a class (72), in replay order."""
    from core.classifier import StrokeClassifier
    from training.replay import read_eval_drawings, replay_many

    drawings = read_eval_drawings(real_dev / "simplified", limit=4)
    return replay_many(StrokeClassifier.from_checkpoint("cnn"), drawings)


def report_of(replays, **policy) -> dict:
    from core.snap import SnapPolicy
    from training.replay import replays_report

    return replays_report(replays, SnapPolicy(**policy))


LAX = {"threshold": 0.5, "steady_steps": 1, "steady_override": 0.5, "heed_familiarity": False}


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
            assert "cnn on simplified (test split), n=72" in texts(fig).replace("\n", " "), name
        threshold = rf"threshold (used )?{report['snap']['threshold']:.2f}"
        for name in ("snap_sweep.png", "wrong_snaps.png"):
            assert re.search(threshold, texts(drawn[name])), name
