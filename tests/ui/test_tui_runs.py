"""The Runs tab: run folders listed with their results, compare, draw, make default."""

from __future__ import annotations

import json
import os
import signal
import sys
import time
from pathlib import Path

import pytest
from textual.geometry import Region
from textual.widgets import DataTable, Input, Select, Static

from live.default_model import read_default_model
from tests.lock_holder import held_by_another_process
from tests.ui.follow_helpers import until
from tests.ui.tui_helpers import (
    going_cut_and_done,
    make_data,
    make_run,
    real_checkpoint,
    report,
    stopped_in_first_epoch,
    tui,
)

REAL = report(0.62, [0.30, 0.45, 0.55, 0.60, 0.62, 0.62, 0.62, 0.62], 0.92, 0.41)
REAL_CNN = report(0.50, [0.31, 0.38, 0.44, 0.48, 0.50, 0.50, 0.50, 0.50], None, 0.0)


@pytest.fixture
def runs(tmp_path, monkeypatch) -> Path:
    monkeypatch.chdir(tmp_path)
    root = tmp_path / "runs"
    make_run(root, "lstm", val_accs=(0.5, 0.8, 0.75), real=REAL, mtime=1_700_000_300)
    make_run(root, "cnn", model="cnn", val_accs=(0.6,), real=REAL_CNN, mtime=1_700_000_200)
    make_run(root, "fresh", val_accs=(), checkpoint=False, mtime=1_700_000_100)
    (root / "not-a-run").mkdir()
    return root


def rows(app) -> list[list[str]]:
    table = app.query_one("#runs-table", DataTable)
    return [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]


def message(app) -> str:
    return str(app.query_one("#runs-message", Static).content)


async def test_runs_are_listed_newest_first_with_their_results(runs, tmp_path):
    app = tui(tmp_path, initial="runs")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert rows(app) == [
            ["lstm", "frankenstein", "3/3", "80.0%", "62.0%", "92%/41%", "quickdraw-real-dev"],
            ["cnn", "cnn", "1/1", "60.0%", "50.0%", "-/0%", "quickdraw-real-dev"],
            ["fresh", "frankenstein", "0 stopped", "-", "-", "-", "-"],  # before it began
        ]
        detail = str(app.query_one("#runs-detail", Static).content)
        assert detail.startswith("lstm: frankenstein on synthetic, 3 epochs")
        assert "quickdraw-real-dev/simplified (n=300): top1 62.0% (56.4-67.3%) top3 77.0%" in detail
        assert "after k strokes: 1:30.0%  2:45.0%" in detail
        assert "wrong snaps" not in detail  # this report has no list of them
        await pilot.press("down", "down")
        detail = str(app.query_one("#runs-detail", Static).content)
        assert "no eval report yet" in detail


async def test_the_table_says_what_each_runs_figures_were_scored_on(tmp_path, monkeypatch):
    """A run evaluated on real doodles and one only on its test split (synthetic, 97%)
    side by side: the "scored on" column tells their top1 apart."""
    monkeypatch.chdir(tmp_path)
    make_run(tmp_path / "runs", "real", real=REAL, mtime=1_700_000_200)
    make_run(tmp_path / "runs", "synthetic", test=report(0.97, [0.9] * 8, 0.99, 0.9))
    app = tui(tmp_path, initial="runs")
    async with app.run_test(size=(100, 24)) as pilot:
        await pilot.pause()
        assert [[r[6], r[4]] for r in rows(app)] == [
            ["quickdraw-real-dev", "62.0%"],
            ["test split", "97.0%"],
        ]


async def test_a_run_scored_on_its_own_training_folder_is_marked(tmp_path, monkeypatch):
    """Its eval_data is one of its data.sources (one absolute, one relative): the
    "scored on" cell and the detail say its figures are on drawings it trained on."""
    monkeypatch.chdir(tmp_path)
    run = make_run(tmp_path / "runs", "own", mtime=1_700_000_200)
    config = json.loads((run / "config.json").read_text())
    (run / "config.json").write_text(json.dumps({**config, "data": {"sources": ["mine"]}}))
    mine = str(tmp_path / "mine")
    (run / "eval.json").write_text(json.dumps({"eval_data": {mine: REAL}}))
    make_run(tmp_path / "runs", "real", real=REAL)
    app = tui(tmp_path, initial="runs")
    async with app.run_test(size=(100, 24)) as pilot:
        await pilot.pause()
        assert [[r[6], r[4]] for r in rows(app)] == [
            ["mine (trained on it)", "62.0%"],
            ["quickdraw-real-dev", "62.0%"],
        ]
        detail = str(app.query_one("#runs-detail", Static).content)
        assert "scored on mine, also one of its data.sources: its top1" in detail
        await pilot.press("down")
        assert "data.sources" not in str(app.query_one("#runs-detail", Static).content)


def shown_detail(app) -> str:
    """The detail's lines in view: its box's window onto the wrapped text."""
    box = app.query_one("#runs-detail-box")
    detail = app.query_one("#runs-detail", Static)
    lines = [s.text.rstrip() for s in detail.render_lines(Region(0, 0, *detail.size))]
    top = round(box.scroll_y)
    return "\n".join(lines[top : top + box.scrollable_content_region.height])


def own_data_with_wrong_snaps(runs: Path, name: str, mtime: int) -> None:
    """A run scored on its own training folder (a warning in the detail), a long
    name and folder (its settings wrap), and wrong snaps (the detail's last line)."""
    real = report(0.62, [0.62] * 8, 0.9, 0.5)
    real["snap"]["wrong_snaps"] = [_wrong("hexagon", "octagon", False)]
    run = make_run(runs, name, real=real, mtime=mtime)
    config = json.loads((run / "config.json").read_text())
    sources = ["../shared/data/quickdraw-real-dev/simplified"]
    (run / "config.json").write_text(json.dumps({**config, "data": {"sources": sources}}))


async def test_the_whole_detail_can_be_read_at_80x24(tmp_path, monkeypatch):
    """The detail was at most 6 rows, not focusable: at 80x24 the warning that a run
    scored on its own training data and the wrong snaps were cut off, and could not be
    scrolled to. With few runs it takes the room the table leaves, the warning first;
    with many it scrolls (Tab to it, End)."""
    monkeypatch.chdir(tmp_path)
    own_data_with_wrong_snaps(tmp_path / "runs", "a-long-name-for-an-lstm-depth-sweep-seed0", 1)
    app = tui(tmp_path, initial="runs")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        shown = shown_detail(app)
        assert "it trained on, which measures nothing" in shown
        assert "wrong snaps: 1 (0 premature); most often hexagon->octagon 1" in shown
    for i in range(20):
        own_data_with_wrong_snaps(tmp_path / "runs", f"frankenstein-{i:02d}", 10 + i)
    app = tui(tmp_path, initial="runs")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        shown = shown_detail(app)
        assert "its top1 and snap" in shown and "wrong snaps" not in shown
        await pilot.press("tab")
        await pilot.pause()
        assert app.focused is app.query_one("#runs-detail-box")
        await pilot.press("end")
        await pilot.pause()
        assert "most often hexagon->octagon 1" in shown_detail(app)
        await pilot.press("m")  # the tab's keys act from the detail too
        assert message(app) == "marked frankenstein-19: select another run and press C"


async def test_a_run_in_training_and_one_cut_short_say_so(tmp_path, monkeypatch):
    """A run another process is training (a child holds its run lock, as `train`
    does) and one stopped at epoch 1 of 3 with its last.pt: the epochs column and the
    detail say which, and how to continue the stopped one."""
    monkeypatch.chdir(tmp_path)
    root = going_cut_and_done(tmp_path / "runs")
    with held_by_another_process(root / ".going.lock") as trainer:
        app = tui(tmp_path, initial="runs")
        async with app.run_test(size=(100, 24)) as pilot:
            await pilot.pause()
            assert [r[:3] for r in rows(app)] == [
                ["going", "frankenstein", "1/3 training"],
                ["cut", "frankenstein", "1/3 stopped"],
                ["done", "frankenstein", "2/2"],
            ]
            detail = str(app.query_one("#runs-detail", Static).content)
            assert f"training now (pid {trainer.pid})" in detail
            await pilot.press("down")
            detail = str(app.query_one("#runs-detail", Static).content)
            assert (
                "stopped after epoch 1 of 3: F7 resumes it (on the Train tab), as does "
                "`frankenstein train --resume name=cut out_dir=runs`"
            ) in detail
            await pilot.press("down")
            detail = str(app.query_one("#runs-detail", Static).content)
            assert "training now" not in detail and "stopped after" not in detail
    app = tui(tmp_path, initial="runs")  # the trainer killed (its lock file stays)
    async with app.run_test(size=(100, 24)) as pilot:
        await pilot.pause()
        assert rows(app)[0][2] == "1/3 stopped"


async def test_a_run_stopped_in_its_first_epoch_is_said_to_be_stopped_during_it(
    tmp_path, monkeypatch
):
    """Not "stopped after epoch 0 of 10": its last.pt holds the batch of epoch 1 it
    was at, where the resume goes on."""
    monkeypatch.chdir(tmp_path)
    stopped_in_first_epoch(tmp_path / "runs", "early")
    app = tui(tmp_path, initial="runs")
    async with app.run_test(size=(100, 24)) as pilot:
        await pilot.pause()
        assert [r[:3] for r in rows(app)] == [["early", "frankenstein", "0/10 stopped"]]
        detail = str(app.query_one("#runs-detail", Static).content)
        assert (
            "stopped during epoch 1 of 10: F7 resumes it (on the Train tab), as does "
            "`frankenstein train --resume name=early out_dir=runs`"
        ) in detail


async def test_f7_resumes_the_selected_run_on_the_train_tab(tmp_path, monkeypatch):
    """F7 on a run cut short resumes it on the Train tab, which is shown and follows it
    to its end; on a run that is training, or finished, it says why not."""
    monkeypatch.chdir(tmp_path)
    root = going_cut_and_done(tmp_path / "runs")
    with held_by_another_process(root / ".going.lock") as trainer:
        app = tui(tmp_path, initial="runs")
        async with app.run_test(size=(100, 24)) as pilot:
            await pilot.pause()
            message = lambda: str(app.query_one("#runs-message", Static).content)  # noqa: E731
            await pilot.press("f7")
            assert message() == f"going is training now (pid {trainer.pid}): nothing to resume"
            await pilot.press("down", "down", "f7")
            assert message() == "nothing to resume: done is finished (2 epochs)"
            assert app.query_one("#tabs").active == "runs"
            await pilot.press("up", "f7")
            await pilot.pause()
            assert app.query_one("#tabs").active == "train"
            await app.workers.wait_for_complete()
            await pilot.pause()
            pane = app.query_one("#train-pane")
            assert pane.lines[0].startswith("$ frankenstein train --resume name=cut ")
            assert any("resumed at epoch 2" in line for line in pane.lines), pane.lines
            assert pane.state.status == "done" and pane.state.epoch == 3
    rows_ = [json.loads(x) for x in (root / "cut" / "metrics.jsonl").read_text().splitlines()]
    assert [r["epoch"] for r in rows_] == [1, 2, 3]


async def test_f7_shows_the_resumed_runs_settings_in_the_train_form(tmp_path, monkeypatch):
    """The Train tab's form beside a run F7 resumed is that run's config.json (model,
    data, sizes, settings, name), not the defaults or what was typed there before: the
    resumed run trains with the settings its folder holds."""
    monkeypatch.chdir(tmp_path)
    make_data(tmp_path / "data")
    run = stopped_in_first_epoch(tmp_path / "runs", "cut", epochs=3)
    config = json.loads((run / "config.json").read_text())
    config["model"] = {"name": "cnn", "overrides": {"dropout": 0.5}}
    config["data"] = {"sources": [str(tmp_path / "data/drawings/simplified")], "per_class": 150}
    config["optim"]["lr"] = 0.01
    (run / "config.json").write_text(json.dumps(config))
    app = tui(tmp_path, initial="runs")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("2")  # the Train tab is built the first time it is shown
        await pilot.pause()
        app.query_one("#f-data-per_class", Input).value = "7"  # typed before, not the run's
        await pilot.press("4")
        await pilot.pause()
        await pilot.press("f7")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.query_one("#tabs").active == "train"
        pane = app.query_one("#train-pane")
        assert pane.state.run == "cut"
        assert app.query_one("#train-model", Select).value == "cnn"
        assert app.query_one("#train-data", Select).value == "data/drawings/simplified"
        form = pane.form.values()
        assert form["name"] == "cut" and form["epochs"] == "3"
        assert form["data.per_class"] == "150" and form["optim.lr"] == "0.01"
        assert form["model.overrides.dropout"] == "0.5"
        assert form["model.overrides.channels"] == ""  # the model's own, as it trained
        assert form["batch_size"] == "32" and form["augment.enabled"] is True


async def test_f7_while_the_train_tab_trains_says_so_and_stays(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    going_cut_and_done(tmp_path / "runs")
    app = tui(tmp_path, mode="hold", initial="train")
    async with app.run_test(size=(100, 24)) as pilot:
        await pilot.press("f5")  # the Train tab's own run, held going
        pane = app.query_one("#train-pane")
        await until(pilot, lambda: pane.state.batch == 1, "its first batch")
        await pilot.press("4")
        await pilot.pause()
        table = app.query_one("#runs-table", DataTable)
        table.move_cursor(row=[r[0] for r in rows(app)].index("cut"))
        await pilot.press("f7")
        assert app.query_one("#tabs").active == "runs"
        assert str(app.query_one("#runs-message", Static).content) == (
            "the Train tab is training frankenstein-fake: one run at a time there (F6 on the "
            "Train tab stops it), then F7 resumes cut"
        )
        await pilot.press("2", "f6")  # stopped, so the app can close at once
        await app.workers.wait_for_complete()


async def test_the_runs_tab_reads_the_folder_again_when_shown(tmp_path, monkeypatch):
    """A run started (from a terminal, or the Train tab) while another tab was shown is
    listed once the Runs tab is shown again, without R."""
    monkeypatch.chdir(tmp_path)
    make_run(tmp_path / "runs", "old", mtime=1_700_000_000)
    app = tui(tmp_path, initial="runs")
    async with app.run_test(size=(100, 24)) as pilot:
        await pilot.pause()
        await pilot.press("2")
        make_run(tmp_path / "runs", "new", mtime=1_700_000_100)
        await pilot.press("4")
        await pilot.pause()
        assert [r[0] for r in rows(app)] == ["new", "old"]


def test_a_long_evaluation_folder_is_clipped_in_the_table():
    from ui.tui.runinfo import scored_on

    assert scored_on("drawings/raw") == "drawings"
    assert scored_on("data/my-own-doodles-of-december") == "my-own-doodles-of…"


def _wrong(true: str, snapped: str, premature: bool) -> dict:
    return {"true": true, "snapped": snapped, "stroke": 1, "strokes": 2, "premature": premature}


async def test_the_detail_names_the_commonest_wrong_snaps(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    real = report(0.62, [0.62] * 8, 0.9, 0.5)
    real["snap"]["wrong_snaps"] = [
        _wrong("hexagon", "octagon", False),
        _wrong("house", "square", True),
        _wrong("hexagon", "octagon", False),
        _wrong("fish", "sun", False),
    ]
    make_run(tmp_path / "runs", "lstm", real=real)
    app = tui(tmp_path, initial="runs")
    async with app.run_test(size=(100, 24)) as pilot:
        await pilot.pause()
        detail = str(app.query_one("#runs-detail", Static).content)
        assert (
            "wrong snaps: 4 (1 premature); most often hexagon->octagon 2, house->square 1, "
            "fish->sun 1" in detail
        )


async def test_compare_two_runs_side_by_side(runs, tmp_path):
    app = tui(tmp_path, initial="runs")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("c")
        assert "mark a run with M first" in message(app)
        await pilot.press("m", "c")
        assert message(app) == "lstm is the marked run: select another run and press C"
        await pilot.press("down", "c")
        await pilot.pause()
        table = app.screen.query_one("#compare-table", DataTable)
        got = {str(r[0]): (str(r[1]), str(r[2])) for r in map(table.get_row_at, range(9))}
        assert got["scored on"] == ("quickdraw-real-dev", "quickdraw-real-dev")  # as the table
        assert got["model"] == ("frankenstein", "cnn")
        assert got["top1"] == ("62.0%", "50.0%")
        assert got["  95% interval"] == ("56.4-67.3%", "44.4-55.6%")  # top1's
        assert got["after 1 stroke"] == ("30.0%", "31.0%")
        assert got["after 2 strokes"] == ("45.0%", "38.0%")
        footer_keys = {k.description for k in app.screen.query("FooterKey")}
        # not the Runs tab's Mark, Compare, Draw ...: Close and the app's Help and Quit
        assert footer_keys == {"Close", "Help", "Quit"}
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen.query("#runs-table")


async def test_compare_fits_two_default_run_names_at_80_columns(tmp_path, monkeypatch):
    """The screen was 72 columns whatever the terminal: the second run's column was
    clipped and the title cut mid-word, losing "(Esc closes)". It takes the terminal's
    width now: both runs' columns, named as `train` names runs, and the title fit."""
    monkeypatch.chdir(tmp_path)
    a, b = "frankenstein-20250301-101500", "frankenstein-20250301-094512"
    make_run(tmp_path / "runs", a, real=REAL, mtime=1_700_000_200)
    make_run(tmp_path / "runs", b, model="cnn", real=REAL_CNN, mtime=1_700_000_100)
    app = tui(tmp_path, initial="runs")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("m", "down", "c")
        await pilot.pause()
        table = app.screen.query_one("#compare-table", DataTable)
        assert [str(c.label) for c in table.ordered_columns] == ["", a, b]
        assert table.virtual_size.width <= table.scrollable_content_region.width
        box = app.screen.query_one("#compare").region
        esc = app.screen.query_one("#compare-esc", Static)
        assert str(esc.content) == "(Esc closes)" and box.contains_region(esc.region)
        title = app.screen.query_one("#compare-title", Static)
        assert str(title.content) == f"{a}  vs  {b}" and box.contains_region(title.region)


async def settle(app, pilot) -> None:
    await app.workers.wait_for_complete()
    await pilot.pause()


async def test_make_a_checkpoint_the_default_for_draw(runs, tmp_path):
    real_checkpoint(runs / "cnn")
    app = tui(tmp_path, initial="runs")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("down", "f")
        await settle(app, pilot)
        assert "`frankenstein draw` now starts with cnn/best.pt" in message(app)
        await pilot.press("down", "f")
        assert message(app) == "fresh has no best.pt yet"
    saved = read_default_model(tmp_path / "user-config" / "default_model.json")
    assert saved is not None
    assert (saved.model, saved.checkpoint) == ("cnn", (runs / "cnn" / "best.pt").resolve())


async def test_a_checkpoint_that_does_not_load_is_not_made_the_default(runs, tmp_path):
    app = tui(tmp_path, initial="runs")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f")  # lstm: its best.pt is not a checkpoint
        await settle(app, pilot)
        assert message(app).startswith("not made the default: runs/lstm/best.pt: not a checkpoint")
        assert app.query_one("#runs-message").has_class("failed")
    assert not (tmp_path / "user-config" / "default_model.json").exists()


async def wait_for(pilot, condition, what: str) -> None:
    deadline = time.monotonic() + 30  # only against hanging
    while not condition():
        assert time.monotonic() < deadline, f"gave up waiting for {what}"
        await pilot.pause(0.05)


async def test_draw_opens_the_window_on_the_run_checkpoint_in_its_own_process(runs, tmp_path):
    # The "window" is a real process that writes down its arguments, then stays open.
    record, pid = tmp_path / "argv.json", tmp_path / "window.pid"
    script = (
        "import json, os, sys, time\n"
        f"open({str(pid)!r}, 'w').write(str(os.getpid()))\n"
        f"with open({str(record)!r} + '.tmp', 'w') as f: json.dump(sys.argv[1:], f)\n"
        f"os.replace({str(record)!r} + '.tmp', {str(record)!r})\n"  # whole, or not there
        "time.sleep(60)"
    )
    real_checkpoint(runs / "cnn")
    app = tui(tmp_path, initial="runs", draw=(sys.executable, "-c", script))
    async with app.run_test(size=(80, 24)) as pilot:
        try:
            await pilot.press("down", "d")
            await wait_for(pilot, lambda: message(app).startswith("opened"), "the window")
            assert message(app) == "opened the drawing window on runs/cnn/best.pt"
            assert json.loads(record.read_text()) == [
                "--model",
                "cnn",
                "--checkpoint",
                "runs/cnn/best.pt",
            ]
        finally:
            if pid.exists():
                os.kill(int(pid.read_text()), signal.SIGTERM)
        record.unlink()
        await pilot.press("down", "d")  # fresh: no best.pt, so no window
        assert message(app) == "fresh has no best.pt yet"
        await pilot.press("up", "up", "d")  # lstm: a best.pt that does not load
        await settle(app, pilot)
        assert message(app).startswith("cannot open the drawing window: runs/lstm/best.pt: not a")
        assert not record.exists()


async def test_a_window_that_exits_at_once_is_reported_with_its_last_line(runs, tmp_path):
    script = "import sys; print('Traceback', file=sys.stderr); sys.exit('no display')"
    real_checkpoint(runs / "cnn")
    app = tui(tmp_path, initial="runs", draw=(sys.executable, "-c", script))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("down", "d")
        await settle(app, pilot)
        assert message(app) == "the drawing window exited with status 1: no display"
        assert app.query_one("#runs-message").has_class("failed")


async def test_an_empty_runs_folder_says_so(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    app = tui(tmp_path, initial="runs")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert message(app) == "no runs in runs/ yet: train one on the Train tab (2)"
        for key in "dfmc":
            app.query_one("#runs-pane").show("")
            await pilot.press(key)
            assert message(app) == "no run selected: there are no runs yet", key


async def test_a_runs_path_that_is_a_file_says_so(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "runs").write_text("not a folder")
    app = tui(tmp_path, initial="runs")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert message(app).startswith("runs is a file, not a runs folder")


async def test_a_broken_metrics_file_is_listed_with_the_problem(runs, tmp_path):
    (runs / "lstm" / "metrics.jsonl").write_text('{"epoch": 1, "val_acc": 0.4}\n{"epo')
    app = tui(tmp_path, initial="runs")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert rows(app)[0][3] == "40.0%"
        assert "problem: metrics.jsonl line 2: not JSON" in str(
            app.query_one("#runs-detail", Static).content
        )


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ({"eval_data": ["x"]}, "eval_data is not an object of reports"),
        ({"test": {"top1": 0.5, "snap": "x"}}, "test snap is not an object: 'x'"),
        ({"test": {"top1": "high"}}, "test top1 is not a number: 'high'"),
        (
            {"test": {"top1": 0.5, "accuracy_at_stroke": [{"k": "one", "so_far": 0.1}]}},
            "test accuracy_at_stroke has rows without a whole k and a share",
        ),
        ({"test": {"top1": 0.5, "intervals": {"top1": ["a", 1]}}}, "test intervals has bounds"),
        ({"test": "x"}, "test is not an object"),
    ],
)
async def test_a_malformed_eval_file_is_listed_with_the_problem(
    tmp_path, monkeypatch, content, problem
):
    monkeypatch.chdir(tmp_path)
    make_run(tmp_path / "runs", "good", real=REAL, mtime=1_700_000_300)
    bad = make_run(tmp_path / "runs", "odd", mtime=1_700_000_200)
    (bad / "eval.json").write_text(json.dumps(content))
    app = tui(tmp_path, initial="runs")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert [r[0] for r in rows(app)] == ["good", "odd"]
        await pilot.press("down")
        detail = str(app.query_one("#runs-detail", Static).content)
        assert detail.startswith("odd: frankenstein on synthetic")
        assert f"problem: eval.json: {problem}" in detail


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ('{"test": {"top1": 0.5}\n"eval_data": {}}', "Expecting ',' delimiter: line 2"),
        ('{"test": "x"}', "test is not an object"),
    ],
)
async def test_an_eval_file_with_nothing_to_show_says_its_problem_alone(
    tmp_path, monkeypatch, content, problem
):
    """A broken eval.json was shown with its problem and then "no eval report yet
    (eval.json is written when a run finishes)", which it was: the problem alone says
    why there is no report."""
    monkeypatch.chdir(tmp_path)
    bad = make_run(tmp_path / "runs", "odd")
    (bad / "eval.json").write_text(content)
    app = tui(tmp_path, initial="runs")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        detail = str(app.query_one("#runs-detail", Static).content)
        assert f"problem: eval.json: {problem}" in detail
        assert "no eval report" not in detail


def test_an_interval_of_nothing_counted_is_no_problem():
    """evaluate.py writes null for the interval of a share of nothing (no snap: no
    precision), as every run with no snap on its test split has; it was listed as a
    problem ("intervals has bounds that are not two numbers")."""
    from ui.tui.evalfile import clean_eval

    problems: list[str] = []
    bounds = {"top1": [0.4, 0.6], "snap_precision": None}
    out = clean_eval({"test": {"top1": 0.5, "intervals": bounds}}, problems)
    assert problems == [] and out["test"]["intervals"] == {"top1": [0.4, 0.6]}


async def test_a_metrics_file_that_is_not_text_is_listed_with_the_problem(runs, tmp_path):
    (runs / "lstm" / "metrics.jsonl").write_bytes(b'{"epoch": 1, "val_acc": 0.4}\n\xff\xfe')
    app = tui(tmp_path, initial="runs")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert rows(app)[0][:4] == ["lstm", "frankenstein", "0/3", "-"]
        detail = str(app.query_one("#runs-detail", Static).content)
        assert "problem: metrics.jsonl: 'utf-8' codec can't decode byte 0xff" in detail


def break_file(run: Path, name: str, text: str) -> None:
    """`name` in `run` made unreadable, its config.json's time (the table's order) kept."""
    when = (run / "config.json").stat().st_mtime
    (run / name).write_text(text)
    os.utime(run / "config.json", (when, when))


async def test_a_run_a_broken_file_keeps_from_resuming_is_not_offered_to_f7(tmp_path, monkeypatch):
    """Cut short with a last.pt, but with a config.json `train --resume` refuses, or a
    metrics.jsonl it would cut short at the broken line: no "stopped" and no resume
    promise (F7 then failed in the trainer); the problem is said where the promise was,
    and F7 says it instead of starting the trainer."""
    monkeypatch.chdir(tmp_path)
    runs = going_cut_and_done(tmp_path / "runs")
    break_file(runs / "going", "metrics.jsonl", '{"epoch": 1, "val_acc": 0.5}\n{"epo')
    break_file(runs / "cut", "config.json", '{"model": 5\n')
    app = tui(tmp_path, initial="runs")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert [r[:3] for r in rows(app)] == [
            ["going", "frankenstein", "1/3"],
            ["cut", "?", "1"],
            ["done", "frankenstein", "2/2"],
        ]
        detail = str(app.query_one("#runs-detail", Static).content)
        assert "F7 resumes it" not in detail
        broken = "metrics.jsonl line 2: not JSON"
        assert (
            f"cut short after epoch 1 of 3, but it cannot be resumed as it is: {broken}" in detail
        )
        assert "problem:" not in detail  # said once, where the promise was
        await pilot.press("f7")
        await pilot.pause()
        assert message(app) == f"nothing to resume: going cannot be resumed as it is: {broken}"
        await pilot.press("down", "f7")
        await pilot.pause()
        assert "F7 resumes it" not in str(app.query_one("#runs-detail", Static).content)
        assert message(app).startswith("nothing to resume: cut cannot be resumed as it is: ")
        assert app.query_one("#tabs").active == "runs"
        assert app.pane("train") is None  # no trainer started: the Train tab never composed


async def test_the_snap_cell_keeps_its_percent_signs_at_80_columns(tmp_path, monkeypatch):
    """The snap P/R cell, '-/0.0%', was the table's last at 80 columns and cut there
    to '-/0.0', a percent without its sign beside the others' '15.6%'. Its figures are
    whole percents now, each with its sign, '-/0%', short enough to be seen whole; a
    share neither none nor all is never rounded to either."""
    from ui.tui.runinfo import whole_pct

    monkeypatch.chdir(tmp_path)
    test = report(0.156, [0.12, 0.13], None, 0.0)
    make_run(tmp_path / "runs", "this-is-a-very-long-run-name-that-goes-on", model="cnn", test=test)
    app = tui(tmp_path, initial="runs")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert rows(app)[0][4:6] == ["15.6%", "-/0%"]
        table = app.query_one("#runs-table", DataTable)
        line = table.render_lines(Region(0, 0, *table.size))[1].text
        assert line[: table.scrollable_content_region.width].split()[4:6] == ["15.6%", "-/0%"]
    shown = [whole_pct(v) for v in (0.0, 0.004, 0.41, 0.996, 1.0, None)]
    assert shown == ["0%", "<1%", "41%", ">99%", "100%", "-"]


async def test_a_run_whose_training_ended_before_saving_anything_shows_as_failed(
    tmp_path, monkeypatch
):
    """What a training that diverged (or crashed, or was killed) in its first epoch
    leaves: config.json, train.log and its progress.json, which an ending training
    removes. It read `0/1` with "no eval report yet", as if still to come."""
    monkeypatch.chdir(tmp_path)
    run = make_run(tmp_path / "runs", "inf", val_accs=(), checkpoint=False)
    config = json.loads((run / "config.json").read_text())
    (run / "config.json").write_text(json.dumps({**config, "epochs": 1}))
    (run / "metrics.jsonl").unlink()
    (run / "train.log").write_text("2026-12-07 05:05:33 start inf: cnn, 1 epoch of 12 batches\n")
    (run / "progress.json").write_text(json.dumps({"event": "start", "run": "inf", "pid": 4242}))
    app = tui(tmp_path, initial="runs")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert rows(app)[0][:3] == ["inf", "frankenstein", "0/1 failed"]
        detail = str(app.query_one("#runs-detail", Static).content)
        assert "no eval report yet" not in detail
        assert (
            "problem: its training (pid 4242) ended before saving anything: it failed or was "
            "killed (the command that ran it said why); `frankenstein train --resume name=inf "
            "out_dir=runs` starts it again from epoch 1"
        ) in detail


LONG = "frankenstein-lr0.002-batch64-dropout0.3-augment-strong-s1234"  # 60 characters


async def test_a_long_run_name_is_shortened_in_its_cell_and_whole_elsewhere(tmp_path, monkeypatch):
    """A 60-character run name widened its column to 60: at 80 x 24 the other columns
    (model, epochs, best val) were off the screen. The cell shows its start and end
    around '…' in 28 cells (where the terminal has room for the columns beside 28: 100
    here; at 80 it takes fewer, see the next test); the row's key, the detail, the
    tooltip over the row, the mark and the curves screen keep the whole name."""
    from ui.tui.screens.curves import CurvesScreen

    assert len(LONG) == 60
    monkeypatch.chdir(tmp_path)
    make_run(tmp_path / "runs", LONG, val_accs=(0.5, 0.7), mtime=1_700_000_100)
    make_run(tmp_path / "runs", "frankenstein-20240501-123000", val_accs=(0.5,))
    app = tui(tmp_path, initial="runs")
    async with app.run_test(size=(100, 24)) as pilot:
        await pilot.pause()
        table = app.query_one("#runs-table", DataTable)
        cell = rows(app)[0][0]
        assert cell == "frankenstein-l…-strong-s1234" and len(cell) == 28
        assert rows(app)[1][0] == "frankenstein-20240501-123000"  # a default name: whole
        assert table.ordered_rows[0].key.value == LONG
        screen = [s.text for s in table.render_lines(Region(0, 0, *table.size))]
        assert screen[1].split()[:4] == [cell, "frankenstein", "2/2", "70.0%"]  # on screen
        detail = str(app.query_one("#runs-detail", Static).content)
        assert detail.startswith(f"{LONG}: frankenstein on synthetic")
        await pilot.hover("#runs-table", offset=(5, 1))  # over the first run's row
        assert table.tooltip == LONG
        await pilot.hover("#runs-table", offset=(5, 2))  # a name shown whole: no tooltip
        assert table.tooltip is None
        await pilot.press("m")
        await pilot.pause()
        assert app.query_one("#runs-pane").marked == LONG
        assert message(app) == f"marked {LONG}: select another run and press C"
        marked = rows(app)[0][0]
        assert marked.startswith("* ") and "…" in marked and len(marked) == 28
        await pilot.press("l")
        await pilot.pause()
        assert isinstance(app.screen, CurvesScreen) and app.screen.run.name == LONG


async def test_every_column_and_the_figures_fit_80_columns_beside_a_28_character_name(
    tmp_path, monkeypatch
):
    """With 28-character run names (`train`'s own, `frankenstein-20240501-123000`) the
    table needed 90 to 99 columns: at 80 the "scored on" folder pushed top1 and snap P/R
    off the right edge. The figures now come before "scored on", the free text, last,
    and the name takes what the other columns leave it (its start and end, whole in the
    tooltip), back to 28 cells when the terminal widens."""
    monkeypatch.chdir(tmp_path)
    default = "frankenstein-20240501-123000"
    make_run(tmp_path / "runs", default, real=REAL, mtime=1_700_000_200)
    make_run(tmp_path / "runs", "a-run-on-its-own-test-split1", test=REAL)
    app = tui(tmp_path, initial="runs")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        table = app.query_one("#runs-table", DataTable)
        width = table.scrollable_content_region.width

        def screen() -> list[list[str]]:
            lines = table.render_lines(Region(0, 0, *table.size))
            return [line.text[:width].split() for line in lines[:3]]

        header, first, second = screen()
        assert " ".join(header) == "run model epochs best val top1 snap P/R scored on"
        assert first[0] == rows(app)[0][0] and "…" in first[0]
        assert first[4:6] == ["62.0%", "92%/41%"] and second[4:6] == ["62.0%", "92%/41%"]
        await pilot.hover("#runs-table", offset=(5, 1))
        assert table.tooltip == default
        await pilot.resize_terminal(120, 24)
        await pilot.pause()
        width = table.scrollable_content_region.width
        assert [row[0] for row in screen()[1:]] == [default, "a-run-on-its-own-test-split1"]
        assert screen()[1][-2:] == ["92%/41%", "quickdraw-real-dev"]
