"""The TUI's own commands in Ctrl+P's command palette, beside Textual's (theme, keys,
quit, screenshot): a tab to show, or a tab's action to run, found by name.

Each command names the tab and the action of its pane that a key of that tab runs
(the pane's BINDINGS; its buttons call the same action), so the palette runs the
same code as the key: the tab is shown first, as 1-4 would, then the action acts on
what that tab has selected, and says there why it does nothing when it cannot (no
run to stop, no checkpoint yet). The help line names the key.
"""

from __future__ import annotations

from typing import NamedTuple

TAB_KEYS = {"data": "1", "train": "2", "ablations": "3", "runs": "4"}


class PaletteCommand(NamedTuple):
    title: str  # what the palette matches what is typed against
    does: str  # the help line, before the key
    tab: str  # the tab it shows (TabPane id); its pane is "#<tab>-pane"
    action: str = ""  # the pane's action (its binding's), "" to show the tab only


COMMANDS: tuple[PaletteCommand, ...] = (
    *(PaletteCommand(f"{tab.title()} tab", f"show the {tab.title()} tab", tab) for tab in TAB_KEYS),
    PaletteCommand(
        "Data: generate synthetic doodles",
        "draw as many doodles a class as the per-class box says, into data/synthetic",
        "data",
        "synth",
    ),
    PaletteCommand(
        "Data: download the real doodles",
        "fetch the Quick, Draw! files into data/quickdraw",
        "data",
        "download",
    ),
    PaletteCommand("Data: stop", "stop the generation or the download", "data", "stop"),
    PaletteCommand("Data: reload", "count the data folders again", "data", "reload"),
    PaletteCommand("Train: start", "start a run with the form's settings", "train", "start"),
    PaletteCommand("Train: stop", "stop the run (it saves last.pt)", "train", "stop"),
    PaletteCommand(
        "Train: resume", "resume the run named in the form, else the last one", "train", "resume"
    ),
    PaletteCommand("Ablations: run the study", "run the selected spec", "ablations", "run"),
    PaletteCommand("Ablations: stop the study", "stop the running study", "ablations", "stop"),
    PaletteCommand(
        "Ablations: curves", "the highlighted run's learning curves", "ablations", "curves"
    ),
    PaletteCommand(
        "Ablations: reload", "read the specs and the shown study again", "ablations", "reload"
    ),
    PaletteCommand("Runs: mark", "mark the selected run, to compare another with", "runs", "mark"),
    PaletteCommand(
        "Runs: compare", "compare the selected run with the marked one", "runs", "compare"
    ),
    PaletteCommand("Runs: curves", "the selected run's learning curves", "runs", "curves"),
    PaletteCommand(
        "Runs: draw with this checkpoint",
        "open the drawing window on the selected run's best.pt",
        "runs",
        "draw",
    ),
    PaletteCommand(
        "Runs: make default",
        "make the selected run's best.pt the one `frankenstein draw` starts with",
        "runs",
        "make_default",
    ),
    PaletteCommand("Runs: stop", "stop the selected run's training", "runs", "stop"),
    PaletteCommand("Runs: resume", "resume the selected run on the Train tab", "runs", "resume"),
    PaletteCommand("Runs: reload", "read every run again", "runs", "reload"),
)


def help_line(command: PaletteCommand, keys: dict[str, str]) -> str:
    """The command's help: what it does and the key that does it (`keys`: the pane's
    action -> key, as its bindings display it)."""
    tab = command.tab.title()
    if not command.action:
        return f"{command.does} (key {TAB_KEYS[command.tab]})"
    return f"{command.does} ({keys[command.action]} on the {tab} tab)"
