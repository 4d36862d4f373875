"""The Data tab: counts per class, generating synthetic doodles, downloading (real
child processes: `frankenstein data synth` and `data download` against a local server)."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from textual.widgets import DataTable, Input, ProgressBar, Static

from core.atomic import one_process
from core.classes import CLASSES
from tests.http_bucket import ndjson_bytes, refused_url, serve
from tests.ui.tui_helpers import enabled, make_data, tui


@pytest.fixture
def here(tmp_path, monkeypatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def column(app, label: str) -> dict[str, str]:
    table = app.query_one("#data-table", DataTable)
    labels = [str(c.label) for c in table.ordered_columns]
    i = labels.index(label)
    return {str(r[0]): str(r[i]) for r in map(table.get_row_at, range(table.row_count))}


def message(app) -> str:
    return str(app.query_one("#data-message", Static).content)


async def settle(app, pilot) -> None:
    await app.workers.wait_for_complete()
    await pilot.pause()


async def train_sources(app, pilot) -> list[str]:
    """The data the Train tab offers, shown (2): composed then, if it was not yet."""
    await pilot.press("2")
    await settle(app, pilot)
    return app.query_one("#train-pane").sources


async def test_counts_per_class_of_each_data_directory(here):
    make_data(here / "data")
    app = tui(here, initial="data")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        synth = column(app, "synthetic")
        assert (synth["circle"], synth["square"], synth["house"], synth["total"]) == (
            "3",
            "2",
            "0",
            "5",
        )
        assert column(app, "drawings/simplified")["house"] == "1"
        summary = str(app.query_one("#data-summary", Static).content)
        assert "synthetic: generated doodles" in summary
        # The Train tab offers the directories as data sources.
        sources = await train_sources(app, pilot)
        assert sources == ["synthetic", "data/drawings/simplified", "data/synthetic"]


async def test_a_recount_keeps_the_row_and_the_scroll_where_they_were(here):
    """A recount (R, or files another process adds) rebuilds the table: the cursor's row
    and the scroll stay, as a count one reads mid-table should not jump to the top."""
    make_data(here / "data")
    app = tui(here, initial="data")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        table = app.query_one("#data-table", DataTable)
        table.focus()
        table.move_cursor(row=16)  # sun: below the fold at 24 lines
        await pilot.pause()
        scrolled = table.scroll_y
        assert scrolled > 0
        (here / "data" / "synthetic" / "sun.ndjson").write_text('{"word": "sun"}\n' * 4)
        await pilot.press("r")
        await settle(app, pilot)
        assert column(app, "synthetic")["sun"] == "4"  # counted again
        assert (table.cursor_row, table.scroll_y) == (16, scrolled)


async def test_counts_lines_a_class_as_data_info_reads_the_files(here, real_dev):
    """Real doodles: ice cream in two files (a bad line and a blank one among them) is
    one row, its lines those data info reads as drawings and bad lines; a file named after no class
    is a row of its own, named as a file."""
    from training.datainfo import class_stats, data_files

    qd = here / "data" / "quickdraw"
    qd.mkdir(parents=True)
    real = real_dev / "simplified"
    ice = (real / "ice cream.ndjson").read_text().splitlines()
    (qd / "ice cream.ndjson").write_text("\n".join([*ice[:4], "", "not json"]) + "\n")
    (qd / "ice_cream.ndjson").write_text("\n".join(ice[4:]) + "\n")
    (qd / "sun.ndjson").write_text((real / "sun.ndjson").read_text())
    circles = (real / "circle.ndjson").read_text().splitlines()
    (qd / "mixed.ndjson").write_text("\n".join(circles[:3]) + "\n")
    app = tui(here, initial="data")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        table = app.query_one("#data-table", DataTable)
        assert str(table.ordered_columns[0].label) == "class (lines)"
        counts = column(app, "quickdraw")
        assert "ice_cream" not in counts and "mixed" not in counts
        sun = len((real / "sun.ndjson").read_text().splitlines())
        assert (counts["ice cream"], counts["sun"], counts["mixed.ndjson (by word)"]) == (
            str(len(ice) + 1),
            str(sun),
            "3",
        )
        assert counts["total"] == str(len(ice) + 1 + sun + 3)
        summary = " ".join(str(app.query_one("#data-summary", Static).content).split())
        assert "quickdraw holds ice cream in ice cream.ndjson and ice_cream.ndjson" in summary
        assert "Counts are lines, a drawing each unless bad" in summary
    # data info's reading of the same files: drawings and bad lines make the lines
    classes, _ = class_stats(data_files(qd))
    assert {c.word: c.n + c.bad for c in classes if c.word != "circle"} == {
        "ice cream": len(ice) + 1,
        "sun": sun,
    }


async def test_generate_synthetic_doodles_and_see_the_counts(here):
    app = tui(here, initial="data")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        assert "no data yet" in str(app.query_one("#data-summary", Static).content)
        assert await train_sources(app, pilot) == ["synthetic"]  # the Train tab composed
        await pilot.press("1")
        app.query_one("#data-per-class", Input).value = "2"
        await pilot.press("f5")
        await settle(app, pilot)
        await settle(app, pilot)  # the recount after the job
        assert message(app).startswith("generate done: 36 drawings (2 a class, seed 0")
        bar = app.query_one("#data-bar", ProgressBar)
        assert (bar.progress, bar.total) == (36, 36)
        counts = column(app, "synthetic")
        assert all(counts[c] == "2" for c in CLASSES) and counts["total"] == "36"
        # the Data tab's count offered on the Train tab, hidden meanwhile
        assert app.query_one("#train-pane").sources == ["synthetic", "data/synthetic"]


async def test_a_bad_count_starts_nothing(here):
    app = tui(here, initial="data")
    async with app.run_test(size=(80, 24)) as pilot:
        app.query_one("#data-per-class", Input).value = ""
        await pilot.press("f5")
        await settle(app, pilot)
        assert message(app).startswith("per class: type how many")
    assert not (here / "data").exists()


async def test_download_offline_shows_a_clear_failure(here):
    app = tui(here, initial="data", download_url=refused_url())
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f8")
        await settle(app, pilot)
        assert message(app).startswith("download FAILED: cannot download ")
        assert "connection refused (offline, or no server there?)" in message(app)
        assert app.query_one("#data-message").has_class("failed")


async def test_a_download_into_a_folder_another_process_fills_is_refused(here):
    """This test process holds data/quickdraw's download lock as a download from a
    terminal would: the real `data download` child is refused, and the pane says by
    whom, before it asks any server for a file."""
    folder = here / "data" / "quickdraw"
    with one_process(folder / ".download.lock", remove=True):
        app = tui(here, initial="data", download_url=refused_url())  # never reached
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(app, pilot)
            summary = str(app.query_one("#data-summary", Static).content)
            assert summary.endswith(
                f". Another process (pid {os.getpid()}) is downloading into data/quickdraw: "
                "its files are counted as they arrive (F6 twice stops it)"
            )
            await pilot.press("f8")
            await settle(app, pilot)
            assert message(app) == (  # said before any child starts (one failed on the lock)
                f"refused: pid {os.getpid()} is downloading into data/quickdraw; F6 twice stops it"
            )
            assert not app.query_one("#data-message").has_class("failed")
            assert app.query_one("#data-pane").supervisor is None
            assert enabled(app, "#data-synth, #data-download") == [
                "data-synth",
                "data-download",
            ]
        assert [p.name for p in folder.iterdir()] == [".download.lock"]


async def test_download_fills_the_quickdraw_column(here):
    with serve({f"{c}.ndjson": ndjson_bytes(c, 4) for c in CLASSES}) as bucket:
        app = tui(here, initial="data", download_url=bucket.url)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.click("#data-download")
            await settle(app, pilot)
            await settle(app, pilot)
            assert message(app) == "download done: 18 files complete in data/quickdraw"
            assert column(app, "quickdraw")["total"] == "72"


def files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


async def test_a_stopped_generation_keeps_nothing_and_leaves_the_old_data(here):
    make_data(here / "data")  # an earlier data/synthetic: 3 circles, 2 squares
    before = files(here / "data" / "synthetic")
    app = tui(here, initial="data")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        app.query_one("#data-per-class", Input).value = "5000"
        buttons = "#data-synth, #data-download, #data-stop"
        assert enabled(app, buttons) == ["data-synth", "data-download"]
        await pilot.press("f5")
        deadline = time.monotonic() + 60  # only against hanging
        while not message(app).startswith("generate: "):
            assert time.monotonic() < deadline, "the generation never started"
            await pilot.pause(0.02)
        assert enabled(app, buttons) == ["data-stop"]
        await pilot.click("#data-stop")
        await settle(app, pilot)
        await settle(app, pilot)  # the recount after the job
        assert message(app) == "generate stopped: nothing kept (data/synthetic is as it was)"
        assert enabled(app, buttons) == ["data-synth", "data-download"]
        synth = column(app, "synthetic")
        assert (synth["circle"], synth["square"], synth["total"]) == ("3", "2", "5")
        assert await train_sources(app, pilot) == [
            "synthetic",
            "data/drawings/simplified",
            "data/synthetic",
        ]
    # The earlier files byte for byte, and no staging folder left beside them.
    assert files(here / "data" / "synthetic") == before
    assert sorted(p.name for p in (here / "data").iterdir()) == ["drawings", "synthetic"]


async def test_a_finished_generation_replaces_the_earlier_set_whole(here):
    """All 18 classes go in, and the earlier set's other data files go: a file of no
    class, and a seed-format house.json that would count the houses twice."""
    make_data(here / "data")
    synthetic = here / "data" / "synthetic"
    (synthetic / "blob.ndjson").write_text('{"word": "blob", "drawing": []}\n')
    (synthetic / "house.json").write_text("[[[[0, 10], [0, 10]]]]")
    app = tui(here, initial="data")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        assert column(app, "synthetic")["house"] == "1"
        app.query_one("#data-per-class", Input).value = "2"
        await pilot.press("f5")
        await settle(app, pilot)
        await settle(app, pilot)  # the recount after the job
        assert message(app) == (
            "generate done: 36 drawings (2 a class, seed 0, variety full) written to data/synthetic"
        )
        counts = column(app, "synthetic")
        assert {c: counts[c] for c in CLASSES} == dict.fromkeys(CLASSES, "2")
        assert counts["total"] == "36" and "blob" not in counts
    assert sorted(p.name for p in synthetic.iterdir()) == sorted(f"{c}.ndjson" for c in CLASSES)
    assert sorted(p.name for p in (here / "data").iterdir()) == ["drawings", "synthetic"]


async def test_stop_with_nothing_running_says_so(here):
    app = tui(here, initial="data")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("f6")  # as on the other tabs, and also from the per-class box
        assert message(app) == "nothing to stop: no generate or download is running"
        app.query_one("#data-per-class", Input).focus()
        app.query_one("#data-pane").show("")
        await pilot.press("f6")
        assert message(app) == "nothing to stop: no generate or download is running"


async def test_a_long_file_name_is_shortened_in_its_cell_and_whole_in_its_tooltip(here):
    """A 60-character file named after no class widened the first column to 70: at
    80 x 24 the data folders' counts were off the screen. Its cell shows the name's
    start and end around '…' (the extension kept); the tooltip over its row, whole."""
    from textual.geometry import Region

    make_data(here / "data")
    long = "my-own-doodles-drawn-at-the-workshop-in-may-2024-batch2.ndjson"
    assert len(long) == 62
    line = '{"word": "circle", "drawing": [[[0, 10], [0, 10]]]}\n'
    (here / "data" / "synthetic" / long).write_text(line * 4)
    app = tui(here, initial="data")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        counts = column(app, "synthetic")
        label = "my-own-doodles…batch2.ndjson (by word)"
        assert counts[label] == "4" and not any(long in row for row in counts)
        table = app.query_one("#data-table", DataTable)
        screen = [s.text for s in table.render_lines(Region(0, 0, *table.size))]
        assert screen[0].split() == ["class", "(lines)", "drawings/simplified", "synthetic"]
        row = [str(r[0]) for r in map(table.get_row_at, range(table.row_count))].index(label)
        table.move_cursor(row=row)  # scrolled to it
        await pilot.pause()
        y = row - round(table.scroll_y) + 1  # below the header
        await pilot.hover("#data-table", offset=(5, y))
        assert table.tooltip == long
        await pilot.hover("#data-table", offset=(5, y - 1))  # a class: its name is whole
        assert table.tooltip is None


async def test_a_long_folder_name_is_shortened_in_its_header(here):
    """A data folder of 43 characters headed its column whole: at 80 x 24 the columns
    after it (synthetic's counts) were off the screen. Its header shows the name's
    start and end around '…', as the tables' long names do; the tooltip over it, whole."""
    from textual.geometry import Region

    make_data(here / "data")
    long = "my-own-doodles-from-the-long-weekend-batch2"
    (here / "data" / long).mkdir()
    line = '{"word": "circle", "drawing": [[[0, 10], [0, 10]]]}\n'
    (here / "data" / long / "circle.ndjson").write_text(line * 5)
    app = tui(here, initial="data")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        table = app.query_one("#data-table", DataTable)
        screen = [s.text for s in table.render_lines(Region(0, 0, *table.size))]
        shown = "my-own-doodles…eekend-batch2"
        header = screen[0][: table.scrollable_content_region.width].split()
        assert header == ["class", "(lines)", "drawings/simplified", shown, "synthetic"]
        assert column(app, shown)["circle"] == "5"
        x = screen[0].index("my-own")
        await pilot.hover("#data-table", offset=(x + 2, 0))
        assert table.tooltip == long
        await pilot.hover("#data-table", offset=(2, 0))  # "class (lines)": whole
        assert table.tooltip is None
