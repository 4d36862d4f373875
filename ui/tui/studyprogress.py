"""How far a study the Ablations tab runs has come: "run 3 of 12, about 40 min left".

The runner's events (experiments/runner.py) say when each run starts and ends and,
through its training's batch events, how long that run has left (`eta_s`). A run's
length is taken from the runs this study has finished (their seconds), else, before
one has, from the running runs' own estimates (time so far plus time left); the
study's time left is the longest running run's, then the queued runs, as many at a
time as have run together. No Textual here; the clock is given, so a test can set it.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from training.progressfile import time_left

FINISHED = ("done", "failed", "stopped")


@dataclass
class StudyProgress:
    """The running runs' start times and estimates, and the finished runs' lengths."""

    clock: Callable[[], float] = time.monotonic
    started: dict[str, float] = field(default_factory=dict)  # running run -> its start
    eta: dict[str, tuple[float, float]] = field(default_factory=dict)  # run -> (when, eta_s)
    took: list[float] = field(default_factory=list)  # seconds of the runs finished here
    together: int = 1  # the most runs that have run at once

    def run_started(self, run: str) -> None:
        self.started[run] = self.clock()
        self.together = max(self.together, len(self.started))

    def estimate(self, run: str, eta_s: object) -> None:
        """A batch event of `run`: its time left (the trainer's estimate)."""
        if run in self.started and isinstance(eta_s, int | float) and math.isfinite(eta_s):
            self.eta[run] = (self.clock(), max(float(eta_s), 0.0))

    def run_ended(self, run: str, seconds: object = None) -> None:
        """`run` ended; `seconds`: how long it took, for a run that trained to its end."""
        self.started.pop(run, None)
        self.eta.pop(run, None)
        if isinstance(seconds, int | float) and seconds > 0:
            self.took.append(float(seconds))

    def seconds_left(self, queued: int) -> float | None:
        """The study's time left with `queued` runs still to start; None before any
        run has finished or given an estimate."""
        now = self.clock()
        lengths = self.took or [
            when - self.started[run] + eta for run, (when, eta) in self.eta.items()
        ]
        if not lengths:
            return None
        length = sum(lengths) / len(lengths)
        running = [
            self.eta[run][1] - (now - self.eta[run][0])
            if run in self.eta
            else length - (now - since)
            for run, since in self.started.items()
        ]
        return max([0.0, *running]) + math.ceil(queued / self.together) * length

    def line(self, status: dict[str, str]) -> str:
        """ "run 3 of 12, about 40 min left" ("runs 3-4 of 12" while two run at once),
        from the runs' statuses (run id -> queued/running/done/...)."""
        total = len(status)
        finished = sum(s in FINISHED for s in status.values())
        running = sum(s == "running" for s in status.values())
        first = min(finished + 1, total)
        last = min(finished + running, total)
        which = f"runs {first}-{last}" if last > first else f"run {first}"
        left = self.seconds_left(total - finished - running)
        if left is None:
            return f"{which} of {total}"
        # the trainers' estimates leave out their end (calibration, evaluation)
        return f"{which} of {total}, " + (time_left(left) if left >= 1 else "finishing")
