"""The buttons that start and stop a pane's job, enabled for what can be done now."""

from __future__ import annotations

from textual.widget import Widget
from textual.widgets import Button


def show_busy(pane: Widget, busy: bool, *, starts: str, stops: str) -> None:
    """While a job runs its start buttons (`starts`, a selector) are disabled and its
    Stop (`stops`) enabled; while none does, the other way round. The keys stay live
    and say why when they cannot act ("a run is already going")."""
    for button in pane.query(starts).results(Button):
        button.disabled = busy
    for button in pane.query(stops).results(Button):
        button.disabled = not busy
