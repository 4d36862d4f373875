"""The Frankenstein TUI: data, training, ablations and runs in four tabs.

`create_app(...)` builds the app with its directories and the commands it runs (see
ui/tui/context.py), so tests inject a fast fake trainer; `frankenstein tui` calls it
with the defaults. Everything long runs in a child process watched by a Textual
worker, so the UI never waits on training. Ctrl+P's palette offers each tab and each
tab's actions by name beside Textual's commands (ui/tui/palette.py).
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial
from pathlib import Path
from typing import ClassVar

from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Footer, HelpPanel, TabbedContent, TabPane, Tabs

from core.paths import data_dir, runs_dir
from ui.tui.configform import form_fields
from ui.tui.context import TuiContext
from ui.tui.datadirs import source_dirs
from ui.tui.palette import COMMANDS, PaletteCommand, help_line
from ui.tui.panes.runs import RunsPane
from ui.tui.panes.train import SYNTHETIC, TrainPane

TABS = ("data", "train", "ablations", "runs")
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
    ]

    def __init__(self, ctx: TuiContext, models: list[str], initial: str = "train"):
        super().__init__()
        self.ctx = ctx
        self.models = models
        self.initial = initial
        self.after_switch: PaletteCommand | None = None  # run once its tab is shown

    def compose(self) -> ComposeResult:
        sources = [SYNTHETIC, *source_dirs(self.ctx.data_dir)]
        with TabbedContent(initial=self.initial, id="tabs"):
            with TabPane("1 Data", id="data"):
                from ui.tui.panes.data import DataPane

                yield DataPane(self.ctx, id="data-pane")
            with TabPane("2 Train", id="train"):
                yield TrainPane(self.ctx, form_fields(), self.models, sources, id="train-pane")
            with TabPane("3 Ablations", id="ablations"):
                from ui.tui.panes.ablations import AblationsPane

                yield AblationsPane(self.ctx, id="ablations-pane")
            with TabPane("4 Runs", id="runs"):
                yield RunsPane(self.ctx, id="runs-pane")
        yield Footer(show_command_palette=False, compact=True)

    def on_mount(self) -> None:
        # The tab strip takes no focus (1-4 and the mouse switch tabs): focused, by
        # Shift+Tab from a tab's first widget, it would leave every key of the tab dead.
        for strip in self.query_one("#tabs", TabbedContent).query(Tabs):
            strip.can_focus = False
        self._focus_in(self.initial)

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

    def action_show_tab(self, tab: str) -> None:
        self.query_one("#tabs", TabbedContent).active = tab

    async def on_tabbed_content_tab_activated(self, event: TabbedContent.TabActivated) -> None:
        if event.pane.id == "runs":  # what was trained, started or stopped meanwhile
            self.query_one("#runs-pane", RunsPane).reload()
        if event.pane.id is not None:
            self._focus_in(event.pane.id)
        command, self.after_switch = self.after_switch, None
        if command is not None and command.tab == event.pane.id:
            await self._run_in_pane(command)

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """Ctrl+P's palette: Textual's commands, and on the tabs (not over a curves or
        compare screen, whose keys are their own) each tab and each tab's actions."""
        yield from super().get_system_commands(screen)
        if screen is not self.screen_stack[0]:
            return
        for command in COMMANDS:
            keys = {}
            if command.action:
                pane = screen.query_one(f"#{command.tab}-pane")
                keys = {b.action: b.key.upper() for b in Binding.make_bindings(pane.BINDINGS)}
            yield SystemCommand(
                command.title, help_line(command, keys), partial(self.run_command, command)
            )

    async def run_command(self, command: PaletteCommand) -> None:
        """A palette command: its tab shown, as 1-4 show it, then its pane's action, as
        the tab's key runs it, once the tab has been entered (the Runs tab reads its
        folder again then, so the action sees the runs as the key would)."""
        tabs = self.query_one("#tabs", TabbedContent)
        if not command.action:
            self.action_show_tab(command.tab)
        elif tabs.active == command.tab:
            await self._run_in_pane(command)
        else:
            self.after_switch = command
            self.action_show_tab(command.tab)

    async def _run_in_pane(self, command: PaletteCommand) -> None:
        pane: Widget = self.query_one(f"#{command.tab}-pane")
        await self.run_action(command.action, pane)

    def _focus_in(self, tab: str) -> None:
        self.query_one(FIRST_FOCUS[tab]).focus()

    def on_data_pane_counted(self, message) -> None:
        sources = [SYNTHETIC] + [str(d.path) for d in message.dirs]
        self.query_one("#train-pane", TrainPane).set_sources(sources)

    def on_runs_pane_resume_asked(self, message: RunsPane.ResumeAsked) -> None:
        """F7 on the Runs tab: the run resumes on the Train tab, shown, as its F7 would;
        while that tab trains a run of its own, the Runs tab says so and stays."""
        train = self.query_one("#train-pane", TrainPane)
        if train.state.active:
            self.query_one("#runs-pane", RunsPane).show(
                f"the Train tab is training {train.state.run or 'a run'}: one run at a time "
                f"there (F6 on the Train tab stops it), then F7 resumes {message.name}"
            )
            return
        self.action_show_tab("train")
        train.resume(message.name)

    def on_train_pane_run_ended(self, message: TrainPane.RunEnded) -> None:
        self.query_one("#runs-pane", RunsPane).reload()


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
