"""Ctrl+P's command palette: Textual's own commands, and the TUI's tabs and each tab's
actions found by name, each running what its key runs (ui/tui/palette.py)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from textual.binding import Binding
from textual.command import Command, CommandList, CommandPalette
from textual.widgets import Input, Static

from live.default_model import read_default_model
from tests.http_bucket import refused_url
from tests.ui.follow_helpers import until
from tests.ui.test_tui_ablations import FAKE_ABLATE, SPEC
from tests.ui.tui_helpers import make_run, real_checkpoint, tui
from ui.tui.app import TABS
from ui.tui.palette import COMMANDS
from ui.tui.panes.ablations import AblationsPane
from ui.tui.panes.data import DataPane
from ui.tui.panes.runs import RunsPane
from ui.tui.panes.train import TrainPane
from ui.tui.screens.compare import CompareScreen

TEXTUAL = {"Theme", "Quit", "Keys", "Screenshot"}  # Textual's own, kept
PANES = {"data": DataPane, "train": TrainPane, "ablations": AblationsPane, "runs": RunsPane}


@pytest.fixture
def here(tmp_path, monkeypatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def offered(app) -> list[str]:
    """The commands the open palette lists, in order (not its "No matches found")."""
    if not isinstance(app.screen, CommandPalette):
        return []
    listed = app.screen.query_one(CommandList)
    options = (listed.get_option_at_index(i) for i in range(listed.option_count))
    return [o.hit.text or "" for o in options if isinstance(o, Command)]


async def palette(app, pilot, title: str) -> None:
    """Ctrl+P, `title` typed, Enter once the palette offers it first; then what it
    started has run."""
    await pilot.press("ctrl+p")
    await until(pilot, lambda: isinstance(app.screen, CommandPalette), "the palette")
    await pilot.press(*title)
    first = lambda: offered(app)[:1] == [title]  # noqa: E731
    await until(pilot, first, f"{title!r} offered first", timeout=30)
    await pilot.press("enter")
    await app.workers.wait_for_complete()
    await pilot.pause()


def pane_message(app, tab: str) -> str:
    ids = {"data": "#data-message", "ablations": "#abl-message", "runs": "#runs-message"}
    return str(app.query_one(ids[tab], Static).content)


def test_every_key_of_every_tab_has_its_command_and_no_command_is_keyless():
    """The palette offers each action a tab's keys run, and nothing they do not."""
    for tab, pane in PANES.items():
        keyed = {b.action for b in Binding.make_bindings(pane.BINDINGS)}
        commands = {c.action for c in COMMANDS if c.tab == tab and c.action}
        assert commands == keyed, tab
    assert [c.tab for c in COMMANDS if not c.action] == list(TABS)
    assert len({c.title for c in COMMANDS}) == len(COMMANDS)


async def test_the_palette_lists_textuals_commands_and_the_tuis(here):
    app = tui(here)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("ctrl+p")
        everything = TEXTUAL | {c.title for c in COMMANDS}
        await until(pilot, lambda: everything <= set(offered(app)), "every command", timeout=30)
        await pilot.press(*"Runs: draw")
        await until(pilot, lambda: offered(app)[:1] == ["Runs: draw with this checkpoint"], "draw")
        help_line = app.screen.query_one(CommandList).get_option_at_index(0).hit.help
        assert (
            help_line == "open the drawing window on the selected run's best.pt (D on the Runs tab)"
        )


async def test_each_tab_is_shown_by_name_with_its_first_widget_focused(here):
    app = tui(here, initial="runs")
    first = {"data": "data-table", "train": "train-model", "ablations": "abl-specs"}
    async with app.run_test(size=(80, 24)) as pilot:
        for tab in TABS:  # from the Runs tab to the Data tab, ..., back to the Runs tab
            await palette(app, pilot, f"{tab.title()} tab")
            assert app.query_one("#tabs").active == tab
            assert app.focused is not None and app.focused.id == first.get(tab, "runs-table")


async def test_train_start_and_stop_from_another_tab(here):
    """Start trains as F5 does, the Train tab shown; Stop with nothing running says so,
    as F6 does."""
    app = tui(here, initial="runs")
    async with app.run_test(size=(100, 24)) as pilot:
        await palette(app, pilot, "Train: start")
        assert app.query_one("#tabs").active == "train"
        pane = app.query_one("#train-pane", TrainPane)
        assert pane.lines[0].startswith("$ frankenstein train ")
        assert pane.state.status == "done"
        assert (here / "runs" / pane.state.run / "metrics.jsonl").is_file()
        await palette(app, pilot, "Train: stop")
        assert pane.lines[-1] == "no run to stop"


async def test_runs_mark_compare_and_make_default_act_on_the_selected_run(here):
    runs = here / "runs"
    make_run(runs, "older", mtime=1_700_000_100)
    make_run(runs, "newer", model="cnn", mtime=1_700_000_200)
    real_checkpoint(runs / "newer")
    app = tui(here, initial="data")
    async with app.run_test(size=(100, 24)) as pilot:
        await palette(app, pilot, "Runs: compare")  # nothing marked: said, as C says it
        assert app.query_one("#tabs").active == "runs"
        assert (
            pane_message(app, "runs") == "mark a run with M first, then select another and press C"
        )
        await palette(app, pilot, "Runs: mark")
        assert pane_message(app, "runs") == "marked newer: select another run and press C"
        await pilot.press("down")
        await palette(app, pilot, "Runs: compare")
        assert isinstance(app.screen, CompareScreen)
        # over the comparison, the palette offers Textual's commands, not the tabs'
        await pilot.press("ctrl+p")
        await until(pilot, lambda: set(offered(app)) >= TEXTUAL, "Textual's commands")
        assert not set(offered(app)) & {c.title for c in COMMANDS}
        await pilot.press("escape", "escape")  # the palette, then the comparison
        await pilot.press("up")
        await palette(app, pilot, "Runs: make default")
        assert "`frankenstein draw` now starts with newer/best.pt" in pane_message(app, "runs")
        await palette(app, pilot, "Runs: stop")  # not training: said, as F6 says it
        assert pane_message(app, "runs") == "newer is not training: nothing to stop"
    saved = read_default_model(here / "user-config" / "default_model.json")
    assert saved is not None and saved.checkpoint == (runs / "newer" / "best.pt").resolve()


async def test_runs_draw_opens_the_window_on_the_selected_checkpoint(here):
    script = "import sys; print(sys.argv[1:], file=sys.stderr); sys.exit(1)"
    real_checkpoint(make_run(here / "runs", "cnn", model="cnn"))
    app = tui(here, initial="train", draw=(sys.executable, "-c", script))
    async with app.run_test(size=(100, 24)) as pilot:
        await palette(app, pilot, "Runs: draw with this checkpoint")
        assert pane_message(app, "runs") == (
            "the drawing window exited with status 1: "
            "['--model', 'cnn', '--checkpoint', 'runs/cnn/best.pt']"
        )


async def test_ablations_run_the_study_and_stop_it_when_none_runs(here):
    (here / "specs").mkdir()
    (here / "specs" / "tiny.toml").write_text(SPEC.format(extra=""))
    ablate = (sys.executable, str(FAKE_ABLATE), "--mode=ok")
    app = tui(here, initial="train", ablate=ablate)
    async with app.run_test(size=(80, 24)) as pilot:
        await palette(app, pilot, "Ablations: stop the study")
        assert app.query_one("#tabs").active == "ablations"
        assert pane_message(app, "ablations") == "nothing to stop: no study is running"
        await palette(app, pilot, "Ablations: run the study")
        assert pane_message(app, "ablations") == "study done: results.md in studies/tiny"
    assert (here / "studies" / "tiny" / "cnn-s1" / "status.json").is_file()


async def test_data_download_and_generate_as_their_keys(here):
    app = tui(here, initial="runs", download_url=refused_url())
    async with app.run_test(size=(80, 24)) as pilot:
        await palette(app, pilot, "Data: download the real doodles")
        assert app.query_one("#tabs").active == "data"
        assert pane_message(app, "data").startswith("download FAILED: cannot download ")
        app.query_one("#data-per-class", Input).value = ""  # answered at once, not drawn
        await palette(app, pilot, "Data: generate synthetic doodles")
        assert pane_message(app, "data").startswith("per class: type how many")
