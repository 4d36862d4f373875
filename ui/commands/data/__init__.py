"""`frankenstein data`: look at, download and generate drawing data.

One module an action, each with its `add_parser` and `run_*`: info, download, templates,
synth and compare; progress.py holds the JSON-lines progress of `--events`, staging.py
the hidden folder `synth` draws in (and the clean-up of one a killed run left),
install.py the move of its files into DIR (finished by the next run when a kill cut it
short), leftover.py the clean-up of the folder an older TUI drew into. Heavy imports
(rich, matplotlib, the training modules) stay inside the `run_*` functions, so `--help`
stays fast.
"""

from __future__ import annotations

import argparse

from ui.commands.data import compare, download, info, synth, templates
from ui.commands.data.compare import run_compare
from ui.commands.data.download import run_download
from ui.commands.data.info import run_info
from ui.commands.data.progress import EVENTS_HELP, JsonProgress
from ui.commands.data.synth import run_synth
from ui.commands.data.templates import run_templates

__all__ = [
    "EVENTS_HELP",
    "JsonProgress",
    "register",
    "run_compare",
    "run_download",
    "run_info",
    "run_synth",
    "run_templates",
]


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("data", help="inspect, download or generate drawing data")
    dsub = p.add_subparsers(dest="data_command", metavar="ACTION", required=True)
    for action in (info, download, templates, synth, compare):  # the order --help lists
        action.add_parser(dsub)
