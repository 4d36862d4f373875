"""The TUI's plain parts without a screen: the form, the run state, the supervisor, the
chart, the data directories."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import signal
import sys
import time

import pytest

from tests.ui.tui_helpers import FAKE_TRAINER, STAND_IN, make_data
from training.config import AugmentSection
from ui.tui.configform import GENERAL, form_fields, parse_text, validate_form
from ui.tui.datadirs import count_dir, count_lines, find_data_dirs
from ui.tui.panes.runs import detail_text
from ui.tui.runinfo import read_run
from ui.tui.supervisor import Supervisor
from ui.tui.trainstate import TrainState
from ui.tui.widgets.chart import Pen, Series, render_chart

FIELDS = form_fields()


def test_the_form_has_every_setting_but_the_ones_picked_elsewhere():
    keys = [f.key for f in FIELDS]
    assert {"epochs", "optim.lr", "augment.rotate", "data.per_class", "max_batches"} <= set(keys)
    assert not {"model", "model.name", "data.sources", "out_dir"} & set(keys)
    by_key = {f.key: f for f in FIELDS}
    assert by_key["optim.schedule"].choices == ("constant", "cosine", "onecycle")
    assert by_key["augment.enabled"].kind == "bool"
    lo, hi = AugmentSection().scale
    assert by_key["augment.scale"].default_text == f"[{lo}, {hi}]"  # JSON, as typed
    assert by_key["name"].raw_text and by_key["max_batches"].optional
    # The model's sizes, empty for the picked model's own; no architecture, pad_len or m
    # (the picker and the top-level fields), no class count.
    model = [k.removeprefix("model.overrides.") for k in keys if k.startswith("model.")]
    assert model == [
        "channels",
        "lstm_hidden",
        "lstm_proj",
        "lstm_layers",
        "head_hidden",
        "dropout",
        "thicken",
    ]
    assert by_key["model.overrides.lstm_layers"].default_text == ""
    assert {"pad_len", "m"} <= set(keys)


def test_model_sizes_are_checked_together_against_the_picked_model():
    large = {"model": "frankenstein-large"}  # lstm_hidden 256, lstm_proj 128
    # Each wrong alone (a projection of 128 needs a larger hidden size), right together.
    result = validate_form(
        FIELDS, {"model.overrides.lstm_hidden": "32", "model.overrides.lstm_proj": "16"}, large
    )
    assert result.overrides == (
        "model=frankenstein-large",
        "model.overrides.lstm_hidden=32",
        "model.overrides.lstm_proj=16",
    )
    errors = dict(validate_form(FIELDS, {"model.overrides.lstm_hidden": "32"}, large).errors)
    assert errors == {
        "model.overrides.lstm_hidden": "lstm_proj=128 must be 0 (none) or below lstm_hidden=32"
    }
    errors = dict(
        validate_form(
            FIELDS,
            {"model.overrides.channels": "[8, 16]", "model.overrides.thicken": "two"},
            {"model": "cnn"},
        ).errors
    )
    assert errors == {
        "model.overrides.channels": "too few values, 2 given (item 3 missing)",
        "model.overrides.thicken": (
            "Input should be a valid integer, unable to parse string as an integer"
        ),
    }


def test_valid_form_gives_only_the_changed_settings_as_overrides():
    result = validate_form(
        FIELDS,
        {"epochs": "3", "name": "123", "augment.enabled": False, "optim.name": "sgd"},
        {"model": "cnn"},
    )
    assert result.ok
    assert result.overrides == (
        "model=cnn",
        'name="123"',  # a string setting keeps its text: not the number 123
        "augment.enabled=false",
        "optim.name=sgd",
        "epochs=3",
    )


def test_a_run_name_must_be_folder_safe():
    for name in ("a/b", "../x", ".hidden", "-x"):
        errors = dict(validate_form(FIELDS, {"name": name}).errors)
        assert list(errors) == ["name"]
        assert errors["name"].startswith(f"{name!r} is not one folder name (no '/'")
    assert validate_form(FIELDS, {"name": "run-2.b_c"}).ok
    assert validate_form(FIELDS, {"name": "my run"}).ok  # as on the command line


def test_form_errors_name_their_fields():
    result = validate_form(FIELDS, {"epochs": "0", "batch_size": "", "optim.lr": "x"})
    errors = dict(result.errors)
    assert not result.ok and not result.overrides
    # Every error at once: a text that does not parse, and TrainConfig's on the rest.
    assert errors == {
        "batch_size": "a value is needed",
        "epochs": "Input should be greater than or equal to 1",
        "optim.lr": "a number, not 'x'",
    }


def test_the_whole_config_check_is_shown_beside_a_fields_own_error():
    """TrainConfig checks the whole config only once each field passes: the fields that
    failed are left out and the rest checked again, so m's error shows with epochs'."""
    values = {"m": "1", "epochs": "-1", "threads": "0"}
    errors = dict(validate_form(FIELDS, values).errors)
    assert errors == {
        "epochs": "Input should be greater than or equal to 1",
        "threads": "Input should be greater than or equal to 1",
        "m": "m=1 must be a multiple of 8 that divides 256",
    }


def test_a_list_setting_too_short_is_worded_as_a_model_fields_is():
    """augment.scale=[0.7] said "Field required"; it says what the model's channels say."""
    errors = dict(validate_form(FIELDS, {"augment.scale": "[0.7]"}).errors)
    assert errors == {"augment.scale": "too few values, 1 given (item 2 missing)"}
    channels = dict(validate_form(FIELDS, {"model.overrides.channels": "[8]"}).errors)
    assert channels == {"model.overrides.channels": "too few values, 1 given (item 2 missing)"}
    errors = dict(validate_form(FIELDS, {"augment.scale": '[0.7, "x"]'}).errors)
    assert errors["augment.scale"].startswith("item 2: Input should be a valid number")


def test_problems_of_no_single_field_are_general():
    errors = dict(validate_form(FIELDS, {}, {"model": "no-such-model"}).errors)
    assert list(errors) == [GENERAL] and "no-such-model" in errors[GENERAL]


def test_an_lstm_size_for_the_cnn_is_an_error_under_its_field():
    fixed = {"model": "cnn"}
    errors = dict(validate_form(FIELDS, {"model.overrides.lstm_layers": "2"}, fixed).errors)
    assert errors == {"model.overrides.lstm_layers": "the CNN has no LSTM: leave it empty"}
    ok = validate_form(FIELDS, {"model.overrides.head_hidden": "64"}, fixed)
    assert ok.ok and "model.overrides.head_hidden=64" in ok.overrides


def test_empty_optional_text_is_none_and_json_where_it_parses():
    by_key = {f.key: f for f in FIELDS}
    assert parse_text(by_key["max_batches"], " ") is None
    assert parse_text(by_key["eval_data"], '["a", "b"]') == ["a", "b"]
    assert parse_text(by_key["eval_data"], "data/real") == "data/real"


def events(*names: str) -> list[dict]:
    out = [{"event": "start", "run": "r", "run_dir": "runs/r", "model": "cnn", "epochs": 2,
            "start_epoch": 0, "batches": 4}]  # fmt: skip
    for e in (1, 2):
        for b in (2, 4):
            out.append({"event": "batch", "epoch": e, "batch": b, "batches": 4, "loss": 3.0 - e,
                        "acc": 0.2 * e, "eta_s": 10.0 * (2 - e) + (4 - b)})  # fmt: skip
        out.append({"event": "epoch", "epoch": e, "val_loss": 2.5 - e, "val_acc": 0.3 * e,
                    "best_val_acc": 0.3 * e})  # fmt: skip
    return out


def test_train_state_folds_the_events():
    s = TrainState(status="starting")
    for e in events():
        s.apply(e)
    assert (s.status, s.epoch, s.batch, s.batches) == ("running", 2, 4, 4)
    assert s.train_loss == [(0.5, 2.0), (1.0, 2.0), (1.5, 1.0), (2.0, 1.0)]
    assert s.val_acc == [(1.0, 0.3), (2.0, 0.6)]
    assert s.eta_text() == "ETA 0:00"
    s.apply({"event": "eval", "name": "test", "report": {"top1": 0.7}})
    s.apply({"event": "done", "status": "early_stop", "best_val_acc": 0.6})
    s.finish(0, [], stopped=False)
    assert (s.status, s.message, s.test_top1) == ("done", "early stop", 0.7)


def test_the_batch_counter_is_about_the_epoch_it_counts():
    """After epoch 1 of 3 ends (a stop then too), "ep 2/3 10/10" read as if epoch 2 were
    done: the finished epoch is counted until the next one's first batch."""
    s = TrainState(status="running")
    s.apply({"event": "start", "epochs": 3, "start_epoch": 0, "batches": 10})
    assert s.counted_epoch == 1
    s.apply({"event": "batch", "epoch": 1, "batch": 10, "batches": 10})
    assert s.counted_epoch == 1
    s.apply({"event": "epoch", "epoch": 1, "val_acc": 0.5})
    assert (s.counted_epoch, s.batch) == (1, 10)
    s.apply({"event": "batch", "epoch": 2, "batch": 1, "batches": 10})
    assert (s.counted_epoch, s.batch) == (2, 1)
    s.apply({"event": "batch", "epoch": 3, "batch": 10, "batches": 10})
    s.apply({"event": "epoch", "epoch": 3, "val_acc": 0.7})
    assert s.counted_epoch == 3


def test_a_run_without_done_failed_and_an_error_event_keeps_its_message():
    s = TrainState(status="running")
    s.finish(1, ["Traceback", "ValueError: bad"], stopped=False)
    assert s.status == "failed" and s.message.endswith("Traceback\nValueError: bad")
    s = TrainState(status="running")
    s.apply({"event": "error", "message": "data/x: not a directory", "type": "DataError"})
    s.finish(2, ["frankenstein: error: data/x: not a directory"], stopped=False)
    assert s.status == "failed" and s.message == "data/x: not a directory"
    s = TrainState(status="stopping")
    s.finish(130, [], stopped=True)
    assert s.status == "stopped"
    assert TrainState(eta_s=3725).eta_text() == "ETA 1:02:05"


def test_a_run_stopped_before_training_began_can_be_resumed_but_not_one_missing_last(tmp_path):
    run = tmp_path / "r"
    run.mkdir()
    (run / "config.json").write_text(json.dumps({"name": "r", "epochs": 2}))
    assert read_run(run).resume_problem() is None  # no checkpoint at all: a resume starts it
    (run / "best.pt").write_bytes(STAND_IN)  # trained, and last.pt lost: starting over
    assert read_run(run).resume_problem() == "r has no last.pt"  # would replace best.pt


@pytest.mark.parametrize("epochs, says", [(1, "1 epoch"), (2, "2 epochs")])
def test_a_finished_run_says_how_many_epochs_in_words_that_agree(tmp_path, epochs, says):
    """A one-epoch run was "tiny is finished (1 epochs)" (F7 on the Runs tab), and
    "1 epochs" in its details."""
    run = tmp_path / "tiny"
    run.mkdir()
    (run / "config.json").write_text(json.dumps({"name": "tiny", "epochs": epochs}))
    rows = (json.dumps({"epoch": e, "val_acc": 0.5}) for e in range(1, epochs + 1))
    (run / "metrics.jsonl").write_text("".join(f"{r}\n" for r in rows))
    (run / "eval.json").write_text(json.dumps({}))
    assert read_run(run).resume_problem() == f"tiny is finished ({says})"
    assert f", {says}, batch " in detail_text(read_run(run)).splitlines()[0]


def test_supervisor_reads_events_and_keeps_stderr(tmp_path):
    script = tmp_path / "child.py"
    script.write_text(
        "import json, sys\n"
        "print(json.dumps({'event': 'start', 'run': 'x'}))\n"
        "print('a stray print')\n"
        "print('{not json')\n"
        "print('x' * 100000 and json.dumps({'event': 'eval', 'report': 'y' * 200000}))\n"
        "print('warning: something', file=sys.stderr)\n"
        "sys.exit(3)\n"
    )
    got, log = [], []
    sup = Supervisor([sys.executable, str(script)], on_event=got.append, on_log=log.append)
    outcome = asyncio.run(sup.run())
    assert [e["event"] for e in got] == ["start", "eval"] and len(got[1]["report"]) == 200000
    assert "a stray print" in log and "{not json" in log
    assert (outcome.returncode, outcome.stderr_tail, outcome.ok) == (
        3,
        ["warning: something"],
        False,
    )


def test_supervisor_stop_interrupts_the_child(tmp_path):
    got: list[dict] = []

    async def run_and_stop() -> tuple:
        sup = Supervisor(
            [sys.executable, str(FAKE_TRAINER), "--mode=hold", f"out_dir={tmp_path}", "--events"],
            on_event=got.append,
        )
        task = asyncio.create_task(sup.run())
        while not any(e["event"] == "batch" for e in got):
            await asyncio.sleep(0.02)
        sup.stop()
        return await task

    outcome = asyncio.run(run_and_stop())
    assert outcome.stopped and outcome.returncode == 130
    assert got[-1]["event"] == "done" and got[-1]["status"] == "interrupted"


def _interrupted(outcome) -> bool:
    """Stopped, and ended by its SIGINT: killed by it, or (the signal came while Python
    was still starting, importing `time`) a KeyboardInterrupt traceback and status 1."""
    by_signal = outcome.returncode == -signal.SIGINT
    in_startup = outcome.returncode == 1 and outcome.stderr_tail[-1:] == ["KeyboardInterrupt"]
    return outcome.stopped and (by_signal or in_startup)


def _sleeper(tmp_path) -> list[str]:
    """A child that runs 20 s unless stopped."""
    script = tmp_path / "sleeper.py"
    script.write_text("import time\ntime.sleep(20)\n")
    return [sys.executable, str(script)]


def test_a_supervisor_cancelled_while_its_child_starts_still_stops_the_child(tmp_path):
    """The TUI quitting the moment a training starts: the child, already forked, is
    interrupted and waited for (it was killed, or left running, unknown to the TUI)."""
    sup = Supervisor(_sleeper(tmp_path), on_event=lambda e: None)

    async def cancel_at_once() -> None:
        task = asyncio.create_task(sup.run())
        await asyncio.sleep(0)  # run() is starting the child
        assert sup.process is None
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    t0 = time.monotonic()
    asyncio.run(cancel_at_once())
    # Killed by its SIGINT, or status 1 when it came while Python started (`_interrupted`).
    assert sup.process is not None and sup.process.returncode in (-signal.SIGINT, 1)
    assert sup.stop_requested and time.monotonic() - t0 < 15


def test_stop_while_the_child_starts_reaches_it_once_it_is_there(tmp_path):
    sup = Supervisor(_sleeper(tmp_path), on_event=lambda e: None)

    async def stop_at_once():
        task = asyncio.create_task(sup.run())
        await asyncio.sleep(0)
        sup.stop()
        return await task

    t0 = time.monotonic()
    outcome = asyncio.run(stop_at_once())
    assert _interrupted(outcome) and time.monotonic() - t0 < 15


def test_stop_before_the_supervisor_runs_stops_the_child_it_then_starts(tmp_path):
    """A pane makes its supervisor before the worker runs it: a Stop in between counts."""
    sup = Supervisor(_sleeper(tmp_path), on_event=lambda e: None)
    assert sup.active and not sup.running
    sup.stop()
    t0 = time.monotonic()
    outcome = asyncio.run(sup.run())
    assert _interrupted(outcome) and time.monotonic() - t0 < 15
    assert not sup.active
    sup.stop()  # ended: nothing to stop, and nothing breaks
    assert sup.process.returncode == outcome.returncode


def test_chart_draws_each_series_in_its_colour():
    chart = render_chart(
        [Series("train", ((0, 1.0), (1, 0.0)), "cyan"), Series("val", ((1, 0.5),), "red")],
        width=16,
        height=4,
        title="loss",
    )
    lines = chart.plain.split("\n")
    assert lines[0] == "loss  ━ train  ━ val"  # no room for the last values at 16 cells
    wide = render_chart([Series("val", ((1, 0.5),), "red")], width=30, height=4, title="loss")
    assert wide.plain.split("\n")[0] == "loss  ━ val 0.5"
    assert len(lines) == 4 and all(len(line) == 16 for line in lines[1:])
    assert lines[1].startswith("    1│") and lines[3].startswith("    0│")
    # The train line runs from the top-left dot to the bottom-right dot (braille bits).
    assert ord(lines[1][6]) - 0x2800 & 0x01 and ord(lines[3][15]) - 0x2800 & 0x80
    styles = {str(span.style) for span in chart.spans}
    assert {"cyan", "red"} <= styles


def test_a_dotted_pen_inks_every_other_dot_of_its_line_and_all_its_points():
    points = ((0, 0.0), (4, 1.0), (8, 0.0))

    def dots(pen: Pen) -> int:
        text = render_chart([Series("s", points, pen)], width=16, height=5).plain
        rows = text.split("\n")[1:]
        return sum(bin(ord(c) - 0x2800).count("1") for r in rows for c in r[6:] if c != " ")

    solid, dotted = dots(Pen("cyan")), dots(Pen("cyan", dash=2))
    assert dotted < solid * 0.6 and dotted >= len(points)
    assert render_chart([Series("s", points, Pen("blue", 2))], 30, 4).plain.startswith("  ┅ s")


def test_a_y_label_too_long_for_its_column_is_rounded_to_fit():
    """ "0.0858" took a cell more than the labels' column: its row ran past the chart's
    width and onto the line below, where the x axis is drawn."""
    text = render_chart([Series("val", ((1, 0.87), (2, 0.0858)), "red")], width=20, height=5)
    rows = text.plain.split("\n")[1:]
    assert rows[-1].startswith("0.086│") and all(len(row) == 20 for row in rows)


def test_a_chart_of_one_value_spans_a_tenth_of_it_either_side():
    """A first epoch's single loss of 0.3 is drawn between 0.27 and 0.33, not across
    zero (a loss below 0 reads as a bug)."""
    lines = render_chart([Series("train", ((1, 0.3),), "cyan")], width=20, height=5).plain
    rows = lines.split("\n")[1:]
    assert rows[0].startswith(" 0.33│") and rows[-1].startswith(" 0.27│")
    assert "-" not in lines


def test_data_dirs_are_found_and_counted(tmp_path):
    make_data(tmp_path / "data")
    (tmp_path / "data" / "empty").mkdir()
    (tmp_path / "data" / "synthetic" / "checksums.json").write_text("{}")
    for staging in ("data/.synthetic.x1.partial", "data/synthetic/.synth.x2.partial"):
        (tmp_path / staging).mkdir()  # data synth at work: hidden, not data yet
        (tmp_path / staging / "sun.ndjson").write_text("{}\n")
    dirs = [count_dir(d) for d in find_data_dirs(tmp_path / "data")]
    assert [(d.label, d.counts, d.what) for d in dirs] == [
        ("drawings/simplified", {"house": 1}, "drawings saved from the window"),
        ("synthetic", {"circle": 3, "square": 2}, "generated doodles"),
    ]
    assert find_data_dirs(tmp_path / "nowhere") == []
    (tmp_path / "data" / "sun.ndjson").write_text("{}\n{}\n")  # in the data folder itself
    (first,) = [count_dir(d) for d in find_data_dirs(tmp_path / "data")][:1]
    assert (first.label, first.counts) == ("data", {"sun": 2})


def test_a_data_folder_removed_after_it_was_found_counts_as_empty(tmp_path):
    """As when another process removes it while the Data tab counts (it follows them)."""
    make_data(tmp_path / "data")
    dirs = find_data_dirs(tmp_path / "data")
    shutil.rmtree(tmp_path / "data" / "synthetic")
    counted = [count_dir(d) for d in dirs]
    assert [(d.label, d.counts) for d in counted] == [
        ("drawings/simplified", {"house": 1}),
        ("synthetic", {}),
    ]


def test_a_file_counted_before_is_read_again_only_once_it_changed(tmp_path):
    """With a memo (the Data tab's), a file whose time and size are as counted keeps its
    count unread: rewritten with one line fewer but padded to its size and given its old
    time back, it still counts 3; appended to, it is read again; a removed file's count
    is not used."""
    make_data(tmp_path / "data")
    counted: dict = {}
    synth = tmp_path / "data" / "synthetic"
    circle = synth / "circle.ndjson"

    def circles() -> int:
        (d,) = [d for d in find_data_dirs(tmp_path / "data") if d.label == "synthetic"]
        return count_dir(d, counted).counts["circle"]

    assert circles() == 3 and counted[circle][1] == 3
    assert sorted(p.name for p in counted) == ["circle.ndjson", "square.ndjson"]
    st = circle.stat()
    text = circle.read_text().splitlines(keepends=True)
    circle.write_text("".join(text[:2]) + " " * (len(text[2]) - 1) + "\n")
    os.utime(circle, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert circles() == 3  # not read: as it was when counted
    assert count_dir(find_data_dirs(tmp_path / "data")[1]).counts["circle"] == 2  # read
    with open(circle, "a") as f:
        f.write(text[0])
    assert circles() == 3  # 2 + 1, read again
    (synth / "square.ndjson").unlink()
    (d,) = [d for d in find_data_dirs(tmp_path / "data") if d.label == "synthetic"]
    assert count_dir(d, counted).counts == {"circle": 3}


def test_count_lines_counts_a_last_line_without_newline_and_no_blank_line(tmp_path):
    p = tmp_path / "circle.ndjson"
    p.write_bytes(b'{"a": 1}\n{"a": 2}')
    assert count_lines(p) == 2
    p.write_bytes(b'\n{"a": 1}\r\n \t\n\n{"a": 2}\n\n')  # the readers skip blank lines
    assert count_lines(p) == 2
    seed = tmp_path / "circle.json"
    seed.write_text(json.dumps([{}, {}, {}]))
    assert count_lines(seed) == 3


def test_interval_reads_the_reports_bounds_and_says_dash_without_them():
    from ui.tui.runinfo import interval

    assert interval({"intervals": {"top1": [0.85, 0.9206]}}, "top1") == "85.0-92.1%"
    assert interval({"intervals": {"top1": [0.85, 0.92]}}, "top3") == "-"
    for old in ({}, {"intervals": None}, {"intervals": {"top1": None}}, {"intervals": {"top1": 3}}):
        assert interval(old, "top1") == "-"


def test_values_pydantic_would_let_through_are_refused_under_their_fields(tmp_path):
    """Lax pydantic takes `true` for 1 and 1e3 for 1000 in an integer, and Infinity for
    a number: the trainer then got 1000.0, or trained until it diverged."""
    (tmp_path / "real").mkdir()
    values = {
        "data.per_class": "true",
        "data.eval_per_class": "1e3",
        "optim.lr": "Infinity",
        "augment.scale": "[0.5, NaN]",
        "model.overrides.channels": "[8, 16.0, 32]",
        "eval_data": '["real", "nonexistent/path"]',
    }
    errors = dict(validate_form(FIELDS, values, folders_in=tmp_path).errors)
    assert errors == {
        "data.per_class": "Input should be a valid integer, not true",
        "data.eval_per_class": "Input should be a valid integer, not 1e3",
        "optim.lr": "Input should be a finite number, not Infinity",
        "augment.scale": "item 2: Input should be a finite number, not NaN",
        "model.overrides.channels": "item 2: Input should be a valid integer, not 16.0",
        "eval_data": "nonexistent/path: data directory not found",
    }
    # the folder is looked for where the trainer runs, not where the test does
    ok = validate_form(FIELDS, {"eval_data": "real", "optim.lr": "1"}, folders_in=tmp_path)
    assert ok.ok and "eval_data=real" in ok.overrides and "optim.lr=1" in ok.overrides


def test_a_runs_data_folders_are_shown_from_the_current_folder(tmp_path, monkeypatch):
    """A run keeps its data folders absolute; the details name one under the current
    folder as it was typed there, and any other as the config has it."""
    run = tmp_path / "r"
    run.mkdir()
    mine, other = tmp_path / "data" / "mine", "/elsewhere/quickdraw"
    config = {"name": "r", "epochs": 1, "data": {"sources": [str(mine), other, "synthetic"]}}
    (run / "config.json").write_text(json.dumps(config))
    monkeypatch.chdir(tmp_path)
    first = detail_text(read_run(run)).splitlines()[0]
    assert first.startswith(f"r: ? on data/mine, {other}, synthetic, 1 epoch,")


def test_a_name_too_long_for_its_cell_keeps_its_start_and_end():
    from rich.cells import cell_len

    from ui.tui.widgets.shorten import middle_ellipsis

    assert middle_ellipsis("frankenstein-20240501-123000") == "frankenstein-20240501-123000"
    assert middle_ellipsis("a" * 20 + "-s1234", 10) == "aaaaa…1234"
    wide = middle_ellipsis("日本語のファイル名です.ndjson", 12)  # two cells a character
    assert wide == "日本語…djson" and cell_len(wide) == 12


def test_a_name_column_takes_what_the_columns_after_it_leave():
    from ui.tui.widgets.shorten import NAME_LEAST, NAME_WIDTH, name_width

    headers = ("run", "model", "top1", "scored on")
    rows = [("x", "frankenstein", "62.0%", "quickdraw-real-dev")]
    # model 12 + 2, top1 5 + 2, then the last column's header and the space before it
    assert name_width(80, headers, rows) == NAME_WIDTH
    assert name_width(55, headers, rows) == 55 - 14 - 7 - 10 - 2
    assert name_width(20, headers, rows) == NAME_LEAST  # never less
    assert name_width(0, headers, rows) == NAME_WIDTH  # not laid out yet
    assert name_width(45, headers, []) == 45 - 7 - 6 - 10 - 2  # the headers alone
