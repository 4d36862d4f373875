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


def test_reading_a_file_reports_the_bytes_read_so_far(tmp_path):
    """A real class file takes seconds to read: its reader says how far it has got."""
    from core.strokes import PROGRESS_LINES, iter_ndjson
    from training.datainfo import FilesRead

    d = Drawing(strokes=(np.array([[0, 0], [10, 5]], np.float32),), word="sun")
    write_ndjson([d] * (2 * PROGRESS_LINES + 5), tmp_path / "sun.ndjson")
    write_ndjson([d] * 3, tmp_path / "line.ndjson")
    seen = []
    assert len(list(iter_ndjson(tmp_path / "sun.ndjson", progress=seen.append))) == 2005
    size = (tmp_path / "sun.ndjson").stat().st_size
    assert len(seen) == 3 and seen[0] < seen[1] < seen[2] == size

    files = data_files(tmp_path)  # line.ndjson, then sun.ndjson
    shown = []
    read = FilesRead(files, lambda done, total, name: shown.append((done, total, name)))
    for path in files:
        file_stats(path, bytes_read=read)
        read.done(path)
    total = sum(p.stat().st_size for p in files)
    line = files[0].stat().st_size
    assert shown[0] == (line, total, "line.ndjson")  # the end of the first file
    assert [s[2] for s in shown[2:]] == ["sun.ndjson"] * 4
    assert [s[0] for s in shown] == sorted(s[0] for s in shown) and shown[-1][0] == total


def test_data_info_shows_what_it_reads_on_stderr_and_only_the_table_on_stdout(tmp_path):
    from tests.terminal import run_cli

    d = Drawing(strokes=(np.array([[0, 0], [10, 5]], np.float32),), word="sun")
    write_ndjson([d] * 50, tmp_path / "sun.ndjson")
    r = run_cli(["data", "info", str(tmp_path)])
    assert r.returncode == 0, r.err
    assert "reading sun.ndjson" in r.err and "kB" in r.err  # the bar, on the terminal
    assert "50 drawings in 1 files" in r.out and "reading" not in r.out
