"""The commands printed for a user to paste (training/commandline.py): shell-quoted, so
that a run name or folder with spaces or non-ASCII letters reads back as it was."""

from __future__ import annotations

import shlex
import signal
import sys

import pytest

from tests.pasted import ODD_DIR, ODD_NAME, resumed_config
from tests.training.conftest import tiny_settings
from tests.training.test_processes import _train_until
from training.commandline import command, resume_words, setting
from training.config import parse_override
from ui.cli import main


@pytest.mark.parametrize(
    "value",
    ["cnn-try", ODD_NAME, 'it\'s "x"', "123", "true", "null", '"q"', "[1]", "NaN", " 1", ""],
)
def test_a_setting_reads_back_through_a_shell_as_the_same_text(value):
    line = command("frankenstein", "train", setting("name", value))
    words = shlex.split(line)
    assert words[:2] == ["frankenstein", "train"] and len(words) == 3
    assert parse_override(words[2]) == ("name", value)


def test_plain_words_stay_unquoted_and_letters_unescaped():
    assert command("frankenstein", "train", *resume_words("cnn-try", "runs")) == (
        "frankenstein train --resume name=cnn-try out_dir=runs"
    )
    assert command(*resume_words(ODD_NAME, "/tmp/my runs/ünïcode")) == (
        "--resume 'name=stöp me' 'out_dir=/tmp/my runs/ünïcode'"
    )
    assert setting("name", "2024") == 'name="2024"'  # not the number 2024
    assert setting("data.sources", ("ü",)) == 'data.sources=["ü"]'


@pytest.mark.slow
def test_ctrl_c_prints_a_resume_command_that_pastes(tmp_path, glyph_dir):
    """After Ctrl-C, "Continue with: frankenstein train --resume name=stöp me out_dir=/
    .../my runs/ünïcode" split at the spaces when pasted ("'me': expected key=value")."""
    out = tmp_path.joinpath(*ODD_DIR)
    settings = tiny_settings(glyph_dir, out, epochs=1, batch_size=4, log_every=1)
    cmd = [sys.executable, "-m", "ui.cli", "train", *settings, f"name={ODD_NAME}", "--events"]
    code, _, err = _train_until(cmd, tmp_path, lambda e: e["event"] == "batch", signal.SIGINT)
    assert code == 130, err
    said = err.strip().splitlines()[-1]
    assert said.startswith("frankenstein: interrupted; last.pt saved. Continue with: ")
    pasted = said.split("Continue with: ", 1)[1]
    cfg = resumed_config(pasted)
    assert (cfg.name, cfg.run_dir) == (ODD_NAME, out / ODD_NAME)
    assert main(shlex.split(pasted)[1:]) == 0  # and it runs: the run resumes and ends
    assert (out / ODD_NAME / "eval.json").is_file()
