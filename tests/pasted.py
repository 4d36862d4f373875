"""The commands the program prints for a user to paste, read back as a shell and the
real command line would: split by shlex, parsed by ui/cli.py's parser (tests of
training/commandline.py's users)."""

from __future__ import annotations

import re
import shlex

# a run name and a runs folder that a shell splits or mangles when left unquoted
ODD_NAME = "stöp me"
ODD_DIR = ("my runs", "ünïcode")


def quoted(text: str) -> str:
    """The one `...` command in `text`."""
    (found,) = re.findall(r"`([^`]*)`", text)
    return found


def train_args(line: str, prefix: tuple[str, ...] = ("frankenstein", "train")):
    """`line` (a `frankenstein train ...` command) as the shell splits it and the real
    parser reads it: the parsed arguments of its `train`."""
    from ui.cli import build_parser

    words = shlex.split(line)
    assert tuple(words[: len(prefix)]) == prefix, words
    args = build_parser().parse_args(["train", *words[len(prefix) :]])
    assert args.command == "train"
    return args


def resumed_config(line: str, prefix: tuple[str, ...] = ("frankenstein", "train")):
    """The TrainConfig that the pasted `line` (a `train --resume` command) resumes."""
    from ui.commands.train import resolve_config

    args = train_args(line, prefix)
    assert args.resume
    return resolve_config(args.settings, args.resume)
