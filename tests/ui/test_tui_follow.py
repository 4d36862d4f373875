"""Tabs follow what another process does while they are shown (ui/tui/follow.py): a
training, a study and a download started from a terminal fill in the Runs, Ablations
and Data tabs as they go, without R, and a data folder made there is offered on the
Train tab. The other processes are the real commands (a tiny `train`, a tiny `ablate`,
`data download` from a local server, `data synth`) or, for a run's lock, a real
process holding it."""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
from pathlib import Path

import pytest
from textual.app import App, ComposeResult
from textual.widgets import Button, DataTable, Static

from tests.experiments.conftest import TINY_BASE, write_eval_dir
from tests.http_bucket import ndjson_bytes, serve
from tests.lock_holder import held_by_another_process
from tests.ui.follow_helpers import EVERY, cells, ended, terminal, text, until
from tests.ui.tui_helpers import STAND_IN, make_run, report, tui
from training.progressfile import PROGRESS
from training.runlock import lock_path
from ui.tui.follow import Follow
from ui.tui.widgets.chart import Chart

REPORT = report(0.62, [0.30, 0.45, 0.55], 0.92, 0.41)


@pytest.fixture
def here(tmp_path, monkeypatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("FRANKENSTEIN_CACHE", str(tmp_path / "cache"))
    return tmp_path


# ---------------------------------------------------------------------- Runs


async def test_a_run_trained_from_a_terminal_fills_in_the_runs_tab(here):
    make_run(here / "runs", "old", mtime=1_700_000_000)
    app = tui(here, initial="runs", follow_s=EVERY)
    async with app.run_test(size=(100, 24)) as pilot:
        await pilot.pause()
        assert [r[0] for r in cells(app, "#runs-table")] == ["old"]
        settings = [f"{k}={json.dumps(v)}" for k, v in TINY_BASE.items()]
        proc = await terminal("train", *settings, "name=term", "out_dir=runs")
        await until(pilot, lambda: "term" in [r[0] for r in cells(app, "#runs-table")], "listed")
        await ended(proc)

        def scored() -> bool:
            row = cells(app, "#runs-table")[0]
            return row[2] == "1/1" and row[6] == "test split"

        await until(pilot, scored, "finished and scored")
        top = cells(app, "#runs-table")[0]
        assert top[0] == "term" and top[3].endswith("%") and top[4].endswith("%")
        assert text(app, "#runs-message") == ""
        shutil.rmtree(here / "runs" / "term")  # the terminal removes it again
        await until(pilot, lambda: [r[0] for r in cells(app, "#runs-table")] == ["old"], "gone")


async def test_a_run_whose_trainer_ends_turns_stopped_and_a_message_stays(here):
    """A run trained by another process (a real child holds its run lock): an epoch it
    writes shows, and when it is killed the row reads stopped; the mark's hint on the
    message line is not wiped by those refreshes."""
    run = make_run(here / "runs", "going", val_accs=(0.5,))
    config = json.loads((run / "config.json").read_text())
    (run / "config.json").write_text(json.dumps({**config, "epochs": 3}))
    (run / "last.pt").write_bytes(STAND_IN)
    with held_by_another_process(here / "runs" / ".going.lock") as trainer:
        app = tui(here, initial="runs", follow_s=EVERY)
        async with app.run_test(size=(100, 24)) as pilot:
            await pilot.pause()
            assert cells(app, "#runs-table")[0][2] == "1/3 training"
            await pilot.press("m")
            hint = "marked going: select another run and press C"
            assert text(app, "#runs-message") == hint
            with open(run / "metrics.jsonl", "a") as f:  # as the trainer does, an epoch on
                f.write(json.dumps({"epoch": 2, "val_acc": 0.7}) + "\n")
            await until(pilot, lambda: cells(app, "#runs-table")[0][2] == "2/3 training", "epoch")
            assert cells(app, "#runs-table")[0][3] == "70.0%"
            trainer.kill()
            trainer.wait()
            await until(pilot, lambda: cells(app, "#runs-table")[0][2] == "2/3 stopped", "stopped")
            assert text(app, "#runs-message") == hint
            assert cells(app, "#runs-table")[0][0] == "* going"


async def test_a_terminal_trainings_progress_within_an_epoch_shows(here):
    """Where another process's training is within an epoch (its progress.json, rewritten
    as it trains) shows in the Runs tab's detail and on the curves screen, as it changes
    (the training curves go on to where the epoch under way stands); a progress.json of
    a process that no longer trains the run is not taken for it."""
    run = make_run(here / "runs", "going", val_accs=(0.5,))
    config = json.loads((run / "config.json").read_text())
    (run / "config.json").write_text(json.dumps({**config, "epochs": 3}))

    def progress(pid: int, b: int) -> None:  # as the trainer does, atomically
        line = {
            "event": "batch",
            "epoch": 2,
            "epochs": 3,
            "batch": b,
            "batches": 40,
            "loss": b / 100,
        }
        (run / "progress.tmp").write_text(json.dumps({**line, "eta_s": 90.0, "pid": pid}))
        (run / "progress.tmp").replace(run / PROGRESS)

    with held_by_another_process(here / "runs" / ".going.lock") as trainer:
        progress(trainer.pid + 1, 10)  # left by an earlier process
        app = tui(here, initial="runs", follow_s=EVERY)
        async with app.run_test(size=(100, 24)) as pilot:
            await pilot.pause()
            detail = lambda: text(app, "#runs-detail").splitlines()[1]  # noqa: E731
            assert detail() == f"training now (pid {trainer.pid})"
            progress(trainer.pid, 10)
            now = f"training now (pid {trainer.pid}): epoch 2 of 3: batch 10 of 40 (25%)"
            await until(pilot, lambda: detail().startswith(now), "its progress")
            assert detail() == now + ", about 2 min left"
            await pilot.press("l")
            await pilot.pause()
            state = lambda: text(app.screen, "#curves-state").splitlines()[0]  # noqa: E731
            assert (
                state()
                == now + ", about 2 min left; best.pt is epoch 1 (50.0% validation accuracy)"
            )
            progress(trainer.pid, 30)
            await until(pilot, lambda: "batch 30 of 40 (75%)" in state(), "on the curves screen")
            loss = app.screen.query_one("#curves-loss", Chart)
            assert loss.series[0].points == ((1.75, 0.3),)  # the epoch under way, 75% in


@pytest.fixture
def reads(monkeypatch) -> list[str]:
    """The runs read_run reads (the real function, its calls counted), in order."""
    import ui.tui.runinfo

    read: list[str] = []
    read_run = ui.tui.runinfo.read_run

    def counted(path):
        read.append(Path(path).name)
        return read_run(path)

    monkeypatch.setattr(ui.tui.runinfo, "read_run", counted)
    return read


def selected_row(app) -> str:
    """The selected run's name, as the pane has it and as the cursor's row shows it."""
    table = app.query_one("#runs-table", DataTable)
    name = app.query_one("#runs-pane").selected.name
    shown = cells(app, "#runs-table")[table.cursor_row][0]
    assert shown.removeprefix("* ") == name  # the table and the pane's runs agree
    assert text(app, "#runs-detail").startswith(f"{name}: ")
    return name


def as_listed(root: Path) -> list[list[str]]:
    """The rows a fresh read of every run gives (no run kept from an earlier read), in
    the table's order of columns."""
    from ui.tui.panes.runs import SHOWN
    from ui.tui.runinfo import list_runs, run_cells

    return [[run_cells(r)[i] for i in SHOWN] for r in list_runs(root)]


async def test_a_trainings_writes_read_its_run_again_and_no_other(here, reads):
    """A run another process trains rewrites its progress.json every second, and the tab
    reloads at each: every run's files were read again (their eval.json most: 50 to 200
    ms at 50 to 200 runs) and the table cleared and filled again. Now that run alone is
    read again, its row alone changes, and the cursor stays on the run selected."""
    root = here / "runs"
    for i, name in enumerate(("c", "b", "a")):
        make_run(root, name, real=REPORT, mtime=1_700_000_000 + i)
    run = make_run(root, "going", val_accs=(0.5,), mtime=1_700_000_100)
    config = json.loads((run / "config.json").read_text())
    (run / "config.json").write_text(json.dumps({**config, "epochs": 3}))
    (run / "last.pt").write_bytes(STAND_IN)
    with held_by_another_process(root / ".going.lock") as trainer:
        app = tui(here, initial="runs", follow_s=EVERY)
        async with app.run_test(size=(100, 24)) as pilot:
            await pilot.pause()
            assert sorted(set(reads)) == ["a", "b", "c", "going"]
            await pilot.press("down", "down")
            assert selected_row(app) == "b"
            before = cells(app, "#runs-table")
            table = app.query_one("#runs-table", DataTable)
            others = [table.rows[name] for name in ("a", "b", "c")]
            reads.clear()
            batch = {"event": "batch", "epoch": 2, "epochs": 3, "batch": 5, "batches": 20}
            (run / "progress.tmp").write_text(json.dumps({**batch, "pid": trainer.pid}))
            (run / "progress.tmp").replace(run / PROGRESS)  # as the trainer does
            await until(pilot, lambda: "going" in reads, "going read again")
            await pilot.pause(5 * EVERY)  # a few more looks: nothing else changed
            assert reads == ["going"]
            assert cells(app, "#runs-table") == before and selected_row(app) == "b"
            with open(run / "metrics.jsonl", "a") as f:  # an epoch on
                f.write(json.dumps({"epoch": 2, "val_acc": 0.7}) + "\n")
            await until(pilot, lambda: cells(app, "#runs-table")[0][2] == "2/3 training", "epoch")
            assert set(reads) == {"going"}
            assert cells(app, "#runs-table")[0][3] == "70.0%"
            assert cells(app, "#runs-table")[1:] == before[1:]
            now = [table.rows[name] for name in ("a", "b", "c")]
            assert all(r is o for r, o in zip(now, others, strict=True))  # not added again
            assert selected_row(app) == "b"
            assert cells(app, "#runs-table") == as_listed(root)
            reads.clear()
            await pilot.press("r")  # R reads every run again
            assert sorted(reads) == ["a", "b", "c", "going"] and selected_row(app) == "b"


async def test_runs_added_moved_and_removed_show_as_they_go(here, reads):
    """Rows are added, moved and removed, not the table filled again: a new run shows at
    the top, one whose config.json is written again (a resume) moves up, a removed one
    goes; the cursor stays on its run, and goes to the top when its run goes (as when
    the table was filled again); the rows are those a fresh read gives."""
    root = here / "runs"
    for i, name in enumerate(("c", "b", "a")):
        make_run(root, name, real=REPORT, mtime=1_700_000_000 + i)
    app = tui(here, initial="runs", follow_s=EVERY)
    async with app.run_test(size=(100, 24)) as pilot:
        await pilot.pause()
        await pilot.press("down")
        assert selected_row(app) == "b"
        reads.clear()
        make_run(root, "new", val_accs=(0.5, 0.9), mtime=1_700_000_100)
        await until(pilot, lambda: cells(app, "#runs-table")[0][0] == "new", "new listed")
        assert reads == ["new"] and selected_row(app) == "b"
        assert [r[0] for r in cells(app, "#runs-table")] == ["new", "a", "b", "c"]
        assert cells(app, "#runs-table") == as_listed(root)
        reads.clear()
        os.utime(root / "c" / "config.json", (1_700_000_200, 1_700_000_200))
        await until(pilot, lambda: cells(app, "#runs-table")[0][0] == "c", "c moved up")
        assert reads == ["c"] and selected_row(app) == "b"
        assert cells(app, "#runs-table") == as_listed(root)
        reads.clear()
        shutil.rmtree(root / "a")
        await until(pilot, lambda: len(cells(app, "#runs-table")) == 3, "a gone")
        assert [r[0] for r in cells(app, "#runs-table")] == ["c", "new", "b"]
        assert reads == [] and selected_row(app) == "b"
        shutil.rmtree(root / "b")
        await until(pilot, lambda: len(cells(app, "#runs-table")) == 2, "b gone")
        assert selected_row(app) == "c"
        assert cells(app, "#runs-table") == as_listed(root)


async def test_f6_twice_on_the_runs_tab_stops_a_training_a_terminal_runs(here):
    """F6 asks, F6 again stops: the real `frankenstein train` from a terminal gets SIGTERM,
    saves last.pt and ends as after Ctrl-C (status 130), and the row reads stopped, its
    detail saying how to resume it. A message shown between the two presses (M's hint)
    takes the question back."""
    make_run(here / "runs", "done", mtime=1_700_000_000)
    settings = [f"{k}={json.dumps(v)}" for k, v in {**TINY_BASE, "epochs": 1000}.items()]
    app = tui(here, initial="runs", follow_s=EVERY)
    async with app.run_test(size=(100, 24)) as pilot:
        await pilot.pause()
        await pilot.press("f6")  # the finished run
        assert text(app, "#runs-message") == "done is not training: nothing to stop"
        proc = await terminal("train", *settings, "name=term", "out_dir=runs")
        try:
            await until(pilot, lambda: "training" in cells(app, "#runs-table")[0][2], "training")
            await until(pilot, lambda: (here / "runs" / "term" / "last.pt").is_file(), "epoch")
            pid = app.query_one("#runs-pane").runs[0].training_pid
            assert pid == proc.pid
            ask = f"press F6 again to stop the training of term (pid {pid})"
            await pilot.press("up")  # the cursor stayed on done, now second
            await pilot.press("f6")
            assert text(app, "#runs-message") == ask
            await pilot.press("m")  # something else in between: asked again
            await pilot.press("f6")
            assert text(app, "#runs-message") == ask
            assert app.query_one("#runs-pane").runs[0].training_pid == pid  # not yet
            await pilot.press("f6")
            assert text(app, "#runs-message") == (
                f"asked pid {pid} to stop term: it saves last.pt and ends; F7 then resumes it"
            )
            _, err = await asyncio.wait_for(proc.communicate(), timeout=60)
        finally:
            if proc.returncode is None:
                proc.kill()
        assert proc.returncode == 130, err.decode()
        assert "interrupted" in err.decode()
        await until(pilot, lambda: "stopped" in cells(app, "#runs-table")[0][2], "stopped")
        assert "--resume name=term" in text(app, "#runs-detail")


# ---------------------------------------------------------------------- Ablations

SPEC = """\
name = "followed"
description = "One tiny run (the default model), trained for real."
seeds = [0]
eval_data = ["{eval}"]

[base]
{base}

[variants.lstm]
"""


def _toml(value) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k} = {_toml(v)}" for k, v in value.items()) + "}"
    return json.dumps(value)


@pytest.mark.slow
async def test_a_study_run_from_a_terminal_fills_in_the_ablations_tab(here):
    (here / "specs").mkdir()
    base = "\n".join(f"{k} = {_toml(v)}" for k, v in TINY_BASE.items())
    spec = here / "specs" / "followed.toml"
    spec.write_text(SPEC.format(base=base, eval=write_eval_dir(here / "eval")))
    app = tui(here, initial="ablations", follow_s=EVERY)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert cells(app, "#abl-runs") == [["lstm-s0", "not started", ""]]
        proc = await terminal("ablate", str(spec), "--quick", "--out", "studies")
        running = f"another process (pid {proc.pid}) is running this study"
        await until(pilot, lambda: text(app, "#abl-message") == running, "its pid shown")
        seen = set()

        def done() -> bool:
            seen.add(cells(app, "#abl-runs")[0][1])
            return "done" in seen

        await until(pilot, done, "the run done")
        await ended(proc)
        await until(
            pilot,
            lambda: (
                text(app, "#abl-message")
                == f"the process running this study (pid {proc.pid}) has ended"
            ),
            "its end said",
        )
        assert "running" in seen
        assert cells(app, "#abl-runs") == [["lstm-s0", "done", ""]]
        assert [r[:2] for r in cells(app, "#abl-results")] == [["lstm", "1/1"]]


async def test_a_study_another_process_holds_shows_its_running_runs_epochs(here):
    """The runs another process is running show their last epoch from their folders
    (no events reach the TUI from it), and turn stopped when that process dies."""
    (here / "specs").mkdir()
    base = "\n".join(f"{k} = {_toml(v)}" for k, v in TINY_BASE.items())
    (here / "specs" / "followed.toml").write_text(
        SPEC.format(base=base, eval=write_eval_dir(here / "eval"))
    )
    run = here / "studies" / "followed" / "lstm-s0"
    run.mkdir(parents=True)
    (run / "status.json").write_text(json.dumps({"status": "running"}))
    with held_by_another_process(run.parent / ".ablate.lock") as runner:
        app = tui(here, initial="ablations", follow_s=EVERY)
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.pause()
            assert cells(app, "#abl-runs") == [["lstm-s0", "running", ""]]
            (run / "metrics.jsonl").write_text(json.dumps({"epoch": 1, "val_acc": 0.25}) + "\n")
            await until(
                pilot,
                lambda: cells(app, "#abl-runs")[0][2] == "epoch 1 done, val 25.0%",
                "its epoch",
            )
            with held_by_another_process(lock_path(run)) as trainer:  # the run's training
                batch = {"event": "batch", "epoch": 2, "batch": 3, "batches": 8}
                (run / PROGRESS).write_text(json.dumps({**batch, "pid": trainer.pid}))
                await until(
                    pilot, lambda: cells(app, "#abl-runs")[0][2] == "epoch 2 batch 3/8", "batches"
                )
            runner.kill()
            runner.wait()
            await until(pilot, lambda: cells(app, "#abl-runs")[0][1] == "stopped", "stopped")
            assert text(app, "#abl-message") == (
                f"the process running this study (pid {runner.pid}) has ended"
            )


async def test_the_cursor_stays_on_its_run_while_a_followed_study_goes_on(here):
    """Another process's study is shown again at each change of its runs' files (about
    once a second while one trains): the runs table's cursor stays on its run."""
    (here / "specs").mkdir()
    base = "\n".join(f"{k} = {_toml(v)}" for k, v in TINY_BASE.items())
    spec = SPEC.format(base=base, eval=write_eval_dir(here / "eval"))
    (here / "specs" / "followed.toml").write_text(spec.replace("seeds = [0]", "seeds = [0, 1, 2]"))
    run = here / "studies" / "followed" / "lstm-s0"
    run.mkdir(parents=True)
    (run / "status.json").write_text(json.dumps({"status": "running"}))
    with held_by_another_process(run.parent / ".ablate.lock"):
        app = tui(here, initial="ablations", follow_s=EVERY)
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.pause()
            assert [r[0] for r in cells(app, "#abl-runs")] == ["lstm-s0", "lstm-s1", "lstm-s2"]
            table = app.query_one("#abl-runs", DataTable)
            table.move_cursor(row=2)
            (run / "metrics.jsonl").write_text(json.dumps({"epoch": 1, "val_acc": 0.25}) + "\n")
            await until(
                pilot,
                lambda: cells(app, "#abl-runs")[0][2] == "epoch 1 done, val 25.0%",
                "its epoch",
            )
            assert table.cursor_row == 2


@pytest.mark.slow
async def test_f6_twice_stops_a_study_a_terminal_runs(here):
    """The Stop button and F6 act on a study another process runs too: F6 asks, F6
    again sends SIGTERM to the real `ablate` holding the study's lock, which stops its
    running run (stopped, to resume) and ends as after Ctrl-C (status 130)."""
    (here / "specs").mkdir()
    base = "\n".join(f"{k} = {_toml(v)}" for k, v in {**TINY_BASE, "epochs": 1000}.items())
    spec = here / "specs" / "followed.toml"
    spec.write_text(SPEC.format(base=base, eval=write_eval_dir(here / "eval")))
    app = tui(here, initial="ablations", follow_s=EVERY)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        stop = app.query_one("#abl-stop", Button)
        assert stop.disabled
        proc = await terminal("ablate", str(spec), "--out", "studies")
        try:
            running = f"another process (pid {proc.pid}) is running this study"
            await until(pilot, lambda: text(app, "#abl-message") == running, "its pid shown")
            assert not stop.disabled
            run = here / "studies" / "followed" / "lstm-s0"
            await until(pilot, lambda: (run / "last.pt").is_file(), "an epoch")
            await pilot.press("f6")
            ask = f"press F6 again to stop the study followed (pid {proc.pid})"
            assert text(app, "#abl-message") == ask
            seen = (run / PROGRESS).read_text()
            await until(pilot, lambda: (run / PROGRESS).read_text() != seen, "its progress")
            await pilot.pause(0.2)  # followed: the table shows it (the question stays)
            assert text(app, "#abl-message") == ask
            await pilot.press("f6")  # "asked pid N to stop", soon "ended" (below)
            _, err = await asyncio.wait_for(proc.communicate(), timeout=60)
        finally:
            if proc.returncode is None:
                proc.kill()
        assert proc.returncode == 130, err.decode()
        await until(pilot, lambda: cells(app, "#abl-runs")[0][1] == "stopped", "stopped")
        assert text(app, "#abl-message") == (
            f"the process running this study (pid {proc.pid}) has ended"
        )
        assert stop.disabled


# ---------------------------------------------------------------------- Data


def counts(app, label: str) -> dict[str, str]:
    table = app.query_one("#data-table", DataTable)
    labels = [str(c.label) for c in table.ordered_columns]
    if label not in labels:
        return {}
    i = labels.index(label)
    return {str(r[0]): str(r[i]) for r in map(table.get_row_at, range(table.row_count))}


async def test_a_download_from_a_terminal_is_counted_as_it_arrives(here):
    files = {f"{c}.ndjson": ndjson_bytes(c, 4) for c in ("circle", "square")}
    with serve(files) as bucket:
        app = tui(here, initial="data", follow_s=EVERY)
        async with app.run_test(size=(100, 30)) as pilot:
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert counts(app, "quickdraw") == {}
            bucket.hold_after = 10  # the download stays going until released
            args = ["--out", "data/quickdraw", "--classes", "circle", "--base-url", bucket.url]
            proc = await terminal("data", "download", *args)
            note = f"Another process (pid {proc.pid}) is downloading into data/quickdraw"
            await until(pilot, lambda: note in text(app, "#data-summary"), "its pid shown")
            bucket.hold_after = None
            bucket.release.set()
            await ended(proc)
            await until(pilot, lambda: counts(app, "quickdraw").get("circle") == "4", "counted")
            await until(pilot, lambda: note not in text(app, "#data-summary"), "its end")
            proc = await terminal("data", "download", *args[:3], "square", *args[4:])
            await ended(proc)
            await until(pilot, lambda: counts(app, "quickdraw").get("square") == "4", "2nd file")


async def test_f6_twice_stops_a_download_a_terminal_runs_and_it_resumes(here):
    """F6 asks, F6 again sends SIGTERM to the real `data download` holding the folder's
    lock mid-file: it ends as after Ctrl-C (status 130) with its .part kept, and the next
    download resumes it."""
    files = {"circle.ndjson": ndjson_bytes("circle", 4)}
    with serve(files) as bucket:
        app = tui(here, initial="data", follow_s=EVERY)
        async with app.run_test(size=(100, 30)) as pilot:
            await app.workers.wait_for_complete()
            await pilot.pause()
            await pilot.press("f6")
            assert text(app, "#data-message") == (
                "nothing to stop: no generate or download is running"
            )
            bucket.hold_after = 10  # the download stays going mid-file until stopped
            args = ["--out", "data/quickdraw", "--classes", "circle", "--base-url", bucket.url]
            proc = await terminal("data", "download", *args)
            try:
                note = f"Another process (pid {proc.pid}) is downloading"
                await until(pilot, lambda: note in text(app, "#data-summary"), "its pid shown")
                assert "(F6 twice stops it)" in text(app, "#data-summary")
                assert not app.query_one("#data-stop", Button).disabled  # the mouse's way
                part = here / "data" / "quickdraw" / "circle.ndjson.part"
                await until(pilot, part.is_file, "its first bytes")
                await pilot.press("f6")
                ask = f"press F6 again to stop the download (pid {proc.pid})"
                assert text(app, "#data-message") == ask
                await pilot.press("f6")
                assert text(app, "#data-message") == (
                    f"asked pid {proc.pid} to stop its download: the files it installed stay, "
                    "and a download again resumes the rest"
                )
                _, err = await asyncio.wait_for(proc.communicate(), timeout=60)
            finally:
                if proc.returncode is None:
                    proc.kill()
            assert proc.returncode == 130, err.decode()
            assert part.is_file()
            await until(pilot, lambda: note not in text(app, "#data-summary"), "its end")
            assert app.query_one("#data-stop", Button).disabled
            bucket.hold_after = None
            proc = await terminal("data", "download", *args)
            await ended(proc)
            await until(pilot, lambda: counts(app, "quickdraw").get("circle") == "4", "resumed")
            assert bucket.hits()[-1].range == "bytes=10-"  # the rest only: resumed


async def test_f6_twice_stops_a_generation_a_terminal_runs_and_its_folder_stays(here):
    """A terminal's `data synth --replace` into data/synthetic, found by its staging
    folder's lock, is named in the summary with how far it is (its progress.json),
    which follows it without a recount (the table's cursor stays); F6 asks, F6 again
    sends it SIGTERM: it ends as after Ctrl-C (status 130), the earlier set as it was,
    no staging folder left."""
    proc = await terminal("data", "synth", "--per-class", "2", "--out", "data/synthetic")
    await ended(proc)
    earlier = {p.name: p.read_bytes() for p in (here / "data" / "synthetic").iterdir()}
    app = tui(here, initial="data", follow_s=EVERY)
    async with app.run_test(size=(100, 30)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        table = app.query_one("#data-table", DataTable)
        table.move_cursor(row=5)
        args = ["--per-class", "1000000", "--classes", "circle", "--replace"]
        proc = await terminal("data", "synth", *args, "--out", "data/synthetic")
        try:
            note = f"Another process (pid {proc.pid}) is generating doodles for data/synthetic"
            pattern = re.escape(note) + r" \(([\d,]+) of 1,000,000 drawn\): they go in when all "
            pattern += re.escape("are drawn (F6 twice stops it)")

            def drawn() -> int:
                found = re.search(pattern, text(app, "#data-summary"))
                return int(found[1].replace(",", "")) if found else 0

            await until(pilot, lambda: drawn() > 0, "its pid and progress shown")
            first = drawn()
            await until(pilot, lambda: drawn() > first, "its progress followed")
            assert table.cursor_row == 5  # the summary alone changed
            assert not app.query_one("#data-stop", Button).disabled  # the mouse's way
            await pilot.press("f5")  # a second generation would race it: refused
            assert text(app, "#data-message") == (
                f"refused: pid {proc.pid} is generating doodles for data/synthetic; "
                "F6 twice stops it"
            )
            assert app.query_one("#data-pane").supervisor is None
            await pilot.press("f6")
            ask = f"press F6 again to stop the generation (pid {proc.pid})"
            assert text(app, "#data-message") == ask
            await pilot.press("f6")
            assert text(app, "#data-message") == (
                f"asked pid {proc.pid} to stop its generation: data/synthetic stays as it was"
            )
            _, err = await asyncio.wait_for(proc.communicate(), timeout=60)
        finally:
            if proc.returncode is None:
                proc.kill()
        assert proc.returncode == 130, err.decode()
        await until(pilot, lambda: note not in text(app, "#data-summary"), "its end")
        assert app.query_one("#data-stop", Button).disabled
    assert sorted(p.name for p in (here / "data").iterdir()) == ["synthetic"]
    assert {p.name: p.read_bytes() for p in (here / "data" / "synthetic").iterdir()} == earlier


async def test_a_data_folder_made_from_a_terminal_is_offered_on_the_train_tab(here):
    app = tui(here, initial="train", follow_s=EVERY)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        pane = app.query_one("#train-pane")
        assert pane.sources == ["synthetic"]
        proc = await terminal(
            "data", "synth", "--per-class", "2", "--classes", "circle", "--out", "data/mine"
        )
        await ended(proc)
        await until(pilot, lambda: pane.sources == ["synthetic", "data/mine"], "offered")
        assert app.query_one("#train-data").value == "synthetic"  # the choice is kept


# ---------------------------------------------------------------------- Follow


def _look(value):
    if isinstance(value, OSError):
        raise value
    return value


class Shown(Static):
    pass


class Pair(App):
    def compose(self) -> ComposeResult:
        yield Shown("a", id="shown")
        yield Shown("b", id="hidden")


async def test_a_pane_refreshes_once_a_change_and_not_while_hidden():
    state = {"shown": 0, "hidden": 0}
    refreshed = {"shown": 0, "hidden": 0}
    app = Pair()
    async with app.run_test() as pilot:
        follows = {}
        for name in state:
            pane = app.query_one(f"#{name}")

            def refresh(name=name):
                refreshed[name] += 1

            follows[name] = Follow(pane, lambda name=name: _look(state[name]), refresh, EVERY)
            follows[name].saw()
            follows[name].start()
        app.query_one("#hidden").display = False
        await pilot.pause(5 * EVERY)
        assert refreshed == {"shown": 0, "hidden": 0}  # nothing changed
        state["shown"] = state["hidden"] = 1
        await until(pilot, lambda: refreshed["shown"] == 1, "refreshed")
        await pilot.pause(5 * EVERY)
        assert refreshed == {"shown": 1, "hidden": 0}  # once, and not the hidden one
        state["shown"] = 2
        follows["shown"].saw()  # the pane showed it itself: no refresh
        await pilot.pause(5 * EVERY)
        assert refreshed["shown"] == 1
        app.query_one("#hidden").display = True
        await until(pilot, lambda: refreshed["hidden"] == 1, "refreshed once shown")
        state["shown"] = OSError(2, "No such file or directory")  # a folder went as listed
        await pilot.pause(5 * EVERY)
        assert refreshed["shown"] == 1 and app.is_running  # skipped, the app goes on
        follows["shown"].saw()  # a pane's own reload meeting it: no exception either
        state["shown"] = 3
        await until(pilot, lambda: refreshed["shown"] == 2, "refreshed after it")
