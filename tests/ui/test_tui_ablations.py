"""The Ablations tab: specs listed, a study run as a child process, its runs' states and
the results table (experiments.results.study_rows) filling in. The runner is a fake
(tests/ui/fake_ablate.py) that writes a real study folder in hundredths of a second."""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

import pytest
from textual.widgets import Checkbox, DataTable, Static

from core.atomic import one_process
from tests.ui.tui_helpers import enabled, tui
from ui.tui.studyprogress import StudyProgress

FAKE_ABLATE = Path(__file__).with_name("fake_ablate.py")

SPEC = """\
name = "tiny"
description = "Two tiny variants."
seeds = [0, 1]

[base]
epochs = 1

[variants.lstm]
model = "frankenstein"

[variants.cnn]
model = "cnn"
{extra}
[quick]
data.per_class = 10
"""


@pytest.fixture
def here(tmp_path, monkeypatch) -> Path:
    monkeypatch.chdir(tmp_path)
    specs = tmp_path / "specs"
    specs.mkdir()
    (specs / "tiny.toml").write_text(SPEC.format(extra=""))
    broken = SPEC.format(extra='\n[variants.broken]\nmodel = "cnn"\n')
    (specs / "with-failure.toml").write_text(broken.replace('"tiny"', '"with-failure"'))
    return tmp_path


def app_for(here: Path, mode: str = "ok", **context):
    ablate = (sys.executable, str(FAKE_ABLATE), f"--mode={mode}")
    return tui(here, initial="ablations", ablate=ablate, **context)


def table_rows(app, which: str) -> list[list[str]]:
    table = app.query_one(f"#abl-{which}", DataTable)
    return [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]


def message(app) -> str:
    return str(app.query_one("#abl-message", Static).content)


async def until(pilot, condition, what: str) -> None:
    deadline = time.monotonic() + 30
    while not condition():
        assert time.monotonic() < deadline, f"{what}: not within 30 s"
        await pilot.pause(0.05)


async def test_specs_are_listed_with_their_planned_runs(here):
    app = app_for(here)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert [p.name for p in app.query_one("#ablations-pane").specs] == [
            "tiny.toml",
            "with-failure.toml",
        ]
        info = str(app.query_one("#abl-info", Static).content)
        assert info == "tiny: Two tiny variants.\n2 variants x 2 seeds = 4 runs"
        assert table_rows(app, "runs") == [  # no study runs them: not "queued"
            ["lstm-s0", "not started", ""],
            ["cnn-s0", "not started", ""],
            ["lstm-s1", "not started", ""],
            ["cnn-s1", "not started", ""],
        ]
        assert app.query_one("#abl-results", DataTable).row_count == 0


async def test_running_a_spec_fills_in_statuses_and_results(here):
    app = app_for(here)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f5")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert [r[1] for r in table_rows(app, "runs")] == ["done"] * 4
        assert table_rows(app, "results") == [
            ["lstm", "2/2", "60.0±14.1%", "20.0±4.7%", "40.0±9.4%", "60.0±14.1%", "90.0±0.0%", "30.0±7.1%"],
            ["cnn", "2/2", "70.0±14.1%", "23.3±4.7%", "46.7±9.4%", "70.0±14.1%", "90.0±0.0%", "35.0±7.1%"],
        ]  # fmt: skip
        columns = app.query_one("#abl-results", DataTable).columns.values()
        assert [str(c.label).replace("\n", " ") for c in columns] == [
            "variant",
            "runs",
            "top-1",
            "after 1 stroke",
            "after 2 strokes",
            "after 3 strokes",
            "snap precision",
            "snap recall",
        ]  # fmt: skip  (as results.md names them; "1 stroke", "2", "3" said little)
        assert message(app) == "study done: results.md in studies/tiny"
    assert (here / "studies" / "tiny" / "cnn-s1" / "status.json").is_file()


async def test_a_failed_run_shows_as_failed_and_the_study_goes_on(here):
    app = app_for(here)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("down")
        await pilot.pause()
        await pilot.click("#abl-run")
        await app.workers.wait_for_complete()
        await pilot.pause()
        rows = {r[0]: r[1:] for r in table_rows(app, "runs")}
        assert rows["broken-s0"][0] == "failed" and "RuntimeError: boom" in rows["broken-s0"][1]
        assert rows["cnn-s1"] == ["done", ""]
        assert message(app).endswith("failed: broken-s0, broken-s1")
        assert [r[:2] for r in table_rows(app, "results")] == [
            ["lstm", "2/2"],
            ["cnn", "2/2"],
            ["broken", "0/2"],
        ]
    # A later session shows the study's state from its folder.
    app = app_for(here)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("down")
        await pilot.pause()
        assert [r[1] for r in table_rows(app, "runs")].count("failed") == 2


REASON = (
    "the trainer exited with status 1: RuntimeError: boom, as a real error goes on past "
    "the sixty characters of its cell"
)  # the fake runner's, for a run of the variant "broken"


async def test_a_failed_runs_whole_reason_is_shown_also_when_read_from_its_folder(here):
    """Its cell was the reason's first 60 characters, with no "…" and nothing showing
    the rest; read from the study's folder (a terminal's study, a later session) the
    cell was empty though status.json says why; and L said the run "is starting". Now
    the cell ends in "…", the line under the table says the whole reason of the
    highlighted failed run, and L says it failed and why."""
    from ui.tui.screens.curves import CurvesScreen

    async def check(app, pilot) -> None:
        rows = {r[0]: r[1:] for r in table_rows(app, "runs")}
        status, cell = rows["broken-s0"]
        assert status == "failed" and len(cell) <= 60 and cell.endswith("…")
        assert REASON.startswith(cell[:-1])
        reason = app.query_one("#abl-reason", Static)
        assert not reason.display  # lstm-s0 highlighted: it did not fail
        app.query_one("#abl-runs", DataTable).focus()
        await pilot.press("down", "down")  # broken-s0
        await pilot.pause()
        assert reason.display and str(reason.content) == f"broken-s0 failed: {REASON}"
        await pilot.press("l")
        await pilot.pause()
        assert not isinstance(app.screen, CurvesScreen)
        assert message(app) == f"no curves: broken-s0 failed before training began: {REASON}"

    app = app_for(here)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("down", "f5")
        await app.workers.wait_for_complete()
        await pilot.pause()
        await check(app, pilot)
    app = app_for(here)  # a later session: the study's folder alone
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("down")
        await pilot.pause()
        await check(app, pilot)


async def test_stopping_a_study(here):
    app = app_for(here, mode="hold")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f5")
        deadline = time.monotonic() + 30
        while table_rows(app, "runs")[0][1] != "running":
            assert time.monotonic() < deadline, "the study never started"
            await pilot.pause(0.02)
        assert table_rows(app, "runs")[0][2] == "epoch 1 batch 1/2"
        assert enabled(app, "#abl-run, #abl-stop") == ["abl-stop"]
        await pilot.click("#abl-stop")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert message(app) == "stopped; run it again to continue (finished runs are skipped)"
        assert enabled(app, "#abl-run, #abl-stop") == ["abl-run"]
        assert [r[1] for r in table_rows(app, "runs")] == ["stopped"] + ["not started"] * 3
        assert table_rows(app, "runs")[0][2] == ""  # not its last progress, "epoch 1 ..."


async def test_enter_on_run_moves_the_focus_to_stop_and_f6_stops_the_study(here):
    """Run disabled under the focus hands it to Stop, so the pane's F6 still works."""
    app = app_for(here, mode="hold")
    async with app.run_test(size=(80, 24)) as pilot:
        app.query_one("#abl-run").focus()
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert getattr(app.focused, "id", None) == "abl-stop"
        deadline = time.monotonic() + 30
        while table_rows(app, "runs")[0][1] != "running":
            assert time.monotonic() < deadline, "the study never started"
            await pilot.pause(0.02)
        await pilot.press("f6")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert message(app) == "stopped; run it again to continue (finished runs are skipped)"
        assert getattr(app.focused, "id", None) == "abl-run"


async def test_a_study_another_process_runs_is_refused_and_its_runs_left_as_they_are(here):
    """This test process holds the study's lock as another ablate would: F5 is refused
    in one line naming its pid and the way to stop it (a child `ablate` started anyway
    failed on the lock, in four red lines with advice for a terminal), nothing is
    started, and the run that other process has running stays "running"."""
    study = here / "studies" / "tiny"
    (study / "lstm-s0").mkdir(parents=True)
    (study / "lstm-s0" / "status.json").write_text(json.dumps({"status": "running"}))
    with one_process(study / ".ablate.lock", remove=True):
        app = app_for(here)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            assert table_rows(app, "runs")[0] == ["lstm-s0", "running", ""]
            assert message(app) == f"another process (pid {os.getpid()}) is running this study"
            await pilot.press("f5")
            await app.workers.wait_for_complete()
            await pilot.pause()
            refusal = f"refused: pid {os.getpid()} runs it; F6 twice stops it"
            assert message(app) == refusal
            line = app.query_one("#abl-message")
            assert line.region.height == 1 and not line.has_class("failed")
            longest = refusal.replace(str(os.getpid()), "4194304")  # Linux's largest pid
            assert len(longest) <= line.content_region.width
            assert app.query_one("#ablations-pane").supervisor is None  # no child started
            assert [r[1] for r in table_rows(app, "runs")] == ["running"] + ["queued"] * 3
            assert enabled(app, "#abl-run, #abl-stop") == ["abl-run", "abl-stop"]
    assert json.loads((study / "lstm-s0" / "status.json").read_text()) == {"status": "running"}
    assert sorted(p.name for p in study.iterdir()) == ["lstm-s0"]  # the fake wrote nothing


async def test_stop_focused_as_another_process_study_ends_keeps_the_focus_in_the_tab(here):
    """Stop, enabled for another process's study (F6 twice stops it), is disabled when
    that study ends; focused then, the focus stays in the tab (Textual hands it to Run,
    Stop's enabled neighbour), so the tab's keys still act: a focus lost there would
    leave them dead, as `show_busy` guards against for the tab's own study."""
    study = here / "studies" / "tiny"
    study.mkdir(parents=True)
    app = app_for(here, follow_s=0.05)
    async with app.run_test(size=(80, 24)) as pilot:
        pane = app.query_one("#ablations-pane")
        with one_process(study / ".ablate.lock", remove=True):
            await until(pilot, lambda: pane.elsewhere is not None, "the other study")
            app.query_one("#abl-stop").focus()
            await pilot.pause()
        await until(pilot, lambda: pane.elsewhere is None, "the other study's end")
        await pilot.pause()
        assert enabled(app, "#abl-run, #abl-stop") == ["abl-run"]
        assert app.focused is not None and pane in app.focused.ancestors
        await pilot.press("f6")  # the tab's keys act
        await pilot.pause()
        assert message(app) == "nothing to stop: no study is running"


async def test_quick_on_a_spec_with_no_quick_table_says_it_runs_at_full_size(here):
    """`ablate --quick` warns that Quick changes nothing there, on its stderr, which
    the tab showed only on a failure: "running plain…" alone, a study meant for a
    CPU running at full size unsaid."""
    plain = SPEC.format(extra="").split("[quick]")[0].replace('"tiny"', '"plain"')
    (here / "specs" / "plain.toml").write_text(plain)
    app = app_for(here, mode="hold")
    async with app.run_test(size=(80, 24)) as pilot:
        pane = app.query_one("#ablations-pane")
        assert pane.selected.name == "plain.toml"
        assert app.query_one("#abl-quick", Checkbox).value  # ticked by default
        await pilot.press("f5")
        await until(pilot, lambda: message(app).startswith("running plain: run 1 of 4"), "run 1")
        assert message(app).endswith(
            "; at full size: plain has no [quick] table, so Quick changes nothing"
        )
        await pilot.press("f6")
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press("down")  # tiny, which has one
        await pilot.pause()
        await pilot.press("f5")
        await until(pilot, lambda: message(app).startswith("running tiny: run 1 of 4"), "run 1")
        assert "full size" not in message(app)
        await pilot.press("f6")
        await app.workers.wait_for_complete()


async def test_a_run_left_running_by_a_killed_study_shows_as_stopped(here):
    study = here / "studies" / "tiny"
    (study / "lstm-s0").mkdir(parents=True)
    (study / "lstm-s0" / "status.json").write_text(json.dumps({"status": "running"}))
    (study / ".ablate.lock").write_text("999999999\n")  # no such process
    app = app_for(here)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert table_rows(app, "runs")[0] == ["lstm-s0", "stopped", ""]


async def test_a_broken_spec_is_reported_and_not_run(here):
    (here / "specs" / "bad.toml").write_text('name = "bad"\nseeds = []\n')
    app = app_for(here)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert "bad.toml" in str(app.query_one("#abl-info", Static).content)
        await pilot.press("f5")
        await app.workers.wait_for_complete()
        assert message(app).startswith(str(Path("specs") / "bad.toml"))
        assert app.query_one("#abl-message").has_class("failed")
    assert not (here / "studies").exists()


async def test_clicking_or_entering_a_spec_only_selects_it(here):
    app = app_for(here)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        specs = app.query_one("#abl-specs")
        second = specs.content_region.y - specs.region.y + 1  # the second spec's line
        await pilot.click(specs, offset=(3, second))
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert str(app.query_one("#abl-info", Static).content).startswith("with-failure:")
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert not message(app).startswith("running")
        assert app.query_one("#ablations-pane").supervisor is None
        assert {r[1] for r in table_rows(app, "runs")} == {"not started"}
    assert not (here / "studies").exists()


async def test_moving_to_a_broken_spec_clears_the_previous_one(here):
    (here / "specs" / "bad.toml").write_text('name = "bad"\nseeds = []\n')
    app = app_for(here)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("down")  # tiny (bad sorts first)
        await pilot.press("f5")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert message(app).startswith("study done")
        assert app.query_one("#abl-results", DataTable).row_count == 2
        await pilot.press("up")
        await pilot.pause()
        assert "bad.toml" in str(app.query_one("#abl-info", Static).content)
        assert app.query_one("#abl-runs", DataTable).row_count == 0
        assert app.query_one("#abl-results", DataTable).row_count == 0
        assert message(app) == ""


async def test_the_progress_column_widens_to_its_text(here):
    app = app_for(here)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        pane = app.query_one("#ablations-pane")
        study = here / "studies" / "tiny"
        pane.on_study_event({"event": "run_start", "run": "lstm-s0"}, study)
        await pilot.pause()  # drawn with an empty progress cell
        batch = {"event": "run_progress", "run": "lstm-s0", "kind": "batch"}
        pane.on_study_event({**batch, "epoch": 1, "batch": 10, "batches": 200}, study)
        await pilot.pause()
        progress = app.query_one("#abl-runs", DataTable).columns["progress"]
        assert progress.content_width >= len("epoch 1 batch 10/200")


async def test_a_running_study_says_which_run_of_how_many_and_the_time_left(here):
    """The message counts the study's runs ("run 1 of 4") and, once a run has given an
    estimate, the time left; the runs a study will start read queued, and not started
    again once it is stopped."""
    app = app_for(here, mode="hold")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f5")
        await until(pilot, lambda: "left" in message(app), "the time left")
        assert message(app).startswith("running tiny: run 1 of 4, about ")
        assert table_rows(app, "runs") == [
            ["lstm-s0", "running", "epoch 1 batch 1/2"],
            ["cnn-s0", "queued", ""],
            ["lstm-s1", "queued", ""],
            ["cnn-s1", "queued", ""],
        ]
        await pilot.press("f6")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert [r[1] for r in table_rows(app, "runs")] == ["stopped"] + ["not started"] * 3


async def test_a_runs_progress_is_told_from_its_start_to_its_first_batch(here):
    """Between its start and its first batch event (its data made, then tens of
    seconds on a CPU) a run's cell said only "starting", and before its first event
    nothing; it says what comes."""
    app = app_for(here)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        pane = app.query_one("#ablations-pane")
        study = here / "studies" / "tiny"
        pane.on_study_event({"event": "run_start", "run": "lstm-s0"}, study)
        await pilot.pause()
        assert table_rows(app, "runs")[0] == ["lstm-s0", "running", "launching its training"]
        progress = {"event": "run_progress", "run": "lstm-s0", "kind": "progress"}
        made = {"what": "generated the synthetic validation and test sets", "done": 3, "total": 3}
        pane.on_study_event({**progress, **made}, study)
        await pilot.pause()
        assert table_rows(app, "runs")[0][2] == (
            "generated the synthetic validation and test sets 3/3"
        )
        start = {"event": "run_progress", "run": "lstm-s0", "kind": "start", "epochs": 2}
        pane.on_study_event({**start, "start_epoch": 0, "batches": 17}, study)
        await pilot.pause()
        assert table_rows(app, "runs")[0][2] == "epoch 1 batch 0/17"
        pane.on_study_event({**start, "start_epoch": 1, "batches": 17, "resumed": True}, study)
        await pilot.pause()
        assert table_rows(app, "runs")[0][2] == "epoch 2: resuming"


def test_the_time_left_comes_from_the_finished_runs_else_the_running_runs_estimates():
    """The study's time left: the longest running run's, then the queued runs at the
    pace of the finished ones (or, before any, the running ones' own estimates), as
    many at a time as have run together."""
    now = [0.0]
    clock = StudyProgress(clock=lambda: now[0])
    status = {"a": "running", "b": "running", "c": "queued", "d": "queued", "e": "queued"}
    clock.run_started("a")
    clock.run_started("b")
    assert clock.line(status) == "runs 1-2 of 5"  # no estimate yet
    now[0] = 60.0
    clock.estimate("a", 540.0)  # 10 min a run: 9 left of a, 2 rounds of the 3 queued
    assert clock.seconds_left(queued=3) == 540.0 + 2 * 600.0
    assert clock.line(status) == "runs 1-2 of 5, about 29 min left"
    now[0] = 600.0
    clock.run_ended("a", 600.0)
    clock.run_ended("b", 600.0)
    clock.run_started("c")
    status = {**status, "a": "done", "b": "failed", "c": "running"}
    assert clock.line(status) == "run 3 of 5, about 20 min left"  # c, then d and e together
    last = {"a": "done", "b": "running"}
    clock = StudyProgress(clock=lambda: now[0])
    clock.run_started("b")
    clock.estimate("b", 0.0)  # its batches done: its calibration and evaluation to come
    assert clock.line(last) == "run 2 of 2, finishing"


async def test_the_writing_of_the_table_is_shown(here):
    """After the last run, the peers' evaluation takes half a minute: the message says so."""
    app = app_for(here)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        pane = app.query_one("#ablations-pane")
        event = {"event": "study_progress", "done": 3, "total": 36, "what": "evaluating dollar_p"}
        pane.on_study_event(event, here / "studies" / "tiny")
        await pilot.pause()
        assert message(app) == "writing the table: evaluating dollar_p 3/36"


async def test_stop_with_no_study_running_says_so(here):
    app = app_for(here)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f6")
        assert message(app) == "nothing to stop: no study is running"


async def test_an_empty_specs_folder_says_what_it_looks_for(here):
    for spec in (here / "specs").iterdir():
        spec.unlink()
    app = app_for(here)
    async with app.run_test(size=(80, 24)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert message(app) == "no ablation specs (.toml) in specs/"
        await pilot.press("f5")
        assert message(app) == "no spec selected"


async def until_running(app, pilot) -> None:
    deadline = time.monotonic() + 30
    while "running" not in [r[1] for r in table_rows(app, "runs")]:
        assert time.monotonic() < deadline, "the study never started"
        await pilot.pause(0.02)


def highlighted(app) -> str:
    pane = app.query_one("#ablations-pane")
    return pane.selected.stem if pane.selected else ""


async def test_r_while_a_study_runs_keeps_its_tables(here):
    """R re-reads the specs folder, but the running study's runs stay in the table and
    its spec highlighted (R used to show the first spec's planned runs over them)."""
    app = app_for(here, mode="hold")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("down")
        await pilot.pause()
        await pilot.press("f5")
        await until_running(app, pilot)
        (here / "specs" / "added.toml").write_text(SPEC.format(extra="").replace("tiny", "added"))
        running = table_rows(app, "runs")
        await pilot.press("r")
        await pilot.pause()
        assert [p.stem for p in app.query_one("#ablations-pane").specs] == [
            "added",
            "tiny",
            "with-failure",
        ]
        assert highlighted(app) == "with-failure"
        assert table_rows(app, "runs") == running
        assert str(app.query_one("#abl-info", Static).content).startswith("with-failure:")
        await pilot.press("f6")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert [r[:2] for r in table_rows(app, "runs")][:2] == [
            ["lstm-s0", "stopped"],
            ["cnn-s0", "not started"],
        ]
        assert len(table_rows(app, "runs")) == 6  # with-failure's, not tiny's 4


async def test_the_spec_list_follows_the_specs_folder(here):
    """Specs written, edited and removed by another process (an editor, a terminal)
    while the tab is shown: listed, and the selected one shown as it now reads,
    without R; the highlight stays on the selected spec while it is listed."""
    app = app_for(here, follow_s=0.05)
    async with app.run_test(size=(80, 24)) as pilot:
        pane = app.query_one("#ablations-pane")

        async def until(condition, what: str) -> None:
            deadline = time.monotonic() + 30
            while not condition():
                assert time.monotonic() < deadline, f"{what}: not within 30 s"
                await pilot.pause(0.05)

        await pilot.press("down")  # with-failure
        await pilot.pause()
        await pilot.press("f6")  # a message of the tab's, kept while the spec is shown
        specs = here / "specs"
        (specs / "added.toml").write_text(SPEC.format(extra="").replace("tiny", "added"))
        await until(lambda: len(pane.specs) == 3, "the new spec listed")
        assert message(app) == "nothing to stop: no study is running"
        assert [p.stem for p in pane.specs] == ["added", "tiny", "with-failure"]
        assert highlighted(app) == "with-failure"
        assert len(table_rows(app, "runs")) == 6
        extra = '\n[variants.wide]\nmodel = "cnn"\n'
        edited = SPEC.format(extra=extra).replace('"tiny"', '"with-failure"')
        (specs / "with-failure.toml").write_text(edited.replace("seeds = [0, 1]", "seeds = [0]"))
        await until(lambda: len(table_rows(app, "runs")) == 3, "the edited spec shown")
        assert [r[0] for r in table_rows(app, "runs")] == ["lstm-s0", "cnn-s0", "wide-s0"]
        assert str(app.query_one("#abl-info", Static).content).endswith(
            "3 variants x 1 seed = 3 runs"
        )
        (specs / "with-failure.toml").unlink()
        await until(lambda: len(pane.specs) == 2, "the removed spec gone")
        assert highlighted(app) == "added"
        assert message(app) == ""  # another spec shown: not its message
        assert str(app.query_one("#abl-info", Static).content).startswith("added:")
        for spec in specs.iterdir():
            spec.unlink()
        await until(lambda: not pane.specs, "every spec gone")
        assert message(app) == "no ablation specs (.toml) in specs/"
        assert str(app.query_one("#abl-info", Static).content) == ""
        assert table_rows(app, "runs") == []


async def test_l_shows_the_highlighted_runs_curves(here):
    """L on a study's run opens its curves from its folder in the study; a run not
    started yet, or no study to show, is said."""
    from ui.tui.screens.curves import CurvesScreen

    app = app_for(here)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("l")
        assert message(app) == "lstm-s0 has not started: no curves yet"
        await pilot.press("f5")
        await app.workers.wait_for_complete()
        await pilot.pause()
        app.query_one("#abl-runs", DataTable).focus()
        await pilot.press("down", "l")
        await pilot.pause()
        assert isinstance(app.screen, CurvesScreen)
        assert app.screen.run == Path("studies", "tiny", "cnn-s0")
        table = app.screen.query_one("#curves-table", DataTable)
        written = json.loads((here / app.screen.run / "metrics.jsonl").read_text())
        val = f"{100 * written['val_acc']:.1f}%"  # what the fake runner wrote for it
        assert [str(c) for c in table.get_row_at(0)] == ["1 *", "-", "-", "-", val, "-", "0:02"]
        await pilot.press("escape")
        await pilot.pause()
        (here / "specs" / "bad.toml").write_text('name = "bad"\nseeds = []\n')
        await pilot.press("r")
        app.query_one("#abl-specs").focus()
        await pilot.press("home")
        await pilot.pause()
        await pilot.press("l")
        assert message(app) == "no run to show: select a spec whose study has runs"


async def test_a_study_done_quick_is_refused_in_one_line_when_run_without_quick(here):
    """Its runs done with Quick ticked, then Run with it unticked: a child failed on it
    with advice for a terminal ("use another --out"); refused before any child now,
    naming what differs and the way on from the TUI."""
    from experiments.runner import write_status
    from experiments.spec import load_spec

    app = app_for(here)
    quick_run = load_spec(here / "specs" / "tiny.toml").runs(quick=True)[0]
    run_dir = app.ctx.studies_dir / "tiny" / quick_run.run_id
    run_dir.mkdir(parents=True)
    write_status(run_dir, {"status": "done", "overrides": quick_run.overrides})
    async with app.run_test(size=(80, 24)) as pilot:
        app.query_one("#abl-quick", Checkbox).value = False
        await pilot.pause()
        await pilot.press("f5")
        await pilot.pause()
        assert message(app) == (
            "refused: lstm-s0 was done with other settings (data.per_class 'unset' now, "
            f"10 then): set Quick or the spec as then, or delete {run_dir}"
        )
        assert app.query_one("#ablations-pane").supervisor is None


MY_SPEC = """\
name = "mine"
description = "My own drawings."
seeds = [0]
eval_data = ["one"]
peers = ["dollar_p"]

[base]
epochs = 1
max_batches = 2
batch_size = 8
pad_len = 4
m = 32
threads = 1
augment.enabled = false
data = {{ per_class = 2, eval_per_class = 2, num_workers = 0 }}
model.overrides = {{ channels = [4, 4, 4], lstm_hidden = 8, lstm_proj = 0 }}

[variants.lstm]
"""


async def test_a_users_own_spec_and_study_are_shown_with_specs_and_studies(tmp_path, monkeypatch):
    """`ablate my/mine.toml --out my/studies` made a study the tab could not show (it
    listed experiments/specs/ and read experiments/studies/ only): `tui --specs my
    --studies my/studies` lists the spec and shows its study, its $P on one doodle a
    class as n/a, not 0%."""
    from core.strokes import write_ndjson
    from training.synth import generate_drawings
    from ui.cli import main

    monkeypatch.chdir(tmp_path)
    for drawing in generate_drawings(1, seed=7):
        write_ndjson([drawing], tmp_path / "one" / f"{drawing.word}.ndjson")
    (tmp_path / "my").mkdir()
    (tmp_path / "my" / "mine.toml").write_text(MY_SPEC.format())
    assert main(["ablate", "my/mine.toml", "--out", "my/studies"]) == 0
    apps = []
    monkeypatch.setattr("ui.commands.tui.run_quitting_on_signals", apps.append)
    args = ["--specs", "my", "--studies", "my/studies", "--tab", "ablations"]
    assert main(["tui", "--runs", "runs", "--data", "data", *args]) == 0
    (app,) = apps
    async with app.run_test(size=(100, 24)) as pilot:
        await pilot.pause()
        assert [p.name for p in app.query_one("#ablations-pane").specs] == ["mine.toml"]
        assert [r[:2] for r in table_rows(app, "runs")] == [["lstm-s0", "done"]]
        lstm, peer = table_rows(app, "results")
        assert lstm[:2] == ["lstm", "1/1"] and lstm[2].endswith("%")
        assert peer[:3] == ["$P (leave-one-out)", "-", "n/a: one drawing a class"]


async def test_real_dev_doodles_not_found_are_said_with_the_ways_to_name_them(here, monkeypatch):
    """The real `ablate` in the child, which gets the TUI's environment: a spec with the
    default eval_data failed, from an installed package, with "no such directory" and
    nothing that said how to point it at the real doodles."""
    from ui.tui.context import cli

    monkeypatch.setenv("FRANKENSTEIN_REAL_DEV", str(here / "gone"))
    app = tui(here, initial="ablations", ablate=cli("ablate"))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f5")
        await until(pilot, lambda: "FAILED" in message(app), "the child's failure")
        assert " ".join(message(app).split()) == (
            f"the ablation FAILED: FRANKENSTEIN_REAL_DEV '{here / 'gone'}': no such "
            "directory; set FRANKENSTEIN_REAL_DEV to the real dev doodles' folder (the one "
            "holding simplified/ and raw/), or name a folder of real doodles with "
            "`frankenstein ablate --eval-data DIR` or the spec's eval_data"
        )
    assert not (here / "studies").exists()  # an empty studies/tiny/ was left behind


def test_the_tabs_studies_are_where_frankenstein_studies_says(tmp_path, monkeypatch):
    """As `ablate` puts them without --out; --studies still wins."""
    from ui.cli import main

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("FRANKENSTEIN_STUDIES", str(tmp_path / "studies"))
    apps = []
    monkeypatch.setattr("ui.commands.tui.run_quitting_on_signals", apps.append)
    assert main(["tui", "--runs", "runs", "--data", "data"]) == 0
    assert main(["tui", "--runs", "runs", "--data", "data", "--studies", "mine"]) == 0
    assert [app.ctx.studies_dir for app in apps] == [tmp_path / "studies", Path("mine")]
