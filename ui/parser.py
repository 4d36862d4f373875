"""The command line's argument parser: argparse, with two kindnesses for a mistyped or
missing command.

A choice a letter or two off (`frankenstein trian`, `data infoo`, `draw --model cnnn`)
is answered with the nearest one ("did you mean 'train'?") beside the list, and a
command or action left out (`frankenstein`, `frankenstein data`) prints the help that
lists them, not the bare usage line. Subparsers are made of this class too, so every
level has both.
"""

from __future__ import annotations

import argparse
import difflib
import sys
from typing import Any, NoReturn


class Parser(argparse.ArgumentParser):
    _choose: str | None = None  # the metavar of this parser's subcommands, where it has some

    def add_subparsers(self, **kwargs: Any) -> argparse._SubParsersAction:
        self._choose = kwargs.get("metavar")
        return super().add_subparsers(**kwargs)

    def _check_value(self, action: argparse.Action, value: Any) -> None:
        choices = action.choices
        if choices is not None and value not in choices:
            names = [str(c) for c in choices]
            close = difflib.get_close_matches(str(value), names, n=1)
            if close:
                listed = ", ".join(map(repr, names))
                raise argparse.ArgumentError(
                    action,
                    f"invalid choice: {value!r}; did you mean {close[0]!r}? (choose from {listed})",
                )
        super()._check_value(action, value)

    def error(self, message: str) -> NoReturn:
        if self._choose and message == f"the following arguments are required: {self._choose}":
            self.print_help(sys.stderr)
            self.exit(2, f"\n{self.prog}: error: {message}\n")
        super().error(message)
