"""The ablation runner with real (tiny) training processes: resume, failures, events."""

from __future__ import annotations

import json
import re

import pytest

from experiments.results import study_status
from experiments.runner import read_status, run_ablation, write_status
from experiments.spec import SpecError

pytestmark = pytest.mark.slow  # real training processes: a few seconds each


def test_a_failed_run_is_recorded_and_the_study_goes_on(tiny_spec, tmp_path):
    spec = tiny_spec({"lstm": {}, "broken": {"data": {"sources": [str(tmp_path / "nowhere")]}}})
    events = []
    result = run_ablation(spec, out_dir=tmp_path / "studies", jobs=2, on_event=events.append)
    study = tmp_path / "studies" / "tiny"
    assert result.study_dir == study
    assert result.statuses == {"lstm-s0": "done", "broken-s0": "failed"}
    assert result.failed == ["broken-s0"]
    broken = read_status(study / "broken-s0")
    assert broken["error"] == f"{tmp_path / 'nowhere'}: data directory not found"
    assert broken["command"][-1] == "--events"
    good = study / "lstm-s0"
    for name in ("config.json", "metrics.jsonl", "best.pt", "eval.json", "train.log"):
        assert (good / name).is_file(), name
    assert read_status(good)["seconds"] > 0
    kinds = [e["event"] for e in events]
    assert kinds[0] == "study_start" and kinds[-1] == "study_done"
    assert {"run_start", "run_done", "run_failed", "run_progress"} <= set(kinds)
    batches = [e for e in events if e["event"] == "run_progress" and e["kind"] == "batch"]
    assert batches and all(e["run"] == "lstm-s0" and "epoch" in e for e in batches)
    table = (study / "results.md").read_text()
    assert "| lstm | 1/1 |" in table and "| broken | 0/1 |" in table
    assert events[-1] == {
        "event": "study_done",
        "table": str(study / "results.md"),
        "failed": ["broken-s0"],
    }
    assert json.loads((study / "spec.json").read_text())["spec"]["name"] == "tiny"


def test_a_stopped_study_resumes_without_rerunning_finished_runs(tiny_spec, tmp_path):
    out = tmp_path / "studies"
    first = run_ablation(tiny_spec({"lstm": {}}, seeds=[0]), out_dir=out, jobs=1)
    assert first.statuses == {"lstm-s0": "done"}
    study = first.study_dir
    s0 = read_status(study / "lstm-s0")
    best_mtime = (study / "lstm-s0" / "best.pt").stat().st_mtime_ns

    # spelling out a value the defaults already give is the same training: skipped
    spelled = tiny_spec({"lstm": {"augment": {"flip": 0.5}}}, seeds=[0])
    assert run_ablation(spelled, out_dir=out, jobs=1).statuses == {"lstm-s0": "done"}
    assert (study / "lstm-s0" / "best.pt").stat().st_mtime_ns == best_mtime
    # while a value that changes the training is refused, not mixed in
    with pytest.raises(SpecError, match="done with other settings"):
        run_ablation(tiny_spec({"lstm": {"augment": {"flip": 0.0}}}, seeds=[0]), out_dir=out)

    # the same study with a second seed: seed 0 is skipped, seed 1 runs
    spec = tiny_spec({"lstm": {}}, seeds=[0, 1])
    assert study_status(study, spec) == {"lstm-s0": "done", "lstm-s1": "queued"}
    events = []
    second = run_ablation(spec, out_dir=out, jobs=1, on_event=events.append)
    assert second.statuses == {"lstm-s0": "done", "lstm-s1": "done"}
    assert {"event": "run_done", "run": "lstm-s0", "skipped": True} in events
    started = [e["run"] for e in events if e["event"] == "run_start"]
    assert started == ["lstm-s1"]
    assert read_status(study / "lstm-s0") == s0
    assert (study / "lstm-s0" / "best.pt").stat().st_mtime_ns == best_mtime
    assert "| lstm | 2/2 |" in (study / "results.md").read_text()

    # a run killed after its last checkpoint continues from it (--resume)
    write_status(study / "lstm-s1", {**read_status(study / "lstm-s1"), "status": "running"})
    events.clear()
    third = run_ablation(spec, out_dir=out, jobs=1, on_event=events.append)
    assert third.statuses == {"lstm-s0": "done", "lstm-s1": "done"}
    assert [e for e in events if e["event"] == "run_start"] == [
        {"event": "run_start", "run": "lstm-s1", "resumed": True}
    ]
    assert read_status(study / "lstm-s1")["command"][-1] == "--resume"


def test_a_done_run_with_other_settings_is_not_mixed_in(tiny_spec, tmp_path):
    out = tmp_path / "studies"
    study = out / "tiny" / "lstm-s0"
    study.mkdir(parents=True)
    write_status(study, {"status": "done", "overrides": {"epochs": 99}})
    failed = {"status": "failed", "error": "exit status 1", "overrides": {}}
    write_status(out / "tiny" / "cnn-s0", failed)
    saved = '{"spec": {"name": "tiny", "variants": {"lstm": {}}}, "quick": true}\n'
    (out / "tiny" / "spec.json").write_text(saved)
    with pytest.raises(SpecError, match="done with other settings") as refused:
        run_ablation(tiny_spec({"cnn": {"model": "cnn"}, "lstm": {}}), out_dir=out)
    said = str(refused.value)  # what differs, named (the first three, and how many more)
    assert re.search(
        r"epochs \d+ now, 99 then;.* and \d+ more: --quick or an edited spec\?\)", said
    )
    # the refused study changed nothing: not the spec its table is read with, nor a status
    assert (out / "tiny" / "spec.json").read_text() == saved
    assert read_status(out / "tiny" / "cnn-s0") == failed


def test_a_stop_request_starts_no_more_runs(tiny_spec, tmp_path):
    import threading

    stop = threading.Event()
    stop.set()  # e.g. the TUI's cancel, before any run could start
    events = []
    spec = tiny_spec({"lstm": {}, "cnn": {"model": "cnn"}})
    result = run_ablation(spec, out_dir=tmp_path, stop=stop, on_event=events.append)
    assert result.statuses == {"lstm-s0": "queued", "cnn-s0": "queued"}
    assert not [e for e in events if e["event"] == "run_start"]
    assert "| lstm | 0/1 |" in (tmp_path / "tiny" / "results.md").read_text()


def test_a_run_stopped_while_it_starts_is_recorded_as_interrupted(tiny_spec, tmp_path):
    """A stop (the TUI's cancel, Ctrl-C, SIGTERM) that reaches a training before it
    could catch signals ends it by SIGTERM: that is an interruption, not 'exit status -15'."""
    import threading

    stop = threading.Event()

    events = []

    def on_event(e):
        events.append(e)
        if e["event"] == "run_start":
            stop.set()

    result = run_ablation(tiny_spec({"lstm": {}}), out_dir=tmp_path, stop=stop, on_event=on_event)
    status = read_status(tmp_path / "tiny" / "lstm-s0")
    assert result.statuses == {"lstm-s0": "stopped"} and not result.failed
    assert [e["event"] for e in events if e["event"].startswith("run_")][-1] == "run_stopped"
    assert status["error"] in (
        "interrupted (starts next time)",
        "interrupted (resumes from last.pt next time)",
    )


def test_an_unfinished_run_with_other_settings_is_not_resumed(tiny_spec, tmp_path):
    """A run stopped half-way (last.pt) and a spec edited since: resuming would finish it
    with the new settings on top of epochs trained with the old ones, a mixed run."""
    out = tmp_path / "studies"
    first = run_ablation(tiny_spec({"lstm": {}}), out_dir=out, jobs=1)
    run_dir = first.study_dir / "lstm-s0"
    write_status(run_dir, {**read_status(run_dir), "status": "failed", "error": "interrupted"})
    before = read_status(run_dir)
    edited = tiny_spec({"lstm": {"augment": {"enabled": True}}})
    with pytest.raises(SpecError, match=r"lstm-s0: started .* with other settings"):
        run_ablation(edited, out_dir=out, jobs=1)
    assert read_status(run_dir) == before
    # the spec as it was resumes it
    assert run_ablation(tiny_spec({"lstm": {}}), out_dir=out, jobs=1).statuses == {
        "lstm-s0": "done"
    }
    assert read_status(run_dir)["command"][-1] == "--resume"


STUDY_ON_A_FULL_DISK = """
import sys

from experiments.runner import run_ablation
from experiments.spec import spec_from_dict
from tests.experiments.conftest import TINY_BASE

spec = {"name": "tiny", "base": TINY_BASE, "variants": {"lstm": {}}, "seeds": [0]}
spec["eval_data"] = [sys.argv[1]]
print(run_ablation(spec_from_dict(spec), out_dir=sys.argv[2], jobs=1).statuses)
"""


def test_a_run_that_filled_the_disk_in_its_first_epoch_runs_again(tiny_spec, eval_dir, tmp_path):
    """Files may not grow past 40 kB (a real write failing, as on a full disk): the tiny
    run's best.pt (~20 kB) is written, its last.pt (~70 kB) is not, and the run fails.
    Run again with room, the study resumes it (it used to start it afresh, which a
    best.pt refuses, 'a run of this name exists', at every later try)."""
    from tests.full_disk import run_with_full_disk

    out = tmp_path / "studies"
    env = {"FRANKENSTEIN_CACHE": str(tmp_path / "cache")}
    done = run_with_full_disk(
        ["-c", STUDY_ON_A_FULL_DISK, str(eval_dir), str(out)], 40_000, env=env
    )
    assert done.stdout.strip() == "{'lstm-s0': 'failed'}", done.stderr
    run_dir = out / "tiny" / "lstm-s0"
    assert "last.pt (File too large)" in read_status(run_dir)["error"]
    assert (run_dir / "best.pt").is_file() and not (run_dir / "last.pt").exists()
    again = run_ablation(tiny_spec({"lstm": {}}), out_dir=out, jobs=1)
    assert again.statuses == {"lstm-s0": "done"}
    assert read_status(run_dir)["command"][-1] == "--resume"


def test_a_done_run_on_a_relative_source_is_the_same_training(tiny_spec, tmp_path, monkeypatch):
    """Training keeps a run's data folders absolute in config.json; a spec names them
    from the study's folder (`data/mine`): a done run whose spec only spells out a
    default since is still the same training, not 'done with other settings'."""
    from experiments.runner import changed_runs
    from training.config import absolute_data, load_config, write_config

    monkeypatch.chdir(tmp_path)
    relative = {"data": {"sources": ["data/mine"]}}
    (then,) = tiny_spec({"lstm": relative}).runs()
    run_dir = tmp_path / "study" / then.run_id
    run_dir.mkdir(parents=True)
    write_config(absolute_data(load_config(None, then.settings())), run_dir / "config.json")
    write_status(run_dir, {"status": "done", "overrides": then.overrides})
    (now,) = tiny_spec({"lstm": {**relative, "augment": {"flip": 0.5}}}).runs()
    assert now.overrides != then.overrides
    assert changed_runs(tmp_path / "study", [now]) == []


def test_the_default_jobs_count_a_launchers_processes(monkeypatch):
    """`--launcher "torchrun --standalone --nproc_per_node 2"` without --jobs ran two
    torchruns of two processes at once on two cores."""
    from experiments.runner import default_jobs, launcher_processes

    monkeypatch.setattr("os.cpu_count", lambda: 8)
    plain = ["python"]
    assert launcher_processes(plain) == 1 and default_jobs(1, launcher_processes(plain)) == 8
    for launcher in (
        ["torchrun", "--standalone", "--nproc_per_node", "4"],
        ["torchrun", "--nproc-per-node=4", "--standalone"],
    ):
        assert launcher_processes(launcher) == 4
        assert default_jobs(1, launcher_processes(launcher)) == 2
        assert default_jobs(2, launcher_processes(launcher)) == 1
    assert launcher_processes(["torchrun", "--nproc_per_node", "gpu"]) == 1  # not a count
    assert launcher_processes(["torchrun", "--nproc_per_node"]) == 1


def test_a_study_refused_before_its_runs_makes_no_folder(tiny_spec, tmp_path):
    """A missing eval_data left an empty study folder (and the folder of study folders)."""
    spec = tiny_spec({"lstm": {}}, eval_data=[str(tmp_path / "nowhere")])
    with pytest.raises(SpecError, match="no such directory"):
        run_ablation(spec, out_dir=tmp_path / "studies")
    assert list(tmp_path.iterdir()) == []
