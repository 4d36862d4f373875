"""Only the tab shown at start is composed with the app; each other tab is composed the
first time it is shown, by its key, a click on its title or the palette
(ui/tui/lazytab.py). What reaches into a tab not composed yet is tested where it
reaches: F7 on the Runs tab (test_tui_runs.py), the Data tab's count offered on the
Train tab (test_tui_data.py), the palette (test_tui_palette.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import DataTable

from tests.ui.tui_helpers import make_data, make_run, tui
from ui.tui.app import FIRST_FOCUS, TABS


@pytest.fixture
def here(tmp_path, monkeypatch) -> Path:
    monkeypatch.chdir(tmp_path)
    make_run(tmp_path / "runs", "lstm", val_accs=(0.5, 0.8))
    make_data(tmp_path / "data")
    return tmp_path


def composed(app) -> list[str]:
    return [tab for tab in TABS if app.query(f"#{tab}-pane")]


def tabs_shown(app) -> list[str]:
    """Each tab shown from now on, in turn (a tab shown once is one entry)."""
    shown: list[str] = []
    app.watch(app.query_one("#tabs"), "active", lambda tab: shown.append(tab), init=False)
    return shown


async def test_only_the_tab_shown_at_start_is_composed_and_each_other_when_shown(here):
    app = tui(here)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert composed(app) == ["train"]
        assert app.focused is app.query_one(FIRST_FOCUS["train"])
        shown = tabs_shown(app)
        for key, tab in (("4", "runs"), ("1", "data"), ("3", "ablations")):
            await pilot.press(key)
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert app.query_one("#tabs").active == tab
            assert tab in composed(app)
            assert app.focused is app.query_one(FIRST_FOCUS[tab])  # its keys work at once
        assert composed(app) == list(TABS)
        assert shown == ["runs", "data", "ablations"]  # none shown twice on its way
        # what each tab read when composed: the run, the data folders' counts
        assert app.query_one("#runs-table", DataTable).row_count == 1
        assert app.query_one("#data-table", DataTable).row_count > 0


async def test_a_click_on_a_tab_title_composes_it_and_it_stays_shown(here):
    """The click shows the tab before it is composed: the focus left on the tab hidden
    (its table) must not hand itself to a sibling there, which showed that tab again,
    and the two tabs took turns until one kept the focus."""
    app = tui(here, initial="runs")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert composed(app) == ["runs"]
        shown = tabs_shown(app)
        await pilot.click("#--content-tab-data")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert shown == ["data"]
        assert composed(app) == ["data", "runs"]
        assert app.focused is app.query_one(FIRST_FOCUS["data"])
        await pilot.click("#--content-tab-runs")  # and back: composed once
        await pilot.pause()
        assert shown == ["data", "runs"]
        assert app.focused is app.query_one(FIRST_FOCUS["runs"])
        assert len(app.query("#runs-pane")) == 1


async def test_a_tab_shown_as_the_app_closes_is_let_be(here):
    """A tab's activation handled after the tabs were taken down (the app closing:
    focus moving as its widgets go shows another tab) is let be; it looked its tab up
    by name, found none and failed the app (clean-clone CI, F7 on the Runs tab)."""
    from textual.widgets import TabbedContent

    app = tui(here, initial="runs")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        tabs = app.query_one("#tabs", TabbedContent)
        late = TabbedContent.TabActivated(tabs, tabs.get_tab("runs"))
        await tabs.remove()
        await app.on_tabbed_content_tab_activated(late)  # no error: nothing to show
        assert not app.query("#runs")


async def test_showing_a_tab_leaves_no_focus_on_the_tab_hidden(here):
    """F7 on the Runs tab shows the Train tab, composed already: the table focused on
    the Runs tab is not left focused once hidden (it would hand the focus to a sibling
    there, which shows the Runs tab again); the Train tab takes the focus."""
    app = tui(here, initial="runs")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("2")
        await pilot.press("4")
        await pilot.pause()
        assert app.focused is app.query_one(FIRST_FOCUS["runs"])
        shown = tabs_shown(app)
        await app.action_show_tab("train")
        assert app.focused is None  # until the tab shown takes it
        await pilot.pause()
        assert shown == ["train"]
        assert app.focused is app.query_one(FIRST_FOCUS["train"])
