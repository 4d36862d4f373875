"""`data synth` removes the `.synthetic.partial` folder an older TUI drew into and left
behind (ui/commands/data/leftover.py), when it is plainly a dead generation's, and
nothing else."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from ui.cli import main

fcntl = pytest.importorskip("fcntl")

HOUR_AGO = time.time() - 3600


def leftover(data: Path, mtime: float = HOUR_AGO) -> Path:
    """What an older TUI left: whole class files and one being written, untouched since
    `mtime`."""
    folder = data / ".synthetic.partial"
    folder.mkdir(parents=True)
    (folder / "circle.ndjson").write_text('{"word": "circle", "drawing": []}\n')
    (folder / ".sun.ndjson.k2j_x9q1.tmp").write_text('{"word": "sun"')
    touch(folder, mtime)
    return folder


def touch(folder: Path, mtime: float) -> None:
    for p in [*folder.iterdir(), folder]:
        os.utime(p, (mtime, mtime), follow_symlinks=False)


def test_data_synth_removes_an_older_tuis_dead_generation_beside_its_out(tmp_path, capsys):
    """The TUI's Generate runs `data synth --out <data>/synthetic`: the folder beside it
    goes, with one line on stderr, and the new set is written as ever."""
    data = Path(os.path.realpath(tmp_path)) / "data"
    folder = leftover(data)
    out = data / "synthetic"
    args = ["data", "synth", "--per-class", "2", "--classes", "sun", "--out", str(out)]
    assert main([*args, "--replace"]) == 0
    assert capsys.readouterr().err == (
        f"frankenstein: removed {folder}, an unfinished generation left by an older version "
        "of the TUI\n"
    )
    assert sorted(p.name for p in data.iterdir()) == ["synthetic"]
    assert sorted(p.name for p in out.iterdir()) == ["sun.ndjson"]
    assert main(args) == 0
    assert capsys.readouterr().err == ""  # said once


def test_a_folder_that_may_not_be_a_dead_generation_is_left_alone(tmp_path, capsys):
    """Left as they are, without a word: one changed in the last ten minutes, one that
    holds anything a generation does not write (another file, a folder), a link, and
    one a live `data synth` is drawing into (it holds its staging folder's lock)."""
    from ui.commands.data.leftover import QUIET_S, remove_leftover

    now = time.time()
    recent = leftover(tmp_path / "recent", mtime=now - QUIET_S + 60)
    assert remove_leftover(tmp_path / "recent", now=now) is None
    assert remove_leftover(tmp_path / "recent", now=now + 60) == recent  # quiet long enough
    capsys.readouterr()

    other_file = leftover(tmp_path / "other-file")
    (other_file / "notes.txt").write_text("mine")
    touch(other_file, HOUR_AGO)
    sub = leftover(tmp_path / "subfolder")
    (sub / "house.ndjson").mkdir()
    touch(sub, HOUR_AGO)
    target = leftover(tmp_path / "target")
    (tmp_path / "link").mkdir()
    (tmp_path / "link" / ".synthetic.partial").symlink_to(target)
    drawn_into = leftover(tmp_path / "drawn-into")
    lock = tmp_path / "drawn-into" / "..synthetic.partial.0123abcd.partial.lock"
    fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)  # as a live writer holds it
        for parent in ("other-file", "subfolder", "link", "drawn-into"):
            assert remove_leftover(tmp_path / parent) is None, parent
    finally:
        os.close(fd)
    assert remove_leftover(tmp_path / "drawn-into") == drawn_into  # its writer is gone
    assert capsys.readouterr().err.count("\n") == 1
    for folder in (other_file, sub, target, tmp_path / "link" / ".synthetic.partial"):
        assert folder.is_dir(), folder
    assert (other_file / "circle.ndjson").is_file() and (target / "circle.ndjson").is_file()
