"""The command line's argument parser: argparse, with two kindnesses for a mistyped or
missing command.

A choice a letter or two off (`frankenstein trian`, `data infoo`, `draw --model cnnn`)
is answered with the nearest one ("did you mean 'train'?") beside the list, and a
command or action left out (`frankenstein`, `frankenstein data`) prints the help that
lists them, not the bare usage line. Subparsers are made of this class too, so every
level has both.

A command's words (`train`'s `key=value` settings) are taken wherever they stand, also
after a flag (`train model=cnn --dry-run epochs=1`), and anything a command does not
know is its own error, under its own usage line, with the nearest option it has
(`runs --jsn`: did you mean --json?), also when a required option is missing for it
(`eval --modle cnn`). An empty path (`--out "$OUT"` with OUT unset) is refused: a
Path of "" is the current folder, which `data synth --replace` then emptied of data.
"""

from __future__ import annotations

import argparse
import difflib
import re
import sys
from pathlib import Path
from typing import Any, NoReturn

_NUMBER = re.compile(r"^-\d+$|^-\d*\.\d+$")  # a negative number is a value, not an option


class Parser(argparse.ArgumentParser):
    _choose: str | None = None  # the metavar of this parser's subcommands, where it has some
    _command = False  # a subcommand's parser (`frankenstein train`), not the program's
    _given: tuple[str, ...] = ()  # what this parser was given to parse

    def add_subparsers(self, **kwargs: Any) -> argparse._SubParsersAction:
        self._choose = kwargs.get("metavar")
        return super().add_subparsers(parser_class=Command, **kwargs)

    def add_argument(self, *args: Any, **kwargs: Any) -> argparse.Action:
        if kwargs.get("type") is Path:
            kwargs["type"] = _path
        return super().add_argument(*args, **kwargs)

    def parse_known_args(self, args=None, namespace=None):
        self._given = tuple(sys.argv[1:] if args is None else args)
        namespace, extras = super().parse_known_args(args, namespace)
        words = self._words()
        if extras and words is not None:  # the command's words after a flag
            getattr(namespace, words.dest).extend(a for a in extras if not a.startswith("-"))
            extras = [a for a in extras if a.startswith("-")]
        if extras and self._command:
            self.error(self._unrecognized(extras))
        return namespace, extras

    def _words(self) -> argparse.Action | None:
        """The positional that takes any number of words (`train`'s settings), if any."""
        return next((a for a in self._get_positional_actions() if a.nargs == "*"), None)

    def _unrecognized(self, extras: list[str]) -> str:
        """'unrecognized arguments: --jsn (did you mean --json?)'."""
        known = list(self._option_string_actions)
        near = [
            f"{a} (did you mean {close[0]}?)"
            if (close := difflib.get_close_matches(a.split("=")[0], known, n=1))
            else a
            for a in extras
        ]
        return "unrecognized arguments: " + " ".join(near)

    def _unknown_options(self) -> list[str]:
        """The options given that this parser does not have (before any `--`)."""
        given = self._given[: self._given.index("--")] if "--" in self._given else self._given
        return [
            a
            for a in given
            if a.startswith("-")
            and len(a) > 1
            and not _NUMBER.match(a)
            and a.split("=")[0] not in self._option_string_actions
        ]

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
        unknown = self._unknown_options()
        if unknown and message.startswith("the following arguments are required"):
            message = f"{self._unrecognized(unknown)}; {message}"  # the slip is the cause
        super().error(message)


def _path(text: str) -> Path:
    """A path argument, never empty: Path("") is ".", the current folder."""
    if not text.strip():
        raise argparse.ArgumentTypeError(f"an empty path ({text!r}): name a file or folder")
    return Path(text)


class Command(Parser):
    """A command's parser: what it does not know is its own error, not the program's."""

    _command = True
