"""One process trains a run at a time: a second `train` of a run another process is
training is refused in one line, and the temporary files a killed save left in the
run's folder are removed by the next run that takes the lock."""

import subprocess
import sys
from pathlib import Path

from tests.training.conftest import tiny_settings
from ui.cli import main

ROOT = Path(__file__).resolve().parents[2]
HOLD = """
import sys
from training.runlock import training_lock
with training_lock(sys.argv[1]):
    print("held", flush=True)
    sys.stdin.read()  # until the test closes our stdin
"""


def _holder(run_dir: Path) -> subprocess.Popen:
    """A real process holding `run_dir`'s lock until its stdin is closed."""
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(run_dir)],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout.readline() == "held\n"
    return proc


def test_a_run_another_process_is_training_is_refused_then_runs_once_it_ends(
    tmp_path, glyph_dir, capsys
):
    settings = [*tiny_settings(glyph_dir, tmp_path, epochs=1), "name=r"]
    holder = _holder(tmp_path / "r")
    try:
        assert main(["train", *settings]) == 2
        err = capsys.readouterr().err
        assert err == (
            f"frankenstein: error: {tmp_path / 'r'}: another process (pid {holder.pid}) is "
            "training this run; wait for it to end or stop it, or choose another name=...\n"
        )
        assert not (tmp_path / "r").exists()  # nothing was touched
    finally:
        holder.stdin.close()
        holder.wait(timeout=30)
    assert main(["train", *settings]) == 0  # the lock went with its process
    assert (tmp_path / "r" / "best.pt").is_file()
    # and its file with the run: one hidden .NAME.lock stayed for every name ever used
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


def test_the_lock_file_goes_when_the_run_is_refused_too(tmp_path, glyph_dir, capsys):
    """A run refused after taking the lock (its folder holds a finished run) leaves no
    .NAME.lock either; a second process refused by the lock leaves the holder's."""
    settings = [*tiny_settings(glyph_dir, tmp_path, epochs=1), "name=r"]
    assert main(["train", *settings]) == 0
    assert main(["train", *settings]) == 2
    assert "a finished run of this name exists" in capsys.readouterr().err
    assert not (tmp_path / ".r.lock").exists()
    holder = _holder(tmp_path / "r")
    try:
        assert main(["train", *settings]) == 2
        assert (tmp_path / ".r.lock").read_text() == f"{holder.pid}\n"
    finally:
        holder.stdin.close()
        holder.wait(timeout=30)
    assert not (tmp_path / ".r.lock").exists()


def test_a_killed_saves_temporary_files_are_removed_and_others_kept(tmp_path, glyph_dir):
    settings = [*tiny_settings(glyph_dir, tmp_path, epochs=1), "name=r"]
    assert main(["train", *settings]) == 0
    run = tmp_path / "r"
    left = [run / ".last.pt.k3x_9q1z.tmp", run / ".epoch-3.pt.abcd1234.tmp"]
    kept = [run / ".notes.txt.abcd1234.tmp", run / "last.pt.tmp", run / "mine.txt"]
    for f in (*left, *kept):
        f.write_bytes(b"x" * 100)
    assert main(["train", *settings, "epochs=2", "--resume"]) == 0
    assert not any(f.exists() for f in left)
    assert all(f.exists() for f in kept)
