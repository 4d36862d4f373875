"""One-line errors that say what is wrong with what was given: a file where a folder
belongs, a folder where a file belongs, a number that is not one."""

import pytest

from ui.cli import main


@pytest.fixture
def paths(tmp_path, real_dev):
    (tmp_path / "folder").mkdir()
    return {"FILE": str(real_dev / "raw" / "circle.ndjson"), "FOLDER": str(tmp_path / "folder")}


CASES = [
    (
        "eval --model cnn --data FILE",
        "FILE: not a directory (a data directory holds <class>.ndjson files)",
    ),
    (
        "train FOLDER threads=1",
        "FOLDER: is a folder, not a config file (a .toml or .json file)",
    ),
    ("ablate FOLDER", "FOLDER: is a folder, not a spec file (shipped specs: "),
    ("eval --model cnn --data FOLDER --threshold nan", "--threshold nan: not a number"),
    ("eval --model cnn --data FOLDER --steady-override nan", "--steady-override nan: not a number"),
    ("eval --model cnn --data FOLDER --threshold=-inf", "--threshold -inf: not a finite number"),
    ("draw --threshold nan --screenshot FOLDER/x.png", "--threshold nan: not a number"),
]


@pytest.mark.parametrize(("command", "message"), CASES, ids=[c[0] for c in CASES])
def test_what_is_wrong_is_named(paths, command, message, capsys):
    args = command.split()
    for key, value in paths.items():
        args = [a.replace(key, value) for a in args]
        message = message.replace(key, value)
    assert main(args) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"frankenstein: error: {message}") and err.count("\n") == 1, err
