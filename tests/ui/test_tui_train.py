"""The Train tab driven by pilot: a run to completion, Stop, Resume, a crash, bad settings.

The trainer is a real child process: the fake trainer (tests/ui/fake_trainer.py),
which speaks the real event protocol in hundredths of a second, and once (slow) the
real `frankenstein train --dry-run`.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from pathlib import Path

import pytest
from textual.geometry import Region
from textual.widgets import Checkbox, DataTable, Input, ProgressBar, Select, Static

from tests.ui.tui_helpers import enabled, fake_trainer, going_cut_and_done, make_data, tui
from ui.tui.app import create_app
from ui.tui.context import cli
from ui.tui.trainstate import TrainState


@pytest.fixture
def here(tmp_path, monkeypatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def status_text(app) -> str:
    return str(app.query_one("#train-status", Static).content)


def bar(app, which: str) -> ProgressBar:
    return app.query_one(f"#train-{which}-bar", ProgressBar)


async def wait_until(pilot, condition, what: str, limit_s: float = 30.0) -> None:
    """Let the app run until `condition()` holds (a deadline only against hanging)."""
    deadline = time.monotonic() + limit_s
    while not condition():
        assert time.monotonic() < deadline, f"gave up waiting for {what}"
        await pilot.pause(0.02)


async def stop_while(app, pilot, what: str):
    """Start a run (F5), stop it (F6) once it reports `what`; the Train pane, settled."""
    await pilot.press("f5")
    pane = app.query_one("#train-pane")
    await wait_until(pilot, lambda: pane.state.what.startswith(what), "the data")
    await pilot.press("f6")
    await app.workers.wait_for_complete()
    await pilot.pause()
    return pane


async def test_a_run_shows_progress_curves_and_completion(here):
    app = tui(here)
    async with app.run_test(size=(80, 24)) as pilot:
        app.query_one("#f-epochs", Input).value = "3"
        await pilot.press("f5")
        await app.workers.wait_for_complete()
        await pilot.pause()
        pane = app.query_one("#train-pane")
        assert pane.state.status == "done"
        assert status_text(app).startswith("done frankenstein-fake: completed")
        assert status_text(app).endswith("\nep 3/3 4/4 ETA 0:00 best 82.5%")
        assert (bar(app, "epoch").total, bar(app, "epoch").progress) == (3, 3)
        assert (bar(app, "batch").total, bar(app, "batch").progress) == (4, 4)
        assert len(pane.state.train_loss) == 12 and len(pane.state.val_acc) == 3
        assert pane.state.test_top1 == 0.75
        log = "\n".join(pane.lines)
        assert log.startswith("$ frankenstein train model=frankenstein 'data.sources=")
        assert "epochs=3" in log and log.count("\nepoch ") == 3
        assert "done (completed): 3 epochs" in log
        # The Runs tab was refreshed when the run ended.
        await pilot.press("4")
        await pilot.pause()
        table = app.query_one("#runs-table", DataTable)
        assert table.row_count == 1
        assert table.get_row_at(0)[:4] == ["frankenstein-fake", "frankenstein", "3/3", "82.5%"]
    assert json.loads((here / "runs/frankenstein-fake/config.json").read_text())["epochs"] == 3


async def test_settings_from_the_form_and_pickers_reach_the_trainer(here):
    app = tui(here)
    async with app.run_test(size=(80, 24)) as pilot:
        app.query_one("#train-model").value = "cnn"
        name = app.query_one("#f-name", Input)
        name.focus()
        await pilot.press(*"mine")
        await pilot.press("f5")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.query_one("#train-pane").state.status == "done"
    config = json.loads((here / "runs/mine/config.json").read_text())
    assert config["model"]["name"] == "cnn" and config["data"]["sources"] == ["synthetic"]


async def test_model_sizes_are_checked_against_the_picked_model_and_reach_the_trainer(here):
    from training.config import load_config

    app = tui(here)
    async with app.run_test(size=(80, 24)) as pilot:
        form = app.query_one("#train-form")
        layers = app.query_one("#f-model-overrides-lstm_layers", Input)
        hidden = app.query_one("#f-model-overrides-lstm_hidden", Input)
        assert (layers.value, layers.placeholder, hidden.placeholder) == ("", "3", "128")
        app.query_one("#train-model").value = "cnn"
        await pilot.pause()
        assert layers.placeholder == "no LSTM"
        app.query_one("#train-model").value = "frankenstein-small"
        await pilot.pause()
        assert hidden.placeholder == "64"  # the small model's own size
        # Each wrong size under its field, at once; small's projection is 32.
        layers.value, hidden.value = "0", "16"
        app.query_one("#f-model-overrides-dropout", Input).value = "1.5"
        await pilot.press("f5")
        await pilot.pause()
        await pilot.pause()
        assert form.error_of("model.overrides.lstm_layers") == (
            "lstm_hidden, lstm_layers and head_hidden must be >= 1"
        )
        assert form.error_of("model.overrides.lstm_hidden") == (
            "lstm_proj=32 must be 0 (none) or below lstm_hidden=16"
        )
        assert form.error_of("model.overrides.dropout") == "dropout=1.5 must be in [0, 1)"
        assert form.error_of("model.overrides.head_hidden") == ""
        assert app.focused is hidden  # the first one in the form
        assert app.query_one("#train-pane").state.status == "idle"
        assert not app.workers._workers  # nothing started
        app.query_one("#f-model-overrides-dropout", Input).value = ""
        layers.value = "2"
        hidden.value = ""  # the model's own 64
        await pilot.press("f5")
        await app.workers.wait_for_complete()
        await pilot.pause()
        pane = app.query_one("#train-pane")
        assert pane.state.status == "done"
        settings = pane.supervisor.argv[len(pane.ctx.trainer) : -1]  # without --events
    assert "model=frankenstein-small" in settings and "model.overrides.lstm_layers=2" in settings
    model = load_config(overrides=settings).model_cfg()  # as `frankenstein train` reads them
    assert (model.lstm_layers, model.lstm_hidden, model.lstm_proj) == (2, 64, 32)
    config = json.loads((here / "runs/frankenstein-small-fake/config.json").read_text())
    assert config["model"] == {"name": "frankenstein-small", "overrides": {"lstm_layers": 2}}


async def test_invalid_settings_are_shown_next_to_their_fields_and_nothing_starts(here):
    app = tui(here)
    async with app.run_test(size=(80, 24)) as pilot:
        form = app.query_one("#train-form")
        app.query_one("#f-epochs", Input).value = "0"
        app.query_one("#f-optim-lr", Input).value = "fast"
        app.query_one("#f-augment-scale", Input).value = "[0.9, 0.5]"
        await pilot.press("f5")
        await pilot.pause()
        assert form.error_of("epochs") == "Input should be greater than or equal to 1"
        assert form.error_of("optim.lr") == "a number, not 'fast'"
        assert form.error_of("batch_size") == ""
        assert app.query_one("#train-pane").state.status == "idle"
        assert not app.workers._workers  # no trainer was started
        # The scale error comes from TrainConfig's own validator, once the rest parses.
        app.query_one("#f-epochs", Input).value = "2"
        app.query_one("#f-optim-lr", Input).value = "0.01"
        await pilot.press("f5")
        await pilot.pause()
        await pilot.pause()
        assert form.error_of("epochs") == ""
        assert "must be [lo, hi] with 0 < lo <= hi <= 1" in form.error_of("augment.scale")
        assert app.focused is app.query_one("#f-augment-scale")
    assert not (here / "runs").exists()


async def test_stop_interrupts_the_run_and_resume_continues_it(here):
    app = tui(here, mode="hold")
    buttons = "#train-start, #train-stop, #train-resume"
    async with app.run_test(size=(80, 24)) as pilot:
        assert enabled(app, buttons) == ["train-start", "train-resume"]  # nothing to stop
        await pilot.click("#train-start")
        pane = app.query_one("#train-pane")
        assert enabled(app, buttons) == ["train-stop"]  # from the moment it is launched
        await wait_until(pilot, lambda: pane.state.batch == 1, "the first batch")
        assert pane.state.status == "running" and "ETA 0:35" in status_text(app)
        assert enabled(app, buttons) == ["train-stop"]
        await pilot.click("#train-stop")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert pane.state.status == "stopped"
        assert enabled(app, buttons) == ["train-start", "train-resume"]
        assert pane.last_run == "frankenstein-fake"
        assert status_text(app).startswith("stopped frankenstein-fake (Resume: F7)")
        assert "ETA --:--" in status_text(app)
        assert (here / "runs/frankenstein-fake/last.pt").is_file()
    # A later session resumes it by name (the trainer now runs to the end).
    app = tui(here)
    async with app.run_test(size=(80, 24)) as pilot:
        app.query_one("#f-name", Input).value = "frankenstein-fake"
        await pilot.click("#train-resume")
        await app.workers.wait_for_complete()
        await pilot.pause()
        pane = app.query_one("#train-pane")
        assert pane.state.status == "done"
        assert pane.lines[0].startswith("$ frankenstein train --resume name=frankenstein-fake ")
        assert any("resumed at epoch 1" in line for line in pane.lines)


async def test_the_logged_commands_paste_with_an_odd_name_and_runs_folder(here):
    """The log's `$ frankenstein train model="frankenstein" data.sources=["synthetic"]
    out_dir="/.../my runs/\\u00fcn\\u00efcode"` lost its quotes to a shell, split at the
    space and showed \\u escapes: it is the argv, shell-quoted, and reads back as the
    settings the trainer got (it trained and resumed the run where the form said)."""
    from tests.pasted import ODD_DIR, ODD_NAME, resumed_config, train_args
    from ui.commands.train import resolve_config

    runs = here.joinpath(*ODD_DIR)
    app = tui(here, mode="hold", runs=runs)
    async with app.run_test(size=(80, 24)) as pilot:
        app.query_one("#f-name", Input).value = ODD_NAME
        await pilot.press("f5")
        pane = app.query_one("#train-pane")
        await wait_until(pilot, lambda: pane.state.batch == 1, "the first batch")
        started = pane.lines[0]
        await pilot.press("f6")
        await app.workers.wait_for_complete()
    app = tui(here, runs=runs)  # a later session resumes it by name, to the end
    async with app.run_test(size=(80, 24)) as pilot:
        app.query_one("#f-name", Input).value = ODD_NAME
        await pilot.press("f7")
        await app.workers.wait_for_complete()
        await pilot.pause()
        pane = app.query_one("#train-pane")
        assert pane.state.status == "done"
        resumed = pane.lines[0]
    assert "\\u" not in started and "ünïcode" in started
    cfg = resolve_config(train_args(started.removeprefix("$ ")).settings, resume=False)
    assert (cfg.name, cfg.run_dir, cfg.data.sources) == (ODD_NAME, runs / ODD_NAME, ("synthetic",))
    assert resumed_config(resumed.removeprefix("$ ")).run_dir == runs / ODD_NAME
    assert (runs / ODD_NAME / "eval.json").is_file()  # where the trainer, given the argv, ran


async def test_enter_on_start_moves_the_focus_to_stop_and_f6_stops_the_run(here):
    """Start disabled under the focus hands it to Stop (not to nothing, where the
    pane's F6 would be dead), and Stop disabled when the run ends hands it back."""
    app = tui(here, mode="hold")
    async with app.run_test(size=(80, 24)) as pilot:
        app.query_one("#train-start").focus()
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        pane = app.query_one("#train-pane")
        assert getattr(app.focused, "id", None) == "train-stop"
        await wait_until(pilot, lambda: pane.state.batch == 1, "the first batch")
        await pilot.press("f6")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert pane.state.status == "stopped"
        assert getattr(app.focused, "id", None) == "train-start"


async def test_a_crashing_trainer_shows_as_failed_and_the_tui_keeps_working(here):
    app = tui(here, mode="crash")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.click("#train-start")
        await app.workers.wait_for_complete()
        await pilot.pause()
        pane = app.query_one("#train-pane")
        assert pane.state.status == "failed"
        assert app.query_one("#train-status").has_class("failed")
        assert "exited with status 1" in pane.state.message
        assert "RuntimeError: fake trainer crashed on purpose" in pane.state.message
        assert pane.lines[-1].startswith("FAILED: the trainer exited with status 1")
        assert status_text(app) == (
            "FAILED frankenstein-fake\nRuntimeError: fake trainer crashed on purpose"
        )
        # Still responsive: tabs switch and the crashed run is listed without results.
        await pilot.press("4")
        await pilot.pause()
        table = app.query_one("#runs-table", DataTable)
        # the name's cell shortened: at 80 columns the others leave it 16 cells
        assert table.ordered_rows[0].key.value == "frankenstein-fake"
        assert table.get_row_at(0)[1:4] == ["frankenstein", "0/2 failed", "-"]
        await pilot.press("2")
        await pilot.pause()
        assert app.query_one("#tabs").active == "train"


async def test_a_trainer_that_cannot_start_is_a_failure_not_a_crash(here):
    app = tui(here, trainer=[str(here / "no-such-trainer")])
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f5")
        await app.workers.wait_for_complete()
        await pilot.pause()
        state = app.query_one("#train-pane").state
        assert state.status == "failed" and "cannot start" in state.message


async def test_quitting_during_a_run_stops_the_trainer(here):
    app = tui(here, mode="hold")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f5")
        pane = app.query_one("#train-pane")
        await wait_until(pilot, lambda: pane.state.batch == 1, "the first batch")
        process = pane.supervisor.process
    # Leaving run_test cancels the worker, which interrupts the child and waits for it.
    assert process.returncode == 130
    await asyncio.sleep(0)


@pytest.mark.slow
async def test_a_real_dry_run_through_the_tui(here):
    app = tui(here, trainer=list(cli("train")))
    async with app.run_test(size=(80, 24)) as pilot:
        app.query_one("#train-dry-run").value = True
        app.query_one("#f-name", Input).value = "real"
        await pilot.press("f5")
        await app.workers.wait_for_complete()
        await pilot.pause()
        state = app.query_one("#train-pane").state
        assert state.status == "done", state.message
        assert state.epochs == 1 and state.batch == state.batches == 1
        assert state.test_top1 is not None
    run = here / "runs" / state.run
    assert {"config.json", "metrics.jsonl", "best.pt", "last.pt", "eval.json"} <= {
        p.name for p in run.iterdir()
    }
    assert sys.executable  # the trainer ran under this interpreter (cli())


async def test_stopped_before_the_run_started_there_is_nothing_to_resume(here):
    app = tui(here, mode="hold-data")
    async with app.run_test(size=(80, 24)) as pilot:
        pane = await stop_while(app, pilot, "generating")
        assert pane.state.status == "stopped" and not pane.state.resumable
        assert status_text(app).startswith("stopped before it started\n")
        assert "generating" not in status_text(app)
        assert pane.lines[-1] == (
            "stopped before the run started (no run folder yet): nothing to resume"
        )
        await pilot.press("f7")
        await pilot.pause()
        assert pane.lines[-1].startswith("nothing to resume")
        assert pane.state.status == "stopped"
    assert not (here / "runs").exists()


async def test_stopped_while_preparing_its_data_a_run_is_started_by_resume(here):
    app = tui(here, mode="hold-prepare")
    async with app.run_test(size=(80, 24)) as pilot:
        pane = await stop_while(app, pilot, "1/3 train: reading")
        assert pane.state.status == "stopped" and pane.state.resumable
        assert pane.state.run == "frankenstein-fake"  # from "done": there was no "start"
        assert status_text(app).startswith("stopped frankenstein-fake (Resume: F7)\n")
        assert pane.lines[-1] == (
            "stopped before training began: Resume (F7) starts frankenstein-fake at epoch 1"
        )
        assert not (here / "runs/frankenstein-fake/last.pt").exists()
        await pilot.press("f7")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert pane.state.status == "done", pane.lines
        assert pane.state.epoch == 2 and len(pane.state.val_acc) == 2


async def test_resume_puts_the_epochs_before_the_stop_back_on_the_curves(here):
    # Held at the fifth batch: epoch 1 is done (in metrics.jsonl) when Stop comes.
    app = tui(here, trainer=[*fake_trainer("hold"), "--hold-at=5"])
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f5")
        pane = app.query_one("#train-pane")
        await wait_until(pilot, lambda: pane.state.epoch == 1 and pane.state.batch == 1, "epoch 2")
        await pilot.press("f6")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert pane.state.status == "stopped"
        assert "done (interrupted): 1 epoch, best val acc -" in pane.lines
    app = tui(here)  # a later session: the epochs of its metrics.jsonl
    async with app.run_test(size=(80, 24)) as pilot:
        app.query_one("#f-name", Input).value = "frankenstein-fake"
        await pilot.press("f7")
        await app.workers.wait_for_complete()
        await pilot.pause()
        pane = app.query_one("#train-pane")
        assert pane.state.status == "done"
        assert any("resumed at epoch 2" in line for line in pane.lines)
        assert [x for x, _ in pane.state.val_acc] == [1.0, 2.0]
        assert pane.state.val_acc[0] == (1.0, 0.6)  # epoch 1, from metrics.jsonl
        # epoch 1's row, then epoch 2 from after the batch it stopped at
        assert [x for x, _ in pane.state.train_loss] == [1.0, 1.5, 1.75, 2.0]


async def test_resume_keeps_the_curve_this_tab_drew_before_the_stop(here):
    """Stopped in the middle of its first epoch (no metrics.jsonl row yet) and resumed
    on the tab that ran it: the curve goes on from where it stopped, batch by batch,
    not from the resume's first batch with the epoch's start left empty."""
    app = tui(here, trainer=[*fake_trainer("hold"), "--hold-at=2"])
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f5")
        pane = app.query_one("#train-pane")
        await wait_until(pilot, lambda: pane.state.batch == 2, "batch 2")
        await pilot.press("f6")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert pane.state.status == "stopped"
        drawn = list(pane.state.train_loss)
        assert [x for x, _ in drawn] == [0.25, 0.5]
        await pilot.press("f7")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert pane.state.status == "done"
        assert any("resumed at epoch 1" in line for line in pane.lines)
        xs = [x for x, _ in pane.state.train_loss]
        assert xs == [0.25, 0.5, 0.75, 1.0, 1.25, 1.5, 1.75, 2.0]
        assert pane.state.train_loss[:2] == drawn
        assert [x for x, _ in pane.state.val_acc] == [1.0, 2.0]
        plot = [line[6:] for line in str(app.query_one("#train-loss").render()).splitlines()[1:]]
        first = min(len(row) - len(row.lstrip()) for row in plot if row.strip())
        assert first < len(plot[0]) / 6  # drawn from the start (x 0.25 of 2 epochs)


async def test_resume_takes_the_typed_name_and_refuses_a_finished_run(here):
    app = tui(here)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f5")
        await app.workers.wait_for_complete()
        await pilot.pause()
        pane = app.query_one("#train-pane")
        assert pane.state.status == "done"
        eval_file = here / "runs/frankenstein-fake/eval.json"
        written = eval_file.stat().st_mtime_ns
        await pilot.press("f7")  # the run just finished
        await pilot.pause()
        assert pane.lines[-1] == "nothing to resume: frankenstein-fake is finished (2 epochs)"
        app.query_one("#f-name", Input).value = "other"
        await pilot.press("f7")
        await pilot.pause()
        assert pane.lines[-1] == "nothing to resume: no run other in runs"
        app.query_one("#f-name", Input).value = "../runs"  # looked for out of runs/ before
        await pilot.press("f7")
        await pilot.pause()
        assert pane.lines[-1].startswith("nothing to resume: '../runs' is not one folder name")
        assert not app.workers._workers or all(w.is_finished for w in app.workers._workers)
    assert eval_file.stat().st_mtime_ns == written


async def test_start_with_a_taken_name_is_refused_under_the_name_and_nothing_starts(here):
    """The name of a finished run, left in the form after it completed: F5 said so only
    once its child failed, in red with advice for a terminal ("choose another name=...,
    or train it on with --resume epochs=N"); now under the field, before any child, as
    for a stopped run's name (which F7 resumes). A dry run has its own folder."""
    going_cut_and_done(here / "runs")
    app = tui(here)
    async with app.run_test(size=(80, 24)) as pilot:
        form, pane = app.query_one("#train-form"), app.query_one("#train-pane")
        app.query_one("#f-name", Input).value = "mine"
        app.query_one("#f-epochs", Input).value = "2"
        await pilot.press("f5")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert pane.state.status == "done" and form.error_of("name") == ""
        eval_file = here / "runs/mine/eval.json"
        written = eval_file.stat().st_mtime_ns
        app.query_one("#train-model").focus()
        await pilot.press("f5")  # the name is still in the form
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert form.error_of("name") == (
            "a finished run of this name exists (2 epochs): choose another name"
        )
        assert pane.lines[-1] == "not started: fix the settings marked in the form"
        assert pane.state.status == "done"  # still the first run's: nothing started
        assert app.focused is app.query_one("#f-name")
        app.query_one("#f-name", Input).value = "cut"  # stopped after epoch 1 of 3
        await pilot.press("f5")
        await pilot.pause()
        assert form.error_of("name") == (
            "a run of this name exists: choose another name, or Resume (F7) it"
        )
        app.query_one("#f-name", Input).value = "mine"
        app.query_one("#train-dry-run", Checkbox).value = True
        assert pane.build_command() is not None  # into runs/mine-dry-run
        assert form.error_of("name") == ""
    assert eval_file.stat().st_mtime_ns == written


async def test_the_form_adds_a_fields_error_line_at_its_first_error_and_shows_it(here):
    """Each of the form's 52 fields was a box holding its row and an empty, hidden error
    line: 104 of the Train tab's 331 widgets, the form most of the TUI's start. A field is its
    row now, its error line added under it at its first error, scrolled in view with
    it, as before (the seed, far down the form), and kept, emptied, once mended."""
    app = tui(here)
    async with app.run_test(size=(80, 24)) as pilot:
        form = app.query_one("#train-form")
        rows = form.query(".field-row")
        assert len(rows) == len(form.fields) and all(r.parent is form for r in rows)
        assert [w.id for w in form.query(".field-error")] == ["form-error"]  # none yet
        app.query_one("#f-seed", Input).value = ""
        await pilot.press("f5")
        await pilot.pause()
        await pilot.pause()
        assert [w.id for w in form.query(".field-error")] == ["form-error", "f-seed-error"]
        assert app.focused is app.query_one("#f-seed")
        line, row = app.query_one("#f-seed-error"), app.query_one("#f-seed-row")
        assert str(line.content) == "a value is needed" and line.region.height == 1
        assert line.region.y == row.region.bottom  # under its row
        assert form.region.contains_region(line.region.union(row.region))
        app.query_one("#f-seed", Input).value = "0"
        app.query_one("#f-epochs", Input).value = "0"
        await pilot.press("f5")
        await pilot.pause()
        assert form.error_of("seed") == "" and line.region.height == 0  # hidden
        assert "greater than or equal to 1" in form.error_of("epochs")


async def test_every_field_error_is_shown_at_once_with_its_line_in_view(here):
    app = tui(here)
    async with app.run_test(size=(80, 24)) as pilot:
        form = app.query_one("#train-form")
        values = {"epochs": "3.5", "batch_size": "-1", "augment-scale": "0.7", "seed": ""}
        for key, text in values.items():
            app.query_one(f"#f-{key}", Input).value = text
        app.query_one("#f-name", Input).value = "../x"
        await pilot.press("f5")
        await pilot.pause()
        await pilot.pause()
        assert form.error_of("seed") == "a value is needed"
        assert "valid integer" in form.error_of("epochs")
        assert "greater than or equal to 1" in form.error_of("batch_size")
        assert form.error_of("augment.scale") != ""
        assert "is not one folder name" in form.error_of("name")
        # Only the seed wrong, far down the form: its error line is scrolled in view.
        app.query_one("#f-name", Input).value = ""
        app.query_one("#f-epochs", Input).value = "2"
        app.query_one("#f-batch_size", Input).value = "32"
        app.query_one("#f-augment-scale", Input).value = "[0.8, 1.0]"
        await pilot.press("f5")
        await pilot.pause()
        await pilot.pause()
        assert app.focused is app.query_one("#f-seed")
        line = app.query_one("#f-seed-error")
        assert line.region.height == 1 and form.region.contains_region(line.region)
    assert not (here / "runs").exists()


async def test_the_status_line_fits_at_80_columns(here):
    app = tui(here)
    async with app.run_test(size=(80, 24)) as pilot:
        pane = app.query_one("#train-pane")
        pane.state = TrainState(
            status="running", run="frankenstein-20261206-014500", epochs=30, epoch=9,
            batches=5000, batch=1234, eta_s=3723.0, best_val_acc=0.825,
        )  # fmt: skip
        pane.refresh_view()
        await pilot.pause()
        line = status_text(app).splitlines()[1]
        assert line == "ep 10/30 1234/5000 ETA 1:02:03 best 82.5%"
        assert len(line) <= app.query_one("#train-status").content_region.width


async def test_every_field_label_has_room_before_its_value(here):
    app = tui(here)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        labels = {str(w.content): w.size.width for w in app.query(".field-label")}
        assert "  label_smoothing" in labels
        assert {text: width for text, width in labels.items() if len(text) >= width} == {}


async def test_every_form_input_fits_its_column_and_shows_its_cursor(here):
    """An input as wide as the column after its label: a long value (a name, an
    eval_data path) scrolls to keep the cursor and its end in view."""
    app = tui(here)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        column = app.query_one("#train-form").scrollable_content_region
        inputs = list(app.query("#train-form Input").results(Input))
        assert inputs and [w.id for w in inputs if w.region.right > column.right] == []
        name = app.query_one("#f-name", Input)
        name.focus()
        await pilot.pause()
        await pilot.press(*"a-rather-long-run-name-for-this-field")
        await pilot.pause()
        assert name.value == "a-rather-long-run-name-for-this-field"
        # the cursor's cell, after the value's last character, both in view
        cursor = name.content_region.x + len(name.value) - name.scroll_offset.x
        assert name.region.x < cursor < name.region.right <= column.right


def shown_label(select) -> str:
    """The current choice as the picker draws it (its 15 cells, on one line)."""
    label = select.query_one("SelectCurrent #label")
    strips = label.render_lines(Region(0, 0, label.size.width, label.size.height))
    return "\n".join(strip.text for strip in strips).rstrip()


async def test_data_folders_under_an_absolute_path_are_told_apart_in_the_picker(here):
    """Folders are named as in the data folder, not by their full paths, which all
    began alike in the picker's cells; a name too long keeps its start and end around
    "…" (`frankenstein-s…` and `frankenstein-l…` differed by a letter)."""
    make_data(here / "data")  # data/synthetic, data/drawings/simplified
    app = create_app(
        runs=here / "runs",
        data=here / "data",
        trainer=fake_trainer(),
        default_model_file=here / "user-config" / "default_model.json",
    )
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        picker = app.query_one("#train-data", Select)
        folders = [str(here / "data/drawings/simplified"), str(here / "data/synthetic")]
        assert app.query_one("#train-pane").sources == ["synthetic", *folders]
        shown = []
        for value in ["synthetic", *folders]:
            picker.value = value
            await pilot.pause()
            shown.append(shown_label(picker))
        assert shown == ["synthetic", "data/dr…lified/", "data/synthetic/"]
        app.query_one("#train-model", Select).value = "frankenstein-noproj"
        await pilot.pause()
        assert shown_label(app.query_one("#train-model", Select)) == "franken…-noproj"
        picker.value = folders[1]
        assert f"data.sources={json.dumps([folders[1]])}" in (
            app.query_one("#train-pane").build_command() or []
        )  # the value is the full path


async def test_the_data_warnings_of_a_run_reach_the_log(here):
    from tests.ui.fake_trainer import WARNING

    app = tui(here, mode="warn")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f5")
        await app.workers.wait_for_complete()
        await pilot.pause()
        pane = app.query_one("#train-pane")
        assert pane.state.status == "done"
        assert f"warning: {WARNING}" in pane.lines


DIVERGED = (
    "frankenstein: error: runs/frankenstein-20261206-014500: training diverged (training "
    "loss inf at epoch 1, batch 1); nothing was saved. Try a lower learning rate than "
    "optim.lr=inf"
)


async def test_a_failures_whole_reason_is_shown_in_the_status_at_80x24(here):
    """A trainer's reason is often longer than the right pane's 41 columns: the status
    grows to show it all (its second line used to be hidden under the epoch bar), and
    the charts and the log give up the room but stay on screen."""
    trainer = [sys.executable, "-c", f"import sys; sys.exit({DIVERGED!r})"]
    app = tui(here, trainer=trainer)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f5")
        await app.workers.wait_for_complete()
        await pilot.pause()
        status = app.query_one("#train-status", Static)
        assert status_text(app) == f"FAILED\n{DIVERGED}"
        width = status.content_region.width
        needed = status.get_content_height(status.size, app.size, width)
        assert needed > 3 and status.region.height == needed  # every wrapped line shown
        assert bar(app, "epoch").region.y == status.region.bottom
        log = app.query_one("#train-log")
        assert (
            log.region.height >= 3
            and log.region.bottom <= app.query_one("#train-right").region.bottom
        )
        assert app.query_one("#train-pane").lines[-1].endswith("optim.lr=inf")  # the log has it all


async def test_an_error_of_the_model_check_naming_a_field_goes_under_it(here):
    """TrainConfig's check of the model names no field in its location, only in its
    words ("m=1 must be ..."): the error goes under `m`, scrolled into view, not at the
    top of the form, where it used to be, out of sight of the field it is about."""
    app = tui(here)
    async with app.run_test(size=(80, 24)) as pilot:
        form = app.query_one("#train-form")
        app.query_one("#f-m", Input).value = "1"
        await pilot.press("f5")
        await pilot.pause()
        await pilot.pause()
        assert form.error_of("m") == "m=1 must be a multiple of 8 that divides 256"
        assert str(app.query_one("#form-error", Static).content) == ""
        assert app.focused is app.query_one("#f-m")
        label = app.query_one("#f-m-error")
        for _ in range(100):  # regions follow the scroll at the next refresh: later under load
            if form.region.contains_region(label.region):
                break
            await pilot.pause(0.02)
        assert form.region.contains_region(label.region)  # wrapped, whole
        assert not app.workers._workers  # nothing started


async def test_booleans_floats_infinity_and_a_missing_eval_folder_are_refused(here):
    """Each used to pass the form: `true` trained 1 drawing a class, 1e3 reached the
    trainer as 1000.0, Infinity trained until "diverged", and a missing eval_data
    folder failed the trainer at once. Now each is an error under its field."""
    (here / "data" / "real").mkdir(parents=True)
    app = tui(here)
    async with app.run_test(size=(80, 24)) as pilot:
        form = app.query_one("#train-form")
        typed = {
            "data-per_class": "true",
            "data-eval_per_class": "1e3",
            "optim-lr": "Infinity",
            "eval_data": "nonexistent/path",
        }
        for key, text in typed.items():
            app.query_one(f"#f-{key}", Input).value = text
        await pilot.press("f5")
        await pilot.pause()
        assert form.error_of("data.per_class") == "Input should be a valid integer, not true"
        assert form.error_of("data.eval_per_class") == "Input should be a valid integer, not 1e3"
        assert form.error_of("optim.lr") == "Input should be a finite number, not Infinity"
        assert form.error_of("eval_data") == "nonexistent/path: data directory not found"
        assert not app.workers._workers  # nothing started
        for key, text in {"data-per_class": "20", "data-eval_per_class": "1000"}.items():
            app.query_one(f"#f-{key}", Input).value = text
        app.query_one("#f-optim-lr", Input).value = "0.01"
        app.query_one("#f-eval_data", Input).value = "data/real"  # where the trainer runs
        await pilot.press("f5")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.query_one("#train-pane").state.status == "done"
        command = app.query_one("#train-pane").lines[0]
        assert "data.eval_per_class=1000 " in command and "eval_data=data/real " in command


async def test_tab_from_dry_run_goes_to_the_forms_first_field(here):
    """The form's scroll container was a tab stop that shows no focus: Tab from
    "dry run" seemed to go nowhere. It goes to the form's first field, and the tab's
    focus chain holds no container that shows nothing focused."""
    from ui.tui.widgets.config_form import ConfigForm

    app = tui(here)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.query_one("#train-dry-run", Checkbox).focus()
        await pilot.press("tab")
        await pilot.pause()
        first = next(iter(app.query("#train-form Input, #train-form Select, #train-form Checkbox")))
        assert app.focused is first
        assert not [w for w in app.screen.focus_chain if isinstance(w, ConfigForm)]
