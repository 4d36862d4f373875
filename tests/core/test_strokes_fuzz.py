"""Property tests (hypothesis) of the stroke readers and the JSON converters.

The readers must survive anything a file can hold: every non-blank line is either a
drawing or a reported bad line, nothing else escapes (strict mode raises ReadError).
"""

import json
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from core.classes import CLASSES
from core.strokes import (
    Drawing,
    ReadError,
    ReadReport,
    drawing_from_json,
    drawing_to_json,
    iter_ndjson,
    iter_seed_json,
    write_ndjson,
)

# tmp_path is shared by the examples of a test, which is fine (each rewrites its file);
# generation can be slow on a loaded CI machine, which is no failure of the readers
SETTINGS = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)

# ------------------------------------------------------------------------- strategies

grid = st.integers(0, 255)
simplified_stroke = st.integers(1, 20).flatmap(
    lambda n: st.tuples(
        st.lists(grid, min_size=n, max_size=n), st.lists(grid, min_size=n, max_size=n)
    )
)
simplified_obj = st.fixed_dictionaries(
    {"drawing": st.lists(simplified_stroke.map(list), min_size=1, max_size=8)},
    optional={
        "word": st.sampled_from(CLASSES),
        "key_id": st.text(max_size=20),
        "countrycode": st.sampled_from(["US", "DE", "JP"]),
        "recognized": st.booleans(),
        "timestamp": st.text(max_size=30),
    },
)

json_value = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=10),
    lambda inner: (
        st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=8), inner, max_size=5)
    ),
    max_leaves=30,
)

# shaped like a drawing, filled with anything: numbers beyond float64, NaN, text, null
number_ish = (
    st.integers(-(10**320), 10**320)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=3)
    | st.none()
    | st.booleans()
)
drawing_ish = st.fixed_dictionaries(
    {"drawing": st.lists(st.lists(st.lists(number_ish, max_size=4), max_size=4), max_size=4)},
    optional={"word": st.sampled_from(CLASSES) | st.text(max_size=8) | st.integers()},
)


def _break(obj: dict, how: str, rnd: int) -> dict:
    """A simplified drawing made bad in one of the ways the issue lists."""
    obj = json.loads(json.dumps(obj))
    strokes = obj["drawing"]
    s = strokes[rnd % len(strokes)]
    if how == "no strokes":
        obj["drawing"] = []
    elif how == "mismatched x/y":
        s[1] = [*s[1], 7]
    elif how == "non-numeric":
        s[0][rnd % len(s[0])] = "12"
    elif how == "off the grid":
        s[1][rnd % len(s[1])] = 256 + rnd
    elif how == "negative":
        s[0][0] = -1 - rnd
    elif how == "huge int":
        s[0][0] = 10**400
    elif how == "empty stroke":
        s[0], s[1] = [], []
    elif how == "wrong class":
        obj["word"] = "not a class"
    elif how == "no drawing":
        del obj["drawing"]
    elif how == "stroke not a list":
        strokes[rnd % len(strokes)] = 5
    return obj


BAD_WAYS = [
    "no strokes",
    "mismatched x/y",
    "non-numeric",
    "off the grid",
    "negative",
    "huge int",
    "empty stroke",
    "wrong class",
    "no drawing",
    "stroke not a list",
]
good_line = simplified_obj.map(lambda o: ("good", json.dumps(o).encode()))
bad_drawing_line = st.tuples(simplified_obj, st.sampled_from(BAD_WAYS), st.integers(0, 99)).map(
    lambda t: ("bad", json.dumps(_break(*t), allow_nan=True).encode())
)
bad_fixed_line = st.sampled_from(
    [
        b'{"drawing": [[[1, NaN], [2, 3]]]}',
        b'{"drawing": [[[1, Infinity], [2, 3]]]}',
        b"[1, 2, 3]",
        b'"a string"',
        b"{not json",
        b"\xff\xfe\x00 binary",
        b"[" * 5000,
        b'{"drawing": [[[1], [2]], [[1], [2], [3]]]}',
        b"null",
    ]
).map(lambda b: ("bad", b))
# bytes without a newline, judged by the reader itself (None: good or bad)
any_bytes_line = st.binary(max_size=60).map(lambda b: (None, b.replace(b"\n", b"")))
any_json_line = (json_value | drawing_ish).map(
    lambda v: (None, json.dumps(v, allow_nan=True).encode())
)
blank_line = st.sampled_from([b"", b"   ", b"\t\r"]).map(lambda b: ("blank", b))
line = st.one_of(
    good_line, bad_drawing_line, bad_fixed_line, any_bytes_line, any_json_line, blank_line
)


def _write(tmp_path, lines) -> tuple:
    path = tmp_path / "fuzz.ndjson"
    path.write_bytes(b"\n".join(b for _, b in lines))
    return path


# ----------------------------------------------------------------------------- readers


@SETTINGS
@given(st.lists(line, max_size=30))
def test_every_non_blank_line_is_a_drawing_or_a_reported_bad_line(tmp_path, lines):
    path = _write(tmp_path, lines)
    report = ReadReport(keep=1000)
    drawings = list(iter_ndjson(path, report=report))  # never raises
    non_blank = [(i, kind) for i, (kind, b) in enumerate(lines, start=1) if b.strip()]
    assert report.good + report.bad == len(non_blank)
    assert len(drawings) == report.good
    known_good = sum(kind == "good" for _, kind in non_blank)
    known_bad = sum(kind == "bad" for _, kind in non_blank)
    assert known_good <= report.good and known_bad <= report.bad
    # the bad lines reported are exactly the known-bad ones plus some of the unknown ones
    bad_lines = [b.line for b in report.examples]
    assert bad_lines == sorted(bad_lines)
    assert {i for i, kind in non_blank if kind == "bad"} <= set(bad_lines)
    assert not {i for i, kind in non_blank if kind == "good"} & set(bad_lines)
    assert all(b.path == str(path) and b.reason for b in report.examples)
    for d in drawings:
        assert d.strokes and all(s.dtype == np.float32 and s.ndim == 2 for s in d.strokes)
        assert all(len(s) >= 1 and np.isfinite(s).all() for s in d.strokes)
        assert all(((s >= 0) & (s <= 255)).all() for s in d.strokes)


@SETTINGS
@given(st.lists(line, max_size=30))
def test_strict_mode_raises_at_the_first_bad_line_and_only_then(tmp_path, lines):
    path = _write(tmp_path, lines)
    report = ReadReport()
    before_first_bad = 0
    for _ in iter_ndjson(path, report=report):
        before_first_bad += report.bad == 0
    got = []
    if report.bad == 0:
        got.extend(iter_ndjson(path, strict=True))
        assert len(got) == report.good
        return
    first = report.examples[0]
    with pytest.raises(ReadError) as e:
        got.extend(iter_ndjson(path, strict=True))
    assert str(e.value) == str(first)
    assert str(e.value).startswith(f"{path}:{first.line}: ")
    assert len(got) == before_first_bad


@example(b"[" * 5000)
@example(b"[[[[0, 1e400], [2, 3]]]]")
@SETTINGS
@given(st.binary(max_size=200) | json_value.map(lambda v: json.dumps(v, allow_nan=True).encode()))
def test_a_seed_file_of_anything_reads_or_raises_read_error(tmp_path, data):
    path = tmp_path / "circle.json"
    path.write_bytes(data)
    report = ReadReport()
    try:
        drawings = list(iter_seed_json(path, report=report))
    except ReadError as e:
        assert str(e).startswith(str(path))
        return
    assert len(drawings) == report.good


def test_deeply_nested_and_huge_numbers_are_bad_lines_not_crashes(tmp_path):
    path = tmp_path / "x.ndjson"
    path.write_bytes(b"[" * 100_000 + b'\n{"drawing": [[[10' + b"0" * 400 + b"], [1]]]}\n")
    report = ReadReport()
    assert list(iter_ndjson(path, report=report)) == []
    assert [(b.line, b.reason) for b in report.examples] == [
        (1, "not valid JSON (nested too deeply)"),
        (2, "stroke 0 x holds a number too large"),
    ]


# -------------------------------------------------------------------------- round trips

raw_coord = st.integers(-1_000_000, 1_000_000).map(lambda v: v / 1000)  # 3 decimals, |v| <= 1000
raw_stroke = st.integers(1, 15).flatmap(
    lambda n: st.tuples(
        st.lists(st.tuples(raw_coord, raw_coord), min_size=n, max_size=n),
        st.lists(st.integers(0, 10**7).map(lambda t: t / 1000), min_size=n, max_size=n),
    )
)


def _same(a: Drawing, b: Drawing) -> None:
    assert len(a.strokes) == len(b.strokes)
    for s, t in zip(a.strokes, b.strokes, strict=True):
        assert s.dtype == t.dtype == np.float32
        np.testing.assert_array_equal(s, t)
    for k in ("word", "key_id", "countrycode", "recognized", "timestamp"):
        assert getattr(a, k) == getattr(b, k)


@SETTINGS
@given(simplified_obj)
def test_simplified_json_round_trip(obj):
    d = drawing_from_json(obj)
    again = json.loads(json.dumps(drawing_to_json(d)))
    assert again["drawing"] == [[list(x), list(y)] for x, y in obj["drawing"]]
    _same(d, drawing_from_json(again))


@SETTINGS
@given(st.lists(raw_stroke, min_size=1, max_size=6), st.sampled_from(CLASSES), st.text(max_size=12))
def test_raw_json_round_trip_keeps_times(strokes, word, key_id):
    d = Drawing(
        strokes=tuple(np.array(p, np.float32) for p, _ in strokes),
        word=word,
        key_id=key_id,
        times=tuple(np.array(t, np.float64) for _, t in strokes),
    )
    back = drawing_from_json(json.loads(json.dumps(drawing_to_json(d, raw=True))))
    _same(d, back)
    for t, u in zip(d.times, back.times, strict=True):
        np.testing.assert_allclose(t, u, rtol=0, atol=5e-4)


@settings(SETTINGS, max_examples=40)  # each example writes (and fsyncs) a file
@given(st.lists(simplified_obj, max_size=8))
def test_write_then_read_gives_the_same_drawings(tmp_path, objs):
    drawings = [drawing_from_json(o) for o in objs]
    path = tmp_path / "drawings.ndjson"  # not a class: each line's word is its own
    assert write_ndjson(drawings, path) == len(drawings)
    back = list(iter_ndjson(path, strict=True))
    assert len(back) == len(drawings)
    for a, b in zip(drawings, back, strict=True):
        _same(a, b)
    # a file named after a class holds that class, whatever a line's word says
    path = tmp_path / "sun.ndjson"
    write_ndjson(drawings, path)
    report = ReadReport()
    back = list(iter_ndjson(path, strict=True, report=report))
    for a, b in zip(drawings, back, strict=True):
        _same(replace(a, word="sun"), b)
    assert report.mismatched == sum(d.word not in (None, "sun") for d in drawings)


@SETTINGS
@given(json_value | drawing_ish)
def test_any_json_value_is_a_drawing_or_a_value_error(value):
    try:
        d = drawing_from_json(value)
    except ValueError:
        return
    assert d.strokes and all(np.isfinite(s).all() for s in d.strokes)


def test_reasons_name_the_problem(tmp_path):
    path = tmp_path / "x.ndjson"
    path.write_bytes(b'\xff\xfe\n{"drawing": 1\n{"drawing": [[[1e999], [1]]]}\n')
    report = ReadReport()
    list(iter_ndjson(path, report=report))
    assert [b.reason for b in report.examples] == [
        "not valid JSON (not UTF-8 text)",
        "not valid JSON",
        "stroke 0 x holds NaN or infinity",
    ]
