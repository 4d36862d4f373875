"""User-facing errors: each carries a message that names the file and the problem.

The command line prints these as one line (no traceback); anything else is a bug.
"""


class FrankensteinError(Exception):
    """Base of every error whose message is meant for the user."""
