"""`train` refuses what it cannot do before it changes anything, with one-line errors."""

import json

from tests.training.conftest import tiny_settings
from ui.cli import main


def test_resume_with_another_model_leaves_the_run_resumable(tmp_path, glyph_dir, capsys):
    settings = tiny_settings(glyph_dir, tmp_path, epochs=1)
    assert main(["train", *settings, "name=r"]) == 0
    config = (tmp_path / "r" / "config.json").read_bytes()
    capsys.readouterr()
    assert main(["train", "--resume", *settings, "name=r", "model=cnn"]) == 2
    err = capsys.readouterr().err
    assert "cannot resume with a different model" in err and "arch 'cnn'" in err
    assert (tmp_path / "r" / "config.json").read_bytes() == config  # untouched
    assert main(["train", "--resume", *settings, "name=r", "epochs=2"]) == 0
    rows = (tmp_path / "r" / "metrics.jsonl").read_text().splitlines()
    assert [json.loads(r)["epoch"] for r in rows] == [1, 2]
