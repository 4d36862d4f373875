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
