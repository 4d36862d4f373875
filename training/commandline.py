"""The commands printed for a user to paste into a shell ("Continue with: frankenstein
train --resume name=... out_dir=...", the TUI's `$ frankenstein train ...` line).

They are built here as words and shell-quoted (shlex), so that a run name or folder
with spaces, quotes or non-ASCII letters reaches the command as one word and reads
back as it was; a plain word stays as it is (`--resume name=cnn-try out_dir=runs`).
`setting` makes the `key=value` word that `frankenstein train` parses back to the same
value (training/config.py's parse_override: the text after '=' is JSON where it parses).
"""

from __future__ import annotations

import json
import os
import shlex
from typing import Any


def setting(key: str, value: Any) -> str:
    """The `key=value` word that `frankenstein train` reads back as `value`: a string as
    it is, or JSON-quoted where JSON would read its text as something else (`123`,
    `true`, `"x"`); any other value as JSON. Letters stay letters (no \\u escapes)."""
    if isinstance(value, os.PathLike):
        value = os.fspath(value)
    if isinstance(value, tuple):
        value = list(value)
    if isinstance(value, str):
        try:
            json.loads(value)
        except ValueError:  # not JSON: parse_override keeps the text
            return f"{key}={value}"
    return f"{key}={json.dumps(value, ensure_ascii=False)}"


def command(*words: str | os.PathLike | int) -> str:
    """The words as one line a shell splits back into them (plain ones unquoted)."""
    return shlex.join(os.fspath(w) if isinstance(w, os.PathLike) else str(w) for w in words)


def resume_words(name: str, out_dir: str | os.PathLike | None = None) -> list[str]:
    """`--resume name=NAME [out_dir=DIR]`, as words of `frankenstein train`."""
    words = ["--resume", setting("name", name)]
    return words if out_dir is None else [*words, setting("out_dir", out_dir)]
