"""`frankenstein ablate`: one-line errors for bad specs, JSON-line events for the TUI."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ui.cli import main


def test_a_bad_spec_is_one_line_and_exit_status_2(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('name = "x"\nseeds = [0]\n[variants.a]\nepoks = 3\n')
    r = subprocess.run(
        [sys.executable, "-m", "ui.cli", "ablate", str(bad), "--out", str(tmp_path)],
        capture_output=True,
        text=True,
    )
    assert r.returncode == 2
    assert r.stderr.strip() == (
        f"frankenstein: error: {bad}: variants.a: unknown key 'epoks'; did you mean 'epochs'?"
    )
    assert not (tmp_path / "x").exists()


@pytest.mark.parametrize(
    ("launcher", "message"),
    [
        ("torchrun 'x", '--launcher "torchrun \'x": no closing quotation'),
        ("   ", "--launcher: no command given"),
        ("nosuchlauncher -x", "--launcher 'nosuchlauncher -x': nosuchlauncher: command not found"),
    ],
)
def test_a_bad_launcher_is_one_line_before_any_run(tmp_path, capsys, launcher, message):
    args = ["ablate", "lstm-vs-cnn", "--quick", "--out", str(tmp_path), "--launcher", launcher]
    assert main(args) == 2
    assert capsys.readouterr().err == f"frankenstein: error: {message}\n"
    assert list(tmp_path.iterdir()) == []


FAILS_AT_ONCE = "sh -c 'exit 1' sh"  # a --launcher whose runs end at once, trained nothing


def test_a_missing_absolute_eval_data_is_refused_before_any_run(tmp_path, capsys):
    """Every run used to be started and fail on it, then a table of dashes."""
    spec = tmp_path / "gone.toml"
    spec.write_text(f'name = "gone"\nseeds = [0]\neval_data = ["{tmp_path / "nowhere"}"]\n')
    spec.write_text(spec.read_text() + "[variants.a]\n")
    out = tmp_path / "studies"
    assert main(["ablate", str(spec), "--out", str(out), "--launcher", FAILS_AT_ONCE]) == 2
    err = capsys.readouterr().err
    assert err == f"frankenstein: error: eval_data '{tmp_path / 'nowhere'}': no such directory\n"
    assert not out.exists()  # nor an empty study folder, as was left


def test_an_empty_out_is_refused(tmp_path, eval_dir, monkeypatch, capsys):
    """`--out "$OUT"` with OUT unset wrote the study into the current folder."""
    monkeypatch.chdir(tmp_path)
    spec = tmp_path / "here.toml"
    spec.write_text(f'name = "here"\nseeds = [0]\neval_data = ["{eval_dir}"]\n[variants.a]\n')
    with pytest.raises(SystemExit) as ended:
        main(["ablate", str(spec), "--out", "", "--launcher", FAILS_AT_ONCE])
    assert ended.value.code == 2
    err = capsys.readouterr().err
    assert err.rstrip().endswith("argument --out: an empty path (''): name a file or folder")
    assert list(tmp_path.iterdir()) == [spec]


def test_a_status_json_that_is_not_an_object_is_read_as_none(tmp_path, eval_dir, capsys):
    """`[1]` is as broken as a cut-off status.json: the run is planned again, not an
    AttributeError ('list' object has no attribute 'get')."""
    spec = tmp_path / "odd.toml"
    spec.write_text(f'name = "odd"\nseeds = [0]\neval_data = ["{eval_dir}"]\n[variants.a]\n')
    run = tmp_path / "studies" / "odd" / "a-s0"
    run.mkdir(parents=True)
    (run / "status.json").write_text("[1]\n")
    argv = ["ablate", str(spec), "--out", str(tmp_path / "studies"), "--events"]
    assert main([*argv, "--launcher", FAILS_AT_ONCE]) == 1  # its run failed, as it would
    assert capsys.readouterr().err == ""
    assert json.loads((run / "status.json").read_text())["status"] == "failed"
    assert "| a | 0/1 |" in (run.parent / "results.md").read_text(encoding="utf-8")


def test_an_unknown_spec_name_lists_the_shipped_ones(capsys):
    assert main(["ablate", "lstm-vs-cnm"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(
        "frankenstein: error: lstm-vs-cnm: spec file not found; did you mean 'lstm-vs-cnn'? "
        "(shipped specs:"
    )
    assert main(["ablate", "nothing-near"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("frankenstein: error: nothing-near: spec file not found (shipped specs:")


@pytest.mark.slow
def test_events_are_json_lines_and_a_failed_run_means_exit_status_1(tmp_path, eval_dir, capsys):
    spec = tmp_path / "fails.toml"
    spec.write_text(
        f'name = "fails"\nseeds = [3]\neval_data = ["{eval_dir}"]\n'
        f'[variants.broken]\ndata.sources = ["{tmp_path / "nowhere"}"]\n'
    )
    assert main(["ablate", str(spec), "--out", str(tmp_path / "studies"), "--events"]) == 1
    events = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert events[0] == {"event": "study_start", "study": "fails", "runs": ["broken-s3"]}
    assert {"event": "run_start", "run": "broken-s3", "resumed": False} in events
    failed = next(e for e in events if e["event"] == "run_failed")
    assert failed["error"] == f"{tmp_path / 'nowhere'}: data directory not found"
    assert events[-1]["event"] == "study_done"
    assert (tmp_path / "studies" / "fails" / "results.md").is_file()


def test_quick_on_a_spec_without_a_quick_table_says_so_and_is_not_called_quick(
    tmp_path, eval_dir, capsys
):
    """--quick changed nothing for such a spec, and its results table was titled
    "(quick)" all the same."""
    spec = tmp_path / "fails.toml"
    spec.write_text(
        f'name = "fails"\nseeds = [3]\neval_data = ["{eval_dir}"]\n'
        f'[variants.broken]\ndata.sources = ["{tmp_path / "nowhere"}"]\n'
    )
    argv = ["ablate", str(spec), "--out", str(tmp_path / "studies"), "--quick", "--events"]
    assert main(argv) == 1
    assert (
        "frankenstein: warning: fails has no [quick] table: --quick changes nothing, and "
        "the study runs at full size"
    ) in capsys.readouterr().err
    study = tmp_path / "studies" / "fails"
    assert json.loads((study / "spec.json").read_text())["quick"] is False
    assert "(quick)" not in (study / "results.md").read_text(encoding="utf-8")


@pytest.mark.slow
def test_without_events_the_study_shows_bars_and_prints_its_table(
    tmp_path, eval_dir, capsys, monkeypatch
):
    monkeypatch.setenv("COLUMNS", "500")  # rich folds long paths at the terminal's width
    spec = tmp_path / "fails.toml"
    spec.write_text(
        f'name = "fails"\nseeds = [3]\neval_data = ["{eval_dir}"]\n'
        f'[variants.broken]\ndata.sources = ["{tmp_path / "nowhere"}"]\n'
    )
    assert main(["ablate", str(spec), "--out", str(tmp_path / "studies")]) == 1
    out, err = capsys.readouterr()
    err = " ".join(err.split())
    assert f"broken-s3 failed: {tmp_path / 'nowhere'}: data directory not found" in err
    assert f"results in {tmp_path / 'studies' / 'fails'}" in err
    table = (tmp_path / "studies" / "fails" / "results.md").read_text(encoding="utf-8")
    assert table.strip() and table.strip() in out
    assert not any(line.startswith("{") for line in out.splitlines())


@pytest.mark.slow
def test_sigterm_stops_the_study_and_its_runs_cleanly(tmp_path, eval_dir):
    import signal

    spec = tmp_path / "long.toml"
    spec.write_text(
        f'name = "long"\nseeds = [0]\neval_data = ["{eval_dir}"]\n'
        "[base]\nepochs = 50\ndata.per_class = 50\ndata.eval_per_class = 2\nthreads = 1\n"
        "log_every = 1\nbatch_size = 8\npad_len = 4\nm = 32\n"
        "model.overrides = {channels = [4, 4, 4], lstm_hidden = 8, lstm_proj = 0}\n"
        "[variants.lstm]\n"
    )
    proc = subprocess.Popen(
        [sys.executable, "-m", "ui.cli", "ablate", str(spec), "--out", str(tmp_path), "--events"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    for line in proc.stdout:  # wait until the training reports a batch
        event = json.loads(line)
        if event["event"] == "run_progress" and event["kind"] == "batch":
            break
    proc.send_signal(signal.SIGTERM)
    _out, err = proc.communicate(timeout=120)
    assert proc.returncode == 130
    assert err.strip().endswith("frankenstein: interrupted")
    status = json.loads((tmp_path / "long" / "lstm-s0" / "status.json").read_text())
    assert status["status"] == "stopped"  # not failed: it continues next time
    assert status["error"] == "interrupted (resumes from last.pt next time)"
    assert (tmp_path / "long" / "lstm-s0" / "last.pt").is_file()


def test_the_study_bar_shows_the_writing_of_the_table():
    """study_progress (the peers' evaluation, latencies) is a bar of its own, gone at the end."""
    from ui.commands.ablate import StudyProgress

    with StudyProgress() as bars:
        bars({"event": "study_start", "study": "s", "runs": ["a-s0"]})
        bars({"event": "study_progress", "done": 3, "total": 36, "what": "evaluating dollar_p"})
        (task,) = [t for t in bars.progress.tasks if t.id == bars.results]
        assert (task.completed, task.total, task.fields["stats"]) == (3, 36, "evaluating dollar_p")
        bars({"event": "study_done", "table": None, "failed": []})
        assert bars.results is None and len(bars.progress.tasks) == 1


@pytest.mark.slow
def test_a_status_that_cannot_be_written_stops_the_study_with_one_line(tmp_path, eval_dir):
    """Files may not grow past 1,000 bytes (a real write failing, as on a full disk): the
    training fails, and the status.json that says so (with its stderr) does not fit.
    That write is in a worker thread: it was a thread's traceback while the study went
    on to its table."""
    from tests.full_disk import run_with_full_disk

    spec = tmp_path / "tiny.toml"
    spec.write_text(
        f'name = "tiny"\nseeds = [0]\neval_data = ["{eval_dir}"]\n'
        "[base]\nepochs = 1\nmax_batches = 2\nbatch_size = 8\npad_len = 4\nm = 32\n"
        "model.overrides = {channels = [4, 4, 4], lstm_hidden = 8, lstm_proj = 0}\n"
        "[variants.lstm]\n"
    )
    out = tmp_path / "studies"
    done = run_with_full_disk(["ablate", str(spec), "--out", str(out), "--events"], 1000)
    status = out / "tiny" / "lstm-s0" / "status.json"
    assert done.returncode == 2, done.stderr
    assert done.stderr == f"frankenstein: error: cannot write {status} (File too large)\n"
    assert json.loads(status.read_text())["status"] in ("queued", "running")
    events = [json.loads(line)["event"] for line in done.stdout.splitlines()]
    assert "study_progress" not in events and "study_done" not in events  # no table


def start_study(tmp_path, eval_dir) -> tuple[list[str], subprocess.Popen, Path]:
    """A real `ablate` of a one-run study whose run is a shell that sleeps: its argv,
    the process (its own session), and the run's status.json, once it says running."""
    spec = tmp_path / "busy.toml"
    spec.write_text(f'name = "busy"\nseeds = [3]\neval_data = ["{eval_dir}"]\n[variants.a]\n')
    argv = ["ablate", str(spec), "--out", str(tmp_path / "studies")]
    first = subprocess.Popen(
        [sys.executable, "-m", "ui.cli", *argv, "--launcher", "sh -c 'sleep 60' sh"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    status = tmp_path / "studies" / "busy" / "a-s3" / "status.json"
    deadline = time.monotonic() + 60
    while not (status.exists() and '"running"' in status.read_text()):
        if first.poll() is not None or time.monotonic() > deadline:
            os.killpg(first.pid, signal.SIGKILL)
            pytest.fail(f"the study's run never started: {first.communicate()}")
        time.sleep(0.05)
    return argv, first, status


def test_a_second_ablate_of_a_study_being_run_is_refused(tmp_path, eval_dir, capsys):
    """Two processes running one study (the TUI's Ablations tab and a terminal) marked
    each other's running runs queued and failed the runs both started: the second is
    refused in one line naming the first's pid, before it touches a run."""
    argv, first, status = start_study(tmp_path, eval_dir)
    lock = tmp_path / "studies" / "busy" / ".ablate.lock"
    try:
        before = status.read_bytes()
        assert main([*argv, "--launcher", "false"]) == 2  # its run would fail at once
        assert capsys.readouterr().err == (
            f"frankenstein: error: {tmp_path / 'studies' / 'busy'}: another process (pid "
            f"{first.pid}) is running this study; wait for it to end or stop it (its runs "
            "resume next time), or give another --out\n"
        )
        assert status.read_bytes() == before  # the first's run is as the first left it
        assert lock.read_text() == f"{first.pid}\n"
    finally:
        os.killpg(first.pid, signal.SIGKILL)
        first.wait(60)


def test_the_running_run_of_a_killed_study_reads_as_stopped(tmp_path, eval_dir):
    """SIGKILL leaves a run's status.json saying running; the study's state (the TUI's
    runs table) says stopped, what the next ablate of it treats it as, once no live
    process holds the study."""
    from experiments.results import study_status
    from experiments.spec import load_spec

    _, first, status = start_study(tmp_path, eval_dir)
    spec, study = load_spec(tmp_path / "busy.toml"), tmp_path / "studies" / "busy"
    try:
        assert study_status(study, spec) == {"a-s3": "running"}
    finally:
        os.killpg(first.pid, signal.SIGKILL)
        first.wait(60)
    assert json.loads(status.read_text())["status"] == "running"
    assert (study / ".ablate.lock").exists()  # with the dead runner's pid
    assert study_status(study, spec) == {"a-s3": "stopped"}


def test_the_temporaries_of_a_killed_studys_writes_are_removed_by_the_next(tmp_path, eval_dir):
    """A runner SIGKILLed while it replaced results.md, a peer's report or a run's
    status.json left a hidden temporary beside it; the next ablate of the study, once
    it holds the study's lock, removes those and nothing else."""
    spec = tmp_path / "left.toml"
    spec.write_text(f'name = "left"\nseeds = [3]\neval_data = ["{eval_dir}"]\n[variants.a]\n')
    study = tmp_path / "studies" / "left"
    left = [
        study / ".results.md.k1ll3d.tmp",
        study / ".accuracy_by_stroke.png.k1ll3d.tmp",
        study / "peers" / ".cnn.json.k1ll3d.tmp",
        study / "a-s3" / ".status.json.k1ll3d.tmp",
    ]
    kept = [
        study / ".notes.md.k1ll3d.tmp",  # no file of the runner's
        study / "a-s3" / ".last.pt.k1ll3d.tmp",  # the run's training cleans its own
        study / "results.md",
    ]
    for path in left + kept:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("half\n")
    args = ["ablate", str(spec), "--out", str(tmp_path / "studies"), "--launcher", "false"]
    assert main(args) == 1  # its one run failed at once (status 1); the table is written
    assert [p for p in left if p.exists()] == []
    assert [p for p in kept if not p.exists()] == []
    assert (study / "results.md").read_text() != "half\n"


def test_eval_data_replaces_the_specs_for_the_whole_study(tmp_path, eval_dir, capsys):
    """A shipped spec (whose eval_data is the real dev doodles beside the checkout) had
    no way to be run on a user's own real doodles."""
    spec = tmp_path / "own.toml"
    spec.write_text('name = "own"\nseeds = [0, 1]\n[variants.a]\n[variants.b]\n')
    out = tmp_path / "studies"
    args = ["ablate", str(spec), "--out", str(out), "--events", "--launcher", FAILS_AT_ONCE]
    assert main([*args, "--eval-data", str(eval_dir), "--eval-data", str(tmp_path)]) == 1
    assert capsys.readouterr().err == ""
    both = [str(eval_dir.resolve()), str(tmp_path.resolve())]
    study = out / "own"
    assert json.loads((study / "spec.json").read_text())["spec"]["eval_data"] == both
    for run in ("a-s0", "b-s0", "a-s1", "b-s1"):
        status = json.loads((study / run / "status.json").read_text())
        assert status["overrides"]["eval_data"] == both
    assert f"first eval_data directory, `{both[0]}`" in (study / "results.md").read_text()


def test_a_missing_eval_data_option_is_one_line_before_anything_is_made(tmp_path, capsys):
    out = tmp_path / "studies"
    args = ["ablate", "lstm-vs-cnn", "--quick", "--out", str(out), "--launcher", FAILS_AT_ONCE]
    assert main([*args, "--eval-data", str(tmp_path / "gone")]) == 2
    assert capsys.readouterr().err == (
        f"frankenstein: error: --eval-data {tmp_path / 'gone'}: no such directory\n"
    )
    assert not out.exists()


def test_the_default_eval_data_is_where_frankenstein_real_dev_says(
    tmp_path, eval_dir, monkeypatch, capsys
):
    """The variable the tests read named the real dev doodles for them only: a spec's
    default eval_data was looked for beside the checkout, and nowhere else."""
    import shutil

    dev = tmp_path / "mine" / "quickdraw-dev"
    shutil.copytree(eval_dir, dev / "simplified")
    monkeypatch.setenv("FRANKENSTEIN_REAL_DEV", str(dev))
    spec = tmp_path / "dev.toml"
    spec.write_text('name = "dev"\nseeds = [0]\n[variants.a]\n')
    out = tmp_path / "studies"
    args = ["ablate", str(spec), "--out", str(out), "--events", "--launcher", FAILS_AT_ONCE]
    assert main(args) == 1
    assert capsys.readouterr().err == ""
    status = json.loads((out / "dev" / "a-s0" / "status.json").read_text())
    assert status["overrides"]["eval_data"] == [str((dev / "simplified").resolve())]
    assert "(the real dev doodles)" in (out / "dev" / "results.md").read_text()


REAL_DEV_FIX = (
    "set FRANKENSTEIN_REAL_DEV to the real dev doodles' folder (the one holding simplified/ "
    "and raw/), or name a folder of real doodles with `frankenstein ablate --eval-data DIR` "
    "or the spec's eval_data"
)


def test_real_dev_doodles_not_found_say_both_ways_to_name_them(tmp_path, monkeypatch, capsys):
    """From an installed package (no ../shared beside it) every shipped spec failed with
    "eval_data '../shared/...': no such directory", and nothing said what to do."""
    import experiments.spec

    project = tmp_path / "site-packages"  # a tree with no shared/ beside it
    project.mkdir()
    monkeypatch.setattr(experiments.spec, "PROJECT_ROOT", project)
    monkeypatch.chdir(project)
    monkeypatch.delenv("FRANKENSTEIN_REAL_DEV", raising=False)
    out = tmp_path / "studies"
    argv = ["ablate", "lstm-vs-cnn", "--quick", "--out", str(out), "--launcher", FAILS_AT_ONCE]
    assert main(argv) == 2
    assert capsys.readouterr().err == (
        "frankenstein: error: eval_data: the real dev doodles (the default) are not in "
        f"shared/data/quickdraw-real-dev beside the working directory or {project} or a "
        f"folder above them: {REAL_DEV_FIX}\n"
    )
    assert not out.exists()  # an empty out/lstm-vs-cnn/ was left behind
    monkeypatch.setenv("FRANKENSTEIN_REAL_DEV", str(tmp_path / "gone"))
    assert main(argv) == 2
    assert capsys.readouterr().err == (
        f"frankenstein: error: FRANKENSTEIN_REAL_DEV '{tmp_path / 'gone'}': no such "
        f"directory; {REAL_DEV_FIX}\n"
    )
    monkeypatch.setenv("FRANKENSTEIN_REAL_DEV", str(tmp_path))  # holds no simplified/
    assert main(argv) == 2
    assert capsys.readouterr().err == (
        f"frankenstein: error: FRANKENSTEIN_REAL_DEV '{tmp_path}': no simplified/ folder in "
        f"it; {REAL_DEV_FIX}\n"
    )


def test_studies_go_where_frankenstein_studies_says(tmp_path, eval_dir, monkeypatch, capsys):
    """Runs, data and caches could be moved with a FRANKENSTEIN_* variable; studies went
    to ./experiments/studies/ wherever ablate was started."""
    here = tmp_path / "here"
    here.mkdir()
    monkeypatch.chdir(here)
    monkeypatch.setenv("FRANKENSTEIN_STUDIES", str(tmp_path / "studies"))
    spec = tmp_path / "moved.toml"
    spec.write_text(f'name = "moved"\nseeds = [0]\neval_data = ["{eval_dir}"]\n[variants.a]\n')
    assert main(["ablate", str(spec), "--events", "--launcher", FAILS_AT_ONCE]) == 1
    assert (tmp_path / "studies" / "moved" / "a-s0" / "status.json").is_file()
    assert list(here.iterdir()) == []
    capsys.readouterr()
    out = tmp_path / "given"  # --out still wins
    assert main(["ablate", str(spec), "--out", str(out), "--launcher", FAILS_AT_ONCE]) == 1
    assert (out / "moved" / "results.md").is_file()
