"""A screen over the tabs (a run's curves, two runs compared): modal, so the tabs'
keys rest while it is open, its footer listing its own keys and the app's F1 and
Ctrl+Q, which act on every screen (priority keys of the app)."""

from __future__ import annotations

from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.screen import ModalScreen


class Overlay(ModalScreen[None]):
    """Esc (or Q) closes it; F1 and Ctrl+Q are listed in its footer. (The app takes
    F1 and Ctrl+Q first, being priority keys there: these only show them.)"""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss", "Close"),
        Binding("q", "dismiss", "Close", show=False),
        Binding("f1", "app.toggle_help", "Help"),
        Binding("ctrl+q", "app.quit", "Quit"),
    ]

    def action_dismiss(self) -> None:
        self.dismiss(None)
