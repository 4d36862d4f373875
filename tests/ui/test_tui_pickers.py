"""The Train tab's pickers (model and data) driven by pilot: every name on one line,
shortened in the middle where its cells are too few, whole in a tooltip."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from textual.widgets import OptionList, Select

from tests.ui.tui_helpers import make_data, tui

LONG_DIR = "my-own-doodles-from-the-long-weekend-batch2"


@pytest.fixture
def here(tmp_path, monkeypatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def add_folder(data: Path, name: str) -> None:
    folder = data / name
    folder.mkdir(parents=True)
    (folder / "circle.ndjson").write_text('{"word": "circle", "drawing": [[[0, 9], [0, 9]]]}\n')


def open_lines(select: Select) -> list[str]:
    """The open list as drawn: one string a line (the scrollbar's cells cut off)."""
    overlay = select.query_one("SelectOverlay", OptionList)
    width = overlay.scrollable_content_region.width
    return [s.text[:width].rstrip() for s in overlay.render_lines(overlay.region.reset_offset)]


async def open_picker(app, pilot, selector: str) -> Select:
    await pilot.click(selector)
    await app.workers.wait_for_complete()
    select = app.query_one(selector, Select)
    overlay = select.query_one("SelectOverlay", OptionList)
    deadline = time.monotonic() + 20  # only against hanging
    while not overlay.scrollable_content_region.width:
        assert time.monotonic() < deadline, "the list never opened"
        await pilot.pause(0.02)
    await pilot.pause()
    await pilot.pause()  # the tooltip follows once the list is laid out
    return select


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_an_open_picker_shows_each_name_on_one_line(here, size):
    """The open list wrapped a name too long for the picker's 19 cells onto more lines,
    mid-word (`frankenstein-nopro` / `j`; the data folder below took three broken
    lines), at every size. It widens to its longest name now, each on one line."""
    make_data(here / "data")
    add_folder(here / "data", LONG_DIR)
    app = tui(here)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        model = await open_picker(app, pilot, "#train-model")
        names = app.query_one("#train-pane").models
        assert "frankenstein-noproj" in names
        assert open_lines(model) == names
        await pilot.press("escape")
        await pilot.pause()
        data = await open_picker(app, pilot, "#train-data")
        lines = open_lines(data)
        assert len(lines) == len(app.query_one("#train-pane").sources)
        assert f"data/{LONG_DIR}/" in lines
        assert data.query_one("SelectOverlay", OptionList).tooltip is None  # nothing shortened


async def test_a_name_longer_than_the_screen_is_shortened_in_the_middle(here):
    """A name wider than the screen keeps its start and end around "…", one line; the
    highlighted option's tooltip and the picker's name it whole, and the chosen name in
    the picker's cells keeps its end too (`…batch2/`, not `my-own-doodle…`)."""
    huge = "a-folder-" + "x" * 80 + "-batch2"
    add_folder(here / "data", huge)
    app = tui(here)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        picker = app.query_one("#train-data", Select)
        picker.value = next(s for s in app.query_one("#train-pane").sources if s.endswith(huge))
        await pilot.pause()
        await pilot.pause()
        label = picker.query_one("SelectCurrent #label")
        shown = label.render_lines(label.region.reset_offset)[0].text.rstrip()
        assert shown.startswith("data/") and shown.endswith("batch2/") and "…" in shown
        assert picker.tooltip == f"data/{huge}/"
        await open_picker(app, pilot, "#train-data")
        lines = open_lines(picker)
        assert len(lines) == len(app.query_one("#train-pane").sources)
        line = next(line for line in lines if line.startswith("data/a-folder"))
        assert line.endswith("-batch2/") and "…" in line
        assert len(line) <= 80
        assert picker.query_one("SelectOverlay", OptionList).tooltip == f"data/{huge}/"


async def test_generated_doodles_and_a_folder_of_them_are_told_apart(here):
    """The data picker offered `synthetic` (doodles drawn anew each epoch) and
    `synthetic/` (the folder the Data tab generates), told apart by a slash alone. They
    read `synthetic (fresh each epoch)` (`synthetic` where the picker's cells are too
    few) and `data/synthetic/` now; the config gets the same values as before."""
    make_data(here / "data")
    app = tui(here)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        pane = app.query_one("#train-pane")
        assert pane.sources == ["synthetic", "data/drawings/simplified", "data/synthetic"]
        picker = await open_picker(app, pilot, "#train-data")
        assert open_lines(picker) == [
            "synthetic (fresh each epoch)",
            "data/drawings/simplified/",
            "data/synthetic/",
        ]
        await pilot.press("escape")
        await pilot.pause()
        label = picker.query_one("SelectCurrent #label")
        chosen = {}
        for source in ("synthetic", "data/synthetic"):
            picker.value = source
            await pilot.pause()
            shown = label.render_lines(label.region.reset_offset)[0].text.rstrip()
            chosen[shown] = pane.build_command()
        assert list(chosen) == ["synthetic", "data/synthetic/"]
        assert 'data.sources=["synthetic"]' in chosen["synthetic"]
        assert 'data.sources=["data/synthetic"]' in chosen["data/synthetic/"]
