import json

import numpy as np
import pytest

from core.strokes import (
    BadLine,
    Drawing,
    ReadError,
    ReadReport,
    StrokeError,
    drawing_from_json,
    drawing_to_json,
    file_class,
    iter_drawings,
    iter_ndjson,
    iter_seed_json,
    ndjson_line,
    normalize,
    normalize_strokes,
    rdp,
    resample,
    write_ndjson,
)


def _drawing(word="square", key="1"):
    s1 = np.array([[0, 0], [255, 0], [255, 255]], np.float32)
    s2 = np.array([[10, 20]], np.float32)  # a dot
    return Drawing((s1, s2), word=word, key_id=key)


def test_simplified_round_trip(tmp_path):
    d = _drawing()
    path = tmp_path / "square.ndjson"
    assert write_ndjson([d, d], path) == 2
    back = list(iter_ndjson(path))
    assert len(back) == 2
    assert back[0].word == "square" and back[0].key_id == "1" and back[0].times is None
    for a, b in zip(d.strokes, back[0].strokes, strict=True):
        np.testing.assert_array_equal(a, b)


def test_raw_round_trip_keeps_times(tmp_path):
    d = _drawing().with_strokes(
        [[[300.5, 10], [301, 12]]], times=[[0, 16.5]]
    )  # screen pixels, not on the grid
    path = tmp_path / "raw.ndjson"
    write_ndjson([d], path, raw=True)
    (back,) = list(iter_ndjson(path))
    np.testing.assert_allclose(back.strokes[0], d.strokes[0])
    np.testing.assert_allclose(back.times[0], [0, 16.5])


def test_json_converters_do_not_mutate_and_round_trip():
    obj = {"word": "Circle", "key_id": 7, "drawing": [[[1, 2, 3], [4, 5, 6]]]}
    before = json.dumps(obj)
    d = drawing_from_json(obj)
    assert json.dumps(obj) == before
    assert d.word == "circle" and d.key_id == "7"
    again = drawing_from_json(drawing_to_json(d))
    np.testing.assert_array_equal(again.strokes[0], d.strokes[0])


def test_ndjson_lines_are_readable_by_the_same_reader(tmp_path):
    path = tmp_path / "house.ndjson"
    lines = [ndjson_line(_drawing("house", "a")), ndjson_line(_drawing("house", "b"), raw=True)]
    assert all(line.endswith("}\n") and line.count("\n") == 1 for line in lines)
    path.write_text("".join(lines))
    assert [d.key_id for d in iter_ndjson(path)] == ["a", "b"]


BAD_LINES = {
    "not json": "not valid JSON",
    "[1, 2]": "not a JSON object",
    '{"word": "circle"}': "no 'drawing'",
    '{"drawing": []}': "no strokes",
    '{"drawing": [[[1, 2], [3]]]}': "2 x but 1 y",
    '{"drawing": [[[], []]]}': "no points",
    '{"drawing": [[["a"], [1]]]}': "non-numeric",
    '{"drawing": [[[NaN], [1]]]}': "NaN",
    # raw screen pixels past float32 (a stroke's points): infinite once in memory
    '{"drawing": [[[0, 1e300], [0, 1], [0, 10]]]}': "stroke 0 x holds a number too large",
    '{"drawing": [[[0, 1], [0, -1e39], [0, 10]]]}': "stroke 0 y holds a number too large",
    '{"drawing": [[[300], [1]]]}': "outside the 0..255 grid",
    '{"word": "dragon", "drawing": [[[1], [1]]]}': "unknown class 'dragon'",
    '{"key_id": {"a": 1}, "drawing": [[[1], [1]]]}': "'key_id' is not a string",
    '{"key_id": true, "drawing": [[[1], [1]]]}': "'key_id' is not a string",
    '{"drawing": [[[1], [1], [0]], [[1], [1]]]}': "mixes",
}


def test_bad_lines_are_reported_with_line_numbers_and_skipped(tmp_path):
    good = json.dumps(drawing_to_json(_drawing("circle")))
    path = tmp_path / "circle.ndjson"
    path.write_text("\n".join([good, *BAD_LINES, good]) + "\n")
    report = ReadReport()
    drawings = list(iter_ndjson(path, report=report))
    assert len(drawings) == 2 and report.good == 2 and report.bad == len(BAD_LINES)
    for i, (bad, reason) in enumerate(zip(report.examples, BAD_LINES.values(), strict=True)):
        assert bad.line == i + 2 and reason in bad.reason, (bad, reason)
        assert str(path) in str(bad)


def test_float32s_own_largest_coordinate_is_read():
    """3.4028235e38, float32's largest as numpy prints it, lies a hair past it in float64
    and was refused as too large."""
    line = '{"word": "line", "drawing": [[[0, 3.4028235e38], [0, -3.4028235e38], [0, 5]]]}'
    (d,) = [drawing_from_json(json.loads(line))]
    assert np.isfinite(d.strokes[0]).all() and d.strokes[0][1, 0] == np.finfo(np.float32).max


def test_the_report_footer_names_the_first_bad_lines_and_counts_the_rest():
    report = ReadReport()
    assert report.skipped() == ""
    assert report.nothing_read("d", "score") == "d: no drawings to score"
    for i in range(7):
        report.add_bad(BadLine("f.ndjson", i + 1, "not valid JSON"))
    lines = report.skipped(shown=2).splitlines()
    assert lines == [
        "7 bad lines skipped while reading:",
        "  f.ndjson:1: not valid JSON",
        "  f.ndjson:2: not valid JSON",
        "  ... and 5 more",
    ]
    assert report.nothing_read("d", "evaluate") == (
        "d: no drawings to evaluate (7 bad lines skipped, the first: f.ndjson:1: not valid JSON)"
    )


def test_a_file_named_after_a_class_holds_that_class_whatever_the_word(tmp_path):
    """The one rule every reader of a data directory follows: a line whose word names
    another class is kept as the file's class and counted, per file, as a mismatch."""
    path = tmp_path / "Hockey_Stick.ndjson"
    words = ["hockey stick", "square", None, "Circle", "square"]
    write_ndjson([_drawing(w, str(i)) for i, w in enumerate(words)], path)
    report = ReadReport()
    got = list(iter_ndjson(path, report=report, strict=True))
    assert [d.word for d in got] == ["hockey stick"] * 5
    assert report.good == 5 and report.bad == 0 and report.mismatched == 3
    assert report.mismatch_warning() == (
        "3 drawings whose 'word' names another class than their file's, counted as "
        f"the file's class: {path}: 3 (the first: line 2, 'square')"
    )
    assert file_class(path) == "hockey stick" and file_class(tmp_path / "mixed.ndjson") is None


def test_a_file_not_named_after_a_class_keeps_each_word(tmp_path):
    path = tmp_path / "mixed.ndjson"
    write_ndjson([_drawing("sun", "a"), _drawing(None, "b"), _drawing("circle", "c")], path)
    report = ReadReport()
    assert [d.word for d in iter_ndjson(path, report=report)] == ["sun", None, "circle"]
    assert not report.mismatches and report.bad == 0
    # a data directory's readers need a class: a line without one is a bad line
    report = ReadReport()
    got = list(iter_drawings(path, report=report, labelled=True))
    assert [d.word for d in got] == ["sun", "circle"] and report.bad == 1
    assert str(report.examples[0]) == (
        f"{path}:2: no 'word', and the file is not named after a class"
    )
    with pytest.raises(ReadError, match=r"mixed\.ndjson:2: no 'word'"):
        list(iter_ndjson(path, labelled=True, strict=True))


def test_reports_add_up_bad_lines_and_mismatches():
    a, b = ReadReport(good=3), ReadReport(good=1)
    a.add_bad(BadLine("a.ndjson", 4, "not valid JSON"))
    a.add_mismatch("circle.ndjson", 2, "sun", "circle")
    b.add_mismatch("circle.ndjson", 7, "eye", "circle")
    b.add_mismatch("sun.ndjson", 1, "eye", "sun")
    total = ReadReport()
    for r in (a, b):
        total.add(r)
    assert (total.good, total.bad, total.mismatched) == (4, 1, 3)
    assert a.mismatched == 1  # not changed by adding it
    assert total.mismatch_warning(shown=1) == (
        "3 drawings whose 'word' names another class than their file's, counted as "
        "the file's class: circle.ndjson: 2 (the first: line 2, 'sun'), and 1 more file"
    )
    assert ReadReport().mismatch_warning() == ""


def test_strict_mode_raises_on_the_first_bad_line(tmp_path):
    path = tmp_path / "circle.ndjson"
    path.write_text('{"drawing": [[[1], [1]]]}\n{"drawing": 5}\n')
    with pytest.raises(ReadError, match=r"circle.ndjson:2: 'drawing' is not a list"):
        list(iter_ndjson(path, strict=True))


def test_empty_binary_and_missing_files(tmp_path):
    empty = tmp_path / "circle.ndjson"
    empty.write_text("")
    assert list(iter_ndjson(empty)) == []
    binary = tmp_path / "line.ndjson"
    binary.write_bytes(bytes(range(256)) * 4)
    report = ReadReport()
    assert list(iter_ndjson(binary, report=report)) == [] and report.bad >= 1
    with pytest.raises(ReadError, match="cannot open"):
        list(iter_ndjson(tmp_path / "missing.ndjson"))
    with pytest.raises(ReadError, match="unknown format"):
        iter_drawings(tmp_path / "x.csv")


def test_seed_format(tmp_path):
    path = tmp_path / "triangle.json"
    path.write_text(json.dumps([[[[0, 100, 50, 0], [200, 200, 0, 200]]], [[[1], [999]]]]))
    report = ReadReport()
    drawings = list(iter_seed_json(path, report=report))
    assert len(drawings) == 1 and drawings[0].word == "triangle" and report.bad == 1
    three = tmp_path / "square.json"
    square = [[[0, 100, 100, 0, 0], [0, 0, 100, 100, 0]]]
    three.write_text(json.dumps([[[[1], [999]]], square, square, square]))
    assert len(list(iter_drawings(three, limit=2))) == 2  # good ones; the bad one not counted
    assert len(list(iter_drawings(three))) == 3
    bad = tmp_path / "notaclass.json"
    bad.write_text("[]")
    with pytest.raises(ReadError, match="not a class name"):
        list(iter_seed_json(bad))
    lines = tmp_path / "eye.json"  # ndjson under a .json name: the rename named
    drawing = {"word": "eye", "drawing": square}
    lines.write_text(f"{json.dumps(drawing)}\n{json.dumps(drawing)}\n")
    with pytest.raises(
        ReadError,
        match=r"eye.json: not a JSON file \(its lines are drawings, one a line: name it eye.ndjson\)$",
    ):
        list(iter_seed_json(lines, strict=True))


SEED_ITEM = "a list of strokes [[x...], [y...]] on the 0..255 grid"


def test_a_bad_seed_file_is_reported_and_skipped_as_a_bad_line_is(tmp_path):
    """A seed file that holds no list (cut short, garbled, another value) ended the
    reading of its whole folder ("error: circle.json: not a JSON file", exit 2), where a
    garbage line of an ndjson file is reported and skipped; its items were numbered as
    lines (`:1`), and a Quick, Draw! object in the list was said to have "'drawing' not
    a list of strokes". Each is now a bad line naming the file, or the item and what a
    seed item is."""
    square = [[[0, 100, 100, 0, 0], [0, 0, 100, 100, 0]]]
    files = {
        "circle.json": '{"bad": ',
        "sun.json": json.dumps([{"word": "sun", "drawing": square}, 5, square]),
        "square.json": '{"drawing": []}',
    }
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    report = ReadReport()
    got = {
        name: len(list(iter_drawings(tmp_path / name, report=report, labelled=True)))
        for name in files
    }
    assert got == {"circle.json": 0, "sun.json": 1, "square.json": 0}
    said = [str(b).removeprefix(f"{tmp_path}/") for b in report.examples]
    seed_file = f"(a seed file is a JSON list of drawings, each {SEED_ITEM})"
    assert said == [
        f"circle.json: not a JSON file {seed_file}",
        "sun.json: item 1: a Quick, Draw! object, where a seed item is its 'drawing' alone, "
        f"{SEED_ITEM} (whole objects go one a line in an .ndjson file)",
        f"sun.json: item 2: not a drawing: a seed item is {SEED_ITEM}",
        f"square.json: not a JSON list {seed_file}",
    ]
    with pytest.raises(ReadError, match=r"circle.json: not a JSON file \(a seed file is"):
        list(iter_seed_json(tmp_path / "circle.json", strict=True))
    with pytest.raises(ReadError, match=r"sun.json: item 1: a Quick, Draw! object"):
        list(iter_seed_json(tmp_path / "sun.json", strict=True, limit=5))


def test_resample_and_rdp():
    line = np.array([[0, 0], [10, 0]], np.float32)
    r = resample(line, 1.0)
    assert len(r) == 11 and np.allclose(np.diff(r[:, 0]), 1)
    assert len(rdp(r, 2.0)) == 2  # a straight line keeps only its ends
    corner = np.array([[0, 0], [5, 0], [10, 0], [10, 5], [10, 10]], np.float32)
    np.testing.assert_array_equal(rdp(corner, 2.0), [[0, 0], [10, 0], [10, 10]])


def test_real_dev_doodles_load_with_no_bad_lines(real_dev):
    for kind in ("simplified", "raw"):
        report = ReadReport()
        n = sum(
            1
            for f in sorted((real_dev / kind).glob("*.ndjson"))
            for _ in iter_ndjson(f, report=report)
        )
        assert n == 300 and report.bad == 0, report.summary()


def test_normalised_raw_matches_its_simplified_twin(real_dev):
    mean_dists = []
    for f in sorted((real_dev / "raw").glob("*.ndjson")):
        twins = {d.key_id: d for d in iter_ndjson(real_dev / "simplified" / f.name)}
        for raw in iter_ndjson(f):
            norm, simp = normalize(raw), twins[raw.key_id]
            assert norm.n_strokes == simp.n_strokes
            a, b = norm.points(), simp.points()
            d = np.sqrt(((a[:, None] - b[None]) ** 2).sum(-1)).min(axis=1).mean()
            mean_dists.append(d)
    assert np.mean(mean_dists) < 0.5 and np.max(mean_dists) < 3.0


def test_normalising_points_it_cannot_scale_is_a_stroke_error_and_a_tiny_box_is_scaled():
    """NaN, infinity or a side past float64 ended in resample's bare "cannot convert
    float NaN to integer"; a box of 1e-320 made 255 / side infinite, and the same."""
    for points, why in [
        ([[np.nan, 1], [2, 3]], "finite numbers"),
        ([[np.inf, 1], [2, 3]], "finite numbers"),
        ([[-1e308, 0], [1e308, 1]], "too far apart to scale"),
    ]:
        with pytest.raises(StrokeError, match=why):
            normalize_strokes([np.array(points)])
    square = np.array([[0, 0], [100, 0], [100, 100], [0, 100], [0, 0]], np.float64)
    for size in (1, 1e-300, 1e-320):
        (got,) = normalize_strokes([square * size])
        np.testing.assert_array_equal(got, square / 100 * 255)
