"""Every command checks where it will write before it starts its work: a path it cannot
write is a one-line error (exit status 2), not a traceback after the work is done."""

import pytest

from ui.cli import main


@pytest.fixture
def paths(tmp_path, real_dev):
    a_file = tmp_path / "file.txt"
    a_file.write_text("x")
    return {
        "DIR": str(tmp_path),
        "FILE": str(a_file),
        "UNDER_FILE": str(a_file / "out.json"),
        "RAW": str(real_dev / "raw"),
        "CIRCLE": str(real_dev / "raw" / "circle.ndjson"),
        "SIMPLIFIED": str(real_dev / "simplified"),
    }


CASES = [
    ("eval --model cnn --data RAW --json DIR", "cannot write DIR (Is a directory)"),
    ("eval --model cnn --data RAW --json UNDER_FILE", "FILE is not a directory"),
    ("eval --model cnn --data RAW --json /proc/x.json", "cannot write /proc/x.json (no new"),
    ("eval --model cnn --data RAW --plots FILE", "cannot write into FILE (Not a directory)"),
    ("export cnn DIR", "cannot write DIR (Is a directory)"),
    ("export cnn UNDER_FILE", "FILE is not a directory"),
    ("draw --replay CIRCLE --screenshot DIR", "cannot write DIR (Is a directory)"),
    ("data compare RAW SIMPLIFIED --gallery DIR", "cannot write DIR (Is a directory)"),
    ("train --dry-run threads=1 out_dir=FILE", "cannot write into FILE (Not a directory)"),
    ("ablate lstm-vs-cnn --quick --out FILE", "cannot write into FILE (Not a directory)"),
    ("data templates --out FILE/t.png", "cannot write FILE/t.png (FILE is not a directory)"),
]


@pytest.mark.parametrize(
    ("command", "message"), CASES, ids=[c[0].split()[0] + str(i) for i, c in enumerate(CASES)]
)
def test_an_output_that_cannot_be_written_is_one_line_up_front(paths, command, message, capsys):
    args = command.split()
    for key in ("UNDER_FILE", "FILE", "DIR", "RAW", "CIRCLE", "SIMPLIFIED"):  # longest first
        args = [a.replace(key, paths[key]) for a in args]
        message = message.replace(key, paths[key])
    assert main(args) == 2
    err = capsys.readouterr().err
    assert err.startswith("frankenstein: error: ") and message in err, err
    assert err.count("\n") == 1


FULL_DISK_CASES = [
    ("eval --model cnn --data RAW --limit 20 --json OUT/e.json", "OUT/e.json"),
    ("eval --model cnn --data RAW --limit 20 --plots OUT/plots", "OUT/plots/confusion.png"),
    ("export cnn OUT/x.pt", "OUT/x.pt"),
    ("data synth --per-class 40 --classes sun --out OUT/synth", "OUT/synth/sun.ndjson"),
    ("draw --replay CIRCLE --screenshot OUT/s.png", "OUT/s.png"),
    ("data compare RAW SIMPLIFIED --gallery OUT/g.png", "OUT/g.png"),
    ("data templates --out OUT/t.png", "OUT/t.png"),
]


@pytest.mark.slow
@pytest.mark.parametrize(
    ("command", "file"), FULL_DISK_CASES, ids=[" ".join(c[0].split()[:2]) for c in FULL_DISK_CASES]
)
def test_a_disk_that_fills_up_while_writing_is_one_line_and_leaves_nothing(
    paths, tmp_path, command, file
):
    """The check up front passes, then the write itself fails (files may not grow past
    2 kB in the child: a real write failing as on a full disk). These were tracebacks."""
    from tests.full_disk import run_with_full_disk, temporaries

    out = tmp_path / "out"
    out.mkdir()
    args = [a.replace("OUT", str(out)) for a in command.split()]
    for key in ("CIRCLE", "RAW", "SIMPLIFIED"):
        args = [a.replace(key, paths[key]) for a in args]
    done = run_with_full_disk(args, 2000, env={"FRANKENSTEIN_CACHE": str(tmp_path / "cache")})
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr, done.stderr
    said = file.replace("OUT", str(out))
    assert done.stderr.splitlines()[-1] == (
        f"frankenstein: error: cannot write {said} (File too large)"
    )
    assert temporaries(tmp_path) == []
    assert not any(p.is_file() and p.stat().st_size for p in out.rglob("*"))  # nothing half
