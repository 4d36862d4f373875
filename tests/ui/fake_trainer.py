"""A fast stand-in for `frankenstein train --events`, injected into the TUI by tests.

It takes the same arguments (key=value settings, --events, --resume, --dry-run),
prints the real event protocol of training/events.py as JSON lines with fixed numbers,
and writes a real run folder (config.json, metrics.jsonl, eval.json, best.pt, last.pt,
train.log) in seconds' hundredths instead of minutes. The first argument picks a
behaviour: --mode=ok (default), --mode=hold (after the first batch, or the N-th with
--hold-at=N, wait for SIGINT like a long run, then save last.pt and end
"interrupted", exit 130; a resume runs to the end), --mode=hold-prepare (a new run, not a resume, waits for
SIGINT while preparing its data, with config.json written, then ends "interrupted"
with no last.pt and no "start", exit 130, as the real trainer does),
--mode=hold-data (wait for SIGINT while "making the data", before the run folder
exists, as a trainer stopped before it made one, say while loading torch, then exit
130 with no "done"), --mode=crash (a traceback on stderr, exit 1, no "done"),
--mode=warn (as ok, with a data warning in "start"). A run stopped mid-epoch resumes
after the batch it stopped at, as the real trainer does from its last.pt (here, from
fake-position.json beside it).
"""

from __future__ import annotations

import json
import os
import signal
import sys
import time
from pathlib import Path

STAND_IN = b"PK\x05\x06" + bytes(18)  # an empty zip, as tests.ui.tui_helpers.STAND_IN

BATCHES = 4
POSITION = "fake-position.json"
WARNING = (
    "data: 2 bad lines skipped while reading (the first: data/circle.ndjson:3: not valid JSON)"
)


def emit(event: str, **fields) -> None:
    print(json.dumps({"event": event, **fields}), flush=True)


def write(path: Path, text: str) -> None:
    """Whole or not there, as the trainer writes (core/atomic.py): a reader never sees
    the file half written."""
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text)
    os.replace(tmp, path)


def parse(argv: list[str]) -> tuple[str, dict, set[str]]:
    mode, settings, flags = "ok", {}, set()
    for a in argv:
        if a.startswith("--mode="):
            mode = a.removeprefix("--mode=")
        elif a.startswith("--hold-at="):
            settings["hold_at"] = int(a.removeprefix("--hold-at="))
        elif a.startswith("--"):
            flags.add(a)
        else:
            key, _, text = a.partition("=")
            try:
                settings[key] = json.loads(text)
            except json.JSONDecodeError:
                settings[key] = text
    return mode, settings, flags


def report(top1: float) -> dict:
    at = [{"k": k, "n": 36, "top1": top1, "so_far": round(top1 * k / 8, 4)} for k in range(1, 9)]
    snap = {"threshold": 0.8, "snaps": 3, "precision": 0.9, "recall": 0.5, "strokes_saved": 0.2}
    return {"n": 36, "top1": top1, "top3": 0.9, "accuracy_at_stroke": at, "snap": snap}


def main(argv: list[str]) -> int:
    mode, settings, flags = parse(argv)
    interrupted = False

    def on_sigint(signum, frame):
        nonlocal interrupted
        interrupted = True

    signal.signal(signal.SIGINT, on_sigint)
    if mode == "hold-data":  # stopped while making its data: no run folder yet
        emit("progress", done=0, total=2, what="generating the synthetic training set")
        deadline = time.monotonic() + 60
        while not interrupted and time.monotonic() < deadline:
            time.sleep(0.02)
        print("frankenstein: interrupted", file=sys.stderr)
        return 130
    out = Path(settings.get("out_dir", "runs"))
    name = settings.get("name") or f"{settings.get('model', 'frankenstein')}-fake"
    run = out / name
    run.mkdir(parents=True, exist_ok=True)
    config_file = run / "config.json"
    if "--resume" in flags:
        config = json.loads(config_file.read_text())
    else:
        config = {
            "name": name,
            "out_dir": str(out),
            "model": {
                "name": settings.get("model", "frankenstein"),
                "overrides": {
                    k.removeprefix("model.overrides."): v
                    for k, v in settings.items()
                    if k.startswith("model.overrides.")
                },
            },
            "data": {"sources": settings.get("data.sources", ["synthetic"])},
            "optim": {"name": "adamw", "lr": settings.get("optim.lr", 0.002)},
            "epochs": settings.get("epochs", 2),
            "batch_size": settings.get("batch_size", 32),
            "seed": settings.get("seed", 0),
        }
        config_file.write_text(json.dumps(config, indent=2))
        if mode == "hold-prepare":
            return hold_while_preparing(run, lambda: interrupted)
        (run / "metrics.jsonl").write_text("")
    metrics = run / "metrics.jsonl"  # none yet after a stop before training began
    lines = metrics.read_text().splitlines() if metrics.exists() else []
    rows = [json.loads(x) for x in lines if x]
    epochs = int(config["epochs"])
    seen = 0  # batch events so far
    position = run / POSITION  # the batch a stop mid-epoch left off at
    skip = (
        json.loads(position.read_text())["batch"]
        if "--resume" in flags and position.exists()
        else 0
    )
    position.unlink(missing_ok=True)
    emit("progress", done=0, total=2, what="generating the synthetic validation and test sets")
    emit(
        "start", run=name, run_dir=str(run), model=config["model"]["name"], parameters=1000,
        epochs=epochs, start_epoch=len(rows), batches=BATCHES, train_size=128, val_size=36,
        resumed="--resume" in flags, world=1, device="cpu",
        data_warnings=[WARNING] if mode == "warn" else [],
    )  # fmt: skip
    first = len(rows) + 1
    for epoch in range(first, epochs + 1):
        for batch in range(1 + (skip if epoch == first else 0), BATCHES + 1):
            decay = 0.6 ** (epoch - 1 + batch / BATCHES)
            loss, acc = round(0.3 + 2.4 * decay, 3), round(0.85 - 0.7 * decay, 3)
            left = (epochs - epoch) * BATCHES + BATCHES - batch
            emit(
                "batch", epoch=epoch, batch=batch, batches=BATCHES, loss=loss, acc=acc,
                lr=0.002, samples_per_s=100.0, eta_s=float(5 * left),
            )  # fmt: skip
            if mode == "crash":  # the progress.json a crash leaves, as the trainer's would
                left = {"event": "batch", "epoch": epoch, "batch": batch, "pid": os.getpid()}
                (run / "progress.json").write_text(json.dumps(left))
                print("Traceback (most recent call last):", file=sys.stderr)
                print('  File "training/loop.py", line 1, in train', file=sys.stderr)
                print("RuntimeError: fake trainer crashed on purpose", file=sys.stderr)
                return 1
            seen += 1
            if mode == "hold" and seen == settings.get("hold_at", 1) and "--resume" not in flags:
                deadline = time.monotonic() + 60
                while not interrupted and time.monotonic() < deadline:
                    time.sleep(0.02)
            if interrupted:
                (run / "last.pt").write_bytes(STAND_IN)
                write(position, json.dumps({"batch": batch}))
                emit(
                    "done", status="interrupted", run_dir=str(run), epochs_run=len(rows),
                    best_epoch=len(rows), best_val_acc=None, temperature=None,
                )  # fmt: skip
                print("frankenstein: interrupted; last.pt saved.", file=sys.stderr)
                return 130
        decay = 0.6**epoch  # the epoch's last batch's (none run when it stopped after it)
        loss, acc = round(0.3 + 2.4 * decay, 3), round(0.85 - 0.7 * decay, 3)
        val_acc = round(0.9 - 0.6 * 0.5**epoch, 3)  # 0.6, 0.75, 0.825, ...
        row = {
            "epoch": epoch, "train_loss": loss, "train_acc": acc, "val_loss": round(loss + 0.15, 3),
            "val_acc": val_acc, "is_best": True, "best_val_acc": val_acc,
        }  # fmt: skip
        rows.append(row)
        write(run / "metrics.jsonl", "".join(json.dumps(r) + "\n" for r in rows))
        (run / "best.pt").write_bytes(STAND_IN)
        (run / "last.pt").write_bytes(STAND_IN)
        emit("epoch", **row)
    test = report(0.75)
    (run / "eval.json").write_text(json.dumps({"test": test, "eval_data": {}}))
    emit("eval", name="test", report=test)
    emit(
        "done", status="completed", run_dir=str(run), epochs_run=epochs, best_epoch=epochs,
        best_val_acc=rows[-1]["val_acc"], temperature=1.0,
    )  # fmt: skip
    return 0


def hold_while_preparing(run: Path, interrupted) -> int:
    """Wait for SIGINT while "preparing" the data, then end as an interrupted run
    that has not trained: a "done" with no "start" before it, no last.pt."""
    emit("progress", done=0, total=1, what="1/3 train: reading circle")
    deadline = time.monotonic() + 60
    while not interrupted() and time.monotonic() < deadline:
        time.sleep(0.02)
    emit(
        "done", status="interrupted", run_dir=str(run), epochs_run=0, best_epoch=0,
        best_val_acc=None, temperature=None,
    )  # fmt: skip
    print("frankenstein: interrupted before training began (no last.pt yet).", file=sys.stderr)
    return 130


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
