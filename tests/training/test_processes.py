"""Real processes: Ctrl-C / SIGTERM mid-epoch, the events protocol, DDP with gloo."""

import json
import math
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from core.checkpoint import load_checkpoint
from tests.pasted import ODD_NAME, resumed_config, train_args
from tests.training.conftest import tiny_settings
from ui.cli import main

ROOT = Path(__file__).resolve().parents[2]


def _env(tmp_path):
    return {**os.environ, "FRANKENSTEIN_CACHE": str(tmp_path / "cache"), "PYTHONPATH": str(ROOT)}


def _events(text):
    return [json.loads(line) for line in text.splitlines() if line.strip()]


@pytest.mark.slow
@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_a_run_killed_mid_epoch_saves_last_and_resumes(tmp_path, glyph_dir, sig):
    settings = tiny_settings(glyph_dir, tmp_path, epochs=1, batch_size=4, log_every=1)
    cmd = [sys.executable, "-m", "ui.cli", "train", *settings, "name=k", "--events"]
    code, events, err = _train_until(
        cmd, tmp_path, lambda e: e["event"] == "batch" and e["batch"] >= 3, sig
    )
    assert code == 130, err
    assert events[-1]["event"] == "done" and events[-1]["status"] == "interrupted"
    assert "--resume name=k" in err
    last = load_checkpoint(tmp_path / "k" / "last.pt")
    pos = last.extra["position"]
    assert pos["epoch"] == 0 and 3 <= pos["batch"] < 20  # mid-epoch, a batch or so later
    if sig == signal.SIGINT:
        return  # the resume below is the same after either signal
    again = subprocess.run(
        [*cmd, "--resume"],
        cwd=tmp_path,
        env=_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert again.returncode == 0, again.stderr
    events = _events(again.stdout)
    start = next(e for e in events if e["event"] == "start")
    assert start["resumed"] and start["start_epoch"] == 0
    assert events[-1] == {**events[-1], "event": "done", "status": "completed", "epochs_run": 1}
    rows = (tmp_path / "k" / "metrics.jsonl").read_text().splitlines()
    assert [json.loads(r)["epoch"] for r in rows] == [1]


@pytest.mark.slow
def _blocked_signals(pid: int) -> dict[int, int]:
    """Each thread of process `pid`: its mask of blocked signals."""
    masks = {}
    for task in Path(f"/proc/{pid}/task").iterdir():
        fields = dict(line.split(":\t") for line in (task / "status").read_text().splitlines())
        masks[int(task.name)] = int(fields["SigBlk"], 16)
    return masks


@pytest.mark.slow
def test_with_two_threads_only_the_main_one_takes_ctrl_c_and_sigterm(tmp_path, glyph_dir):
    """torch's pool threads (threads=2) block SIGINT and SIGTERM, as numpy's BLAS threads
    do (tests/training/test_synth.py), so a Ctrl-C or the TUI's Stop reaches the main
    thread, which saves last.pt."""
    settings = tiny_settings(glyph_dir, tmp_path, epochs=50, batch_size=4, threads=2)
    cmd = [sys.executable, "-m", "ui.cli", "train", *settings, "name=t", "--events"]
    masks = {}

    def inspect_then_stop(event) -> bool:
        if event["event"] == "batch" and event["batch"] >= 2:
            masks.update(_blocked_signals(proc_pid[0]))
            return True
        return False

    proc_pid: list[int] = []
    code, events, err = _train_until(cmd, tmp_path, inspect_then_stop, started=proc_pid.append)
    both = 1 << (signal.SIGINT - 1) | 1 << (signal.SIGTERM - 1)
    main_thread = masks.pop(proc_pid[0])
    assert main_thread & both == 0 and len(masks) >= 2  # numpy's BLAS and torch's pool
    assert all(mask & both == both for mask in masks.values()), masks
    assert code == 130 and events[-1]["status"] == "interrupted", err
    assert (tmp_path / "t" / "last.pt").is_file()


def test_events_are_json_lines_from_start_to_done(tmp_path, glyph_dir):
    out = tmp_path / "events.txt"
    with open(out, "w") as f:
        r = subprocess.run(
            [
                sys.executable,
                "-m",
                "ui.cli",
                "train",
                *tiny_settings(glyph_dir, tmp_path, epochs=1),
                "name=e",
                "log_every=5",
                "--events",
            ],
            cwd=tmp_path,
            env=_env(tmp_path),
            stdout=f,
            stderr=subprocess.PIPE,
            text=True,
        )
    assert r.returncode == 0, r.stderr
    events = _events(out.read_text())
    kinds = [e["event"] for e in events]
    assert kinds[-1] == "done" and kinds.count("start") == 1 and kinds.count("epoch") == 1
    assert kinds.index("start") < kinds.index("batch") < kinds.index("epoch") < kinds.index("eval")
    epoch = events[kinds.index("epoch")]
    assert {"train_loss", "val_acc", "val_acc_at_stroke", "is_best"} <= set(epoch)
    assert events[kinds.index("eval")]["report"]["n"] > 0


@pytest.mark.slow
def test_without_events_a_run_prints_its_lines_on_stderr(tmp_path, glyph_dir):
    r = subprocess.run(
        [
            sys.executable,
            "-m",
            "ui.cli",
            "train",
            *tiny_settings(glyph_dir, tmp_path, epochs=2),
            "name=p",
        ],
        cwd=tmp_path,
        env={**_env(tmp_path), "COLUMNS": "500"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert r.returncode == 0, r.stderr
    assert r.stdout == ""  # stdout stays free for --events
    lines = r.stderr.strip().splitlines()
    assert lines[0].startswith(f"run p in {tmp_path / 'p'}: ")
    assert "2 epochs of" in lines[0]
    epochs = [line for line in lines if line.startswith("epoch ")]
    assert [line.split(":")[0] for line in epochs] == ["epoch   1", "epoch   2"]
    assert all("| val loss" in line for line in epochs)
    assert any(line.startswith("eval test: ") and "top-1" in line for line in lines)
    done = lines[-1]
    assert done.startswith("completed: best val acc ") and done.endswith(
        f"files in {tmp_path / 'p'}"
    )


def test_under_torchrun_a_bad_setting_is_said_by_rank_0_alone(tmp_path, capsys, monkeypatch):
    """Every process read the same settings and printed the same refusal, once each."""
    monkeypatch.setenv("WORLD_SIZE", "2")
    args = ["train", "threads=0", f"out_dir={tmp_path}"]
    for rank, says in (("1", False), ("0", True)):
        monkeypatch.setenv("RANK", rank)
        assert main(args) == 2
        err = capsys.readouterr().err
        assert ("frankenstein: error: config: threads: " in err) is says, (rank, err)
    monkeypatch.setenv("RANK", "0")  # rank 0's --events error event is kept
    assert main([*args, "--events"]) == 2
    (event,) = _events(capsys.readouterr().out)
    assert event["event"] == "error" and "threads" in event["message"]


def test_a_bad_setting_is_an_error_event_and_exit_2(tmp_path, capsys):
    assert main(["train", "augment.rotat=3", "--events"]) == 2
    (event,) = _events(capsys.readouterr().out)
    assert event["event"] == "error" and "augment.rotat" in event["message"]
    assert main(["train", f"data.sources={tmp_path / 'nowhere'}", f"out_dir={tmp_path}"]) == 2
    err = capsys.readouterr().err.strip()
    assert err == f"frankenstein: error: {tmp_path / 'nowhere'}: data directory not found"
    assert main(["train", f"eval_data={tmp_path / 'gone'}", f"out_dir={tmp_path}"]) == 2
    assert "gone: data directory not found" in capsys.readouterr().err
    assert not list(tmp_path.glob("frankenstein-*"))  # failed before making a run folder


@pytest.mark.slow
def test_distributed_data_parallel_with_two_gloo_processes(tmp_path, glyph_dir):
    settings = tiny_settings(glyph_dir, tmp_path, epochs=2, batch_size=8)
    cmd = [
        sys.executable,
        "-m",
        "torch.distributed.run",
        "--standalone",
        "--nproc_per_node",
        "2",
        "-m",
        "ui.cli",
        "train",
        *settings,
        "name=ddp",
        "--events",
    ]
    r = subprocess.run(
        cmd, cwd=tmp_path, env=_env(tmp_path), capture_output=True, text=True, timeout=240
    )
    assert r.returncode == 0, r.stderr[-3000:]
    events = _events(r.stdout)
    kinds = [e["event"] for e in events]
    assert kinds.count("start") == 1 and kinds.count("done") == 1  # rank 0 only reports
    start = events[kinds.index("start")]
    assert start["world"] == 2
    # Each process takes half of every epoch: ceil(ceil(n / 2) / 8) batches.
    per_rank = math.ceil(start["train_size"] / 2)
    assert start["batches"] == math.ceil(per_rank / 8)
    rows = [json.loads(x) for x in (tmp_path / "ddp" / "metrics.jsonl").read_text().splitlines()]
    assert [x["epoch"] for x in rows] == [1, 2]
    assert [x["processes"] for x in rows] == [2, 2]  # the Runs tab's resume is torchrun's
    assert (tmp_path / "ddp" / "train.log").read_text().count(" start ") == 1
    assert load_checkpoint(tmp_path / "ddp" / "best.pt").temperature != 1.0


def _two_ranks(cmd, tmp_path):
    """`cmd` as ranks 0 and 1 of a gloo group, with the variables torchrun sets; rank 0's
    stdout and stderr are pipes, rank 1's stderr goes to `tmp_path / "rank1.err"`."""
    port = str(_free_port())
    procs = []
    for rank in (0, 1):
        env = _env(tmp_path) | {"MASTER_ADDR": "127.0.0.1", "MASTER_PORT": port}
        env |= {"WORLD_SIZE": "2", "RANK": str(rank), "LOCAL_RANK": str(rank)}
        if rank == 0:
            out, err = subprocess.PIPE, subprocess.PIPE
        else:
            out, err = subprocess.DEVNULL, open(tmp_path / "rank1.err", "w")  # noqa: SIM115
        procs.append(
            subprocess.Popen(cmd, cwd=tmp_path, env=env, stdout=out, stderr=err, text=True)
        )
        if rank == 1:
            err.close()  # the child holds its own copy
    return procs


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.slow
def test_a_dead_distributed_process_is_a_one_line_error_and_the_run_resumes(tmp_path, glyph_dir):
    """Two gloo processes started as torchrun starts them (RANK, WORLD_SIZE, ...); rank 1
    is killed mid-run: rank 0 says so in one line, not a gloo traceback, and exits 2 with
    last.pt kept, which the same command with --resume continues."""
    settings = tiny_settings(glyph_dir, tmp_path, epochs=40, batch_size=4, log_every=1)
    cmd = [sys.executable, "-m", "ui.cli", "train", *settings, "name=ddp"]

    def start(extra=("--events",)):
        return _two_ranks([*cmd, *extra], tmp_path)

    main_proc, other = start()
    lines = []
    for line in main_proc.stdout:
        lines.append(json.loads(line))
        if lines[-1]["event"] == "batch" and lines[-1]["epoch"] >= 2:
            other.kill()
            break
    other.wait(timeout=60)
    rest, err = main_proc.communicate(timeout=120)
    events = lines + _events(rest)
    assert main_proc.returncode == 2, err[-3000:]
    message = events[-1]["message"]
    assert events[-1]["event"] == "error"
    assert message.startswith(f"{tmp_path / 'ddp'}: another process of this run stopped (")
    assert message.endswith("--resume name=ddp continues") and "\n" not in message
    assert "Traceback" not in err
    assert load_checkpoint(tmp_path / "ddp" / "last.pt").extra["position"]["epoch"] >= 1

    procs = start(["epochs=3", "--events", "--resume"])
    rest, err = procs[0].communicate(timeout=240)
    procs[1].wait(timeout=60)
    assert procs[0].returncode == 0, err[-3000:]
    assert _events(rest)[-1]["status"] == "completed"
    rows = [json.loads(x) for x in (tmp_path / "ddp" / "metrics.jsonl").read_text().splitlines()]
    assert [x["epoch"] for x in rows] == [1, 2, 3]


@pytest.mark.slow
def test_an_interrupted_distributed_run_resumes_only_on_as_many_processes(tmp_path, glyph_dir):
    """Ctrl-C reaches both ranks: rank 0 alone says how to continue (torchrun again, its
    words shell-quoted: a run name with a space); a resume on one process is refused,
    as each rank's share and the schedule differ."""
    settings = tiny_settings(glyph_dir, tmp_path, epochs=40, batch_size=4, log_every=1)
    cmd = [sys.executable, "-m", "ui.cli", "train", *settings, "name=dd p"]
    procs = _two_ranks([*cmd, "--events"], tmp_path)
    for line in procs[0].stdout:
        event = json.loads(line)
        if event["event"] == "batch" and event["epoch"] >= 2:
            for p in procs:
                p.send_signal(signal.SIGINT)
            break
    rest, err = procs[0].communicate(timeout=120)
    procs[1].wait(timeout=60)
    assert procs[0].returncode == procs[1].returncode == 130, err[-3000:]
    assert _events(rest)[-1]["status"] == "interrupted"
    assert err.count("frankenstein: interrupted") == 1
    assert "frankenstein: interrupted" not in (tmp_path / "rank1.err").read_text()  # rank 0 says it
    said = err.strip().splitlines()[-1]
    assert said.endswith(
        f"Continue with: the same torchrun command with --resume 'name=dd p' out_dir={tmp_path}"
    )
    pasted = said.split("the same torchrun command with ", 1)[1]
    assert resumed_config(pasted, prefix=()).run_dir == tmp_path / "dd p"
    alone = subprocess.run(
        [*cmd, "--resume"], cwd=tmp_path, env=_env(tmp_path), capture_output=True, text=True
    )
    assert alone.returncode == 2
    assert alone.stderr.strip().endswith(
        "saved by 2 training process(es), resumed on 1: each one's share of an epoch and "
        "the schedule's length depend on it; resume under torchrun --nproc_per_node 2"
    )
    assert len(alone.stderr.strip().splitlines()) == 1


def _train_until(cmd, tmp_path, at, sig=signal.SIGINT, started=lambda pid: None):
    """Run `cmd` (a `train --events` command); `sig` at its first event `at(event)` is
    true of; (exit status, events, stderr). `started` gets the process id."""
    proc = subprocess.Popen(
        cmd,
        cwd=tmp_path,
        env=_env(tmp_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    started(proc.pid)
    events = []
    for line in proc.stdout:
        events.append(json.loads(line))
        if at(events[-1]):
            proc.send_signal(sig)
            break
    rest, err = proc.communicate(timeout=120)
    return proc.returncode, events + _events(rest), err


def _progress(what: str):
    """A test of events: the first "progress" event of `what` (a prefix)."""
    return lambda e: e["event"] == "progress" and e["what"].startswith(what)


@pytest.mark.slow
def test_ctrl_c_while_validating_or_calibrating_stops_at_once_and_the_run_resumes(tmp_path):
    """A real validation set takes minutes: Ctrl-C in it stops the run within a batch
    (it used to wait, silent, for the end of the validation), with last.pt holding the
    epoch's batches. Ctrl-C after the last epoch (calibrating, evaluating) says how to
    finish, as any interrupted run, and the resume only does that part again."""
    small = '{"channels": [4, 8, 8], "lstm_hidden": 16, "lstm_proj": 0, "lstm_layers": 1}'
    cmd = [sys.executable, "-m", "ui.cli", "train", "data.per_class=20", "epochs=1"]
    cmd += ["data.eval_per_class=60", "pad_len=4", "m=64", "batch_size=16", "threads=1"]
    cmd += ["device=cpu", "augment.enabled=false", f"model.overrides={small}"]
    cmd += [f"out_dir={tmp_path}", "name=v", "--events"]
    code, events, err = _train_until(cmd, tmp_path, _progress("validating epoch 1"))
    assert code == 130, err
    assert events[-1]["event"] == "done" and events[-1]["status"] == "interrupted"
    assert not any(e["event"] == "epoch" for e in events)  # stopped inside the validation
    validating = [e for e in events if e["event"] == "progress" and e["what"].startswith("valid")]
    assert validating[-1]["done"] < validating[-1]["total"] == 5  # 1080 drawings, 256 a batch
    start = next(e for e in events if e["event"] == "start")
    position = load_checkpoint(tmp_path / "v" / "last.pt").extra["position"]
    assert (position["epoch"], position["batch"]) == (0, start["batches"])
    assert err.strip().splitlines()[-1].startswith("frankenstein: interrupted; last.pt saved.")

    code, events, err = _train_until([*cmd, "--resume"], tmp_path, _progress("calibrating best.pt"))
    assert code == 130, err
    assert [e["epoch"] for e in events if e["event"] == "epoch"] == [1]
    assert events[-1]["event"] == "done" and events[-1]["status"] == "interrupted"
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert err.strip().endswith(
        f"Continue with: frankenstein train --resume name=v out_dir={tmp_path}"
    )
    assert not (tmp_path / "v" / "eval.json").exists()

    again = subprocess.run(
        [*cmd, "--resume"], cwd=tmp_path, env=_env(tmp_path), capture_output=True, text=True
    )
    assert again.returncode == 0, again.stderr
    done = _events(again.stdout)
    assert not any(e["event"] in ("batch", "epoch") for e in done)  # the training was done
    assert done[-1]["status"] == "completed" and (tmp_path / "v" / "eval.json").is_file()
    assert load_checkpoint(tmp_path / "v" / "best.pt").temperature != 1.0


@pytest.mark.slow
def test_sigterm_to_rank_0_alone_stops_both_ranks_at_one_batch(tmp_path, glyph_dir):
    """What F6 on the Runs tab sends to a torchrun run: SIGTERM to the lock's holder,
    rank 0, alone. The ranks agree on the stop after the batch, both end as after Ctrl-C
    (status 130), rank 0 saves last.pt, and the run holds its lock no more."""
    from core.atomic import live_holder
    from training.runlock import lock_path

    settings = tiny_settings(glyph_dir, tmp_path, epochs=40, batch_size=4, log_every=1)
    cmd = [sys.executable, "-m", "ui.cli", "train", *settings, "name=ddp", "--events"]
    procs = _two_ranks(cmd, tmp_path)
    for line in procs[0].stdout:
        event = json.loads(line)
        if event["event"] == "batch" and event["epoch"] >= 2:
            assert live_holder(lock_path(tmp_path / "ddp")) == procs[0].pid
            procs[0].send_signal(signal.SIGTERM)
            break
    rest, err = procs[0].communicate(timeout=120)
    procs[1].wait(timeout=60)
    assert procs[0].returncode == procs[1].returncode == 130, err[-3000:]
    assert _events(rest)[-1]["status"] == "interrupted"
    assert "Continue with: the same torchrun command with --resume name=ddp" in err
    position = load_checkpoint(tmp_path / "ddp" / "last.pt").extra["position"]
    assert position["epoch"] >= 1
    assert live_holder(lock_path(tmp_path / "ddp")) is None


@pytest.mark.slow
def test_a_reader_gone_stops_the_run_as_ctrl_c_does(tmp_path, glyph_dir):
    """The events' reader gone (the TUI that started the run killed, `--events | head`):
    the next write failed with a BrokenPipeError that crashed the run, losing the epoch
    so far and leaving progress.json (the run then read as failed). It stops as at
    Ctrl-C instead: last.pt saved, nothing left behind, resumable."""
    settings = tiny_settings(glyph_dir, tmp_path, epochs=50, batch_size=4, log_every=1)
    cmd = [sys.executable, "-m", "ui.cli", "train", *settings, "name=g", "--events"]
    proc = subprocess.Popen(
        cmd, cwd=tmp_path, env=_env(tmp_path), stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    for line in proc.stdout:
        if json.loads(line)["event"] == "batch":
            break
    proc.stdout.close()  # gone mid-epoch, before the next event
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=120) == 130, err
    assert "interrupted" in err and "Traceback" not in err
    run = tmp_path / "g"
    assert (run / "last.pt").is_file() and not (run / "progress.json").exists()
    from ui.tui.runinfo import read_run

    assert read_run(run).state == "stopped"


@pytest.mark.slow
def test_a_distributed_run_killed_in_its_first_epoch_says_it_saved_no_last_pt(tmp_path, glyph_dir):
    """Rank 1 killed before the first last.pt: rank 0 does not claim one keeps an epoch
    (and says how to start it again in words a shell reads back: a name with a space)."""
    settings = tiny_settings(glyph_dir, tmp_path, epochs=40, batch_size=4, log_every=1)
    cmd = [sys.executable, "-m", "ui.cli", "train", *settings, f"name={ODD_NAME}", "--events"]
    main_proc, other = _two_ranks(cmd, tmp_path)
    for line in main_proc.stdout:
        if json.loads(line)["event"] == "batch":
            other.kill()
            break
    other.wait(timeout=60)
    rest, err = main_proc.communicate(timeout=120)
    assert main_proc.returncode == 2, err[-3000:]
    message = _events(rest)[-1]["message"]
    assert not (tmp_path / ODD_NAME / "last.pt").exists()
    assert message.endswith(
        "it saved no last.pt: the same command with --resume 'name=stöp me' starts it again"
    )
    pasted = message.split("the same command with ", 1)[1].removesuffix(" starts it again")
    assert train_args(pasted, prefix=()).settings == [f"name={ODD_NAME}"]


@pytest.mark.slow
def test_a_distributed_run_refused_by_the_run_lock_says_so_once(tmp_path, glyph_dir):
    """Another process trains the run: rank 0 names it, and rank 1 ends without a word
    (it said rank 0 had stopped and that --resume continues the run)."""
    from training.runlock import training_lock

    settings = tiny_settings(glyph_dir, tmp_path, epochs=1)
    cmd = [sys.executable, "-m", "ui.cli", "train", *settings, "name=ddp"]
    with training_lock(tmp_path / "ddp"):
        procs = _two_ranks(cmd, tmp_path)
        _, err = procs[0].communicate(timeout=120)
        procs[1].wait(timeout=60)
    assert [p.returncode for p in procs] == [2, 2], err[-3000:]
    said = [x for x in err.splitlines() if x.startswith("frankenstein:")]
    assert said == [
        f"frankenstein: error: {tmp_path / 'ddp'}: another process (pid {os.getpid()}) is "
        "training this run; wait for it to end or stop it, or choose another name=..."
    ]
    assert "frankenstein" not in (tmp_path / "rank1.err").read_text()
