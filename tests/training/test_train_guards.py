"""`train` refuses what it cannot do before it changes anything, with one-line errors."""

import io
import json
import re
import shutil

import pytest
import torch

from tests.training.conftest import tiny_settings
from training.callbacks import Callback
from training.config import load_config
from training.loop import StopRequest, train
from ui.cli import main


def test_resume_with_another_model_leaves_the_run_resumable(tmp_path, glyph_dir, capsys):
    settings = tiny_settings(glyph_dir, tmp_path, epochs=1)
    assert main(["train", *settings, "name=r"]) == 0
    config = (tmp_path / "r" / "config.json").read_bytes()
    capsys.readouterr()
    assert main(["train", "--resume", *settings, "name=r", "model=cnn"]) == 2
    err = capsys.readouterr().err
    assert "cannot resume with a different model" in err and "arch 'cnn'" in err
    assert (tmp_path / "r" / "config.json").read_bytes() == config  # untouched
    assert main(["train", "--resume", *settings, "name=r", "epochs=2"]) == 0
    rows = (tmp_path / "r" / "metrics.jsonl").read_text().splitlines()
    assert [json.loads(r)["epoch"] for r in rows] == [1, 2]


def test_resume_with_other_optimiser_settings_is_refused(tmp_path, glyph_dir, capsys):
    # last.pt's optimiser and schedule state would quietly keep the run's learning rate
    settings = tiny_settings(glyph_dir, tmp_path, epochs=1)
    assert main(["train", *settings, "name=r"]) == 0
    config = (tmp_path / "r" / "config.json").read_bytes()
    lr = json.loads(config)["optim"]["lr"]
    capsys.readouterr()
    assert main(["train", "--resume", *settings, "name=r", "epochs=2", "optim.lr=0.5"]) == 2
    err = capsys.readouterr().err
    assert (
        f"cannot resume with other optimiser settings (optim.lr 0.5 asked, the run's is {lr!r})"
        in err
    )
    assert (tmp_path / "r" / "config.json").read_bytes() == config  # untouched


def test_a_resume_refused_for_a_broken_file_says_the_way_on(tmp_path, glyph_dir, capsys):
    """A last.pt or config.json cut short or garbled: `--resume` said only what was
    wrong, and `train` of the name without it says to resume, so there was no way on;
    it now says how to start over. A last.pt of a newer format says to update instead."""
    settings = tiny_settings(glyph_dir, tmp_path, epochs=1)
    assert main(["train", *settings, "name=r"]) == 0
    run = tmp_path / "r"
    last, config = (run / "last.pt").read_bytes(), (run / "config.json").read_bytes()
    way_on = f"; this run cannot be resumed: remove {run} to start it over, or train under "
    for broken, text in (("last.pt", last[:1000]), ("config.json", config[:15])):
        (run / broken).write_bytes(text)
        capsys.readouterr()
        assert main(["train", "--resume", *settings, "name=r", "epochs=2"]) == 2
        err = capsys.readouterr().err
        assert err.startswith(f"frankenstein: error: {run / broken}: "), err
        assert err.endswith(f"{way_on}another name=...\n"), err
        (run / broken).write_bytes(last if broken == "last.pt" else config)
    payload = torch.load(run / "last.pt", weights_only=True)
    torch.save({**payload, "version": 99}, run / "last.pt")
    assert main(["train", "--resume", *settings, "name=r", "epochs=2"]) == 2
    err = capsys.readouterr().err
    assert err.endswith("update Frankenstein\n") and way_on not in err


def test_a_resume_of_a_name_misspelt_names_the_run_nearest(tmp_path, capsys):
    for name in ("base", "other"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "config.json").write_text("{}")
    for given in ("Base", "BASE", "bsae"):
        assert main(["train", "--resume", f"name={given}", f"out_dir={tmp_path}"]) == 2
        assert capsys.readouterr().err == (
            f"frankenstein: error: no run {given!r} in {tmp_path}; did you mean 'base'?\n"
        )
    assert main(["train", "--resume", "name=zzz", f"out_dir={tmp_path}"]) == 2
    assert "zzz/config.json: not found; is " in capsys.readouterr().err


@pytest.mark.parametrize(
    "text, said",
    [(b"\xff\xfe{", "not UTF-8 text (invalid start byte)"), (b"[1]", "not a JSON object")],
)
def test_a_config_json_of_no_settings_is_refused_in_one_line(tmp_path, capsys, text, said):
    """One of bytes not UTF-8, or of JSON that is no object, ended the resume in a
    traceback (UnicodeDecodeError, AttributeError)."""
    (tmp_path / "r").mkdir()
    (tmp_path / "r" / "config.json").write_bytes(text)
    assert main(["train", "--resume", "name=r", f"out_dir={tmp_path}"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"frankenstein: error: {tmp_path / 'r' / 'config.json'}: {said}")
    assert "this run cannot be resumed" in err and err.count("\n") == 1


@pytest.mark.parametrize(
    "change, said",
    [
        ("batch_size=4", "batch_size 4 asked, the run's is 16"),
        ("seed=9", "seed 9 asked, the run's is 0"),
        ("loss_at=final", "loss_at 'final' asked, the run's is 'every'"),
        ("augment.rotate=3", "augment.rotate 3.0 asked, the run's is 25.0"),
    ],
)
def test_resume_with_another_course_is_refused(tmp_path, glyph_dir, capsys, change, said):
    """The batches an epoch (last.pt's position, the schedule's length), the seed, the
    loss or the augmentation changed on resume made a run of two halves that the
    rewritten config.json hid; `batch_size=16` left the rate far from its schedule's
    end. Extending it (epochs=2) still may."""
    settings = tiny_settings(glyph_dir, tmp_path, epochs=1)
    assert main(["train", *settings, "name=r"]) == 0
    config = (tmp_path / "r" / "config.json").read_bytes()
    capsys.readouterr()
    assert main(["train", "--resume", *settings, "name=r", "epochs=2", change]) == 2
    err = capsys.readouterr().err
    assert f"cannot resume with another course ({said})" in err
    assert (tmp_path / "r" / "config.json").read_bytes() == config  # untouched


def test_bad_lines_and_classes_without_drawings_are_reported(tmp_path, glyph_dir, capsys):
    data = tmp_path / "data"
    data.mkdir()
    for f in glyph_dir.iterdir():
        text = f.read_text()
        if f.stem in ("circle", "cloud"):  # every drawing names a class that does not exist
            text = text.replace(f'"word":"{f.stem}"', f'"word":"{f.stem}x"')
        if f.stem == "sun":  # the first names another class: still a sun, and said so
            text = text.replace('"word":"sun"', '"word":"eye"', 1)
        (data / f.name).write_text(text)
    assert main(["train", *tiny_settings(data, tmp_path, epochs=1), "name=w"]) == 0
    err = capsys.readouterr().err
    skipped = f"warning: {data}: 40 bad lines skipped while reading (the first: "
    assert skipped in err and "circle.ndjson:1: unknown class 'circlex'" in err
    missing = "warning: no training drawings of 2 of 18 classes: circle, cloud"
    assert missing in err
    mismatch = (
        "warning: 1 drawing whose 'word' names another class than its file's, counted as "
        f"the file's class: {data / 'sun.ndjson'}: 1 (the first: line 1, 'eye')"
    )
    assert mismatch in err
    log = (tmp_path / "w" / "train.log").read_text()
    assert "40 bad lines skipped" in log and "no training drawings of 2 of 18" in log
    assert "1 drawing whose 'word' names another class" in log


@pytest.mark.parametrize("name", ["../escape", "a/b", ".hidden", "/abs", " x", ""])
def test_a_run_name_must_name_one_folder_in_out_dir(tmp_path, name, capsys):
    out = tmp_path / "runs"
    for resume in ([], ["--resume"]):
        assert main(["train", *resume, "--dry-run", f"out_dir={out}", f"name={name}"]) == 2
        err = capsys.readouterr().err.strip()
        assert err == (
            f"frankenstein: error: config: name: {name!r} is not one folder name (no '/' or "
            "'\\', not starting with '.' or '-', no spaces at its ends)"
        )
    assert not any(tmp_path.rglob("*.json"))  # nothing written, inside runs/ or beside it


@pytest.mark.parametrize("name", ["lr=1e-3", "run (2)", "café", "my run"])
def test_run_names_from_before_the_check_still_load(name):
    # a run folder named so before the check existed must still resume
    assert load_config(None, [f"name={name}"]).name == name


def test_a_diverging_run_stops_at_once_and_keeps_its_last_good_checkpoint(
    tmp_path, glyph_dir, capsys
):
    settings = tiny_settings(glyph_dir, tmp_path, epochs=1)
    assert main(["train", *settings, "name=d"]) == 0
    d = tmp_path / "d"
    # the run goes on at a learning rate of 1e30 (the optimiser's and schedule's state)
    payload = torch.load(d / "last.pt", weights_only=True)
    for group in payload["extra"]["optimizer"]["param_groups"]:
        group["lr"] = group["initial_lr"] = 1e30
    sched = payload["extra"]["scheduler"]
    sched["base_lrs"] = sched["_last_lr"] = [1e30] * len(sched["base_lrs"])
    torch.save(payload, d / "last.pt")
    before = {p.name: p.read_bytes() for p in d.iterdir() if p.suffix in (".pt", ".jsonl")}
    capsys.readouterr()
    assert main(["train", "--resume", *settings, "name=d", "epochs=3"]) == 2
    err = capsys.readouterr().err.strip().splitlines()[-1]
    assert re.fullmatch(
        rf"frankenstein: error: {re.escape(str(d))}: training diverged \(training loss "
        r"(nan|inf) at epoch 2, batch \d+\); last.pt, from before, is kept. Try a lower "
        r"learning rate than optim.lr=0.02",
        err,
    ), err
    after = {p.name: p.read_bytes() for p in d.iterdir() if p.suffix in (".pt", ".jsonl")}
    assert after == before  # no bad weights saved: best.pt, last.pt, metrics as they were


def test_a_run_diverging_in_its_first_epoch_saves_nothing(tmp_path, glyph_dir, capsys):
    settings = tiny_settings(glyph_dir, tmp_path, epochs=2, **{"optim.lr": 1e30})
    assert main(["train", *settings, "name=n"]) == 2
    assert "nothing was saved. Try a lower learning rate" in capsys.readouterr().err
    assert not list((tmp_path / "n").glob("*.pt"))


class StopAtFirstBatch(Callback):
    """Ctrl-C during the first batch of the first epoch."""

    def __init__(self, stop: StopRequest):
        self.stop = stop

    def on_batch(self, info):
        self.stop.set()


def test_a_run_stopped_before_its_first_epoch_ends_says_so(tmp_path, glyph_dir):
    from rich.console import Console

    from ui.progress import RichProgress

    stop = StopRequest()
    console = Console(file=io.StringIO(), width=200)
    cfg = load_config(None, [*tiny_settings(glyph_dir, tmp_path, log_every=1), "name=s"])
    result = train(cfg, [StopAtFirstBatch(stop), RichProgress(console)], stop=stop)
    assert result.status == "interrupted" and result.best_epoch == 0
    assert result.summary()["best_val_acc"] is None
    assert "interrupted: no epoch finished; files in" in console.file.getvalue()
    done = (tmp_path / "s" / "train.log").read_text().splitlines()[-1]
    info = json.loads(done.split(" done: ", 1)[1], parse_constant=pytest.fail)  # no NaN
    assert info["best_val_acc"] is None and info["best_epoch"] == 0


def test_an_eval_data_folder_without_drawings_is_refused_before_training(
    tmp_path, glyph_dir, capsys
):
    """It trained the whole run, then printed `eval DIR: 0 drawings, top-1 nan` and wrote
    top1 NaN into eval.json; `frankenstein eval --data DIR` refuses it in these words."""
    blank = tmp_path / "blank"
    blank.mkdir()
    (blank / "circle.ndjson").write_text("\n\n")
    settings = tiny_settings(glyph_dir, tmp_path / "runs", epochs=1)
    assert main(["train", *settings, "name=r", f"eval_data={json.dumps([str(blank)])}"]) == 2
    assert capsys.readouterr().err == f"frankenstein: error: {blank}: no drawings to evaluate\n"
    assert not (tmp_path / "runs").exists()


def test_a_source_given_twice_is_refused_and_one_evaluated_on_is_warned_of(
    tmp_path, glyph_dir, capsys
):
    """Two paths of one folder trained on each of its drawings twice an epoch, unsaid."""
    settings = tiny_settings(glyph_dir, tmp_path, epochs=1)
    twice = json.dumps([str(glyph_dir), f"{glyph_dir}/"])
    assert main(["train", *settings, f"data.sources={twice}", "name=r"]) == 2
    err = capsys.readouterr().err
    assert f"data.sources: '{glyph_dir}/' is given twice (as '{glyph_dir}')" in err
    assert not (tmp_path / "r").exists()
    assert main(["train", "--dry-run", *settings, f"eval_data={json.dumps([str(glyph_dir)])}"]) == 0
    assert (
        f"frankenstein: warning: eval_data '{glyph_dir}' is also in data.sources: its report "
        "scores drawings the run trains on, which measures nothing"
    ) in capsys.readouterr().err


@pytest.mark.parametrize(
    "line, said",
    [
        ('{"epoch": "one", "val_acc": 0.5}', "line 2: epoch 'one' is not a whole number from 1"),
        ('{"epoch":2,"train_loss":2.87,"train_a', "line 2: not JSON"),
        ('{"epoch": 2, "val_acc": NaN}', "line 2: val_acc nan is not a share from 0 to 1"),
    ],
)
def test_a_broken_metrics_line_is_refused_by_resume_and_named_by_runs(
    tmp_path, glyph_dir, trained_run, capsys, line, said
):
    """A row with `"epoch": "one"` failed `--resume` with a TypeError traceback, and
    `runs` named no problem; a line that is not JSON was named by `runs`, but `--resume`
    dropped it and every row after it and said "completed"."""
    run = tmp_path / "tiny"
    shutil.copytree(trained_run.run_dir, run)
    rows = (run / "metrics.jsonl").read_text().splitlines()
    (run / "metrics.jsonl").write_text("\n".join([rows[0], line, *rows[2:]]) + "\n")
    before = {p.name: p.read_bytes() for p in run.iterdir()}
    settings = tiny_settings(glyph_dir, tmp_path, epochs=7)
    assert main(["train", "--resume", *settings, "name=tiny"]) == 2
    assert capsys.readouterr().err == (
        f"frankenstein: error: {run / 'metrics.jsonl'} {said}; mend that line to resume the "
        "run (each line is one epoch's row, as training wrote it)\n"
    )
    assert {p.name: p.read_bytes() for p in run.iterdir()} == before
    assert main(["runs", "--runs", str(tmp_path)]) == 0
    assert f"tiny: problem: metrics.jsonl {said}" in capsys.readouterr().out.splitlines()


def _data_here(tmp_path, glyph_dir, monkeypatch):
    """A folder holding data/mine (the glyphs), made the current one; its path."""
    here = tmp_path / "here"
    shutil.copytree(glyph_dir, here / "data" / "mine")
    (tmp_path / "elsewhere").mkdir()
    monkeypatch.chdir(here)
    return here


def test_a_run_names_its_data_folders_so_that_it_works_from_any_folder(
    tmp_path, glyph_dir, monkeypatch, capsys
):
    """config.json kept data.sources and eval_data as typed (`data/mine`): calibrate
    and --resume from another folder failed with 'data/mine: data directory not found'."""
    here = _data_here(tmp_path, glyph_dir, monkeypatch)
    settings = tiny_settings("data/mine", tmp_path / "runs", epochs=1)
    assert main(["train", *settings, 'eval_data="data/mine/"', "name=r"]) == 0
    config = json.loads((tmp_path / "runs" / "r" / "config.json").read_text())
    mine = str(here / "data" / "mine")
    assert config["data"]["sources"] == [mine] and config["eval_data"] == [mine]
    # from its folder, the same relative path is the same setting, not another course
    assert main(["train", "--resume", *settings, "name=r", "epochs=2"]) == 0
    monkeypatch.chdir(tmp_path / "elsewhere")
    capsys.readouterr()
    assert main(["calibrate", str(tmp_path / "runs" / "r")]) == 0
    run = f"out_dir={json.dumps(str(tmp_path / 'runs'))}"
    assert main(["train", "--resume", "name=r", run, "epochs=3"]) == 0
    rows = (tmp_path / "runs" / "r" / "metrics.jsonl").read_text().splitlines()
    assert [json.loads(r)["epoch"] for r in rows] == [1, 2, 3]


def test_an_old_run_with_relative_data_folders_resumes_from_its_folder_only(
    tmp_path, glyph_dir, monkeypatch, capsys
):
    """A run made before its data folders were kept absolute goes on from the folder it
    was trained in; from another, its error says where the path is from, and the path
    given from there is the same course."""
    here = _data_here(tmp_path, glyph_dir, monkeypatch)
    settings = tiny_settings("data/mine", tmp_path / "runs", epochs=1)
    assert main(["train", *settings, 'eval_data="data/mine"', "name=r"]) == 0
    path = tmp_path / "runs" / "r" / "config.json"

    def make_it_old() -> None:
        config = json.loads(path.read_text())
        config["data"]["sources"] = config["eval_data"] = ["data/mine"]
        path.write_text(json.dumps(config))

    make_it_old()
    run = f"out_dir={json.dumps(str(tmp_path / 'runs'))}"
    assert main(["train", "--resume", "name=r", run, "epochs=2"]) == 0  # from its folder
    make_it_old()
    monkeypatch.chdir(tmp_path / "elsewhere")
    capsys.readouterr()
    assert main(["train", "--resume", "name=r", run, "epochs=3"]) == 2
    assert capsys.readouterr().err == (
        f"frankenstein: error: {path}: data.sources 'data/mine' is relative to the folder "
        f"the run was trained in, and not found from here ({tmp_path / 'elsewhere'}): "
        "if the run was trained elsewhere, resume from there; else give data.sources=... "
        "as the folder's path from here\n"
    )
    mine = json.dumps([str(here / "data" / "mine")])
    given = [f"data.sources={mine}", f"eval_data={mine}"]
    assert main(["train", "--resume", "name=r", run, "epochs=3", *given]) == 0
    assert json.loads(path.read_text())["data"]["sources"] == [str(here / "data" / "mine")]


def _flawed_listing(glyph_dir, data):
    """The glyphs with no sun.ndjson, an empty line.ndjson and a dog.ndjson (named after
    no class) whose lines name 'dog' but the last, an eye."""
    shutil.copytree(glyph_dir, data)
    (data / "sun.ndjson").unlink()
    (data / "line.ndjson").write_text("")
    circles = (data / "circle.ndjson").read_text().splitlines()[:3]
    eye = (data / "eye.ndjson").read_text().splitlines()[0]
    dogs = [c.replace('"word":"circle"', '"word":"dog"') for c in circles]
    (data / "dog.ndjson").write_text("\n".join([*dogs, eye]) + "\n")
    return [
        f"{data}: no file named after 1 of 18 classes (no sun.ndjson)",
        f"{data}: line.ndjson is empty",
        f"{data}: dog.ndjson is named after no class: only its lines whose 'word' names one "
        "are read",
    ]


def test_a_data_folders_listing_is_said_before_its_data_is_read(tmp_path, glyph_dir, capsys):
    """A missing class file, an empty one and one named after no class were said only
    after the data was read (minutes at the paper's scale), as bad lines and classes
    without drawings: now first, once each, then what the reading found."""
    data = tmp_path / "data"
    said = _flawed_listing(glyph_dir, data)
    settings = tiny_settings(data, tmp_path, epochs=1)
    assert main(["train", *settings, "name=w", "--events"]) == 0
    events = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [e["message"] for e in events[:3]] == said
    assert all(e["event"] == "warning" for e in events[:3]) and events[3]["event"] == "progress"
    start = next(e for e in events if e["event"] == "start")
    assert not set(said) & set(start["data_warnings"])  # said once, not again
    assert main(["train", *settings, "name=w2"]) == 0
    err = capsys.readouterr().err.splitlines()
    assert err[:3] == [f"frankenstein: warning: {w}" for w in said]
    rest = "\n".join(err[3:])  # what the reading found, after the start line
    assert "3 bad lines skipped" in rest and "no training drawings of 2 of 18" in rest
    assert not any(w in rest for w in said)
    log = (tmp_path / "w2" / "train.log").read_text().splitlines()
    assert [line.split(" ", 2)[2] for line in log[:3]] == [f"warning: {w}" for w in said]


def test_a_listing_with_a_synthetic_source_misses_no_class(tmp_path, glyph_dir):
    from training.datainfo import data_files, listing_warnings

    data = tmp_path / "data"
    said = _flawed_listing(glyph_dir, data)
    listed = {str(data): data_files(data)}
    assert listing_warnings(listed) == said
    assert listing_warnings(listed, every_class=False) == said[1:]  # synthetic draws them all


def test_ctrl_c_while_preparing_data_is_said_in_one_line(tmp_path, glyph_dir, capsys, monkeypatch):
    """The bars said 'interrupted: no epoch finished; files in ...' on stdout as well as
    the line on stderr that says how to start the run."""

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr("training.loop.build_data", interrupted)
    assert main(["train", *tiny_settings(glyph_dir, tmp_path, epochs=1), "name=c"]) == 130
    out, err = capsys.readouterr()
    assert "interrupted" not in out
    assert err.splitlines() == [
        "frankenstein: interrupted before training began (no last.pt yet). Start it with: "
        f"frankenstein train --resume name=c out_dir={tmp_path}"
    ]
