"""A disk that fills up during a run (tests/full_disk.py: a real write failing in a child
process): one line, no temporary left, and the run resumes to the run never stopped."""

import json

from tests.full_disk import run_with_full_disk
from tests.training.conftest import tiny_settings
from training.config import load_config
from training.loop import train


def _env(tmp_path):
    return {"FRANKENSTEIN_CACHE": str(tmp_path / "cache")}


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
