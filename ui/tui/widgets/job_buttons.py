"""The buttons that start and stop a pane's job, enabled for what can be done now."""

from __future__ import annotations

from textual.widget import Widget
from textual.widgets import Button


def show_busy(pane: Widget, busy: bool, *, starts: str, stops: str) -> None:
    """While a job runs its start buttons (`starts`, a selector) are disabled and its
    Stop (`stops`) enabled; while none does, the other way round. The keys stay live
    and say why when they cannot act ("a run is already going").

    A button disabled while focused (Enter on Start) hands the focus to the first
    button enabled here (Stop), else to the pane's first focusable widget: Textual
    would leave nothing focused, and the pane's keys (F6) act only with the focus in it.
    """
    enable = list(pane.query(stops if busy else starts).results(Button))
    disable = list(pane.query(starts if busy else stops).results(Button))
    focused = pane.screen.focused if pane.is_attached else None
    moving = focused is not None and any(focused is b for b in disable if not b.disabled)
    for button in enable:
        button.disabled = False
    for button in disable:
        button.disabled = True
    if moving:
        to = next((w for w in pane.screen.focus_chain if pane in w.ancestors), None)
        (enable[0] if enable else to or pane).focus()
