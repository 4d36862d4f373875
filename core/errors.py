"""User-facing errors: each carries a message that names the file and the problem.

The command line prints these as one line (no traceback); anything else is a bug.
"""

import difflib
import re
from collections.abc import Iterable


class FrankensteinError(Exception):
    """Base of every error whose message is meant for the user."""


def did_you_mean(given: str, choices: Iterable[str]) -> str:
    """ "did you mean 'base'?" for the choice nearest `given` (difflib's, as the
    parser's own suggestions; else the nearest ignoring case: 'BASE'), "" for none."""
    choices = list(choices)
    close = difflib.get_close_matches(given, choices, n=1)
    if not close:
        lowered = {c.lower(): c for c in choices}
        close = [lowered[c] for c in difflib.get_close_matches(given.lower(), lowered, n=1)]
    return f"did you mean {close[0]!r}?" if close else ""


def setting_problem(err: dict) -> str:
    """One pydantic error as the user reads it, "where: what": without the "Value error,
    " pydantic puts before a validator's own message, and a list shorter than its fixed
    length said so ("channels: too few values, 2 given (item 3 missing)", not
    "channels.2: Field required")."""
    loc = [str(p) for p in err["loc"]]
    msg = err["msg"].removeprefix("Value error, ") if err["type"] == "value_error" else err["msg"]
    if err["type"] == "literal_error" and isinstance(err.get("input"), str):
        # "Input should be 'adam', 'adamw' or 'sgd'": and the nearest of them
        allowed = re.findall(r"'([^']*)'", (err.get("ctx") or {}).get("expected", ""))
        if hint := did_you_mean(err["input"], allowed):
            msg += f" ({hint})"
    if err["type"] == "missing" and loc and loc[-1].isdigit():
        given = len(err["input"]) if isinstance(err.get("input"), list | tuple) else "?"
        missing = int(loc[-1]) + 1
        return f"{'.'.join(loc[:-1])}: too few values, {given} given (item {missing} missing)"
    return f"{'.'.join(loc) or 'config'}: {msg}"
