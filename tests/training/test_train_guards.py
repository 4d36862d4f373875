"""`train` refuses what it cannot do before it changes anything, with one-line errors."""

import json

import pytest

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


def test_bad_lines_and_classes_without_drawings_are_reported(tmp_path, glyph_dir, capsys):
    data = tmp_path / "data"
    data.mkdir()
    for f in glyph_dir.iterdir():
        text = f.read_text()
        if f.stem in ("circle", "cloud"):  # every drawing names a class that does not exist
            text = text.replace(f'"word":"{f.stem}"', f'"word":"{f.stem}x"')
        (data / f.name).write_text(text)
    assert main(["train", *tiny_settings(data, tmp_path, epochs=1), "name=w"]) == 0
    err = capsys.readouterr().err
    skipped = f"warning: {data}: 40 bad lines skipped while reading (the first: "
    assert skipped in err and "circle.ndjson:1: unknown class 'circlex'" in err
    missing = "warning: no training drawings of 2 of 18 classes: circle, cloud"
    assert missing in err
    log = (tmp_path / "w" / "train.log").read_text()
    assert "40 bad lines skipped" in log and "no training drawings of 2 of 18" in log


@pytest.mark.parametrize("name", ["../escape", "a/b", ".hidden", "/abs", " x", ""])
def test_a_run_name_must_name_one_folder_in_out_dir(tmp_path, name, capsys):
    out = tmp_path / "runs"
    for resume in ([], ["--resume"]):
        assert main(["train", *resume, "--dry-run", f"out_dir={out}", f"name={name}"]) == 2
        err = capsys.readouterr().err.strip()
        assert err == (
            f"frankenstein: error: config: name: {name!r} is not folder-safe "
            "(letters, digits, spaces, '.', '_', '-')"
        )
    assert not any(tmp_path.rglob("*.json"))  # nothing written, inside runs/ or beside it
