"""`--events` of `data download` and `data synth`: progress as JSON lines, for the TUI."""

from __future__ import annotations

EVENTS_HELP = (
    'JSON lines on stdout instead of bars, for the TUI: {"event": "progress", "done", '
    '"total", "what"} and a last {"event": "done", "message"}'
)


class JsonProgress:
    """Progress as JSON lines (the training events' "progress" shape), at most ~200."""

    def __init__(self, total: int):
        self.total = max(total, 1)
        self.step = max(self.total // 200, 1)
        self.last = -self.step

    def update(self, done: int, what: str, force: bool = False) -> None:
        if force or done - self.last >= self.step or done >= self.total:
            self.last = done
            _emit("progress", done=done, total=self.total, what=what)

    def done(self, message: str) -> None:
        _emit("done", message=message)


def _emit(event: str, **fields) -> None:
    import json
    import sys

    sys.stdout.write(json.dumps({"event": event, **fields}) + "\n")
    sys.stdout.flush()
