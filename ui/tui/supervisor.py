"""A supervised child process that speaks JSON lines: the trainer, the ablation runner.

The TUI never trains in its own process: it starts `frankenstein train --events` (or
`ablate --events`, `data synth --events`) with asyncio, reads one JSON object per
stdout line and hands each to a callback, keeps the last stderr lines for the report
of a crash, and stops the child with SIGINT (the trainer then saves last.pt and
exits). Lines that are not JSON objects go to the log callback, so a stray print never
breaks the stream. Plain asyncio, no Textual: a test can drive it on its own.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

STDERR_TAIL = 12  # stderr lines kept for a failed run's report
KILL_AFTER_S = 20.0  # SIGINT first; a child that ignores it this long is killed


@dataclass
class Outcome:
    """How a supervised process ended."""

    returncode: int
    stderr_tail: list[str] = field(default_factory=list)
    stopped: bool = False  # Stop was asked for

    @property
    def ok(self) -> bool:
        return self.returncode == 0


class Supervisor:
    """Runs one child process to its end, reporting its events and log lines."""

    def __init__(
        self,
        argv: Sequence[str],
        *,
        on_event: Callable[[dict[str, Any]], None],
        on_log: Callable[[str], None] = lambda line: None,
        cwd: str | os.PathLike | None = None,
        env: dict[str, str] | None = None,  # the whole environment (None: ours)
    ):
        self.argv = list(argv)
        self.on_event = on_event
        self.on_log = on_log
        self.cwd = Path(cwd) if cwd is not None else None
        self.env = env
        self.process: asyncio.subprocess.Process | None = None
        self._start: asyncio.Future | None = None  # the child being started
        self.stderr_tail: deque[str] = deque(maxlen=STDERR_TAIL)
        self.stop_requested = False
        self.ended = False  # run() has returned (or raised)

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.returncode is None

    @property
    def active(self) -> bool:
        """Not ended yet: about to be started, being started or running. A pane makes
        its supervisor before the worker that runs it, so from the moment a job is
        launched its Stop has something to stop."""
        return not self.ended

    async def run(self) -> Outcome:
        """Start the child and wait for it; cancelling this stops the child too."""
        try:
            return await self._run()
        finally:
            self.ended = True

    async def _run(self) -> Outcome:
        env = {**(self.env if self.env is not None else os.environ), "PYTHONUNBUFFERED": "1"}
        # Started as a task of its own: the child runs before this coroutine learns of
        # it, and a cancel (the TUI quitting) in that moment must still stop it.
        self._start = asyncio.ensure_future(
            asyncio.create_subprocess_exec(
                *self.argv,
                stdin=asyncio.subprocess.DEVNULL,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
                cwd=self.cwd,
                env=env,
                start_new_session=True,  # our terminal's signals are not the child's
                limit=1 << 24,  # an eval event carries a whole report on one line
            )
        )
        try:
            self.process = await asyncio.shield(self._start)
        except OSError as e:
            self.stderr_tail.append(f"cannot start {self.argv[0]}: {e}")
            return Outcome(127, list(self.stderr_tail))
        except asyncio.CancelledError:
            await self.shutdown()  # once the child is there
            raise
        if self.stop_requested:  # Stop came while it was starting
            self.stop()
        try:
            await asyncio.gather(self._read_stdout(), self._read_stderr())
            code = await self.process.wait()
        except asyncio.CancelledError:
            await self.shutdown()
            raise
        return Outcome(code, list(self.stderr_tail), self.stop_requested)

    def stop(self) -> None:
        """Ask the child to stop cleanly (SIGINT: the trainer saves last.pt); one not
        started yet, or still starting, gets it as soon as it is there."""
        if not self.ended and (self.process is None or self.running):
            self.stop_requested = True
        if self.running:
            with contextlib.suppress(ProcessLookupError):
                self.process.send_signal(signal.SIGINT)

    async def shutdown(self, detach: bool = False) -> None:
        """SIGINT, then SIGKILL if the child does not end in time (the TUI is closing;
        `detach`: its last events and lines go nowhere, the widgets are gone)."""
        if detach:
            self.on_event = self.on_log = _ignore
        if self.process is None and self._start is not None:  # being started: wait for it
            try:
                self.process = await asyncio.shield(self._start)
            except OSError:
                return  # it never started (run reports why)
        if not self.running:
            return
        self.stop()
        try:
            await asyncio.wait_for(self.process.wait(), KILL_AFTER_S)
        except TimeoutError:
            with contextlib.suppress(ProcessLookupError):
                self.process.kill()
            await self.process.wait()

    async def _read_stdout(self) -> None:
        assert self.process is not None and self.process.stdout is not None
        async for raw in self.process.stdout:
            line = raw.decode("utf-8", "replace").rstrip()
            if not line:
                continue
            event = _event(line)
            if event is None:
                self.on_log(line)
            else:
                self.on_event(event)

    async def _read_stderr(self) -> None:
        assert self.process is not None and self.process.stderr is not None
        async for raw in self.process.stderr:
            line = raw.decode("utf-8", "replace").rstrip()
            if line:
                self.stderr_tail.append(line)
                self.on_log(line)


def _ignore(_: object) -> None:
    pass


def _event(line: str) -> dict[str, Any] | None:
    """The event of a JSON-object line with an "event" key, else None."""
    if not line.startswith("{"):
        return None
    try:
        obj = json.loads(line)
    except json.JSONDecodeError:
        return None
    return obj if isinstance(obj, dict) and "event" in obj else None
