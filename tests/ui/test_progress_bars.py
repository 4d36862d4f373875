"""The command line's progress bars (ui/progress.py) as drawn on an 80-column terminal."""

import io

import pytest
from rich.console import Console

from ui.progress import RichProgress


def _drawn(what: str, done: int, total: int) -> str:
    """The bar's line for one progress call, as a terminal 80 columns wide shows it."""
    bars = RichProgress(Console(width=80, file=io.StringIO(), force_terminal=True))
    bars.on_progress(done, total, what)
    out = io.StringIO()
    Console(width=80, file=out, force_terminal=True, color_system=None).print(
        bars.progress.get_renderable()
    )
    bars.close()
    return out.getvalue()


@pytest.mark.parametrize(
    "what",
    [
        "10/54 train: reading ice cream",
        "10/54 train: rasterising hockey stick",
        # a file named after no class can have any name: it is what gives way
        "10/54 train: reading a class file with a rather long name.ndjson (MB)",
    ],
)
def test_a_preparing_bar_keeps_its_count_and_time_left_at_80_columns(what):
    """A description of about 70 characters ("preparing the train split, file 10/18:
    reading ice cream.ndjson (MB)") left "━   … eta …" of the bar at 80 columns: the
    description is now cut short instead, one line, the count and ETA whole."""
    drawn = _drawn(what, 3000, 10000)
    (line,) = drawn.splitlines()
    assert line.startswith("10/54 train: ") and "━" in line
    assert "3000/10000" in line and "eta -:--:--" in line
    assert len(line) <= 80
