import json
from dataclasses import replace

import numpy as np
import pytest

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


def test_a_data_files_suffix_is_read_in_any_case(tmp_path, capsys):
    """CIRCLE.NDJSON was left out of data info, eval and training without a word,
    though `draw --replay CIRCLE.NDJSON` read it."""
    from ui.cli import main
    from ui.tui.datadirs import count_lines

    d = Drawing(strokes=(np.array([[0, 0], [10, 5]], np.float32),), word="circle")
    write_ndjson([d, d], tmp_path / "CIRCLE.NDJSON")
    (tmp_path / "Square.Json").write_text(json.dumps([[[[0, 9], [0, 9]]]] * 2, indent=1))
    assert [p.name for p in data_files(tmp_path)] == ["CIRCLE.NDJSON", "Square.Json"]
    assert main(["data", "info", str(tmp_path), "--limit", "1"]) == 0
    assert "2 drawings of 2 classes in 2 files" in capsys.readouterr().out
    assert count_lines(tmp_path / "Square.Json") == 2  # the Data tab: its drawings


def test_data_info_skips_a_broken_seed_file_as_a_bad_line(tmp_path, capsys):
    """`{"bad": ` in circle.json ended `data info` of the folder ("not a JSON file",
    exit 2); it is one bad line now, and the other files are counted."""
    from ui.cli import main

    d = Drawing(strokes=(np.array([[0, 0], [10, 5]], np.float32),), word="sun")
    write_ndjson([d, d], tmp_path / "sun.ndjson")
    (tmp_path / "circle.json").write_text('{"bad": ')
    assert main(["data", "info", str(tmp_path), "--show-bad"]) == 0
    out = capsys.readouterr().out
    assert "2 drawings of 2 classes in 2 files, 1 bad line skipped" in out
    assert f"{tmp_path / 'circle.json'}: not a JSON file (a seed file is a JSON list" in out


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
    assert "1 drawing of 1 class in 1 file," in capsys.readouterr().out


def test_data_info_on_a_folder_of_data_folders_names_them(tmp_path, capsys):
    from ui.cli import main

    d = Drawing(strokes=(np.array([[0, 0], [10, 5]], np.float32),), word="sun")
    for sub in ("simplified", "raw", ".synth.0123abcd.partial"):  # the last: a staging
        write_ndjson([d], tmp_path / sub / "sun.ndjson")
    (tmp_path / "empty").mkdir()
    assert main(["data", "info", str(tmp_path)]) == 2
    assert capsys.readouterr().err == (
        f"frankenstein: error: {tmp_path}: no .ndjson or .json drawing files "
        "(its folders raw, simplified have some)\n"
    )


@pytest.mark.parametrize(
    "command",
    [
        ["eval", "--model", "frankenstein", "--data"],
        ["draw", "--score"],
        ["train", "data.sources=[{}]"],
        ["train", "eval_data={}"],
    ],
)
def test_a_folder_of_data_folders_is_named_so_by_every_command(tmp_path, capsys, command):
    """The window saves into data/drawings/raw and .../simplified: eval, draw --score and
    train given data/drawings say which of its folders hold drawings, as data info does."""
    from ui.cli import main

    d = Drawing(strokes=(np.array([[0, 0], [10, 5]], np.float32),), word="sun")
    drawings = tmp_path / "drawings"
    for sub in ("simplified", "raw"):
        write_ndjson([d], drawings / sub / "sun.ndjson")
    if "{}" in command[-1]:
        args = [*command[:-1], command[-1].format(json.dumps(str(drawings)))]
        args.append(f"out_dir={tmp_path / 'runs'}")
    else:
        args = [*command, str(drawings)]
    assert main(args) == 2
    assert capsys.readouterr().err == (
        f"frankenstein: error: {drawings}: no .ndjson or .json drawing files "
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
    assert "50 drawings of 1 class in 1 file," in r.out and "reading" not in r.out


def _rows(out: str) -> dict[str, list[str]]:
    """data info's table: each row's cells after the class, by class."""
    return {
        cells[0]: cells[1:]
        for line in out.splitlines()
        if line.startswith("│")
        for cells in [[c.strip() for c in line.strip("│").split("│")]]
    }


def test_data_info_gives_a_class_held_by_two_files_one_row(real_dev, tmp_path, capsys):
    """'ice cream.ndjson' and 'ice_cream.ndjson' both hold ice cream: one row with the
    drawings, bad lines and stroke statistics of both, as if they were one file, and
    a note naming the two files."""
    from ui.cli import main

    lines = (real_dev / "simplified" / "ice cream.ndjson").read_text().splitlines()
    whole, split = tmp_path / "whole", tmp_path / "split"
    whole.mkdir()
    split.mkdir()
    (whole / "ice cream.ndjson").write_text("\n".join([*lines, "not json", "{}"]) + "\n")
    (split / "ice cream.ndjson").write_text("\n".join([*lines[:5], "not json"]) + "\n")
    (split / "ice_cream.ndjson").write_text("\n".join([*lines[5:], "{}"]) + "\n")
    sun = (real_dev / "simplified" / "sun.ndjson").read_text()
    for d in (whole, split):
        (d / "sun.ndjson").write_text(sun)

    assert main(["data", "info", str(whole)]) == 0
    expected = _rows(capsys.readouterr().out)
    assert expected["ice cream"][:2] == [str(len(lines)), "2"]
    assert main(["data", "info", str(split)]) == 0
    out = capsys.readouterr().out
    assert _rows(out) == expected  # drawings, bad lines, mean, median, 1, 2, 3, 4+
    n = len(lines) + len(sun.splitlines())
    assert f"{n} drawings of 2 classes in 3 files, 2 bad lines skipped" in out
    assert (
        f"(ice cream is read from 2 files: ice cream.ndjson: 5, ice_cream.ndjson: {len(lines) - 5})"
    ) in out
    assert "sun is read from" not in out  # one file: nothing to say

    # --limit counts drawings a class: ice cream's second file is not read past it
    assert main(["data", "info", str(split), "--limit", "7"]) == 0
    out = capsys.readouterr().out
    assert [r[:2] for r in _rows(out).values()] == [["7", "1"], ["7", "0"]]
    assert "(ice cream is read from 2 files: ice cream.ndjson: 5, ice_cream.ndjson: 2)" in out


def test_data_info_keeps_a_class_whose_one_file_is_all_bad_lines(tmp_path, capsys):
    from ui.cli import main

    (tmp_path / "sun.ndjson").write_text("nope\n{}\n")
    assert main(["data", "info", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert _rows(out)["sun"][:2] == ["0", "2"]
    assert "0 drawings of 1 class in 1 file, 2 bad lines skipped" in out


def test_data_info_takes_the_median_of_an_even_count_and_leaves_an_empty_class_blank(
    tmp_path, capsys
):
    """Two drawings of 1 and 4 strokes: median 2.5 (it said 4, the upper middle); a
    class file with no drawing read showed "0.00, 0, 0%" as if drawn with none."""
    from ui.cli import main

    def drawing(strokes: int) -> str:
        return json.dumps({"word": "sun", "drawing": [[[0, 9], [0, 9]]] * strokes})

    (tmp_path / "sun.ndjson").write_text(f"{drawing(1)}\n{drawing(4)}\n")
    (tmp_path / "circle.ndjson").write_text("not json\n")
    assert main(["data", "info", str(tmp_path)]) == 0
    rows = _rows(capsys.readouterr().out)
    assert rows["sun"] == ["2", "0", "2.50", "2.5", "50%", "0%", "0%", "50%"]
    assert rows["circle"] == ["0", "1", "-", "-", "-", "-", "-", "-"]


def test_data_info_keeps_each_class_name_on_one_line_at_80_columns(real_dev, monkeypatch, capsys):
    """ "hockey stick", "paper clip", "smiley face" wrapped onto two lines at 80 columns."""
    from ui.cli import main

    monkeypatch.setenv("COLUMNS", "80")
    assert main(["data", "info", str(real_dev / "simplified")]) == 0
    rows = _rows(capsys.readouterr().out)
    assert {"hockey stick", "paper clip", "smiley face", "ice cream"} <= set(rows)
    assert all(len(cells) == 8 and cells[0].isdigit() for cells in rows.values())


def test_data_info_names_the_classes_with_no_drawings(tmp_path, capsys):
    """A folder missing sun.ndjson, with line.ndjson empty, showed 16 rows and said
    nothing of the two classes: now one line names them."""
    from core.classes import CLASSES
    from ui.cli import main

    d = Drawing(strokes=(np.array([[0, 0], [10, 5]], np.float32),), word="x")
    for name in CLASSES:
        if name not in ("sun", "line"):
            write_ndjson([replace(d, word=name)], tmp_path / f"{name}.ndjson")
    (tmp_path / "line.ndjson").write_text("")
    assert main(["data", "info", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "\nno drawings of 2 of 18 classes: line, sun\n" in out


def test_data_info_show_bad_names_the_known_classes_once(tmp_path, capsys):
    """Each bad line of a file named after no class repeated the 18 class names."""
    from core.classes import CLASSES
    from ui.cli import main

    line = json.dumps({"word": "dog", "drawing": [[[0, 9], [0, 9]]]})
    (tmp_path / "dog.ndjson").write_text(f"{line}\n{line}\n")
    assert main(["data", "info", str(tmp_path), "--show-bad"]) == 0
    out = capsys.readouterr().out
    bad = [s.strip() for s in out.splitlines() if "dog.ndjson:" in s]
    assert bad == [f"{tmp_path / 'dog.ndjson'}:{n}: unknown class 'dog'" for n in (1, 2)]
    assert out.count(", ".join(CLASSES)) == 1
    assert f"(the known classes: {', '.join(CLASSES)})" in out
