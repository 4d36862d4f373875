"""User-facing errors: each carries a message that names the file and the problem.

The command line prints these as one line (no traceback); anything else is a bug.
"""


class FrankensteinError(Exception):
    """Base of every error whose message is meant for the user."""


def setting_problem(err: dict) -> str:
    """One pydantic error as the user reads it, "where: what": without the "Value error,
    " pydantic puts before a validator's own message, and a list shorter than its fixed
    length said so ("channels: too few values, 2 given (item 3 missing)", not
    "channels.2: Field required")."""
    loc = [str(p) for p in err["loc"]]
    msg = err["msg"].removeprefix("Value error, ") if err["type"] == "value_error" else err["msg"]
    if err["type"] == "missing" and loc and loc[-1].isdigit():
        given = len(err["input"]) if isinstance(err.get("input"), list | tuple) else "?"
        missing = int(loc[-1]) + 1
        return f"{'.'.join(loc[:-1])}: too few values, {given} given (item {missing} missing)"
    return f"{'.'.join(loc) or 'config'}: {msg}"
