"""A picker of names that may be long (the Train tab's model and data): one line each.

Textual's Select wraps a name too long for its open list onto more lines, breaking it
mid-word where it has no space (`frankenstein-nopro` / `j`), and cuts the chosen one at
its end, so `…-batch1/` and `…-batch2/` read alike. Here a name is one line wherever
it shows, shortened in the middle (ui/tui/widgets/shorten.py) to the cells it gets:
the open list widens to its longest name (the screen's width at most, moved left to
stay on it), and the picker's tooltip names the choice whole while its cells shorten
it (the open list's, the highlighted option, where even the screen is too narrow).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from rich.cells import cell_len
from textual.content import Content
from textual.css.styles import RulesMap
from textual.strip import Strip
from textual.style import Style
from textual.visual import RenderOptions, Visual
from textual.widgets import OptionList, Select

from ui.tui.widgets.shorten import middle_ellipsis


class ShortName(str):
    """A name that Textual draws on one line, shortened in the middle to its cells, or
    its `narrow` form where that fits and the name does not ("synthetic" for
    "synthetic (fresh each epoch)"); a str still (the picker's type-to-search reads it)."""

    narrow: str | None

    def __new__(cls, name: str, narrow: str | None = None) -> ShortName:
        self = super().__new__(cls, name)
        self.narrow = narrow
        return self

    def visualize(self) -> Visual:
        return OneLine(str(self), self.narrow)


class OneLine(Visual):
    """`name` in one line of any width: whole where it fits, else `narrow` (where
    given), else its start and end."""

    def __init__(self, name: str, narrow: str | None = None):
        self.name = name
        self.narrow = narrow

    def render_strips(
        self, width: int, height: int | None, style: Style, options: RenderOptions
    ) -> list[Strip]:
        name = self.name
        if self.narrow is not None and cell_len(name) > width:
            name = self.narrow
        return Content(middle_ellipsis(name, width)).render_strips(width, height, style, options)

    def get_optimal_width(self, rules: RulesMap, container_width: int) -> int:
        return cell_len(self.name)

    def get_height(self, rules: RulesMap, width: int) -> int:
        return 1


class NameSelect(Select[str]):
    """A compact Select of (label, value) whose labels show as `ShortName`s (a label may
    be one already, with its narrow form)."""

    DEFAULT_CSS = """
    NameSelect > SelectOverlay {
        width: auto;  /* its longest name, */
        min-width: 100%;  /* the picker's width at least, */
        max-width: 100vw;  /* the screen's at most, */
        constrain: inside inside;  /* moved left to stay on it */
    }
    """

    def __init__(self, options: Iterable[tuple[str, str]], **kwargs: Any):
        super().__init__(_short(options), compact=True, **kwargs)

    def set_options(self, options: Iterable[tuple[str, str]]) -> None:
        super().set_options(_short(options))

    def on_mount(self) -> None:
        self.watch(self, "value", self._name_whole, init=False)
        overlay = self.query_one("SelectOverlay", OptionList)
        self.watch(overlay, "highlighted", self._highlighted, init=False)
        self.watch(self, "expanded", self._highlighted, init=False)

    def on_resize(self) -> None:
        self.call_after_refresh(self._name_whole)

    def _label(self, value: object) -> str | None:
        return next((str(label) for label, v in self._options if v == value), None)

    def _name_whole(self, *_: object) -> None:
        """The tooltip: the choice's whole name while the picker's cells shorten it."""
        name = self._label(self.value)
        cells = self.query_one("SelectCurrent #label").size.width
        self.tooltip = name if name is not None and cell_len(name) > cells else None

    def _highlighted(self, _: object) -> None:
        self.call_after_refresh(self._option_whole)  # the list laid out: shown, its width

    def _option_whole(self) -> None:
        """The open list's tooltip: the highlighted option whole, where it is shortened."""
        overlay = self.query_one("SelectOverlay", OptionList)
        if not self.expanded:
            overlay.tooltip = None
            return
        width = overlay.scrollable_content_region.width
        if not width:  # just shown, not laid out yet
            self.call_after_refresh(self._option_whole)
            return
        index = overlay.highlighted
        name = str(self._options[index][0]) if index is not None else ""
        padding = overlay.get_component_styles("option-list--option").padding.width
        overlay.tooltip = name if cell_len(name) > width - padding else None


def _short(options: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    return [
        (label if isinstance(label, ShortName) else ShortName(label), value)
        for label, value in options
    ]
