"""A small line chart drawn in braille dots: the Train tab's loss and accuracy curves.

Each terminal cell holds 2 x 4 dots, so a 30 x 5 chart has 60 x 20 points; the lines
between consecutive points are filled in so a curve reads as a line. Several series
share the axes, each with its own pen: a colour and a line, solid or dotted, so the
curves are told apart without colour too (NO_COLOR turns colours grey, as a
monochrome terminal shows them), with a one-line legend above drawing each pen's line
(and each series' last value, where the line has room) and the y range at the left;
with an x label, a line below names the axis and marks its whole numbers (epochs).
No plotting dependency (textual-plotext would pull in plotext).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

# Dot bits of a braille cell, by (column, row) inside the 2 x 4 cell.
_BITS = ((0x01, 0x02, 0x04, 0x40), (0x08, 0x10, 0x20, 0x80))
LABEL_W = 6  # the y labels' column


@dataclass(frozen=True)
class Pen:
    """A curve's colour, and every how many dots of its line are inked: 1 a solid
    line, 2 dotted, 3 sparser still (a series' own points are always inked). A colour
    "$name" is the active theme's variable of that name, looked up as it is drawn."""

    colour: str
    dash: int = 1

    @property
    def glyph(self) -> str:
        """The legend's line for this pen."""
        return {1: "━", 2: "┅"}.get(self.dash, "┈")


# The theme's text colours, which stand at least 3:1 from its background, as colours
# and as NO_COLOR's greys (magenta, the validation curve's colour once, was 1.7:1 grey
# on dark), on lines told apart without colour too, in three hues far apart: blue,
# green and amber, light on dark themes and dark on light ones. ANSI cyan and blue,
# before, were two blues on textual-light (#0083B2 and #325CC0), and ANSI yellow 2.1:1
# on its background.
TRAIN = Pen("$text-primary")  # a training curve: solid, blue
VAL = Pen("$text-success", dash=2)  # a validation curve: dotted, green
MARKED = Pen("$text-warning", dash=3)  # another run's curve beside (the curves screen): amber


@dataclass(frozen=True)
class Series:
    label: str
    points: tuple[tuple[float, float], ...]  # (x, y)
    pen: Pen | str  # a colour alone: a solid line of it

    @property
    def look(self) -> Pen:
        return self.pen if isinstance(self.pen, Pen) else Pen(self.pen)


def render_chart(
    series: list[Series],
    width: int,
    height: int,
    *,
    title: str = "",
    x_max: float | None = None,
    y_range: tuple[float, float] | None = None,
    variables: Mapping[str, str] | None = None,
    x_min: float | None = None,
    x_label: str = "",
) -> Text:
    """The chart as `height` lines of at most `width` cells (legend line included);
    `variables` are the theme's, for pens of a "$name" colour (none: no colour). x runs
    from `x_min` (0 if None) to `x_max` or the last point; a single x (one epoch) is
    drawn in the middle. `x_label`: the axis line under the plot, named so."""
    text = Text(no_wrap=True, overflow="crop")
    variables = variables or {}

    def ink(pen: Pen) -> str:
        c = pen.colour
        c = variables.get(c[1:], "") if c.startswith("$") else c
        return c.removeprefix("ansi_")  # the ANSI themes' "ansi_blue" is Rich's "blue"

    text.append(title, style="bold")
    legend = [
        (f"  {s.look.glyph} {s.label}", f" {s.points[-1][1]:.3g}" if s.points else "")
        for s in series
    ]
    if len(title) + sum(len(a) + len(b) for a, b in legend) > width:
        legend = [(a, "") for a, _ in legend]  # too long for one line: the names alone
    for s, (name, last) in zip(series, legend, strict=True):
        text.append(name + last, style=ink(s.look))
    rows, cols = max(height - 1 - bool(x_label), 1), max(width - LABEL_W, 2)
    ys = [y for s in series for _, y in s.points]
    lo, hi = y_range if y_range is not None else ((min(ys), max(ys)) if ys else (0.0, 1.0))
    if hi - lo < 1e-9:  # one value (a first epoch): a tenth of it either side, so a
        pad = max(abs(hi) * 0.1, 1e-3)  # loss or an accuracy keeps its sign
        lo, hi = lo - pad, hi + pad
    xs = [x for s in series for x, _ in s.points]
    x_lo = 0.0 if x_min is None else x_min
    x_hi = max([x_max or 0.0, *xs, x_lo + 1e-9])
    if x_min is not None and x_hi - x_lo < 1e-6:  # one epoch: in the middle, not an edge
        x_lo, x_hi = x_lo - 0.5, x_hi + 0.5
    bits = [[0] * cols for _ in range(rows)]
    colour: list[list[str | None]] = [[None] * cols for _ in range(rows)]
    dots_x, dots_y = cols * 2, rows * 4

    def plot(px: int, py: int, c: str) -> None:
        if 0 <= px < dots_x and 0 <= py < dots_y:
            bits[py // 4][px // 2] |= _BITS[px % 2][py % 4]
            colour[py // 4][px // 2] = c

    for s in series:
        pen, c = s.look, ink(s.look)
        prev: tuple[int, int] | None = None
        along = 0  # the dots of its line so far: a dotted pen inks every dash-th

        def dash(a: int, b: int, pen: Pen = pen, c: str = c) -> None:
            nonlocal along
            if along % pen.dash == 0:
                plot(a, b, c)
            along += 1

        for x, y in s.points:
            px = round((x - x_lo) / (x_hi - x_lo) * (dots_x - 1))
            py = round((hi - y) / (hi - lo) * (dots_y - 1))
            if prev is not None:
                _line(prev, (px, py), dash)
                along -= 1  # the point ends this stretch and begins the next
            plot(px, py, c)  # its own points, whatever its dash
            prev = (px, py)
    for r in range(rows):
        text.append("\n")
        label = _y_label(hi) if r == 0 else (_y_label(lo) if r == rows - 1 else "")
        text.append(f"{label:>{LABEL_W - 1}}│", style="dim")
        for c in range(cols):
            ch = chr(0x2800 + bits[r][c]) if bits[r][c] else " "
            text.append(ch, style=colour[r][c] or "")
    if x_label:
        text.append("\n")
        text.append(_x_axis(x_label, x_lo, x_hi, cols), style="dim")
    return text


def _y_label(v: float) -> str:
    """`v` in the y labels' column: 3 significant digits, fewer where they would not
    fit ("0.086", not "0.0858": a longer label pushed its row past the chart's width,
    onto the line below)."""
    for digits in (3, 2, 1):
        text = f"{v:.{digits}g}"
        if len(text) <= LABEL_W - 1:
            return text
    return text[: LABEL_W - 1]


def _x_axis(label: str, lo: float, hi: float, cols: int) -> str:
    """The line under the plot: `label` under the y labels, then the whole numbers of
    lo..hi under the cells they fall in: the first, then every 1, 2, 5, 10, 20, ... so
    they do not touch."""
    line = [" "] * cols
    start, end = math.ceil(lo - 1e-9), math.floor(hi + 1e-9)
    wide = len(str(end)) + 1
    step = next(
        s for s in (m * 10**e for e in range(12) for m in (1, 2, 5))
        if (end - start) // s + 1 <= max(cols // wide, 1)
    )  # fmt: skip
    free = 0  # the first cell a number may take
    first = start - start % step + (step if start % step else 0)  # the first multiple
    for n in sorted({start, *range(first, end + 1, step)}):
        at = round((n - lo) / (hi - lo) * (cols * 2 - 1)) // 2
        at = min(at, cols - len(str(n)))  # the last one ends at the edge
        if at >= free:
            line[at : at + len(str(n))] = str(n)
            free = at + len(str(n)) + 1
    return f"{label[: LABEL_W - 1]:>{LABEL_W - 1}} " + "".join(line)


def _line(a: tuple[int, int], b: tuple[int, int], plot) -> None:
    """Every dot from a to b (Bresenham)."""
    (x0, y0), (x1, y1) = a, b
    dx, dy = abs(x1 - x0), -abs(y1 - y0)
    sx, sy = (1 if x0 < x1 else -1), (1 if y0 < y1 else -1)
    err = dx + dy
    while True:
        plot(x0, y0)
        if (x0, y0) == (x1, y1):
            return
        e2 = 2 * err
        if e2 >= dy:
            err += dy
            x0 += sx
        if e2 <= dx:
            err += dx
            y0 += sy


class Chart(Widget):
    """A braille line chart; set `series` (and optionally `x_max`, `y_range`) to redraw."""

    DEFAULT_CSS = "Chart { height: 6; }"

    series: reactive[tuple[Series, ...]] = reactive((), layout=False)
    x_max: reactive[float | None] = reactive(None)
    x_min: reactive[float | None] = reactive(None)

    def __init__(
        self,
        title: str,
        *,
        y_range: tuple[float, float] | None = None,
        x_label: str = "",
        id: str | None = None,
        classes: str | None = None,
    ):
        super().__init__(id=id, classes=classes)
        self.title = title
        self.y_range = y_range
        self.x_label = x_label  # the x axis's name: a line under the plot marks it

    def render(self) -> Text:
        return render_chart(
            list(self.series),
            self.size.width,
            self.size.height,
            title=self.title,
            x_max=self.x_max,
            y_range=self.y_range,
            variables=self.app.theme_variables,  # redrawn by Textual on a change of theme
            x_min=self.x_min,
            x_label=self.x_label,
        )
