"""A tab whose pane is composed the first time it is needed, not when the app starts.

The tab shown at start composes its pane with the app; the others wait, so the first
screen is drawn, and takes keys, before the hidden tabs' widgets exist
(benchmarks/test_bench_tui.py times the first screen). Whatever reaches into a tab
awaits `populate()` first (showing it: keys 1-4, a click on its title, the palette,
F7 on the Runs tab) or asks `pane` and leaves a tab not composed yet alone (its pane
reads what it shows when it is composed).
"""

from __future__ import annotations

from collections.abc import Callable

from textual.app import ComposeResult
from textual.widget import AwaitMount, Widget
from textual.widgets import TabPane


class LazyTab(TabPane):
    """A tab of `make()`'s pane: composed with the tab where `now`, else on `populate()`."""

    def __init__(self, title: str, make: Callable[[], Widget], *, id: str, now: bool = False):
        super().__init__(title, id=id)
        self.make = make
        self.now = now
        self.made: Widget | None = None
        self.mounting: AwaitMount | None = None

    def compose(self) -> ComposeResult:
        if self.now:
            self.made = self.make()
            yield self.made

    @property
    def pane(self) -> Widget | None:
        """The tab's pane once mounted, else None (not composed yet, or being mounted)."""
        return self.made if self.made is not None and self.made.is_mounted else None

    async def populate(self) -> None:
        """The pane composed and mounted, now if it was not yet (two callers at once
        both wait for the one mount)."""
        if self.made is not None and self.mounting is None:  # composed with the tab
            return
        if self.made is None:
            self.made = self.make()
            self.mounting = self.mount(self.made)
        assert self.mounting is not None
        await self.mounting
