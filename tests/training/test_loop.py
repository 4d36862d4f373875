import io
import json
import os
import re
import signal

import pytest
import torch

from core.checkpoint import load_checkpoint
from tests.training.conftest import tiny_settings
from training.callbacks import Callback
from training.config import load_config
from training.loop import StopRequest, train
from training.runfolder import RunError, RunFolder
from ui.cli import main

TIMING = {"seconds", "samples_per_s"}


def _rows(run_dir):
    rows = [json.loads(x) for x in (run_dir / "metrics.jsonl").read_text().splitlines()]
    return [{k: v for k, v in r.items() if k not in TIMING} for r in rows]


def _weights(path):
    return load_checkpoint(path).model.state_dict()


def test_a_run_writes_its_folder(trained_run):
    d = trained_run.run_dir
    assert {p.name for p in d.iterdir()} >= {
        "config.json",
        "metrics.jsonl",
        "best.pt",
        "last.pt",
        "eval.json",
        "train.log",
    }
    assert not list(d.glob("epoch-*.pt"))  # only with keep_epochs
    rows = _rows(d)
    assert [r["epoch"] for r in rows] == [1, 2, 3, 4, 5, 6]
    assert rows[-1]["train_acc"] > 0.5  # it learns
    best = load_checkpoint(d / "best.pt")
    assert best.temperature == pytest.approx(trained_run.temperature) and best.temperature != 1.0
    assert best.metrics["epoch"] == trained_run.best_epoch
    assert best.metrics["val_acc"] == max(r["val_acc"] for r in rows)
    report = json.loads((d / "eval.json").read_text())
    assert list(report["test"])[:3] == ["n", "top1", "top3"] and report["test"]["n"] > 0
    assert json.loads((d / "config.json").read_text())["name"] == "tiny"
    assert "epoch 6" in (d / "train.log").read_text()


def test_dry_run_through_the_command_line(tmp_path, glyph_dir):
    code = main(["train", "--dry-run", *tiny_settings(glyph_dir, tmp_path, epochs=5), "name=t"])
    assert code == 0
    d = tmp_path / "t-dry-run"
    assert len(_rows(d)) == 1  # one epoch of one batch
    assert load_checkpoint(d / "last.pt").extra["position"]["epoch"] == 1
    assert json.loads((d / "eval.json").read_text())["test"]["n"] > 0
    assert main(["train", "--dry-run", *tiny_settings(glyph_dir, tmp_path), "name=t"]) == 0


class StopAt(Callback):
    """Ask the run to stop at a given (epoch, batch) (batch 0 = at the end of the epoch)."""

    def __init__(self, stop: StopRequest, epoch: int, batch: int = 0):
        self.stop, self.epoch, self.batch = stop, epoch, batch

    def on_batch(self, info):
        if self.batch and (info["epoch"], info["batch"]) == (self.epoch, self.batch):
            self.stop.set()

    def on_epoch(self, row):
        if not self.batch and row["epoch"] == self.epoch:
            self.stop.set()


@pytest.mark.parametrize(("epoch", "batch"), [(1, 0), (2, 5)], ids=["epoch-end", "mid-epoch"])
def test_resume_gives_the_same_run_as_no_interruption(tmp_path, glyph_dir, epoch, batch):
    settings = tiny_settings(glyph_dir, tmp_path, log_every=1, **{"augment.enabled": True})
    whole = train(load_config(None, [*settings, "name=whole"]))
    stop = StopRequest()
    cfg = load_config(None, [*settings, "name=broken"])
    first = train(cfg, [StopAt(stop, epoch, batch)], stop=stop)
    assert first.status == "interrupted"
    saved = load_checkpoint(tmp_path / "broken" / "last.pt").extra["position"]
    assert (saved["epoch"], saved["batch"]) == ((epoch, 0) if not batch else (epoch - 1, batch))
    second = train(cfg, resume=True)
    _assert_same_run(tmp_path / "whole", whole, tmp_path / "broken", second)


def _assert_same_run(whole_dir, whole, broken_dir, resumed) -> None:
    """The stopped-and-resumed run ended as the one never stopped: rows, weights and
    the fitted temperature."""
    assert resumed.status == "completed"
    assert _rows(whole_dir) == _rows(broken_dir)
    for name in ("last.pt", "best.pt"):
        a, b = _weights(whole_dir / name), _weights(broken_dir / name)
        assert all(torch.equal(a[k], b[k]) for k in a)
    assert resumed.temperature == pytest.approx(whole.temperature)


class StopWhile(Callback):
    """Ask the run to stop at the first progress report of a given kind of work."""

    def __init__(self, stop: StopRequest, what: str):
        self.stop, self.what, self.seen, self.batches = stop, what, [], 0

    def on_start(self, info):
        self.batches = info["batches"]

    def on_progress(self, done, total, what):
        self.seen.append((done, total, what))
        if what == self.what:
            self.stop.set()


def test_a_stop_while_validating_keeps_the_epochs_batches_and_a_resume_validates_again(
    tmp_path, glyph_dir
):
    """A real validation set takes minutes: its batches are counted, and a Ctrl-C stops
    it at once, not at its end; last.pt then holds the epoch's batches, and the resume
    validates the epoch again, giving the run that was never stopped."""
    settings = tiny_settings(
        glyph_dir, tmp_path, epochs=2, log_every=1, **{"augment.enabled": True}
    )
    whole = train(load_config(None, [*settings, "name=whole"]))
    stop = StopRequest()
    cfg = load_config(None, [*settings, "name=broken"])
    watch = StopWhile(stop, "validating epoch 2")
    first = train(cfg, [watch], stop=stop)
    assert first.status == "interrupted" and first.epochs_run == 1
    validating = [s for s in watch.seen if s[2].startswith("validating")]
    assert validating == [(1, 1, "validating epoch 1"), (1, 1, "validating epoch 2")]
    saved = load_checkpoint(tmp_path / "broken" / "last.pt").extra["position"]
    assert (saved["epoch"], saved["batch"]) == (1, watch.batches)  # all of epoch 2's batches
    assert [r["epoch"] for r in _rows(tmp_path / "broken")] == [1]
    second = train(cfg, resume=True)
    _assert_same_run(tmp_path / "whole", whole, tmp_path / "broken", second)


def test_calibration_shows_its_progress(tmp_path, glyph_dir):
    """After the last epoch, the validation set is replayed for the temperature and the
    temperature fitted (each takes seconds to minutes on a real validation set)."""
    watch = StopWhile(StopRequest(), "")
    cfg = load_config(None, [*tiny_settings(glyph_dir, tmp_path, epochs=1), "name=c"])
    assert train(cfg, [watch]).status == "completed"
    whats = [w for _, _, w in watch.seen]
    replay = "calibrating best.pt: the validation set's log-probabilities"
    fit = "calibrating best.pt: fitting the temperature"
    assert whats.index(replay) < whats.index(fit) < whats.index("fitting familiarity")
    assert [s for s in watch.seen if s[2] == fit][-1] == (60, 60, fit)
    assert [s for s in watch.seen if s[2] == replay][-1][0] >= 1


class TermWhileCalibrating(Callback):
    """Send this process SIGTERM (as a scheduler would) once calibration starts."""

    def on_progress(self, done, total, what):
        if what.startswith("calibrating") and not getattr(self, "sent", False):
            self.sent = True
            os.kill(os.getpid(), signal.SIGTERM)


def test_sigterm_while_calibrating_ends_an_interrupted_run_that_resume_finishes(
    tmp_path, glyph_dir
):
    cfg = load_config(None, [*tiny_settings(glyph_dir, tmp_path, epochs=1), "name=t"])

    def escaped(*_args):  # without train's own handler the signal would end up here
        raise AssertionError("SIGTERM was not handled by the run")

    before = signal.signal(signal.SIGTERM, escaped)
    try:
        assert train(cfg, [TermWhileCalibrating()]).status == "interrupted"
        assert signal.getsignal(signal.SIGTERM) is escaped  # put back
    finally:
        signal.signal(signal.SIGTERM, before)
    assert not (tmp_path / "t" / "eval.json").exists()
    done = train(cfg, resume=True)
    assert done.status == "completed" and (tmp_path / "t" / "eval.json").is_file()


def test_keep_epochs_keeps_each_epoch_calibrated_through_a_resume(tmp_path, glyph_dir):
    cfg = load_config(None, [*tiny_settings(glyph_dir, tmp_path, keep_epochs=True), "name=k"])
    stop = StopRequest()
    assert train(cfg, [StopAt(stop, 1)], stop=stop).status == "interrupted"
    d = tmp_path / "k"
    assert [p.name for p in d.glob("epoch-*.pt")] == ["epoch-1.pt"]
    done = train(cfg, resume=True)
    assert done.status == "completed"
    kept = RunFolder(d).epoch_checkpoints()
    assert [p.name for p in kept] == ["epoch-1.pt", "epoch-2.pt", "epoch-3.pt"]
    rows = _rows(d)
    for n, path in enumerate(kept, start=1):
        ckpt = load_checkpoint(path)
        assert ckpt.meta["epoch"] == n and ckpt.metrics["val_acc"] == rows[n - 1]["val_acc"]
        assert ckpt.temperature != 1.0 and ckpt.ending is not None  # calibrated at the end
    last, third = _weights(d / "last.pt"), _weights(d / "epoch-3.pt")
    assert all(torch.equal(last[k], third[k]) for k in last)
    best, same = _weights(d / "best.pt"), _weights(d / f"epoch-{done.best_epoch}.pt")
    assert all(torch.equal(best[k], same[k]) for k in best)


def test_a_finished_run_is_kept_extended_on_resume_and_resume_needs_a_run(tmp_path, glyph_dir):
    cfg = load_config(None, [*tiny_settings(glyph_dir, tmp_path, epochs=1), "name=r"])
    train(cfg)
    # finished: --resume alone would only calibrate and evaluate it again, so not offered
    with pytest.raises(
        RunError,
        match=r"a finished run of this name exists \(1 epoch\); .*"
        r"or train it on with --resume epochs=N$",
    ):
        train(cfg)
    longer = load_config(None, [*tiny_settings(glyph_dir, tmp_path, epochs=2), "name=r"])
    extended = train(longer, resume=True)  # a finished run resumed with more epochs
    assert extended.status == "completed" and extended.epochs_run == 2
    assert [r["epoch"] for r in _rows(tmp_path / "r")] == [1, 2]
    other = load_config(None, [*tiny_settings(glyph_dir, tmp_path), "name=none"])
    with pytest.raises(RunError, match="nothing to resume"):
        train(other, resume=True)
    (tmp_path / "r" / "last.pt").unlink()  # best.pt stays: a resume must not start over it
    with pytest.raises(RunError, match="nothing to resume"):
        train(longer, resume=True)
    assert [r["epoch"] for r in _rows(tmp_path / "r")] == [1, 2]


def test_a_resume_with_more_epochs_stretches_the_schedule_and_says_so(
    tmp_path, glyph_dir, monkeypatch, capsys
):
    """`--resume epochs=4` of a finished 2-epoch run trains epochs 3 and 4 on the
    schedule of a 4-epoch run (not from the 2-epoch one's floor), from their first
    batch, and says in one line that the learning rate jumps back up."""
    settings = [*tiny_settings(glyph_dir, tmp_path, epochs=2), "optim.min_warmup=0"]
    whole = load_config(None, [*settings, "epochs=4", "name=whole"])
    train(whole)
    train(load_config(None, [*settings, "name=r"]))
    stopped = _rows(tmp_path / "r")[-1]["lr"]
    first = _resumed_rates(monkeypatch)
    capsys.readouterr()
    out = f"out_dir={json.dumps(str(tmp_path))}"
    assert main(["train", "--resume", "name=r", out, "epochs=4"]) == 0
    unbroken = [r["lr"] for r in _rows(tmp_path / "whole")]
    resumed = [r["lr"] for r in _rows(tmp_path / "r")]
    assert resumed[2:] == pytest.approx(unbroken[2:], rel=1e-9)
    assert first[0] == pytest.approx(unbroken[1], rel=1e-9)
    assert unbroken[1] > 10 * stopped  # the jump the line warns of
    note = (
        f"frankenstein: warning: epochs 2 -> 4: the learning-rate schedule now spans 4 "
        f"epochs; it resumes at {unbroken[1]:.2e} (the run stopped at {stopped:.2e})"
    )
    assert note in capsys.readouterr().err.splitlines()
    assert note.removeprefix("frankenstein: ") in (tmp_path / "r" / "train.log").read_text()


def _resumed_rates(monkeypatch) -> list[float]:
    """The learning rate each resume's first batch trains at, in a list filled as runs
    resume (a spy on the run's restore)."""
    from training.loop import _Run

    first = []
    restore = _Run._restore

    def spy(self, model, optimizer, scheduler):
        got = restore(self, model, optimizer, scheduler)
        first.append(optimizer.param_groups[0]["lr"])
        return got

    monkeypatch.setattr(_Run, "_restore", spy)
    return first


class StartWarnings(Callback):
    def __init__(self):
        self.warnings = []

    def on_start(self, info):
        self.warnings = info["data_warnings"]


def test_a_resume_stretches_the_schedule_even_with_config_json_rewritten(
    tmp_path, glyph_dir, monkeypatch
):
    """The old epochs are last.pt's, not config.json's: under torchrun rank 0 rewrites
    config.json for the resume while the other processes read it, and one that read the
    new epochs trained on at the old schedule's rate (weights parted from rank 0's)."""
    settings = [*tiny_settings(glyph_dir, tmp_path, epochs=2), "optim.min_warmup=0"]
    train(load_config(None, [*settings, "name=r"]))
    stopped = _rows(tmp_path / "r")[-1]["lr"]
    longer = load_config(None, [*settings, "name=r", "epochs=4"])
    RunFolder(tmp_path / "r").write_config(longer)  # as rank 0 does, read after it
    first = _resumed_rates(monkeypatch)
    said = StartWarnings()
    assert train(longer, [said], resume=True).status == "completed"
    assert first[0] > 10 * stopped
    assert any(w.startswith("epochs 2 -> 4: the learning-rate schedule") for w in said.warnings)


class CrashAfterEpoch(Callback):
    """The process dies once an epoch's checkpoints are written (a time limit, a kill)."""

    def on_epoch(self, row):
        raise RuntimeError("killed")


def test_the_final_eval_says_what_reading_an_eval_data_directory_skipped(tmp_path, glyph_dir):
    from rich.console import Console

    from ui.progress import RichProgress

    real = tmp_path / "real"
    real.mkdir()
    circles = (glyph_dir / "circle.ndjson").read_text().splitlines()
    square = (glyph_dir / "square.ndjson").read_text().splitlines()[0]
    (real / "circle.ndjson").write_text("\n".join([*circles[:3], "{not json", square]) + "\n")
    settings = tiny_settings(glyph_dir, tmp_path, epochs=1)
    cfg = load_config(None, [*settings, f"eval_data={json.dumps([str(real)])}", "name=w"])
    console = Console(file=io.StringIO(), width=300)
    assert train(cfg, [RichProgress(console)]).status == "completed"
    reports = json.loads((tmp_path / "w" / "eval.json").read_text())
    assert "read_warnings" not in reports["test"]
    said = reports["eval_data"][str(real)]["read_warnings"]
    assert len(said) == 2 and "1 bad line" in said[0] and "circle.ndjson: 1" in said[1]
    assert reports["eval_data"][str(real)]["n"] == 4  # the square line counts as a circle
    out, log = console.file.getvalue(), (tmp_path / "w" / "train.log").read_text()
    assert all(w.splitlines()[0] in out and w.splitlines()[0] in log for w in said)


class CrashAtBatch(Callback):
    """The process dies in its first epoch, before any last.pt (kill -9, a crash)."""

    def on_batch(self, info):
        raise RuntimeError("killed")


def test_a_resume_of_a_run_killed_in_its_first_epoch_says_it_trained(tmp_path, glyph_dir):
    """It trained some batches and saved nothing: not "stopped before training began"."""
    cfg = load_config(None, [*tiny_settings(glyph_dir, tmp_path, epochs=1, log_every=1), "name=k"])
    with pytest.raises(RuntimeError, match="killed"):
        train(cfg, [CrashAtBatch()])
    assert not (tmp_path / "k" / "last.pt").exists()
    said = StartWarnings()
    assert train(cfg, [said], resume=True).status == "completed"
    assert said.warnings == [
        f"{tmp_path / 'k'}: no last.pt, as the run ended in its first epoch without saving "
        "one (killed, or it failed): starting from epoch 1"
    ]


def test_a_run_killed_before_its_calibration_gets_it_on_resume(tmp_path, glyph_dir):
    cfg = load_config(None, [*tiny_settings(glyph_dir, tmp_path, epochs=1), "name=c"])
    with pytest.raises(RuntimeError, match="killed"):
        train(cfg, [CrashAfterEpoch()])
    d = tmp_path / "c"
    left = load_checkpoint(d / "best.pt")
    assert left.temperature == 1.0 and left.ending is None and not (d / "eval.json").exists()
    from rich.console import Console

    from ui.progress import RichProgress

    console = Console(file=io.StringIO(), width=300)
    done = train(cfg, [RichProgress(console)], resume=True)  # calibrates and evaluates
    assert done.status == "completed" and [r["epoch"] for r in _rows(d)] == [1]
    said = "every epoch done: calibrating and evaluating again"
    assert re.search(rf"1 epoch of \d+ batch(es)?, {said}", console.file.getvalue())
    starts = [line for line in (d / "train.log").read_text().splitlines() if " start c:" in line]
    assert said not in starts[0] and said in starts[-1]  # the first start, then the resume
    best = load_checkpoint(d / "best.pt")
    assert best.temperature == pytest.approx(done.temperature) and best.temperature != 1.0
    assert best.ending is not None
    assert json.loads((d / "eval.json").read_text())["test"]["n"] > 0
    after, before = _weights(d / "best.pt"), left.model.state_dict()
    assert all(torch.equal(after[k], before[k]) for k in before)


def test_early_stopping_ends_the_run(tmp_path, glyph_dir):
    cfg = load_config(
        None,
        [*tiny_settings(glyph_dir, tmp_path, epochs=30, patience=1), "optim.lr=1e-7", "name=e"],
    )
    result = train(cfg)
    assert result.status == "early_stop"
    assert result.epochs_run < 30


def test_dry_run_with_the_defaults_on_synthetic_data(tmp_path):
    assert main(["train", "--dry-run", f"out_dir={tmp_path}", "threads=1"]) == 0
    d = tmp_path / "frankenstein-dry-run"
    ckpt = load_checkpoint(d / "best.pt")
    assert ckpt.cfg.arch == "frankenstein" and ckpt.cfg.m == 64 and ckpt.cfg.pad_len == 8
    assert json.loads((d / "eval.json").read_text())["test"]["n"] == 36  # 2 a class


def test_dataloader_workers_give_the_same_run(tmp_path, glyph_dir):
    """Batches are keyed by (seed, epoch, batch), not by who makes them."""
    settings = tiny_settings(glyph_dir, tmp_path, epochs=1, **{"augment.enabled": True})
    train(load_config(None, [*settings, "name=w0"]))
    train(load_config(None, [*settings, "name=w1", "data.num_workers=1"]))
    assert _rows(tmp_path / "w0") == _rows(tmp_path / "w1")


class Batches(Callback):
    def __init__(self):
        self.seen = []

    def on_batch(self, info):
        self.seen.append(info)


def test_the_eta_counts_the_validations_left_once_one_is_timed(tmp_path, glyph_dir):
    """The last batch of a run has no batch left but its epoch's validation still to
    come: once epoch 1 has timed one, the ETA there is that time, not 0."""
    batches = Batches()
    cfg = load_config(None, [*tiny_settings(glyph_dir, tmp_path, epochs=2, log_every=1), "name=e"])
    assert train(cfg, [batches]).status == "completed"
    (last,) = [e for e in batches.seen if (e["epoch"], e["batch"]) == (2, e["batches"])]
    assert last["eta_s"] > 0


def test_the_start_line_says_a_torchrun_run_s_batches_are_each_process_s():
    """Each of torchrun's processes trains its share: 4 batches a process, not 4 in all."""
    from training.callbacks import epochs_of

    assert epochs_of({"epochs": 1, "batches": 4, "world": 1}) == "1 epoch of 4 batches"
    assert epochs_of({"epochs": 2, "batches": 4, "world": 2}) == "2 epochs of 4 batches a process"
