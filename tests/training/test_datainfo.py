import json

import numpy as np

from core.strokes import Drawing, write_ndjson
from training.datainfo import data_files, file_stats


def test_data_files_are_ndjson_and_class_named_json_only(tmp_path):

    d = Drawing(strokes=(np.array([[0, 0], [10, 5]], np.float32),), word="sun")
    write_ndjson([d, d], tmp_path / "sun.ndjson")
    (tmp_path / "square.json").write_text(json.dumps([[[[0, 9], [0, 9]]]]))
    (tmp_path / "checksums.json").write_text('{"files": {}}')
    (tmp_path / "notes.txt").write_text("not data")
    files = data_files(tmp_path)
    assert [p.name for p in files] == ["square.json", "sun.ndjson"]
    assert [file_stats(p).n for p in files] == [1, 2]


def test_data_info_refuses_a_limit_below_one(tmp_path, capsys):
    from ui.cli import main

    d = Drawing(strokes=(np.array([[0, 0], [10, 5]], np.float32),), word="sun")
    write_ndjson([d], tmp_path / "sun.ndjson")
    for limit in ("0", "-1"):  # read nothing and reported "0 drawings", as if empty
        assert main(["data", "info", str(tmp_path), "--limit", limit]) == 2
        assert (
            capsys.readouterr().err == f"frankenstein: error: --limit {limit}: must be at least 1\n"
        )
    assert main(["data", "info", str(tmp_path), "--limit", "1"]) == 0
    assert "1 drawings in 1 files" in capsys.readouterr().out


def test_data_info_on_a_folder_of_data_folders_names_them(tmp_path, capsys):
    from ui.cli import main

    d = Drawing(strokes=(np.array([[0, 0], [10, 5]], np.float32),), word="sun")
    for sub in ("simplified", "raw"):
        write_ndjson([d], tmp_path / sub / "sun.ndjson")
    (tmp_path / "empty").mkdir()
    assert main(["data", "info", str(tmp_path)]) == 2
    assert capsys.readouterr().err == (
        f"frankenstein: error: {tmp_path}: no .ndjson or .json files "
        "(its folders raw, simplified have some)\n"
    )
