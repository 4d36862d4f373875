"""A DataTable's tooltip naming in full the row under the mouse, where its cell shows the
name shortened (ui/tui/widgets/shorten.py): the Runs and Data tables; and the column,
over a header that shortens its name (the Data table's folders)."""

from __future__ import annotations

from collections.abc import Callable

from textual.coordinate import Coordinate
from textual.widgets import DataTable

HEADER = -1  # the row DataTable gives the mouse over its header


def follow_hover(
    table: DataTable,
    full_name: Callable[[int], str | None],
    header: Callable[[int], str | None] | None = None,
) -> None:
    """Keep `table.tooltip` on `full_name(row)` of the row the mouse is over (None: no
    tooltip, the cell shows it all), or `header(column)` over the header."""

    def hovered(coordinate: Coordinate) -> None:
        if coordinate.row == HEADER:
            table.tooltip = header(coordinate.column) if header is not None else None
        else:
            table.tooltip = full_name(coordinate.row)

    table.watch(table, "hover_coordinate", hovered, init=False)
