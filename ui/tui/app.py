"""The Frankenstein TUI: data, training, ablations and runs in four tabs.

`create_app(...)` builds the app with its directories and the commands it runs (see
ui/tui/context.py), so tests inject a fast fake trainer; `frankenstein tui` calls it
with the defaults. Everything long runs in a child process watched by a Textual
worker, so the UI never waits on training. Ctrl+P's palette offers each tab and each
tab's actions by name beside Textual's commands (ui/tui/palette.py). Only the tab shown
at start is composed with the app, each other one when first shown (ui/tui/lazytab.py).
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial
from pathlib import Path
from typing import ClassVar

from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.css.query import NoMatches
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Footer, HelpPanel, TabbedContent, Tabs

from core.paths import data_dir, runs_dir
from ui.tui.configform import form_fields
from ui.tui.context import TuiContext
from ui.tui.datadirs import source_dirs
from ui.tui.lazytab import LazyTab
from ui.tui.palette import COMMANDS, PaletteCommand, help_line
from ui.tui.panes.runs import RunsPane
from ui.tui.panes.train import SYNTHETIC, TrainPane

TITLES = {"data": "1 Data", "train": "2 Train", "ablations": "3 Ablations", "runs": "4 Runs"}
TABS = tuple(TITLES)
# What takes the focus when a tab opens, so its keys work and show in the footer.
FIRST_FOCUS = {
    "data": "#data-table",
    "train": "#train-model",
    "ablations": "#abl-specs",
    "runs": "#runs-table",
}


class FrankensteinApp(App[None]):
    """Tabs for each job; keys 1-4 switch tabs (the tab titles show them), the footer
    lists the keys of the tab in use."""

    CSS_PATH = "app.tcss"
    TITLE = "Frankenstein"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("1", "show_tab('data')", "Data", show=False),
        Binding("2", "show_tab('train')", "Train", show=False),
        Binding("3", "show_tab('ablations')", "Ablations", show=False),
        Binding("4", "show_tab('runs')", "Runs", show=False),
        # The keys panel (every key of the widget in focus, its tab and the app), which
        # Ctrl+P's palette offers too (its "Keys"): ? too where it is not typed (an
        # input takes it), Esc closes it before anything else Esc does.
        # F1 and Ctrl+Q are priority keys, so they act on every screen: a screen over
        # the tabs (curves, compare) is modal, and hides the app's other keys.
        Binding("f1", "toggle_help", "Help", priority=True),
        Binding("question_mark", "toggle_help", "Help", show=False),
        Binding("escape", "hide_help_panel", "Close help", show=False, priority=True),
        Binding("ctrl+q", "quit", "Quit", priority=True),
        # Ctrl+P's palette, shown at the footer's right (Footer(show_command_palette)),
        # "Palette" as the footer's other keys are named: every action by name, the
        # keys the footer leaves out (R, F on the Runs tab) too.
        Binding(
            "ctrl+p",
            "command_palette",
            "Palette",
            show=False,
            priority=True,
            tooltip="find any command by name",
        ),
    ]

    def __init__(self, ctx: TuiContext, models: list[str], initial: str = "train"):
        super().__init__()
        self.ctx = ctx
        self.models = models
        self.initial = initial
        self.after_switch: PaletteCommand | None = None  # run once its tab is shown

    def compose(self) -> ComposeResult:
        # Only the tab shown at start is composed now, the others when first shown (or
        # reached: ui/tui/lazytab.py), so the first screen comes sooner.
        with TabbedContent(initial=self.initial, id="tabs"):
            for tab, title in TITLES.items():
                make = partial(self._make_pane, tab)
                yield LazyTab(title, make, id=tab, now=tab == self.initial)
        yield Footer(compact=True)

    def _make_pane(self, tab: str) -> Widget:
        if tab == "train":  # the data folders as they are now, not at start
            sources = [SYNTHETIC, *source_dirs(self.ctx.data_dir)]
            return TrainPane(self.ctx, form_fields(), self.models, sources, id="train-pane")
        return pane_class(tab)(self.ctx, id=f"{tab}-pane")

    def on_mount(self) -> None:
        # The tab strip takes no focus (1-4 and the mouse switch tabs): focused, by
        # Shift+Tab from a tab's first widget, it would leave every key of the tab dead.
        for strip in self.query_one("#tabs", TabbedContent).query(Tabs):
            strip.can_focus = False
        self._focus_in(self.initial)

    def pane(self, tab: str) -> Widget | None:
        """The tab's pane, None where it is not composed yet (never shown)."""
        return self.query_one(f"#{tab}", LazyTab).pane

    async def populated(self, tab: str) -> Widget:
        """The tab's pane, composed now if it was not yet."""
        await self.query_one(f"#{tab}", LazyTab).populate()
        return self.query_one(f"#{tab}-pane")

    def action_toggle_help(self) -> None:
        if self.screen.query(HelpPanel):
            self.action_hide_help_panel()
        else:
            self.action_show_help_panel()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Esc closes the keys panel only while it is open; else it is not taken here."""
        if action == "hide_help_panel":
            return bool(self.screen.query(HelpPanel))
        return True

    async def action_show_tab(self, tab: str) -> None:
        """The tab shown, composed first where it was not yet (drawn whole at once)."""
        await self.populated(tab)
        tabs = self.query_one("#tabs", TabbedContent)
        if tabs.active != tab:
            # the widget focused on the tab about to be hidden would, once hidden, hand
            # the focus to a sibling there, which shows that tab again: no focus until
            # the tab shown takes it (`_focus_in`)
            self.screen.set_focus(None)
        tabs.active = tab

    async def on_tabbed_content_tab_activated(self, event: TabbedContent.TabActivated) -> None:
        lazy, tab = event.pane, event.pane.id
        if not isinstance(lazy, LazyTab) or tab is None or not lazy.is_attached:
            return  # the app closing: its tabs taken down before this came
        try:
            await self._entered(lazy, tab)
        except NoMatches:  # the app closed meanwhile, its widgets gone
            if lazy.is_attached:
                raise

    async def _entered(self, lazy: LazyTab, tab: str) -> None:
        """A tab just shown: composed where it was not yet, focused, and the palette's
        command that waited for it run."""
        if lazy.pane is None:  # a click on its title shows it before it is composed
            # the widget focused on the tab just hidden would, once hidden, hand the
            # focus to a sibling there, which shows that tab again: no focus meanwhile
            self.screen.set_focus(None)
            await lazy.populate()
        if tab == "runs":  # what was trained, started or stopped meanwhile
            self.query_one("#runs-pane", RunsPane).reload()
        self._focus_in(tab)
        command, self.after_switch = self.after_switch, None
        if command is not None and command.tab == tab:
            await self._run_in_pane(command)

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """Ctrl+P's palette: Textual's commands, and on the tabs (not over a curves or
        compare screen, whose keys are their own) each tab and each tab's actions."""
        yield from super().get_system_commands(screen)
        if screen is not self.screen_stack[0]:
            return
        for command in COMMANDS:
            keys = {}
            if command.action:  # from the pane's class: its tab may not be composed yet
                bindings = Binding.make_bindings(pane_class(command.tab).BINDINGS)
                keys = {b.action: b.key.upper() for b in bindings}
            yield SystemCommand(
                command.title, help_line(command, keys), partial(self.run_command, command)
            )

    async def run_command(self, command: PaletteCommand) -> None:
        """A palette command: its tab shown, as 1-4 show it, then its pane's action, as
        the tab's key runs it, once the tab has been entered (the Runs tab reads its
        folder again then, so the action sees the runs as the key would)."""
        tabs = self.query_one("#tabs", TabbedContent)
        if not command.action:
            await self.action_show_tab(command.tab)
        elif tabs.active == command.tab:
            await self._run_in_pane(command)
        else:
            self.after_switch = command
            await self.action_show_tab(command.tab)

    async def _run_in_pane(self, command: PaletteCommand) -> None:
        pane: Widget = self.query_one(f"#{command.tab}-pane")
        await self.run_action(command.action, pane)

    def _focus_in(self, tab: str) -> None:
        """The tab's first widget focused at once, not later as focus() would: a widget
        of the tab just hidden that still has the focus when hidden hands it to a
        sibling of its own, and that tab is shown again."""
        widget = self.query_one(FIRST_FOCUS[tab])
        widget.screen.set_focus(widget)

    def on_data_pane_counted(self, message) -> None:
        """The Data tab's count offered on the Train tab (one not composed yet lists
        the data folders when it is)."""
        train = self.pane("train")
        if isinstance(train, TrainPane):
            train.set_sources([SYNTHETIC] + [str(d.path) for d in message.dirs])

    async def on_runs_pane_resume_asked(self, message: RunsPane.ResumeAsked) -> None:
        """F7 on the Runs tab: the run resumes on the Train tab, shown, as its F7 would;
        while that tab trains a run of its own, the Runs tab says so and stays."""
        train = await self.populated("train")
        assert isinstance(train, TrainPane)
        if train.state.active:
            self.query_one("#runs-pane", RunsPane).show(
                f"the Train tab is training {train.state.run or 'a run'}: one run at a time "
                f"there (F6 on the Train tab stops it), then F7 resumes {message.name}"
            )
            return
        await self.action_show_tab("train")
        train.resume(message.name)

    def on_train_pane_run_ended(self, message: TrainPane.RunEnded) -> None:
        runs = self.pane("runs")  # not composed yet: it reads the folder when it is
        if isinstance(runs, RunsPane):
            runs.reload()


def pane_class(tab: str) -> type[Widget]:
    """The class of the tab's pane (imported on first use: the Data and Ablations
    panes' modules are left for when the tab or the palette needs them)."""
    if tab == "data":
        from ui.tui.panes.data import DataPane

        return DataPane
    if tab == "ablations":
        from ui.tui.panes.ablations import AblationsPane

        return AblationsPane
    return {"train": TrainPane, "runs": RunsPane}[tab]


def create_app(
    *,
    runs: Path | None = None,
    data: Path | None = None,
    trainer: list[str] | tuple[str, ...] | None = None,
    initial: str = "train",
    **context,
) -> FrankensteinApp:
    """The TUI on these directories (default: core.paths), with these commands.

    `trainer` replaces `frankenstein train` (argv prefix; the app appends key=value
    settings and --events); further keyword arguments are TuiContext fields
    (ablate, data, draw, specs_dir, studies_dir, default_model_file, cwd, ...).
    """
    from core.modelconfig import MODELS

    if trainer is not None:
        context["trainer"] = tuple(trainer)
    ctx = TuiContext(
        runs_dir=runs if runs is not None else runs_dir(),
        data_dir=data if data is not None else data_dir(),
        **context,
    )
    if initial not in TABS:
        raise ValueError(f"initial tab {initial!r} is not one of {TABS}")
    return FrankensteinApp(ctx, list(MODELS), initial)
