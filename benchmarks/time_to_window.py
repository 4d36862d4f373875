"""Time to window: how long `frankenstein draw` takes to show its window, and its model.

    PYGLET_HEADLESS=1 python -m benchmarks.time_to_window [--runs 5] [--root DIR]

Each run starts `frankenstein draw` (headless) in a fresh interpreter and notes, in
seconds from its launch: the window made, its first frame on screen (the first buffer
flip) and the first frame with the model loaded; then it exits. Two cases: the bundled
model (`draw`) and a checkpoint's path (`draw --checkpoint core/weights/frankenstein.pt`,
whose model is read from the file first). The medians are printed, with how many runs
had imported torch by the time the window was made. With `--root` (another checkout,
e.g. of an older commit), runs alternate between the two, so both meet the same load
on the machine.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MARKS = ("created", "first_frame", "loaded")

CASES = ("bundled", "checkpoint")
# Run in the child: the launch time is argv[1], draw's arguments argv[2:]; one JSON
# line of marks on stdout.
CHILD = """
import json, os, sys, time
t0 = float(sys.argv[1])
marks = {}
import pyglet.window
W = pyglet.window.Window
init, flip = W.__init__, W.flip
def timed_init(self, *a, **k):
    init(self, *a, **k)
    marks.setdefault("created", time.time() - t0)
    marks["torch_by_then"] = "torch" in sys.modules
def timed_flip(self):
    flip(self)
    marks.setdefault("first_frame", time.time() - t0)
    controller = getattr(self, "controller", None)
    if controller is not None and controller.classifier is not None:
        marks["loaded"] = time.time() - t0
        print(json.dumps(marks), flush=True)
        os._exit(0)
W.__init__, W.flip = timed_init, timed_flip
from ui.cli import main
main(["draw", *sys.argv[2:]])
"""


def draw_args(root: Path, case: str) -> list[str]:
    """`draw`'s arguments for a case, in checkout `root`."""
    if case == "checkpoint":
        return ["--checkpoint", str(root / "core" / "weights" / "frankenstein.pt")]
    return []


def one_run(root: Path, config: Path, case: str = "bundled") -> dict:
    """The marks of one `frankenstein draw` (of `case`) from checkout `root`."""
    env = {**os.environ, "PYGLET_HEADLESS": "1", "PYTHONPATH": str(root)}
    env["FRANKENSTEIN_CONFIG"] = str(config)  # no default model marked in the TUI
    cmd = [sys.executable, "-c", CHILD, repr(time.time()), *draw_args(root, case)]
    done = subprocess.run(cmd, cwd=root, env=env, capture_output=True, text=True, timeout=120)
    if done.returncode != 0:
        raise SystemExit(f"{root}: draw failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--root", type=Path, default=None, help="another checkout, to compare")
    args = p.parse_args(argv)
    roots = [ROOT] if args.root is None else [ROOT, args.root.resolve()]
    marks: dict[tuple[Path, str], list[dict]] = {(r, c): [] for r in roots for c in CASES}
    with tempfile.TemporaryDirectory() as config:
        for _ in range(args.runs):
            for root, case in marks:
                marks[root, case].append(one_run(root, Path(config), case))
    for (root, case), runs in marks.items():
        medians = ", ".join(
            f"{name} {statistics.median(r[name] for r in runs):.2f} s" for name in MARKS
        )
        torch = sum(r["torch_by_then"] for r in runs)
        print(
            f"{root} ({case}): median of {len(runs)}: {medians} (torch imported by then: {torch})"
        )


if __name__ == "__main__":
    main()
