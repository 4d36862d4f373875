"""Names too long for a table's cell, shortened in the middle: `frankenstein-lr0.002…s1`.

A run's or a data file's name can be any length; in a DataTable its column widens to the
longest, and at 80 columns a 60-character run name pushed every other column off the
screen. The cell shows the name's start and end (where a run's seed or date and a
file's extension are) around a '…'; the row's key, the detail line and the tooltip keep
the whole name, and what acts on the row (select, open, delete) takes that.
"""

from __future__ import annotations

from rich.cells import cell_len

NAME_WIDTH = 28  # cells; a default run name, `frankenstein-20240501-123000`, fits whole
NAME_LEAST = 16  # cells the name keeps however narrow the terminal: its start and end
ELLIPSIS = "…"


def middle_ellipsis(name: str, width: int = NAME_WIDTH) -> str:
    """`name` if it fits in `width` cells, else its start and end around '…', in `width`."""
    if cell_len(name) <= width:
        return name
    room = max(width - 1, 0)
    head, tail = _fit(name, (room + 1) // 2), _fit(name[::-1], room // 2)[::-1]
    return head + ELLIPSIS + tail


def _fit(text: str, width: int) -> str:
    """The longest start of `text` that fits in `width` cells."""
    out = ""
    for ch in text:
        if cell_len(out + ch) > width:
            break
        out += ch
    return out


def name_width(
    room: int, headers: tuple[str, ...], rows: list[tuple[str, ...]], padding: int = 1
) -> int:
    """The cells a DataTable's first column, the name, gets for its text: NAME_WIDTH
    where the columns after it fit in `room` cells beside it, the last one's header
    included (its cells, free text, may run past the edge); less where they do not,
    down to NAME_LEAST. Each column is as wide as its widest cell or header, with
    `padding` cells each side (DataTable's cell_padding). `room` 0: not laid out yet."""
    if room <= 0:
        return NAME_WIDTH
    middle = range(1, len(headers) - 1)
    others = sum(
        max([cell_len(headers[i]), *(cell_len(row[i]) for row in rows)]) + 2 * padding
        for i in middle
    )
    others += padding + cell_len(headers[-1])
    return max(NAME_LEAST, min(NAME_WIDTH, room - others - 2 * padding))
