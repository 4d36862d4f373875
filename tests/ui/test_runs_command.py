"""`frankenstein runs` (ui/commands/runs.py): the run folders as the Runs tab lists them,
for a terminal or a script: a run trained for real, one another process trains now
(a real lock holder, with its progress.json), one cut short, one with a broken file."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.conftest import ROOT
from tests.lock_holder import held_by_another_process
from tests.training.shapes import write_shapes_dir
from tests.ui.tui_helpers import (
    STAND_IN,
    going_cut_and_done,
    make_run,
    report,
    stopped_in_first_epoch,
)
from training.progressfile import PROGRESS
from ui.cli import main

TINY = {
    "model.overrides": {"channels": [4, 4, 4], "lstm_hidden": 8, "lstm_proj": 0},
    "pad_len": 4,
    "m": 32,
    "batch_size": 16,
    "epochs": 1,
    "threads": 1,
    "device": "cpu",
    "augment.enabled": False,
}


@pytest.fixture
def runs(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("FRANKENSTEIN_CACHE", str(tmp_path / "cache"))
    root = going_cut_and_done(tmp_path / "runs", done_real=report(0.89, [0.7], 0.977, 0.7))
    (make_run(root, "broken", mtime=1_699_000_000) / "metrics.jsonl").write_text("{no\n")
    return root


def listing(capsys, *args: str) -> list[str]:
    assert main(["runs", *args]) == 0
    return capsys.readouterr().out.splitlines()


def test_the_table_says_what_each_run_is_and_how_far_it_is(runs, capsys):
    with held_by_another_process(runs / ".going.lock") as trainer:
        batch = {"event": "batch", "epoch": 2, "epochs": 3, "batch": 5, "batches": 20}
        (runs / "going" / PROGRESS).write_text(json.dumps({**batch, "pid": trainer.pid}))
        lines = listing(capsys)
    assert lines[0].split() == [
        "run",
        "model",
        "epochs",
        "best",
        "val",
        "scored",
        "on",
        "top1",
        "snap",
        "P/R",
    ]
    cells = [line.split() for line in lines[1:5]]
    assert [c[:3] for c in cells] == [
        ["going", "frankenstein", "1/3"],
        ["cut", "frankenstein", "1/3"],
        ["done", "frankenstein", "2/2"],
        ["broken", "frankenstein", "0/2"],
    ]
    assert cells[0][3] == "training" and cells[1][3] == "stopped"
    assert cells[2][4:] == ["quickdraw-real-dev", "89.0%", "98%/70%"]
    assert lines[5:] == [
        f"going: training now (pid {trainer.pid}): epoch 2 of 3: batch 5 of 20 (25%)",
        "cut: stopped after epoch 1 of 3: `frankenstein train --resume name=cut "
        "out_dir=runs` continues it",
        "broken: problem: metrics.jsonl line 1: not JSON",
    ]


def test_a_run_stopped_in_its_first_epoch_is_said_to_be_stopped_during_it(
    tmp_path, monkeypatch, capsys
):
    """Not "stopped after epoch 0 of 10": the resume goes on in epoch 1, at the batch
    its last.pt holds."""
    monkeypatch.chdir(tmp_path)
    stopped_in_first_epoch(tmp_path / "runs", "early")
    assert listing(capsys)[2:] == [
        "early: stopped during epoch 1 of 10: `frankenstein train --resume name=early "
        "out_dir=runs` continues it"
    ]


def test_json_gives_the_figures_as_numbers(runs, capsys):
    out = json.loads("\n".join(listing(capsys, "--json")))
    by_name = {r["name"]: r for r in out}
    assert [r["name"] for r in out] == ["going", "cut", "done", "broken"]
    assert by_name["done"]["top1"] == 0.89 and by_name["done"]["snap_recall"] == 0.7
    assert by_name["done"]["scored_on"] == "quickdraw-real-dev/simplified"
    assert by_name["done"]["state"] == "finished" and by_name["cut"]["state"] == "stopped"
    assert by_name["going"]["training_pid"] is None  # no process holds its lock now
    assert by_name["broken"]["problems"] == ["metrics.jsonl line 1: not JSON"]


def test_a_real_run_is_listed_with_its_test_split_report(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("FRANKENSTEIN_CACHE", str(tmp_path / "cache"))
    data = write_shapes_dir(tmp_path / "data", per_class=6)
    settings = [f"{k}={json.dumps(v)}" for k, v in TINY.items()]
    assert main(["train", f"data.sources={json.dumps([str(data)])}", *settings, "name=t"]) == 0
    capsys.readouterr()
    lines = listing(capsys, "--runs", "runs")
    assert len(lines) == 2
    name, model, epochs, best, *rest = lines[1].split()
    assert (name, model, epochs) == ("t", "frankenstein", "1/1")
    assert best.endswith("%") and rest[0] == "test" and rest[1] == "split"


def test_a_run_scored_on_its_own_training_folder_is_marked(tmp_path, monkeypatch, capsys):
    """eval_data one of data.sources (train only warns, at its start): its top-1 is on
    drawings it trained on, so the table says so beside the figure, as does --json."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("FRANKENSTEIN_CACHE", str(tmp_path / "cache"))
    data = write_shapes_dir(tmp_path / "mine", per_class=6)
    settings = [f"{k}={json.dumps(v)}" for k, v in TINY.items()]
    both = [f"data.sources={json.dumps(['mine'])}", f"eval_data={json.dumps([str(data)])}"]
    assert main(["train", *both, *settings, "name=own"]) == 0
    capsys.readouterr()
    lines = listing(capsys, "--runs", "runs")
    assert lines[1].split()[4:7] == ["mine", "(trained", "on"]
    assert lines[2] == (
        "own: scored on mine, also one of its data.sources: its top1 and snap figures are "
        "on drawings it trained on, which measures nothing"
    )
    (out,) = json.loads("\n".join(listing(capsys, "--runs", "runs", "--json")))
    assert out["scored_on_training_data"] is True


def test_folders_a_run_stored_relative_are_compared_resolved(tmp_path, monkeypatch, capsys):
    """A run from before config.json kept its folders absolute: `./mine` and `mine`
    are one folder; another evaluation folder is no mark."""
    monkeypatch.chdir(tmp_path)
    for name, evaluated in (("own", "./mine/"), ("apart", "real")):
        run = make_run(tmp_path / "runs", name, real=report(0.3, [0.3], 0.5, 0.2))
        config = json.loads((run / "config.json").read_text())
        config["data"]["sources"] = ["synthetic", "mine"]
        (run / "config.json").write_text(json.dumps(config))
        (run / "eval.json").write_text(
            json.dumps({"eval_data": {evaluated: report(0.3, [0.3], 0.5, 0.2)}})
        )
    rows = {line.split()[0]: line for line in listing(capsys, "--runs", "runs")[1:3]}
    assert "mine (trained on it)  30.0%" in rows["own"]
    assert "real  " in rows["apart"] and "trained on" not in rows["apart"]


def test_no_runs_a_missing_folder_and_a_file_in_the_way_are_said(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("FRANKENSTEIN_RUNS", raising=False)
    monkeypatch.chdir(tmp_path)  # no runs/ yet: nothing trained here
    assert listing(capsys) == ["no runs in runs/ yet: `frankenstein train` makes one"]
    (tmp_path / "empty").mkdir()
    assert listing(capsys, "--runs", "empty") == [
        "no runs in empty/ yet: `frankenstein train` makes one"
    ]
    (tmp_path / "file").write_text("")
    for given, what in (("studes/x", "no such folder"), ("file", "not a folder")):
        assert main(["runs", "--runs", given]) == 2
        assert capsys.readouterr().err == f"frankenstein: error: {given}: {what}\n"


def test_a_run_that_diverged_before_saving_anything_is_listed_as_failed(
    tmp_path, monkeypatch, capsys
):
    """The real trainer, at a learning rate of 1e30: it fails in its first batch
    ("nothing was saved") and leaves config.json, train.log and its progress.json. The
    run read `0/1`, as if pending; now `failed`, with what became of it."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("FRANKENSTEIN_CACHE", str(tmp_path / "cache"))
    data = write_shapes_dir(tmp_path / "data", per_class=6)
    settings = [f"{k}={json.dumps(v)}" for k, v in TINY.items()]
    source = f"data.sources={json.dumps([str(data)])}"
    assert main(["train", source, *settings, "optim.lr=1e30", "name=inf"]) == 2
    error = capsys.readouterr().err.splitlines()[-1].removeprefix("frankenstein: error: ")
    assert "nothing was saved" in error
    lines = listing(capsys, "--runs", "runs")
    assert lines[1].split()[:4] == ["inf", "frankenstein", "0/1", "failed"]
    assert lines[2].startswith("inf: problem: its training (pid ")
    assert lines[2].endswith(
        f"ended before saving anything: it failed: {error}; `frankenstein train --resume "
        "name=inf out_dir=runs` starts it again from epoch 1"
    )
    out = json.loads("\n".join(listing(capsys, "--runs", "runs", "--json")))
    assert out[0]["state"] == "failed"


def test_a_run_refused_for_its_data_says_why_in_its_train_log_and_runs(
    tmp_path, monkeypatch, capsys
):
    """A data folder whose every line is bad is refused once the run folder is made: it
    held config.json and progress.json alone, and the reason was nowhere in it; now
    train.log ends with the error, and `runs` says it, with the command that starts it."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("FRANKENSTEIN_CACHE", str(tmp_path / "cache"))
    data = tmp_path / "data"
    data.mkdir()
    (data / "dog.ndjson").write_text('{"word": "dog", "drawing": [[[0, 9], [0, 9]]]}\n')
    settings = [f"{k}={json.dumps(v)}" for k, v in TINY.items()]
    source = f"data.sources={json.dumps([str(data)])}"
    assert main(["train", source, *settings, "name=bad"]) == 2
    error = capsys.readouterr().err.splitlines()[-1].removeprefix("frankenstein: error: ")
    assert "no drawings to put in the train split" in error
    log = (tmp_path / "runs" / "bad" / "train.log").read_text().splitlines()
    assert log[-1].endswith(f" error (pid {os.getpid()}): {error}")
    lines = listing(capsys, "--runs", "runs")
    assert lines[1].split()[:4] == ["bad", "frankenstein", "0/1", "failed"]
    assert lines[2].endswith(
        f"ended before saving anything: it failed: {error}; `frankenstein train --resume "
        "name=bad out_dir=runs` starts it again from epoch 1"
    )
    # a later attempt (another pid) killed while preparing its data wrote nothing in
    # train.log: the earlier attempt's error is not its reason
    progress = tmp_path / "runs" / "bad" / "progress.json"
    later = json.loads(progress.read_text()) | {"pid": os.getpid() + 1}
    progress.write_text(json.dumps(later))
    lines = listing(capsys, "--runs", "runs")
    assert (
        f"(pid {os.getpid() + 1}) ended before saving anything: it failed or was killed"
        in (lines[2])
    )


def test_a_run_cut_short_with_a_broken_config_is_not_said_to_resume(runs, capsys):
    """`train --resume` refuses a broken config.json: the run cut short is no longer
    "stopped" with the command that continues it, only its problem."""
    when = (runs / "cut" / "config.json").stat().st_mtime
    config = (runs / "cut" / "config.json").read_text()
    (runs / "cut" / "config.json").write_text('{"model": 5\n')
    os.utime(runs / "cut" / "config.json", (when, when))
    lines = listing(capsys)
    assert lines[2].split()[:3] == ["cut", "?", "1"] and "stopped" not in lines[2]
    assert not [line for line in lines if line.startswith("cut: stopped")]
    assert "cut: problem: config.json: Expecting ',' delimiter: line 2 column 1 (char 12)" in lines
    # and the way on, which the resume's error says too
    assert (
        "cut: cut short after epoch 1 of ?, but it cannot be resumed as it is: remove "
        "runs/cut to start it over, or train under another name=..."
    ) in lines
    (runs / "cut" / "config.json").write_text(config)
    os.utime(runs / "cut" / "config.json", (when, when))
    (runs / "cut" / "metrics.jsonl").write_text("{no\n")  # a line to mend, not a run to end
    lines = listing(capsys)
    assert (
        "cut: cut short during epoch 1 of 3, but it cannot be resumed as it is: mend that "
        "line of metrics.jsonl to resume it"
    ) in lines


def test_a_checkpoint_cut_short_is_listed_as_broken_and_not_resumed(runs, capsys):
    """A last.pt or best.pt cut off (a copy that stopped, a full disk) was listed as
    whole, and `train --resume` then failed on it; a checkpoint ends as a zip does."""
    whole = (runs / "cut" / "last.pt").read_bytes()
    (runs / "cut" / "last.pt").write_bytes(whole[:-1])
    (runs / "done" / "best.pt").write_text("{}")
    lines = listing(capsys)
    broken = "problem: {}: truncated or corrupt checkpoint (not a whole file)"
    assert f"cut: {broken.format('last.pt')}" in lines
    assert f"done: {broken.format('best.pt')}" in lines
    assert not [line for line in lines if line.startswith("cut: stopped")]
    gone_on = "cut: cut short after epoch 1 of 3, but it cannot be resumed as it is: remove "
    assert [line for line in lines if line.startswith(gone_on)]
    (runs / "cut" / "last.pt").write_bytes(whole)
    assert [line for line in listing(capsys) if line.startswith("cut: stopped")]


def test_runs_stopped_before_training_or_in_their_last_evaluation_say_how_to_go_on(runs, capsys):
    """Both were listed as if nothing were left to do: one stopped as it prepared its
    data (its config.json alone; the message said `--resume` starts it), one stopped
    as it calibrated or evaluated after its last epoch (every epoch done, no eval.json;
    `--resume` does that part)."""
    began = runs / "began"
    began.mkdir()
    (began / "config.json").write_text(json.dumps({"name": "began", "epochs": 3}))
    ended = make_run(runs, "ended", val_accs=(0.5, 0.6), checkpoint=True)
    (ended / "last.pt").write_bytes(STAND_IN)
    for run in (began, ended):
        os.utime(run / "config.json", (1_600_000_000, 1_600_000_000))  # listed last
    lines = listing(capsys)
    rows = {line.split()[0]: line.split()[1:4] for line in lines[1:] if line[:1] not in " "}
    assert rows["began"][-2:] == ["0/3", "stopped"] and rows["ended"][-2:] == ["2/2", "stopped"]
    resume = "`frankenstein train --resume name={} out_dir=runs`"
    assert f"began: stopped before training began: {resume.format('began')} starts it" in lines
    assert (
        "ended: stopped after its last epoch, before its evaluation ended: "
        f"{resume.format('ended')} does that"
    ) in lines
    summary = {r["name"]: r["state"] for r in json.loads("\n".join(listing(capsys, "--json")))}
    assert summary["began"] == summary["ended"] == "stopped" and summary["done"] == "finished"


def test_json_stays_strict_where_a_file_holds_nan(runs, capsys):
    """An eval.json of 0 drawings (top1 NaN, which `train` wrote for an empty eval_data
    folder) and a hand-edited metrics.jsonl (val_acc NaN) gave `--json` the bare token
    NaN, which strict JSON readers refuse, and the table "nan%"; now null (the table's
    "-"), and each file's value is named as its problem."""
    make_run(runs, "nan", val_accs=(0.5,), real=report(0.5, [0.5], None, 0.0), mtime=1)
    evaluated = runs / "nan" / "eval.json"
    evaluated.write_text(evaluated.read_text().replace('"top1": 0.5', '"top1": NaN', 1))
    (runs / "nan" / "metrics.jsonl").write_text('{"epoch": 1, "val_acc": NaN}\n')
    text = "\n".join(listing(capsys, "--json"))

    def refuse(token):
        raise AssertionError(f"not strict JSON: {token}")

    nan = {r["name"]: r for r in json.loads(text, parse_constant=refuse)}["nan"]
    assert nan["top1"] is None and nan["best_val_acc"] is None
    assert nan["problems"] == [
        "eval.json: eval_data['../shared/data/quickdraw-real-dev/simplified'] top1 is not a "
        "number: nan",
        "metrics.jsonl line 1: val_acc nan is not a share from 0 to 1",
    ]
    row = next(line for line in listing(capsys) if line.startswith("nan "))
    assert row.split()[3:6] == ["-", "quickdraw-real-dev", "-"]


# a fresh interpreter's `frankenstein runs`, then the packages it imported
LISTED_BY_ITSELF = """
import json, sys
from ui.cli import main
code = main(sys.argv[1:])
print(json.dumps([code, sorted({m.split(".")[0] for m in sys.modules})]))
"""


@pytest.mark.parametrize("args", [(), ("--json",)], ids=["table", "json"])
def test_the_listing_imports_neither_textual_nor_pydantic(runs, args):
    """Listing folders needs no UI toolkit nor config validation: runinfo took
    `files_seen` from ui/tui/follow.py, which imports Textual, and training.runfolder
    imported training.config (pydantic), which made `frankenstein runs` take 0.5 to
    1.4 s where `--help` takes 0.1 to 0.2 s."""
    out = subprocess.run(
        [sys.executable, "-c", LISTED_BY_ITSELF, "runs", "--runs", str(runs), *args],
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    code, imported = json.loads(out.stdout.strip().splitlines()[-1])
    assert code == 0 and "going" in out.stdout  # it listed the runs
    assert {"textual", "pydantic", "torch"}.isdisjoint(imported)


def test_a_run_trained_on_several_processes_is_resumed_under_torchrun(
    tmp_path, capsys, monkeypatch
):
    """`train --resume` on one process refuses a run saved by torchrun's 2: the listing
    gave that command, and F7 (one process) tried it; both now give torchrun's."""
    from ui.tui.runinfo import read_run, stopped_line

    monkeypatch.chdir(tmp_path)
    run = make_run(tmp_path / "runs", "ddp", val_accs=(0.5,))
    config = json.loads((run / "config.json").read_text())
    (run / "config.json").write_text(json.dumps({**config, "epochs": 3}))
    (run / "metrics.jsonl").write_text(json.dumps({"epoch": 1, "val_acc": 0.5, "processes": 2}))
    (run / "last.pt").write_bytes(STAND_IN)
    command = (
        "`torchrun --standalone --nproc_per_node 2 -m ui.cli train --resume name=ddp out_dir=runs`"
    )
    assert f"ddp: stopped after epoch 1 of 3: {command} continues it" in listing(capsys)
    info = read_run(run.relative_to(tmp_path))
    assert info.resume_problem() == (
        f"ddp trained on 2 processes, and resumes only on as many: {command} continues it"
    )
    f7 = stopped_line(info, also="F7 resumes it (on the Train tab), as does ")
    assert f7 == f"stopped after epoch 1 of 3: {command} continues it"


def test_a_run_training_on_several_processes_says_so_before_its_first_epoch_ends(tmp_path):
    """No metrics row yet: its progress.json tells (F6's message gives torchrun's resume)."""
    from training.progressfile import ProgressFile
    from ui.tui.runinfo import read_run, resume_command

    run = stopped_in_first_epoch(tmp_path / "runs", "ddp")
    with held_by_another_process(tmp_path / "runs" / ".ddp.lock") as trainer:
        progress = ProgressFile(run / PROGRESS)
        progress.on_start({"run": "ddp", "epochs": 10, "world": 2})
        said = json.loads((run / PROGRESS).read_text())
        (run / PROGRESS).write_text(json.dumps({**said, "pid": trainer.pid}))
        assert read_run(run).processes == 2
        assert resume_command(read_run(run)).startswith("torchrun --standalone --nproc_per_node 2 ")
    assert said["processes"] == 2


@pytest.mark.parametrize("processes", [1, 2], ids=["one process", "torchrun"])
def test_the_resume_command_of_an_odd_name_and_folder_pastes(tmp_path, capsys, processes):
    """`frankenstein runs` said `frankenstein train --resume name=stöp me out_dir=/.../my
    runs/ünïcode`, which a shell split at its spaces ("'me': expected key=value"): the
    command now reads back, split as a shell does, as the same run."""
    from tests.pasted import ODD_DIR, ODD_NAME, quoted, resumed_config

    root = tmp_path.joinpath(*ODD_DIR)
    run = stopped_in_first_epoch(root, ODD_NAME)
    row = {"epoch": 1, "val_acc": 0.5, "processes": processes}
    (run / "metrics.jsonl").write_text(json.dumps(row) + "\n")
    (said,) = [line for line in listing(capsys, "--runs", str(root)) if "`" in line]
    prefix = ("frankenstein", "train")
    if processes > 1:
        prefix = ("torchrun", "--standalone", "--nproc_per_node", "2", "-m", "ui.cli", "train")
    cfg = resumed_config(quoted(said), prefix)
    assert (cfg.name, cfg.run_dir) == (ODD_NAME, run)
