"""Helpers of the TUI tests: the app on a temporary folder with the fake trainer, and
run folders written as `frankenstein train` writes them (config, metrics, eval)."""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path

from core.paths import WEIGHTS_DIR
from training.stats import wilson_interval
from ui.tui.app import FrankensteinApp, create_app

FAKE_TRAINER = Path(__file__).with_name("fake_trainer.py")

# a stand-in for a checkpoint: an empty zip, which the Runs tab takes for a whole file
# (it only checks that a checkpoint ends as a zip does); nothing here loads it
STAND_IN = b"PK\x05\x06" + bytes(18)


def fake_trainer(mode: str = "ok") -> list[str]:
    return [sys.executable, str(FAKE_TRAINER), f"--mode={mode}"]


def tui(root: Path, mode: str = "ok", runs: Path = Path("runs"), **context) -> FrankensteinApp:
    """The app on `root` (the working directory: runs/, data/, specs/, studies/)."""
    context.setdefault("default_model_file", root / "user-config" / "default_model.json")
    context.setdefault("specs_dir", Path("specs"))
    context.setdefault("studies_dir", Path("studies"))
    context.setdefault("trainer", fake_trainer(mode))
    return create_app(runs=runs, data=Path("data"), **context)


def enabled(app, selectors: str) -> list[str]:
    """The ids of the buttons `selectors` matches that can be pressed now, in order."""
    from textual.widgets import Button

    return [b.id for b in app.query(selectors).results(Button) if not b.disabled]


def report(top1: float, so_far: list[float], precision: float | None, recall: float) -> dict:
    return {
        "n": 300,
        "top1": top1,
        "top3": min(1.0, top1 + 0.15),
        "accuracy_at_stroke": [
            {"k": k, "n": 300, "top1": v, "so_far": v} for k, v in enumerate(so_far, 1)
        ],
        "snap": {"threshold": 0.8, "precision": precision, "recall": recall},
        "intervals": {"top1": list(wilson_interval(round(300 * top1), 300))},
    }


def make_run(
    runs: Path,
    name: str,
    *,
    model: str = "frankenstein",
    val_accs: tuple[float, ...] = (0.5, 0.7),
    test: dict | None = None,
    real: dict | None = None,
    checkpoint: bool = True,
    mtime: int = 1_700_000_000,
) -> Path:
    """A finished run folder; `mtime` orders the Runs tab (newest first)."""
    run = runs / name
    run.mkdir(parents=True)
    config = {
        "name": name,
        "out_dir": str(runs),
        "model": {"name": model, "overrides": {}},
        "data": {"sources": ["synthetic"]},
        "optim": {"name": "adamw", "lr": 0.002},
        "epochs": len(val_accs),
        "batch_size": 32,
        "seed": 0,
    }
    (run / "config.json").write_text(json.dumps(config))
    rows = [{"epoch": i, "val_acc": a} for i, a in enumerate(val_accs, 1)]
    (run / "metrics.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    reports: dict = {"eval_data": {}}
    if test is not None:
        reports["test"] = test
    if real is not None:
        reports["eval_data"]["../shared/data/quickdraw-real-dev/simplified"] = real
    if test is not None or real is not None:
        (run / "eval.json").write_text(json.dumps(reports))
    if checkpoint:
        (run / "best.pt").write_bytes(STAND_IN)
    os.utime(run / "config.json", (mtime, mtime))
    return run


def going_cut_and_done(root: Path, done_real: dict | None = None) -> Path:
    """Runs "going" and "cut" at epoch 1 of 3 with a last.pt (the fake trainer resumes
    from metrics.jsonl; a test's child holds going's lock), and "done" finished, with
    `done_real` as its real-doodle report; newest first in that order."""
    for name, mtime in (("going", 1_700_000_200), ("cut", 1_700_000_100)):
        run = make_run(root, name, val_accs=(0.5,), mtime=mtime)
        config = json.loads((run / "config.json").read_text())
        (run / "config.json").write_text(json.dumps({**config, "epochs": 3}))
        (run / "last.pt").write_bytes(STAND_IN)
        os.utime(run / "config.json", (mtime, mtime))
    make_run(root, "done", val_accs=(0.5, 0.6), real=done_real)
    return root


def stopped_in_first_epoch(runs: Path, name: str, epochs: int = 10) -> Path:
    """A run of `epochs` stopped before its first epoch ended: a last.pt (holding the
    batch it was at) and no metrics row."""
    run = make_run(runs, name, val_accs=(), checkpoint=False)
    config = json.loads((run / "config.json").read_text())
    (run / "config.json").write_text(json.dumps({**config, "epochs": epochs}))
    (run / "last.pt").write_bytes(STAND_IN)
    return run


def make_data(data: Path) -> None:
    """data/synthetic with circles and squares, data/drawings/simplified with one house."""
    line = '{"word": "%s", "drawing": [[[0, 10], [0, 10]]]}\n'
    synth = data / "synthetic"
    synth.mkdir(parents=True)
    (synth / "circle.ndjson").write_text(line % "circle" * 3)
    (synth / "square.ndjson").write_text(line % "square" * 2)
    saved = data / "drawings" / "simplified"
    saved.mkdir(parents=True)
    (saved / "house.ndjson").write_text(line % "house")


def real_checkpoint(run: Path, arch: str = "cnn") -> Path:
    """The run's best.pt replaced by a bundled checkpoint (one that loads)."""
    shutil.copyfile(WEIGHTS_DIR / f"{arch}.pt", run / "best.pt")
    return run / "best.pt"
