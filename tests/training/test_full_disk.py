"""A disk that fills up during a run (tests/full_disk.py: a real write failing in a child
process): one line, no temporary left, and the run resumes to the run never stopped."""

import errno
import json
import os
import re

import pytest

from core.atomic import WriteError
from core.checkpoint import load_checkpoint
from tests.full_disk import run_with_full_disk, temporaries
from tests.pasted import ODD_DIR, ODD_NAME, resumed_config
from tests.training.conftest import tiny_settings
from tests.training.test_loop import StopAt, _assert_same_run, _rows
from training.config import load_config
from training.loop import StopRequest, train
from training.runfolder import RunError, RunFolder

# A tiny run's best.pt is ~52 kB and its last.pt (optimiser state too) ~160 kB: with
# files limited to 100 kB, config.json, metrics.jsonl, train.log and best.pt are
# written, and last.pt is not.
ROOM = 100_000


def _env(tmp_path):
    return {"FRANKENSTEIN_CACHE": str(tmp_path / "cache")}


def _one_line_error(done) -> str:
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr, done.stderr
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith("frankenstein: error: "), done.stderr
    return last


@pytest.mark.slow
def test_a_full_disk_mid_run_stops_with_one_line_and_the_run_resumes(tmp_path, glyph_dir):
    """Disk full at epoch 2's checkpoints: last.pt of epoch 1 is kept whole, and
    --resume after making room ends as the run never stopped."""
    settings = tiny_settings(glyph_dir, tmp_path, log_every=1)
    whole = train(load_config(None, [*settings, "name=whole"]))
    stop = StopRequest()
    cfg = load_config(None, [*settings, "name=full"])
    assert train(cfg, [StopAt(stop, 1)], stop=stop).status == "interrupted"
    d = tmp_path / "full"
    before = (d / "last.pt").read_bytes()
    done = run_with_full_disk(
        ["train", *settings, "name=full", "--resume"], ROOM, env=_env(tmp_path), cwd=tmp_path
    )
    said = _one_line_error(done)
    assert re.fullmatch(
        rf"frankenstein: error: cannot write {d}/last\.pt \(File too large\); the run stopped "
        rf"and last\.pt, from before, is kept: make room, then continue it with "
        rf"--resume name=full out_dir={tmp_path}",
        said,
    ), said
    assert (d / "last.pt").read_bytes() == before
    assert load_checkpoint(d / "last.pt").extra["position"]["epoch"] == 1
    assert temporaries(tmp_path) == []
    resumed = train(cfg, resume=True)  # room made
    _assert_same_run(tmp_path / "whole", whole, d, resumed)


@pytest.mark.slow
def test_a_full_disk_before_the_first_last_pt_leaves_a_run_that_resume_starts(tmp_path, glyph_dir):
    """best.pt of epoch 1 written, its last.pt not: a resume starts the run at epoch 1
    (it used to say "nothing to resume", and a new run "a run of this name exists")."""
    settings = tiny_settings(glyph_dir, tmp_path, epochs=2)
    whole = train(load_config(None, [*settings, "name=whole"]))
    d = tmp_path / "new"
    done = run_with_full_disk(["train", *settings, "name=new"], ROOM, env=_env(tmp_path))
    said = _one_line_error(done)
    assert said.endswith(
        "no last.pt was saved yet (a resume starts it at epoch 1): make room, then "
        f"continue it with --resume name=new out_dir={tmp_path}"
    ), said
    assert (d / "best.pt").is_file() and not (d / "last.pt").exists()
    assert temporaries(tmp_path) == []
    resumed = train(load_config(None, [*settings, "name=new"]), resume=True)
    _assert_same_run(tmp_path / "whole", whole, d, resumed)


@pytest.mark.slow
def test_a_full_disk_says_a_resume_that_pastes_for_any_name_and_folder(tmp_path, glyph_dir):
    """ "continue it with --resume name=stöp me out_dir=/.../my runs/ünïcode" split at
    its spaces when pasted: the words are shell-quoted, and read back as the run."""
    out = tmp_path.joinpath(*ODD_DIR)
    settings = tiny_settings(glyph_dir, out, epochs=1)
    done = run_with_full_disk(["train", *settings, f"name={ODD_NAME}"], ROOM, env=_env(tmp_path))
    said = _one_line_error(done)
    assert said.endswith(f"continue it with --resume 'name=stöp me' 'out_dir={out}'"), said
    cfg = resumed_config(said.split("continue it with ", 1)[1], prefix=())
    assert (cfg.name, cfg.run_dir) == (ODD_NAME, out / ODD_NAME)


def test_a_run_past_its_first_epoch_without_last_pt_is_not_started_over(tmp_path, glyph_dir):
    """Without last.pt, a resume starts over only what a first epoch made: a best.pt of
    a later epoch (last.pt deleted by hand) is not overwritten."""
    cfg = load_config(None, [*tiny_settings(glyph_dir, tmp_path, epochs=2), "name=r"])
    train(cfg)
    (tmp_path / "r" / "last.pt").unlink()
    (tmp_path / "r" / "metrics.jsonl").unlink()
    best = load_checkpoint(tmp_path / "r" / "best.pt")
    if best.meta["epoch"] == 1:
        pytest.skip("this tiny run's best epoch was its first")
    with pytest.raises(RunError, match="nothing to resume"):
        train(cfg, resume=True)


def test_metrics_that_cannot_be_written_leave_last_pt_before_that_epoch(
    tmp_path, glyph_dir, monkeypatch
):
    """metrics.jsonl is written before last.pt, so an epoch is either in both or redone
    by a resume: its row is never lost. (A size limit cannot fail the small
    metrics.jsonl and not the big last.pt, so this write fails on purpose.)"""
    settings = tiny_settings(glyph_dir, tmp_path, log_every=1)
    whole = train(load_config(None, [*settings, "name=whole"]))
    cfg = load_config(None, [*settings, "name=m"])
    real = RunFolder.write_metrics

    def full_at_epoch_2(self, rows):
        if len(rows) == 2:
            raise WriteError(self.metrics, OSError(errno.ENOSPC, os.strerror(errno.ENOSPC)))
        real(self, rows)

    monkeypatch.setattr(RunFolder, "write_metrics", full_at_epoch_2)
    with pytest.raises(RunError, match=r"metrics.jsonl \(No space left on device\); the run"):
        train(cfg)
    monkeypatch.undo()
    assert load_checkpoint(tmp_path / "m" / "last.pt").extra["position"]["epoch"] == 1
    assert [r["epoch"] for r in _rows(tmp_path / "m")] == [1]
    resumed = train(cfg, resume=True)
    _assert_same_run(tmp_path / "whole", whole, tmp_path / "m", resumed)


def test_a_train_log_that_cannot_be_written_is_one_line(tmp_path, glyph_dir):
    """train.log is appended to: when the disk is full there, too, one line, not a
    traceback (the log is already at the size limit, as on a full disk)."""
    settings = tiny_settings(glyph_dir, tmp_path, epochs=1)
    train(load_config(None, [*settings, "name=warm"]))  # the cache, outside the limit
    d = tmp_path / "log"
    d.mkdir()
    (d / "train.log").write_text("x" * 4000 + "\n")
    done = run_with_full_disk(
        ["train", *settings, "name=log", "--events"], 4001, env=_env(tmp_path)
    )
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    events = [json.loads(x) for x in done.stdout.splitlines() if x.strip()]
    assert events[-1]["event"] == "error"
    assert events[-1]["message"] == f"cannot write {d}/train.log (File too large)"


def test_a_full_disk_while_preparing_the_data_names_the_cache_and_the_run_starts_later(
    tmp_path, glyph_dir
):
    """The prepared frames of a real data set take gigabytes: a disk that fills up while
    they are written says where the cache is and how to move it, leaves no half cache
    (nor its hidden temporary folder), and a resume with room starts the run."""
    settings = tiny_settings(glyph_dir, tmp_path, epochs=1)
    cache = tmp_path / "cache"
    done = run_with_full_disk(["train", *settings, "name=c"], 20_000, env=_env(tmp_path))
    assert _one_line_error(done) == (
        f"frankenstein: error: cannot write the prepared data into {cache}/prepared (File too "
        "large): make room there, or set FRANKENSTEIN_CACHE to a folder with room"
    )
    assert temporaries(tmp_path) == [] and list((cache / "prepared").iterdir()) == []
    resumed = train(load_config(None, [*settings, "name=c"]), resume=True)
    assert resumed.status == "completed"
