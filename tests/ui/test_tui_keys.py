"""The TUI's keys, as the footer shows them: one set across the tabs (F5 starts a tab's
job, F6 stops it, no key means two things), and a footer that lists only keys that work
where the focus is (the Data tab's per-class box takes letters)."""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path

import pytest
from textual.widgets import DataTable, HelpPanel, Input, Static
from textual.widgets._footer import FooterKey

from tests.http_bucket import refused_url
from tests.ui.tui_helpers import make_data, make_run, tui

# What docs/tui.md's key table says, tab by tab (each tab's first focus).
KEYS = {
    "data": [
        ("f5", "Generate"),
        ("f6", "Stop"),
        ("f8", "Download"),
        ("r", "Reload"),
        ("ctrl+q", "Quit"),
        ("f1", "Help"),
        ("ctrl+p", "Palette"),
    ],
    "train": [
        ("f5", "Start"),
        ("f6", "Stop"),
        ("f7", "Resume"),
        ("ctrl+q", "Quit"),
        ("f1", "Help"),
        ("ctrl+p", "Palette"),
    ],
    "ablations": [
        ("f5", "Run"),
        ("f6", "Stop"),
        ("l", "Curves"),
        ("r", "Reload"),
        ("ctrl+q", "Quit"),
        ("f1", "Help"),
        ("ctrl+p", "Palette"),
    ],
    "runs": [
        ("m", "Mark"),
        ("c", "Compare"),
        ("l", "Curves"),
        ("d", "Draw"),
        ("f6", "Stop"),
        ("f7", "Resume"),
        ("ctrl+q", "Quit"),  # F and R too, unlisted: the footer is full (Ctrl+P has them)
        ("f1", "Help"),
        ("ctrl+p", "Palette"),
    ],
}


@pytest.fixture
def here(tmp_path, monkeypatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def footer(app) -> list[tuple[str, str]]:
    return [(k.key, k.description) for k in app.query(FooterKey)]


async def settle(app, pilot) -> None:
    await app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.pause()  # the footer recomposes after the focus moved


async def test_every_tab_footer_lists_one_key_set(here):
    app = tui(here, initial="data")
    shown: dict[str, list[tuple[str, str]]] = {}
    async with app.run_test(size=(80, 24)) as pilot:
        for number, tab in enumerate(KEYS, 1):
            await pilot.press(str(number))
            await settle(app, pilot)
            shown[tab] = footer(app)
    assert shown == KEYS
    # One meaning a key: the only key that names different things on different tabs is
    # F5, the tab's own job (Generate, Start, Run); Stop is F6 wherever a job runs
    # or can be stopped (Runs: a run's training).
    meanings: dict[str, set[str]] = {}
    for keys in shown.values():
        for key, what in keys:
            meanings.setdefault(key, set()).add(what)
    assert {k for k, m in meanings.items() if len(m) > 1} == {"f5"}
    assert {tab for tab, keys in shown.items() if ("f6", "Stop") in keys} == {
        "data",
        "train",
        "ablations",
        "runs",
    }


async def test_every_tab_footer_shows_ctrl_p_whole_within_80_columns(here):
    """Ctrl+P's palette (every action by name, the keys the footer leaves out too) was
    in no footer, the Runs tab's being full at 80 columns: each tab's footer shows it,
    at its right, and every key there is whole on screen, none drawn over another."""
    make_run(here / "runs", "lstm")
    app = tui(here, initial="data")
    async with app.run_test(size=(80, 24)) as pilot:
        for number, tab in enumerate(KEYS, 1):
            await pilot.press(str(number))
            await settle(app, pilot)
            keys = sorted(app.query(FooterKey), key=lambda k: k.region.x)
            palette = keys[-1]
            assert (palette.key, palette.description) == ("ctrl+p", "Palette"), tab
            assert str(palette.render()).strip() == "^p Palette"
            assert all(k.region.width > 0 and k.region.right <= 80 for k in keys), tab
            assert all(a.region.right <= b.region.x for a, b in pairwise(keys)), tab


def message(app) -> str:
    return str(app.query_one("#data-message", Static).content)


def synthetic_total(app) -> str:
    table = app.query_one("#data-table", DataTable)
    labels = [str(c.label) for c in table.ordered_columns]
    if "synthetic" not in labels:
        return "-"
    return str(table.get_row_at(table.row_count - 1)[labels.index("synthetic")])


async def test_the_data_footer_while_typing_a_count_lists_only_keys_that_work(here):
    """Every key the footer shows with the per-class box focused acts from the box; R,
    which the box takes as a letter, is left out there and acts from the table. (The
    tab's following of files other processes write, which would count the new data by
    itself within seconds, is set aside: R alone is tested here.)"""
    app = tui(here, initial="data", download_url=refused_url(), follow_s=3600)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        box = app.query_one("#data-per-class", Input)
        box.focus()
        await settle(app, pilot)
        assert footer(app) == [
            ("f5", "Generate"),
            ("f6", "Stop"),
            ("f8", "Download"),
            ("ctrl+q", "Quit"),
            ("f1", "Help"),
            ("ctrl+p", "Palette"),
        ]
        pane = app.query_one("#data-pane")
        box.value = ""  # so F5 answers at once instead of generating
        await pilot.press("f5")
        assert message(app).startswith("per class: type how many")
        pane.show("")
        await pilot.press("f6")
        assert message(app) == "nothing to stop: no generate or download is running"
        pane.show("")
        await pilot.press("f8")
        await settle(app, pilot)
        assert message(app).startswith("download FAILED: cannot download ")
        assert app.focused is box
        # R is typed (and refused: digits only), not a reload: new data stays uncounted.
        make_data(here / "data")
        await pilot.press("r")
        await settle(app, pilot)
        assert (box.value, synthetic_total(app)) == ("", "-")
        app.query_one("#data-table").focus()
        await settle(app, pilot)
        assert ("r", "Reload") in footer(app)
        await pilot.press("r")
        await settle(app, pilot)
        assert synthetic_total(app) == "5"


async def test_shift_tab_from_a_tabs_first_widget_keeps_its_keys(here):
    """Shift+Tab wraps within the tab, not onto the tab strip, where no pane key acts
    and the footer lists only Ctrl+Q."""
    make_run(here / "runs", "lstm")
    app = tui(here)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("shift+tab")
        await settle(app, pilot)
        assert app.focused is not None and "train-pane" in [w.id for w in app.focused.ancestors]
        assert ("f5", "Start") in footer(app)
        app.query_one("#f-name", Input).value = "x/y"  # refused at once: nothing starts
        await pilot.press("f5")
        await settle(app, pilot)
        assert app.query_one("#train-pane").lines[-1].startswith("not started")
        app.query_one("#train-model").focus()  # out of the field the error focused
        await pilot.press("4")
        await settle(app, pilot)
        await pilot.press("shift+tab")
        await settle(app, pilot)
        assert ("m", "Mark") in footer(app)
        await pilot.press("m")
        await settle(app, pilot)
        assert app.query_one("#runs-pane").marked == "lstm"


def help_shown(app) -> bool:
    return bool(app.screen.query(HelpPanel))


def panel_keys(app) -> set[str]:
    """What the keys panel says the keys do."""
    from textual.widgets._key_panel import BindingsTable

    table = app.screen.query_one(BindingsTable).render_bindings_table()
    return {str(cell) for cell in table.columns[1].cells}


async def test_f1_and_question_mark_toggle_the_keys_panel_and_esc_closes_it(here):
    """F1 (and ? where no input takes it as a letter) shows the keys of the widget in
    focus, its tab and the app, and hides them again; Esc closes it too. (They were
    reached only by Ctrl+P, which the footer does not show, and Esc left them open.)"""
    make_run(here / "runs", "lstm")
    app = tui(here)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("f1")
        await settle(app, pilot)
        assert help_shown(app)
        assert {"Start", "Resume", "Help", "Quit"} <= panel_keys(app)  # the Train tab's
        await pilot.press("f1")
        await settle(app, pilot)
        assert not help_shown(app)
        await pilot.press("question_mark")
        await settle(app, pilot)
        assert help_shown(app)
        await pilot.press("escape")
        await settle(app, pilot)
        assert not help_shown(app)
        # Typed into a field, ? is a letter; F1 still shows the panel, Esc closes it.
        name = app.query_one("#f-name", Input)
        name.focus()
        await pilot.press("question_mark")
        await settle(app, pilot)
        assert (name.value, help_shown(app)) == ("?", False)
        await pilot.press("f1")
        await settle(app, pilot)
        assert help_shown(app)
        await pilot.press("escape")
        await settle(app, pilot)
        assert (name.value, help_shown(app), app.focused) == ("?", False, name)
        # A screen over the tabs (the Runs tab's curves) has its own keys in its own
        # footer, Esc closing it: the panel left open beneath does not take that Esc.
        app.query_one("#train-model").focus()
        await pilot.press("4", "f1")
        await settle(app, pilot)
        await pilot.press("l")
        await settle(app, pilot)
        assert type(app.screen).__name__ == "CurvesScreen"
        await pilot.press("escape")
        await settle(app, pilot)
        assert type(app.screen).__name__ != "CurvesScreen" and help_shown(app)
        await pilot.press("escape")
        await settle(app, pilot)
        assert not help_shown(app)
        assert ("m", "Mark") in footer(app)


def screen_footer(app) -> list[tuple[str, str]]:
    """The keys the footer of the screen on top lists."""
    return [(k.key, k.description) for k in app.screen.query(FooterKey)]


async def test_f1_and_ctrl_q_act_on_the_screens_over_the_tabs(here):
    """The curves and compare screens are modal, which hid the app's own F1 and Ctrl+Q:
    Ctrl+Q did nothing there (docs/tui.md: they work on every screen). Their footers
    list both, F1 shows the keys panel over the screen (Esc closes the panel first,
    then the screen) and Ctrl+Q quits from either."""
    make_run(here / "runs", "lstm", mtime=1_700_000_200)
    make_run(here / "runs", "cnn", model="cnn", mtime=1_700_000_100)
    app = tui(here, initial="runs")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("l")
        await settle(app, pilot)
        assert type(app.screen).__name__ == "CurvesScreen"
        assert {("f1", "Help"), ("ctrl+q", "Quit")} <= set(screen_footer(app))
        await pilot.press("f1")
        await settle(app, pilot)
        assert help_shown(app) and "Close" in panel_keys(app)
        await pilot.press("escape")
        await settle(app, pilot)
        assert type(app.screen).__name__ == "CurvesScreen" and not help_shown(app)
        await pilot.press("escape")
        await settle(app, pilot)
        await pilot.press("m", "down", "c")
        await settle(app, pilot)
        assert type(app.screen).__name__ == "CompareScreen"
        assert {("f1", "Help"), ("ctrl+q", "Quit")} <= set(screen_footer(app))
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert not app.is_running
