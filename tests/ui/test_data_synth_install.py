"""`data synth` moving its finished files into --out: a run killed in the middle of it
(real processes that send themselves a real signal there, tests/ui/synth_cut_short.py)
leaves whole files only and an install that the next run finishes; Ctrl-C and SIGTERM
wait until the files are in; installs into one folder take turns."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from ui.cli import main

ROOT = Path(__file__).resolve().parents[2]
pytest.importorskip("fcntl")  # the clean-up that finishes an install needs flock


def cut_short(step: str, n: int, sig: str, argv: list[str]) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-m", "tests.ui.synth_cut_short", step, str(n), sig, "--", *argv]
    env = {**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "500"}  # rich: no wrapping
    return subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120, cwd=ROOT)


def contents(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def drawn(tmp_path: Path, classes: str, seed: int) -> dict[str, bytes]:
    """The files an uninterrupted run draws (the same seed gives the same files)."""
    ref = tmp_path / f"ref-{classes}-{seed}"
    args = ["data", "synth", "--per-class", "3", "--classes", classes, "--seed", str(seed)]
    assert main([*args, "--out", str(ref)]) == 0
    return contents(ref)


def earlier_set(out: Path) -> dict[str, bytes]:
    out.mkdir()
    (out / "sun.ndjson").write_text('{"word": "sun", "drawing": []}\n')
    (out / "blob.ndjson").write_text('{"word": "blob", "drawing": []}\n')
    (out / "house.json").write_text("[[[[0, 10], [0, 10]]]]")  # seed format: data
    (out / "notes.txt").write_text("mine")  # not data: --replace keeps it
    return contents(out)


@pytest.mark.parametrize(
    ("step", "n", "replace"),
    [
        ("replace", 1, True),  # one new file in, the other still staged
        ("unlink", 1, True),  # all in, one of the earlier set's other files removed
        ("replace", 1, False),
    ],
)
def test_a_run_killed_while_moving_its_files_in_is_finished_by_the_next(
    tmp_path, capsys, step, n, replace
):
    """SIGKILL between two steps of the install leaves --out with whole files only (old
    or new, never a cut one) and the staging folder with the plan; the next run for the
    same --out moves the rest in (and removes the rest), says so in one line, then adds
    its own, and leaves nothing hidden beside --out."""
    tmp_path = Path(os.path.realpath(tmp_path))
    out = tmp_path / "synth"
    before = earlier_set(out)
    new = drawn(tmp_path, "sun,house", 1)
    capsys.readouterr()
    argv = ["--per-class", "3", "--classes", "sun,house", "--seed", "1", "--out", str(out)]
    killed = cut_short(step, n, "KILL", [*argv, *(["--replace"] if replace else [])])
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    whole = {**new, "notes.txt": before["notes.txt"]} if replace else {**before, **new}
    cut = contents(out)
    assert cut != whole  # cut short: a mix of the two sets
    for name, data in cut.items():
        assert data in (before.get(name), new.get(name)), name  # each file whole
    (staging,) = [p for p in tmp_path.iterdir() if p.name.endswith(".partial")]
    plan = json.loads((staging / "install.json").read_text())
    assert plan["move"] == ["sun.ndjson", "house.ndjson"]
    pid = int(staging.with_name(staging.name + ".lock").read_text())  # the killed run's

    more = ["data", "synth", "--per-class", "3", "--classes", "circle", "--seed", "2"]
    assert main([*more, "--out", str(out)]) == 0
    assert capsys.readouterr().err == (
        f"frankenstein: finished moving into {out} the files of an earlier run that was cut "
        f"short while moving them (pid {pid})\n"
    )
    assert contents(out) == {**whole, **drawn(tmp_path, "circle", 2)}
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith("ref-")) == ["synth"]


@pytest.mark.parametrize("sig", ["INT", "TERM"])
def test_ctrl_c_or_sigterm_while_moving_the_files_in_waits_until_all_are_in(tmp_path, sig):
    """A stop that comes once the first file is in does not cut the install in two:
    the run moves the rest in and removes the earlier set's other files, says it is
    done, exits 0, and leaves nothing hidden beside --out."""
    out = tmp_path / "synth"
    before = earlier_set(out)
    new = drawn(tmp_path, "sun,house", 1)
    argv = ["--per-class", "3", "--classes", "sun,house", "--seed", "1", "--out", str(out)]
    ran = cut_short("replace", 1, sig, [*argv, "--replace"])
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout == f"6 drawings (3 a class, seed 1, variety full) written to {out}\n"
    assert contents(out) == {**new, "notes.txt": before["notes.txt"]}
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith("ref-")) == ["synth"]


def test_an_install_that_fails_midway_is_finished_by_the_next_run(tmp_path, capsys):
    """A file that cannot be moved in (a folder holds its name) stops the install with
    one line, and the staging folder keeps the plan; once the folder is gone, the next
    run moves the rest in."""
    from core.errors import FrankensteinError
    from ui.commands.data.staging import move_in, staging_folder

    tmp_path = Path(os.path.realpath(tmp_path))
    out = tmp_path / "synth"
    (out / "sun.ndjson" / "in-the-way").mkdir(parents=True)
    with staging_folder(out) as staging:
        (staging / "house.ndjson").write_text("house\n")
        (staging / "sun.ndjson").write_text("sun\n")
        with pytest.raises(FrankensteinError, match="the next `data synth` for it moves"):
            move_in(staging, out, ["house.ndjson", "sun.ndjson"], replace=False)
    assert (staging / "install.json").is_file()
    assert (out / "house.ndjson").read_text() == "house\n"
    (out / "sun.ndjson" / "in-the-way").rmdir()
    (out / "sun.ndjson").rmdir()
    args = ["data", "synth", "--per-class", "1", "--classes", "circle", "--out", str(out)]
    capsys.readouterr()
    assert main(args) == 0
    assert "finished moving into" in capsys.readouterr().err
    assert sorted(p.name for p in out.iterdir()) == ["circle.ndjson", "house.ndjson", "sun.ndjson"]
    assert (out / "sun.ndjson").read_text() == "sun\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["synth"]
