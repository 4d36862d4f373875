"""A run's learning curves (L on the Runs tab, ui/tui/screens/curves.py): loss and
accuracy by epoch from its metrics.jsonl, following a training that goes on in
another process (a real `frankenstein train` from a terminal, or a real process
holding the run's lock while the test appends its epochs)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from textual.widgets import DataTable, Static

from tests.experiments.conftest import TINY_BASE
from tests.lock_holder import held_by_another_process
from tests.ui.follow_helpers import EVERY, cells, ended, terminal, text, until
from tests.ui.tui_helpers import STAND_IN, make_run, tui
from ui.tui.runinfo import RunInfo
from ui.tui.screens.curves import (
    CurvesScreen,
    best_epoch,
    curve,
    epoch_rows,
    state_line,
    train_curve,
)
from ui.tui.widgets.chart import Chart


@pytest.fixture
def here(tmp_path, monkeypatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("FRANKENSTEIN_CACHE", str(tmp_path / "cache"))
    return tmp_path


def row(epoch: int, val_acc: float, **more) -> dict:
    return {
        "epoch": epoch,
        "train_loss": 1.0 / epoch,
        "train_acc": val_acc - 0.05,
        "val_loss": 1.2 / epoch,
        "val_acc": val_acc,
        "lr": 0.002 / epoch,
        "seconds": 61.4 * epoch,
        **more,
    }


def test_the_epochs_table_stars_the_epoch_best_pt_holds():
    rows = [row(1, 0.6, is_best=True), row(2, 0.8, is_best=True), row(3, 0.7, is_best=False)]
    assert epoch_rows(rows) == [
        ("1", "1.0000", "55.0%", "1.2000", "60.0%", "0.002", "1:01"),
        ("2 *", "0.5000", "75.0%", "0.6000", "80.0%", "0.001", "2:03"),
        ("3", "0.3333", "65.0%", "0.4000", "70.0%", "0.00067", "3:04"),
    ]
    assert curve(rows, "val_acc") == ((1.0, 0.6), (2.0, 0.8), (3.0, 0.7))


def test_rows_of_older_runs_show_what_they_hold():
    """Rows written before `is_best` and the losses were logged: the best epoch is the
    highest validation accuracy, and a missing figure is a dash, not an error."""
    rows = [{"epoch": 1, "val_acc": 0.5}, {"epoch": 2, "val_acc": 0.9}, {"epoch": 3}]
    assert best_epoch(rows) == 2
    assert epoch_rows(rows)[1] == ("2 *", "-", "-", "-", "90.0%", "-", "-")
    assert epoch_rows(rows)[2] == ("3", "-", "-", "-", "-", "-", "-")
    assert curve(rows, "train_loss") == ()
    assert best_epoch([{"epoch": 1}]) is None


def test_the_training_curve_goes_on_within_the_epoch_under_way():
    """While a run trains, its train curves end at the running mean of the epoch under
    way, at the fraction of it done; once that epoch's row is in, the row's point only."""
    rows = [row(1, 0.6), row(2, 0.7)]
    now = {"event": "batch", "epoch": 3, "batch": 10, "batches": 40, "loss": 0.3, "acc": 0.8}
    assert train_curve(rows, now, "loss") == ((1.0, 1.0), (2.0, 0.5), (2.25, 0.3))
    assert train_curve(rows, now, "acc")[-1] == (2.25, 0.8)
    done = {**now, "epoch": 2, "batch": 40}  # epoch 2's last batch, its row written
    assert train_curve(rows, done, "loss") == curve(rows, "train_loss")
    for other in (None, {**now, "event": "progress"}, {**now, "loss": None}, {**now, "batches": 0}):
        assert train_curve(rows, other, "loss") == curve(rows, "train_loss")


def test_the_state_line_says_where_the_run_stands(tmp_path):
    run = make_run(tmp_path / "runs", "r", val_accs=())
    info = RunInfo(run, config={"epochs": 8}, metrics=[row(1, 0.6, is_best=True)])
    assert state_line(info) == "1 epoch; best.pt is epoch 1 (60.0% validation accuracy)"
    (run / "last.pt").write_bytes(STAND_IN)
    assert state_line(info).startswith("stopped after epoch 1 of 8; best.pt is epoch 1")
    # stopped in its first epoch: not "after epoch 0"; with no last.pt, none finished
    assert state_line(RunInfo(run, config={"epochs": 8})) == "stopped during epoch 1 of 8"
    (run / "last.pt").unlink()
    assert state_line(RunInfo(run, config={"epochs": 8})) == "no epoch finished yet"
    (run / "last.pt").write_bytes(STAND_IN)
    with held_by_another_process(tmp_path / "runs" / ".r.lock") as trainer:
        assert state_line(info) == (
            f"training now (pid {trainer.pid}): epoch 1 of 8 done; best.pt is epoch 1 "
            "(60.0% validation accuracy)"
        )
        assert state_line(RunInfo(run, config={"epochs": 8})) == (
            f"training now (pid {trainer.pid}): its first epoch is under way"
        )


def curves_table(app) -> list[list[str]]:
    t = app.screen.query_one("#curves-table", DataTable)
    return [[str(c) for c in t.get_row_at(i)] for i in range(t.row_count)]


def state(app) -> str:
    return str(app.screen.query_one("#curves-state", Static).content)


async def test_l_opens_the_selected_runs_curves_and_escape_closes_them(here):
    run = make_run(here / "runs", "older", val_accs=(0.5,), mtime=1_700_000_000)
    run = make_run(here / "runs", "newer", val_accs=(), mtime=1_700_000_100)
    rows = [row(1, 0.6, is_best=True), row(2, 0.8, is_best=True)]
    (run / "metrics.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    app = tui(here, initial="runs")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("l")
        await pilot.pause()
        assert isinstance(app.screen, CurvesScreen)
        assert [r[0] for r in curves_table(app)] == ["1", "2 *"]
        assert state(app) == ("2 epochs; best.pt is epoch 2 (80.0% validation accuracy)")
        acc = app.screen.query_one("#curves-acc", Chart)
        train, val = acc.series
        assert (train.label, val.label) == ("train", "val")
        assert train.points == curve(rows, "train_acc") and val.points == curve(rows, "val_acc")
        assert val.points == ((1.0, 0.6), (2.0, 0.8))
        footer_keys = {k.description for k in app.screen.query("FooterKey")}
        # not the Runs tab's Mark, Curves, Draw ...: Close and the app's Help and Quit
        assert footer_keys == {"Close", "Help", "Quit"}
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("down", "l")  # the older run: one epoch, no losses logged
        await pilot.pause()
        assert curves_table(app) == [["1 *", "-", "-", "-", "50.0%", "-", "-"]]


def inked(chart: Chart) -> list[int]:
    """The plot columns (0 = the first right of the y labels) holding a dot."""
    rows = chart.render().plain.splitlines()[1:-1]  # below the legend, above the axis
    return sorted({i for row in rows for i, c in enumerate(row[6:]) if c != " "})


async def test_a_long_name_is_shortened_in_the_middle_and_the_esc_hint_stays(here):
    name = "this-is-a-very-long-run-name-that-goes-on-and-on-forever"
    make_run(here / "runs", name, model="cnn", val_accs=(0.5,))
    app = tui(here, initial="runs")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("l")
        await pilot.pause()
        title = app.screen.query_one("#curves-title")
        shown = str(title.render())
        assert shown.endswith(": cnn   (Esc closes)") and len(shown) <= title.size.width
        head, tail = shown.removesuffix(": cnn   (Esc closes)").split("…")
        assert name.startswith(head) and name.endswith(tail) and len(head) > 10


async def test_the_x_axis_is_the_runs_epochs_named_under_the_charts(here):
    """One epoch was a dot at the right edge, two filled the right half (x ran from 0):
    x runs over the run's epochs (the one epoch of a run of one in the middle), and a
    line under each chart names the axis and numbers them."""
    one = make_run(here / "runs", "one", val_accs=(), mtime=1_700_000_000)
    two = make_run(here / "runs", "two", val_accs=(), mtime=1_700_000_100)
    for run, rows in ((one, [row(1, 0.6)]), (two, [row(1, 0.6), row(2, 0.8)])):
        (run / "metrics.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
        config = json.loads((run / "config.json").read_text())
        (run / "config.json").write_text(json.dumps({**config, "epochs": len(rows)}))
    app = tui(here, initial="runs")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("l")  # two, the newer
        await pilot.pause()
        acc = app.screen.query_one("#curves-acc", Chart)
        cols = acc.size.width - 6
        assert inked(acc)[0] == 0 and inked(acc)[-1] == cols - 1  # epoch 1 to epoch 2
        axis = acc.render().plain.splitlines()[-1]
        assert axis.split() == ["epoch", "1", "2"] and axis.endswith("2")
        await pilot.press("escape", "down", "l")  # one
        await pilot.pause()
        acc = app.screen.query_one("#curves-acc", Chart)
        assert {c - cols // 2 for c in inked(acc)} <= {-1, 0}  # in the middle
        axis = acc.render().plain.splitlines()[-1]
        assert axis.split() == ["epoch", "1"] and axis.index("1") - 6 in (cols // 2 - 1, cols // 2)


async def test_l_without_runs_says_there_are_none(here):
    app = tui(here, initial="runs")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("l")
        await pilot.pause()
        assert not isinstance(app.screen, CurvesScreen)
        assert text(app, "#runs-message") == "no run selected: there are no runs yet"


async def test_the_curves_follow_a_training_in_another_process(here):
    """A real process holds the run's lock, as `train` does, while the test writes
    its epochs: each shows as it comes, the cursor following the newest; when the
    trainer goes the run reads stopped; a broken line and a removed run are said."""
    run = make_run(here / "runs", "going", val_accs=())
    config = json.loads((run / "config.json").read_text())
    (run / "config.json").write_text(json.dumps({**config, "epochs": 3}))
    with held_by_another_process(here / "runs" / ".going.lock") as trainer:
        app = tui(here, initial="runs", follow_s=EVERY)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press("l")
            await pilot.pause()
            first = f"training now (pid {trainer.pid}): its first epoch is under way"
            assert state(app) == first
            assert curves_table(app) == []
            for epoch, acc in ((1, 0.6), (2, 0.7)):
                with open(run / "metrics.jsonl", "a") as f:  # as the trainer does
                    f.write(json.dumps(row(epoch, acc, is_best=True)) + "\n")
                await until(pilot, lambda e=epoch: len(curves_table(app)) == e, "an epoch")
            table = app.screen.query_one("#curves-table", DataTable)
            assert table.cursor_row == 1  # on the newest epoch
            assert state(app).startswith(f"training now (pid {trainer.pid})")
            assert "epoch 2 of 3 done; best.pt is epoch 2 (70.0%" in state(app)
            (run / "last.pt").write_bytes(STAND_IN)
            trainer.kill()
            trainer.wait()
            await until(pilot, lambda: "stopped" in state(app), "stopped")
            assert state(app).startswith("stopped after epoch 2 of 3")
            with open(run / "metrics.jsonl", "a") as f:
                f.write("{not json\n")
            await until(pilot, lambda: "problem:" in state(app), "a problem")
            assert "problem: metrics.jsonl line 3: not JSON" in state(app)
            assert len(curves_table(app)) == 2
            shutil.rmtree(run)
            await until(pilot, lambda: "is gone" in state(app), "gone")
            assert curves_table(app) == []


async def test_a_run_just_begun_is_said_to_be_starting_not_gone(here):
    """A study's run whose folder is made but not yet its config.json (L as it starts)
    is starting; once its folder is removed, it is gone."""
    run = here / "runs" / "lstm-s0"
    run.mkdir(parents=True)
    app = tui(here, initial="runs")
    async with app.run_test(size=(80, 24)) as pilot:
        app.push_screen(CurvesScreen(Path("runs", "lstm-s0"), follow_s=3600))
        await pilot.pause()
        assert "runs/lstm-s0 is starting: its config.json is not written yet" in state(app)
        assert "gone" not in state(app)
        run.rmdir()
        app.screen.reload()
        await pilot.pause()
        assert "runs/lstm-s0 is gone (removed since the table was read)" in state(app)


async def test_a_training_from_a_terminal_draws_its_curves_as_it_goes(here):
    """The real `frankenstein train`, three tiny epochs: the screen opened on it while
    it trains ends with every epoch's row, each figure a number, and the run done."""
    settings = [f"{k}={json.dumps(v)}" for k, v in {**TINY_BASE, "epochs": 3}.items()]
    app = tui(here, initial="runs", follow_s=EVERY)
    async with app.run_test(size=(80, 24)) as pilot:
        proc = await terminal("train", *settings, "name=term", "out_dir=runs")
        await until(pilot, lambda: [r[0] for r in cells(app, "#runs-table")] == ["term"], "run")
        await pilot.press("l")
        await pilot.pause()
        assert isinstance(app.screen, CurvesScreen)
        await ended(proc)
        await until(pilot, lambda: len(curves_table(app)) == 3, "three epochs")
        await until(pilot, lambda: "training now" not in state(app), "ended")
        assert state(app).startswith("3 epochs; best.pt is epoch ")
        for epoch, cells_ in enumerate(curves_table(app), 1):
            assert cells_[0].rstrip(" *") == str(epoch)
            assert all(c != "-" for c in cells_), cells_
        loss = app.screen.query_one("#curves-loss", Chart)
        assert [len(s.points) for s in loss.series] == [3, 3]


async def test_the_marked_runs_validation_curves_are_drawn_beside(here):
    """M on one run, L on another: the marked run's validation loss and accuracy are a
    third series of each chart, named in the state lines; L on the marked run itself
    shows it alone."""
    make_run(here / "runs", "older", val_accs=(0.4, 0.5, 0.6, 0.7), mtime=1_700_000_000)
    newer = make_run(here / "runs", "newer", val_accs=(), mtime=1_700_000_100)
    rows = [row(1, 0.6, is_best=True), row(2, 0.8, is_best=True)]
    (newer / "metrics.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    app = tui(here, initial="runs")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("down", "m", "up", "l")
        await pilot.pause()
        assert app.screen.marked == Path("runs", "older")
        acc = app.screen.query_one("#curves-acc", Chart)
        loss = app.screen.query_one("#curves-loss", Chart)
        assert [s.label for s in acc.series] == ["train", "val", "marked"]
        assert acc.series[2].points == ((1.0, 0.4), (2.0, 0.5), (3.0, 0.6), (4.0, 0.7))
        assert loss.series[2].points == ()  # its rows hold no losses
        assert acc.x_max == 4.0  # the longer run's epochs
        assert state(app).splitlines()[1] == (
            "marked, in amber: older (frankenstein), 4 epochs, best val 70.0%"
        )
        legend = acc.render().plain.splitlines()[0]  # no room for the last values
        assert legend == "accuracy  ━ train  ┅ val  ┈ marked"  # told apart by line too
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("down", "l")
        await pilot.pause()
        assert app.screen.marked is None
        assert len(app.screen.query_one("#curves-acc", Chart).series) == 2


def _luminance(rgb: tuple[int, int, int]) -> float:
    """WCAG's relative luminance of an sRGB colour (0-255 a channel)."""

    def linear(v: float) -> float:
        return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(c / 255) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: int | tuple[int, int, int], b: int | tuple[int, int, int]) -> float:
    """The WCAG contrast of two colours, or two greys (0-255)."""
    a, b = ((c, c, c) if isinstance(c, int) else c for c in (a, b))
    hi, lo = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def shown(app, colour: str) -> tuple[int, int, int]:
    """A colour as the app shows it: an ANSI one as the theme's terminal colours make it."""
    from rich.color import Color as RichColor

    dark = app.current_theme.dark
    rgb = RichColor.parse(colour).get_truecolor(
        app.ansi_theme_dark if dark else app.ansi_theme_light
    )
    return tuple(rgb)


def grey(app, colour: str) -> int:
    """A colour as NO_COLOR shows it: the app's terminal colours, made grey as Textual's
    Monochrome filter does."""
    from textual.color import Color

    return Color(*shown(app, colour)).monochrome.r


def legend_pens(chart: Chart) -> dict[str, tuple[str, str]]:
    """Each series' (line, colour) as its chart's legend draws it: "━", "cyan"."""
    legend = chart.render_lines(chart.region.reset_offset)[0]
    out = {}
    for seg in legend:
        words = seg.text.split()
        if len(words) >= 2 and seg.style is not None and seg.style.color is not None:
            out[words[1]] = (words[0], seg.style.color.name)
    return out


async def test_train_and_val_are_told_apart_without_colour(here):
    """NO_COLOR shows colours grey: the validation curve (magenta) was #3b3b3b on the
    dark background (1.7:1), and train and val differed by colour alone, their legend
    too ("━ train  ━ val"). The validation line is dotted now ("┅ val"), and both
    colours' greys stand 3:1 or more from the dark and the light backgrounds."""
    from textual.color import Color

    run = make_run(here / "runs", "run", val_accs=())
    rows = [row(1, 0.6), row(2, 0.7), row(3, 0.8)]
    (run / "metrics.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    app = tui(here, initial="runs")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("l")
        await pilot.pause()
        for theme in ("textual-dark", "textual-light"):
            app.theme = theme
            await pilot.pause()
            background = Color.parse(app.get_css_variables()["background"]).monochrome.r
            for chart in app.screen.query(Chart).results(Chart):
                pens = legend_pens(chart)
                assert set(pens) == {"train", "val"}
                assert pens["train"][0] != pens["val"][0], (theme, chart.id, pens)
                for line, colour in pens.values():
                    ratio = contrast(grey(app, colour), background)
                    assert ratio >= 3, (theme, chart.id, line, colour, round(ratio, 2))


async def test_every_curve_reads_on_the_dark_and_the_light_theme(here):
    """The marked run's curve was ANSI yellow: 2.1:1 on textual-light's background
    (#CB9000 on #E0E0E0), a line hard to make out. It takes the theme's warning text
    now, light amber on dark and dark amber on light: each curve's colour, as drawn,
    stands 3:1 or more from the background (WCAG's figure for graphics), in colour and
    in NO_COLOR's greys, on both themes."""
    from textual.color import Color

    make_run(here / "runs", "older", val_accs=(0.4, 0.5, 0.6), mtime=1_700_000_000)
    newer = make_run(here / "runs", "newer", val_accs=(), mtime=1_700_000_100)
    rows = [row(1, 0.6), row(2, 0.7), row(3, 0.8)]
    (newer / "metrics.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    app = tui(here, initial="runs")
    async with app.run_test(size=(120, 24)) as pilot:
        await pilot.press("down", "m", "up", "l")
        await pilot.pause()
        marked = {}
        for theme in ("textual-dark", "textual-light"):
            app.theme = theme
            await pilot.pause()
            bg = Color.parse(app.get_css_variables()["background"])
            for chart in app.screen.query(Chart).results(Chart):
                pens = legend_pens(chart)
                assert set(pens) == {"train", "val", "marked"}, (theme, pens)
                for label, (_line, colour) in pens.items():
                    ratio = contrast(shown(app, colour), (bg.r, bg.g, bg.b))
                    assert ratio >= 3, (theme, chart.id, label, colour, round(ratio, 2))
                    ratio = contrast(grey(app, colour), bg.monochrome.r)
                    assert ratio >= 3, (theme, chart.id, label, colour, "grey", round(ratio, 2))
                marked[theme] = pens["marked"]
        assert marked["textual-dark"] != marked["textual-light"]  # the theme's own amber
