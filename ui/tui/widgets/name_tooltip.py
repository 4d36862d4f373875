"""A DataTable's tooltip naming in full the row under the mouse, where its cell shows the
name shortened (ui/tui/widgets/shorten.py): the Runs and Data tables."""

from __future__ import annotations

from collections.abc import Callable

from textual.coordinate import Coordinate
from textual.widgets import DataTable


def follow_hover(table: DataTable, full_name: Callable[[int], str | None]) -> None:
    """Keep `table.tooltip` on `full_name(row)` of the row the mouse is over (None: no
    tooltip, the cell shows it all)."""

    def hovered(coordinate: Coordinate) -> None:
        table.tooltip = full_name(coordinate.row)

    table.watch(table, "hover_coordinate", hovered, init=False)
