"""Ctrl-C or SIGTERM while a run prepares its data (before the first epoch): a real
`frankenstein train` process on the real doodles, and what the user does next."""

import fcntl
import json
import os
import signal
import subprocess
import sys

import pytest

from tests.training.conftest import tiny_settings
from tests.training.test_processes import _env, _events


def _train_held(cmd, tmp_path, at, sig):
    """Run `cmd` (a `train --events` command) with its stdout a pipe of one page, and
    `sig` at its first event `at(event)` is true of. This test reads no further events
    until the signal is sent, so the trainer, blocked writing them to the full pipe, is
    at most two pages of events past that one (what this test had read, what fills the
    pipe): not past the phase, if it has more to say. (exit status, events, stderr)."""
    read_end, write_end = os.pipe()
    fcntl.fcntl(write_end, fcntl.F_SETPIPE_SZ, 4096)
    proc = subprocess.Popen(
        cmd, cwd=tmp_path, env=_env(tmp_path), stdout=write_end, stderr=subprocess.PIPE, text=True
    )
    os.close(write_end)  # the child holds its own copy
    events = []
    with open(read_end, encoding="utf-8") as out:
        for line in out:
            events.append(json.loads(line))
            if at(events[-1]):
                proc.send_signal(sig)
                break
        rest = out.read()
    _, err = proc.communicate(timeout=120)
    return proc.returncode, events + _events(rest), err


def _preparing(event) -> bool:
    return event["event"] == "progress" and " train: " in event["what"]


@pytest.mark.slow
@pytest.mark.skipif(not hasattr(fcntl, "F_SETPIPE_SZ"), reason="needs Linux's pipe sizes")
@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_a_run_stopped_while_preparing_data_says_how_to_start_it_and_resume_does(
    tmp_path, real_dev, sig
):
    settings = tiny_settings(real_dev / "simplified", tmp_path, epochs=1)
    cmd = [sys.executable, "-m", "ui.cli", "train", *settings, "name=r", "--events"]
    code, events, err = _train_held(cmd, tmp_path, _preparing, sig)
    assert code == 130, err
    assert not any(e["event"] == "start" for e in events)  # stopped before training began
    assert events[-1] == {
        "event": "done",
        "status": "interrupted",
        "run_dir": str(tmp_path / "r"),
        "epochs_run": 0,
        "best_epoch": 0,
        "best_val_acc": None,
        "temperature": None,
    }
    assert err.strip() == (
        "frankenstein: interrupted before training began (no last.pt yet). "
        f"Start it with: frankenstein train --resume name=r out_dir={tmp_path}"
    )
    run = tmp_path / "r"
    assert sorted(p.name for p in run.iterdir()) == ["config.json", "train.log"]
    assert '"status": "interrupted"' in (run / "train.log").read_text()

    again = subprocess.run(
        [*cmd, "--resume"], cwd=tmp_path, env=_env(tmp_path), capture_output=True, text=True
    )
    assert again.returncode == 0, again.stderr
    events = _events(again.stdout)
    start = next(e for e in events if e["event"] == "start")
    assert start["start_epoch"] == 0 and not start["resumed"]  # nothing saved to restore
    assert start["data_warnings"] == [
        f"{run}: no last.pt, as the run stopped before training began: starting from epoch 1"
    ]
    assert events[-1]["status"] == "completed" and events[-1]["epochs_run"] == 1
    assert [json.loads(r)["epoch"] for r in (run / "metrics.jsonl").read_text().splitlines()] == [1]
    assert (run / "best.pt").is_file() and (run / "eval.json").is_file()


@pytest.mark.slow
@pytest.mark.skipif(not hasattr(fcntl, "F_SETPIPE_SZ"), reason="needs Linux's pipe sizes")
def test_a_run_stopped_while_preparing_data_may_also_start_again_without_resume(tmp_path, real_dev):
    settings = tiny_settings(real_dev / "simplified", tmp_path, epochs=1)
    cmd = [sys.executable, "-m", "ui.cli", "train", *settings, "name=r", "--events"]
    code, _, err = _train_held(cmd, tmp_path, _preparing, signal.SIGINT)
    assert code == 130, err
    again = subprocess.run(cmd, cwd=tmp_path, env=_env(tmp_path), capture_output=True, text=True)
    assert again.returncode == 0, again.stderr  # the folder holds no training to lose
    assert _events(again.stdout)[-1]["status"] == "completed"
