"""A fast stand-in for `frankenstein ablate SPEC [--quick] --out DIR --events`.

It reads the spec TOML, prints the runner's events (experiments/runner.py) and writes
the study folder as the runner does (spec.json; per run status.json, eval.json,
metrics.jsonl), so experiments.results.study_rows reads real files. Runs of a variant
named "broken" fail. With --mode=hold it waits for SIGINT after the first run starts.
"""

from __future__ import annotations

import json
import signal
import sys
import time
import tomllib
from pathlib import Path


def emit(event: str, **fields) -> None:
    print(json.dumps({"event": event, **fields}), flush=True)


def report(top1: float) -> dict:
    at = [{"k": k, "n": 300, "top1": top1, "so_far": top1 * min(k, 3) / 3} for k in range(1, 9)]
    snap = {"threshold": 0.8, "precision": 0.9, "recall": top1 / 2}
    return {"n": 300, "top1": top1, "top3": 0.9, "accuracy_at_stroke": at, "snap": snap}


def main(argv: list[str]) -> int:
    mode = next((a.removeprefix("--mode=") for a in argv if a.startswith("--mode=")), "ok")
    args = [a for a in argv if not a.startswith("--mode=")]
    spec_path, out = Path(args[0]), Path(args[args.index("--out") + 1])
    interrupted = False

    def on_sigint(signum, frame):
        nonlocal interrupted
        interrupted = True

    signal.signal(signal.SIGINT, on_sigint)
    spec = tomllib.loads(spec_path.read_text())
    spec.setdefault("peers", [])
    study = out / spec["name"]
    study.mkdir(parents=True, exist_ok=True)
    (study / "spec.json").write_text(json.dumps({"spec": spec, "quick": "--quick" in args}))
    runs = [(f"{v}-s{s}", v, s) for s in spec["seeds"] for v in spec["variants"]]
    failed = []
    emit("study_start", study=spec["name"], runs=[r for r, _, _ in runs])
    for i, (run_id, variant, _seed) in enumerate(runs):
        run = study / run_id
        run.mkdir(exist_ok=True)
        emit("run_start", run=run_id, resumed=False)
        emit("run_progress", run=run_id, kind="batch", epoch=1, batch=1, batches=2, eta_s=90.0)
        if mode == "hold":
            deadline = time.monotonic() + 60
            while not interrupted and time.monotonic() < deadline:
                time.sleep(0.02)
        if interrupted:
            print("frankenstein: interrupted", file=sys.stderr)
            return 130
        if variant == "broken":
            error = (
                "the trainer exited with status 1: RuntimeError: boom, as a real error "
                "goes on past the sixty characters of its cell"
            )
            (run / "status.json").write_text(json.dumps({"status": "failed", "error": error}))
            emit("run_failed", run=run_id, error=error)
            failed.append(run_id)
            continue
        top1 = 0.5 + 0.1 * i
        emit("run_progress", run=run_id, kind="epoch", epoch=1, val_acc=top1)
        (run / "metrics.jsonl").write_text(
            json.dumps({"epoch": 1, "val_acc": top1, "seconds": 2.0}) + "\n"
        )
        (run / "eval.json").write_text(
            json.dumps({"test": report(0.99), "eval_data": {"real": report(top1)}})
        )
        (run / "status.json").write_text(
            json.dumps({"status": "done", "error": None, "seconds": 2.0})
        )
        emit("run_done", run=run_id, seconds=2.0)
    emit("study_done", table=str(study / "results.md"), failed=failed)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
