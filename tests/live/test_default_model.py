"""The default checkpoint of `frankenstein draw` (live/default_model.py), set by the TUI."""

from __future__ import annotations

import pytest

from live.default_model import (
    DefaultModelError,
    clear_default_model,
    default_model_file,
    read_default_model,
    write_default_model,
)
from ui.cli import build_parser, main
from ui.commands.draw import _settings


@pytest.fixture
def config(tmp_path, monkeypatch):
    monkeypatch.setenv("FRANKENSTEIN_CONFIG", str(tmp_path / "config"))
    return tmp_path / "config"


def settings(*argv: str):
    return _settings(build_parser().parse_args(["draw", *argv]))


def test_written_atomically_in_the_user_config_dir_and_read_back(config, tmp_path):
    ckpt = tmp_path / "runs" / "a" / "best.pt"
    assert read_default_model() is None
    path = write_default_model("cnn", ckpt)
    assert path == default_model_file() == config / "default_model.json"
    saved = read_default_model()
    assert (saved.model, saved.checkpoint) == ("cnn", ckpt)
    assert [p.name for p in config.iterdir()] == ["default_model.json"]  # no temp file left
    assert clear_default_model() and read_default_model() is None and not clear_default_model()


def test_a_broken_file_is_a_clear_error(config):
    config.mkdir()
    (config / "default_model.json").write_text('{"model": "rnn", "checkpoint": "x"}')
    with pytest.raises(DefaultModelError, match=r"default_model.json: not a default-model file"):
        read_default_model()


def test_draw_starts_with_the_default_unless_told_otherwise(config, tmp_path, capsys):
    assert (settings().model, settings().checkpoint) == ("frankenstein", None)  # as before
    ckpt = tmp_path / "best.pt"
    ckpt.write_bytes(b"x")
    write_default_model("cnn", ckpt)
    assert (settings().model, settings().checkpoint) == ("cnn", ckpt)
    # The command line wins over the saved default.
    assert (settings("--model", "frankenstein").model, settings("--model", "cnn").checkpoint) == (
        "frankenstein",
        None,
    )
    other = tmp_path / "other.pt"
    other.write_bytes(b"y")  # a file (one that is not there is refused before the window)
    assert settings("--checkpoint", str(other)).checkpoint == other
    # A default whose checkpoint is gone: a warning, and the bundled model.
    ckpt.unlink()
    assert (settings().model, settings().checkpoint) == ("frankenstein", None)
    assert "the default checkpoint" in capsys.readouterr().err


def test_draw_with_a_broken_default_file_exits_with_one_line(config, capsys):
    config.mkdir()
    (config / "default_model.json").write_text("not json")
    assert main(["draw", "--screenshot", "x.png"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("frankenstein: error: ") and err.count("\n") == 1


def test_a_default_that_cannot_be_saved_says_why_in_one_line(tmp_path, monkeypatch):
    a_file = tmp_path / "file"
    a_file.write_text("not a folder")
    monkeypatch.setenv("FRANKENSTEIN_CONFIG", str(a_file / "config"))
    with pytest.raises(DefaultModelError) as e:
        write_default_model("cnn", tmp_path / "best.pt")
    assert str(e.value) == (
        f"{a_file}/config/default_model.json: cannot save the default model "
        f"({a_file} is not a directory)"
    )


def test_a_default_on_a_full_disk_says_why_in_one_line(tmp_path):
    """A real write failing (a file size limit in a child process, as on a full disk)."""
    from tests.full_disk import run_with_full_disk

    code = (
        "from live.default_model import DefaultModelError, write_default_model\n"
        "try:\n"
        "    write_default_model('cnn', '/x/' + 'y' * 200 + '/best.pt')\n"
        "except DefaultModelError as e:\n"
        "    print(e)\n"
    )
    done = run_with_full_disk(["-c", code], 100, env={"FRANKENSTEIN_CONFIG": str(tmp_path)})
    assert done.stdout == (
        f"{tmp_path}/default_model.json: cannot save the default model (File too large)\n"
    ), done.stderr
    assert list(tmp_path.iterdir()) == []
