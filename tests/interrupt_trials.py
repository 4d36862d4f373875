"""Interrupt trials: start a command many times, signal each just as its work begins,
and count the runs that did not stop. A lost signal is rare (numpy.random's start-up
lost one Ctrl-C in fifty to a hundred on a busy machine, and a full test run met it now
and then), so the tests pin each cause found at its exact point; this finds the next:

    python -m tests.interrupt_trials synth --trials 200 --busy 2 [--signal SIGTERM] [--ignored]
    python -m tests.interrupt_trials train --trials 40 [--workers 2]

Each trial runs `python -m ui.cli ... --events` from the checkout this file is in (or
from --root, another checkout, to compare), sends the signal once it has printed its
first event (train: its first, second, third or fourth, in turn) and waits
`--patience` seconds for it to end with status 130 (or 0, when it finished first). A
run that does not is killed and reported: whether a second signal stopped it (then the
first was lost) and its stderr.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

from tests.machine import busy

ROOT = Path(__file__).resolve().parents[1]


def command(kind: str, out: Path, workers: int) -> list[str]:
    """The command a trial runs, writing under `out`."""
    cli = [sys.executable, "-m", "ui.cli"]
    if kind == "synth":
        return [*cli, "data", "synth", "--per-class", "200000", "--out", str(out), "--events"]
    return [
        *cli,
        "train",
        "epochs=2",
        "data.per_class=20",
        "data.eval_per_class=2",
        f"data.num_workers={workers}",
        "threads=1",
        f"out_dir={out}",
        "name=trial",
        "--events",
    ]


def trial(
    cmd: list[str], root: Path, signum: int, after: int, patience: float, ignored: bool
) -> str | None:
    """One run, signalled after its `after`-th event; None if it stopped, else why not.
    `ignored`: it starts with SIGINT ignored, as a background job of a script does."""
    proc = subprocess.Popen(
        cmd,
        cwd=root,
        env={**os.environ, "PYTHONPATH": str(root)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=(lambda: signal.signal(signal.SIGINT, signal.SIG_IGN)) if ignored else None,
    )
    try:
        for seen, _line in enumerate(proc.stdout, start=1):
            if seen >= after:
                proc.send_signal(signum)
                break
        try:
            _, err = proc.communicate(timeout=patience)
        except subprocess.TimeoutExpired:
            proc.send_signal(signum)
            try:
                _, err = proc.communicate(timeout=patience)
                return (
                    f"lost: a second signal stopped it (status {proc.returncode}); {err[-400:]!r}"
                )
            except subprocess.TimeoutExpired:
                return "lost: a second signal did not stop it either"
        if proc.returncode not in (0, 130):
            return f"status {proc.returncode}: {err[-400:]!r}"
        return None
    finally:
        proc.kill()
        proc.communicate()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("kind", choices=["synth", "train"])
    parser.add_argument("--trials", type=int, default=100)
    parser.add_argument("--signal", default="SIGINT", choices=["SIGINT", "SIGTERM"])
    parser.add_argument("--workers", type=int, default=0, help="train: data.num_workers")
    parser.add_argument("--patience", type=float, default=15.0, help="seconds to stop")
    parser.add_argument("--root", type=Path, default=ROOT, help="the checkout to run")
    parser.add_argument(
        "--busy", type=int, default=0, help="keep N busy processes beside the trials (load)"
    )
    parser.add_argument(
        "--ignored", action="store_true", help="start it with SIGINT ignored (`cmd &` in a script)"
    )
    args = parser.parse_args(argv)
    signum = getattr(signal, args.signal)
    with busy(args.busy):
        failed = _trials(args, signum)
    print(f"{args.kind}, {args.signal}: {args.trials} trials, {failed} did not stop")
    return 1 if failed else 0


def _trials(args: argparse.Namespace, signum: int) -> int:
    """Run the trials; how many did not stop."""
    failed = 0
    for k in range(args.trials):
        out = Path(tempfile.mkdtemp(prefix="interrupt-trial-"))
        try:
            after = 1 if args.kind == "synth" else 1 + k % 4
            cmd = command(args.kind, out / "out", args.workers)
            why = trial(cmd, args.root, signum, after, args.patience, args.ignored)
        finally:
            shutil.rmtree(out, ignore_errors=True)
        if why is not None:
            failed += 1
            print(f"trial {k + 1}: {why}", flush=True)
    return failed


if __name__ == "__main__":
    raise SystemExit(main())
