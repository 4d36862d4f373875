"""A tab follows what another process changes while the tab is shown.

A study run from a terminal, a training started there, a download into the data
folder: the TUI learns of each from the files that process writes and the lock it
holds. A `Follow` looks at those every few seconds while its pane is on screen (a
`look` that only lists and stats files, and reads lock files) and refreshes the pane
when what it saw has changed, so the tab keeps up with another process's work as it
does with its own, without R. The pane calls `saw()` whenever it refreshes by itself,
so its own reloads are not taken for another process's change. What a look sees of
files (`files_seen`) is in ui/tui/seen.py, which imports no Textual.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable

from textual.widget import Widget


class Follow:
    """Refresh `pane` (`refresh()`) when `look()` differs from what it last saw."""

    def __init__(
        self,
        pane: Widget,
        look: Callable[[], Hashable],
        refresh: Callable[[], None],
        every: float,
    ):
        self.pane = pane
        self.look = look
        self.on_change = refresh
        self.seen: Hashable = None
        self.every = every

    def start(self) -> None:
        """Look every `every` seconds from now on (the pane has called `saw()`)."""
        self.pane.set_interval(self.every, self.tick)

    def saw(self) -> None:
        """The pane shows what is there now: later looks compare with that."""
        try:
            self.seen = self.look()
        except OSError:  # see tick: the next look compares with nothing, and refreshes
            self.seen = None

    def tick(self) -> None:
        if not shown(self.pane):  # another tab is shown: it looks when shown
            return
        try:
            seen = self.look()
        except OSError:  # a folder going as it was listed: the next look sees what is left
            return
        if seen != self.seen:
            self.seen = seen
            self.on_change()


def shown(widget: Widget) -> bool:
    """Whether `widget` is displayed: neither it nor a container of it is hidden (an
    inactive tab's pane is). Read from the widgets themselves at once, not from the
    last screen update as `is_on_screen` is."""
    return all(node.display for node in (widget, *widget.ancestors) if isinstance(node, Widget))
