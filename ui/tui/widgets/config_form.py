"""The training settings form: one row per TrainConfig field (see ui/tui/configform.py).

Text fields are inputs, choices are selects, switches are checkboxes; `values()`
reads them back and `show_errors` puts each validation error under its field (and
the form's general errors at the top), scrolling to the first one.
"""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.css.query import NoMatches
from textual.widget import AwaitMount
from textual.widgets import Checkbox, Input, Label, Select

from ui.tui.configform import GENERAL, HEADINGS, FormField


class OnOff(Checkbox):
    """A compact checkbox whose label says its state (a compact box alone hardly does)."""

    def __init__(self, value: bool = False, *, prefix: str = "", id: str | None = None):
        self.prefix = prefix
        super().__init__(self._text(value), value, compact=True, id=id)

    def _text(self, value: bool) -> str:
        return self.prefix + ("on" if value else "off")

    def watch_value(self) -> None:
        self.label = self._text(self.value)


def _wid(key: str) -> str:
    return "f-" + key.replace(".", "-")


class ConfigForm(VerticalScroll):
    """A scrolling form of settings; ids are f-<dotted key with dashes>. Not a tab
    stop itself (Tab went from the field before it onto the form, showing nothing):
    Tab goes field to field, the form scrolling to the one focused (the wheel too)."""

    # An empty field's placeholder is the value it stands for (the model's own size,
    # `none`): Textual's disabled-text grey was 2.6:1 on the light theme's inputs
    # (#858585 on #D8D8D8); muted text, still grey, reads 4.5:1 or more (WCAG's figure
    # for text) on either theme.
    DEFAULT_CSS = """
    ConfigForm Input > .input--placeholder {
        color: $text-muted;
    }
    """

    def __init__(self, fields: list[FormField], *, id: str | None = None):
        super().__init__(id=id, can_focus=False)
        self.fields = fields

    def compose(self) -> ComposeResult:
        yield Label("", id="form-error", classes="field-error")
        section = ""
        for f in self.fields:
            parent, _, leaf = f.key.rpartition(".")
            if parent != section:
                section = parent
                yield Label(HEADINGS.get(section, section or "run"), classes="heading")
            # the row straight in the form, no box around it and its error line, which
            # is added under it at its first error (show_errors): a box and an empty
            # line a field were 104 of the Train tab's 331 widgets, mounted at its start
            with Horizontal(classes="field-row", id=_wid(f.key) + "-row"):
                yield Label(("  " if parent else "") + leaf, classes="field-label")
                yield self._editor(f)

    def _editor(self, f: FormField):
        if f.kind == "choice":
            return Select(
                [(c, c) for c in f.choices],
                value=str(f.default),
                allow_blank=f.optional,
                compact=True,
                id=_wid(f.key),
            )
        if f.kind == "bool":
            return OnOff(bool(f.default), id=_wid(f.key))
        return Input(
            f.default_text, placeholder="none" if f.optional else "", compact=True, id=_wid(f.key)
        )

    def editor(self, key: str):
        return self.query_one("#" + _wid(key))

    def values(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for f in self.fields:
            w = self.editor(f.key)
            if isinstance(w, Select):
                out[f.key] = None if w.value is Select.NULL else w.value
            else:
                out[f.key] = w.value
        return out

    def set_value(self, key: str, value: Any) -> None:
        self.editor(key).value = value

    def set_values(self, values: dict[str, Any]) -> None:
        """Every field given a value (configform.config_values); a choice the field does
        not offer (a run's from another version) leaves it as it is."""
        for f in self.fields:
            if f.key not in values:
                continue
            value, w = values[f.key], self.editor(f.key)
            if isinstance(w, Select):
                if value is None and f.optional:
                    w.clear()
                elif value in f.choices:
                    w.value = value
            else:
                w.value = value

    def set_hints(self, hints: dict[str, str]) -> None:
        """Placeholders of text fields (what an empty field stands for)."""
        for key, hint in hints.items():
            self.editor(key).placeholder = hint

    def show_errors(self, errors: dict[str, str]) -> None:
        """Each error under its field; an empty dict clears them."""
        general = self.query_one("#form-error", Label)
        general.update(errors.get(GENERAL, ""))
        general.set_class(GENERAL in errors, "shown")
        first = None
        mounting: list[AwaitMount] = []
        for f in self.fields:
            msg = errors.get(f.key, "")
            label = self._error_line(f.key)
            if label is None and msg:  # its first error: the line goes under its row
                label = Label(msg, id=_wid(f.key) + "-error", classes="field-error")
                mounting.append(self.mount(label, after="#" + _wid(f.key) + "-row"))
            if label is not None:
                label.update(msg)
                label.set_class(bool(msg), "shown")
            if msg and first is None:
                first = f.key
        # After the refresh: the error labels just shown change where the fields are.
        if first is not None:
            self.call_after_refresh(self._go_to, self.editor(first), mounting)
        elif GENERAL in errors:
            self.call_after_refresh(self.scroll_home, animate=False)

    def _error_line(self, key: str) -> Label | None:
        """The field's error line, once it had an error (None before)."""
        try:
            return self.query_one("#" + _wid(key) + "-error", Label)
        except NoMatches:
            return None

    async def _go_to(self, editor, mounting: list[AwaitMount]) -> None:
        """Scroll the field's row in view with its error line under it, once the lines
        added are in the form and laid out."""
        for added in mounting:
            await added
        if mounting:
            self.call_after_refresh(self._show_field, editor)
        else:
            self._show_field(editor)

    def _show_field(self, editor) -> None:
        row, error = editor.parent, self.query_one("#" + editor.id + "-error")
        both = row.virtual_region_with_margin.union(error.virtual_region_with_margin)
        self.scroll_to_region(both, animate=False, immediate=True)
        editor.focus(scroll_visible=False)

    def error_of(self, key: str) -> str:
        """The error text shown under a field ('' if none)."""
        label = self._error_line(key)
        return "" if label is None else str(label.content)
