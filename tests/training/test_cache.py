import json
import os
import subprocess
import sys
import time

import numpy as np
import pytest

from core.classes import CLASSES
from core.raster import rasterize
from core.strokes import Drawing, write_ndjson
from tests.conftest import ROOT
from tests.training.shapes import make_drawings, write_shapes_dir
from training.cache import DataError, load_split
from training.split import split_of


@pytest.fixture
def data_dir(tmp_path):
    return write_shapes_dir(tmp_path / "data", per_class=12)


def _prepared(root):
    return sorted(p.name for p in (root / "prepared").iterdir())


def test_prepared_split_holds_the_right_drawings_and_frames(data_dir, tmp_path):
    calls = []
    ps = load_split(
        data_dir, "val", pad_len=4, m=32, root=tmp_path / "c", progress=lambda *a: calls.append(a)
    )
    expected = [d for d in make_drawings(12) if split_of(d) == "val"]
    assert len(ps) == len(expected) > 0
    assert calls and calls[-1][0] == calls[-1][1]  # progress reached its total
    frames, lengths = ps.frames(np.arange(len(ps)))
    by_label = {}
    for d in expected:
        by_label.setdefault(d.word, []).append(d)
    for i in range(len(ps)):
        d = ps.drawing(i)
        np.testing.assert_array_equal(frames[i], rasterize(d.strokes, 4, 32))
        assert lengths[i] == min(d.n_strokes, 4)
    assert sorted(ps.drawing(i).word for i in range(len(ps))) == sorted(d.word for d in expected)


def test_preparing_a_big_file_shows_its_reading_and_rasterising(tmp_path):
    """A real class file (tens of megabytes, 100,000 drawings) takes about 20 s a split:
    its megabytes read, then its drawings rasterised, not one step for the whole file."""
    from core.strokes import PROGRESS_LINES

    line = Drawing(strokes=(np.arange(400, dtype=np.float32).reshape(-1, 2) % 256,), word="sun")
    write_ndjson([line] * (4 * PROGRESS_LINES), tmp_path / "data" / "sun.ndjson")
    mb = -(-(tmp_path / "data" / "sun.ndjson").stat().st_size // (1 << 20))
    assert mb > 3
    calls = []
    ps = load_split(
        tmp_path / "data",
        "train",
        pad_len=4,
        m=32,
        root=tmp_path / "c",
        progress=lambda *a: calls.append(a),
    )
    reading = [c[:2] for c in calls if c[2] == "1/1 train: reading sun (MB)"]
    assert reading[0] == (0, mb) and reading[-1] == (mb, mb) and len(reading) >= 4
    assert [r[0] for r in reading] == sorted({r[0] for r in reading})  # once a megabyte
    drawn = [c[:2] for c in calls if c[2] == "1/1 train: rasterising sun"]
    assert drawn[0] == (0, len(ps)) and drawn[-1] == (len(ps), len(ps)) and len(drawn) > 2
    assert calls[-1] == (1, 1, "prepared the train split")


def test_a_capped_file_counts_its_drawings_toward_the_cap_and_the_whole_preparation(tmp_path):
    """With a cap, a real class file (32 MB) is read only until its class has the cap
    (3 MB): its bar's total was the whole file's megabytes, so it stopped at 10% and the
    next began; and each of the 54 files of the 3 splits began a bar with no word of
    how far the whole was. It now counts drawings toward the cap, "10/54 train: ..."."""
    from core.strokes import PROGRESS_LINES

    line = Drawing(strokes=(np.arange(400, dtype=np.float32).reshape(-1, 2) % 256,), word="sun")
    write_ndjson([line] * (4 * PROGRESS_LINES), tmp_path / "data" / "sun.ndjson")
    cap = 2 * PROGRESS_LINES + 10
    calls = []
    load_split(
        tmp_path / "data",
        "train",
        pad_len=4,
        m=32,
        cap=cap,
        root=tmp_path / "c",
        progress=lambda *a: calls.append(a),
        steps=(9, 54),
    )
    reading = [c[:2] for c in calls if c[2] == "10/54 train: reading sun"]
    assert reading[0] == (0, cap) and reading[-1] == (cap, cap) and len(reading) >= 3
    assert {c[1] for c in reading} == {cap}  # drawings, not the file's megabytes
    assert next(c[2] for c in calls if "rasterising" in c[2]) == "10/54 train: rasterising sun"


def test_the_cache_is_found_again_and_missed_when_settings_change(data_dir, tmp_path):
    root = tmp_path / "c"
    a = load_split(data_dir, "train", pad_len=4, m=32, root=root)
    first = _prepared(root)
    stamp = (root / "prepared" / first[0] / "frames.bin").stat().st_mtime_ns
    b = load_split(data_dir, "train", pad_len=4, m=32, root=root)
    assert _prepared(root) == first  # a hit: nothing new written
    assert (root / "prepared" / first[0] / "frames.bin").stat().st_mtime_ns == stamp
    np.testing.assert_array_equal(a.labels, b.labels)
    load_split(data_dir, "train", pad_len=4, m=64, root=root)
    load_split(data_dir, "train", pad_len=4, m=32, cap=5, root=root)
    assert len(_prepared(root)) == 3


def test_a_changed_file_is_never_served_stale(data_dir, tmp_path):
    root = tmp_path / "c"
    before = load_split(data_dir, "train", pad_len=4, m=32, root=root)
    extra = [
        Drawing(
            strokes=(np.array([[0, 0], [255, 255]], np.float32),), word="line", key_id=f"new-{i}"
        )
        for i in range(40)
    ]
    extra = [d for d in extra if split_of(d) == "train"]
    old = [d for d in make_drawings(12) if d.word == "line"]
    write_ndjson(old + extra, data_dir / "line.ndjson")
    after = load_split(data_dir, "train", pad_len=4, m=32, root=root)
    assert len(after) == len(before) + len(extra)
    assert len(_prepared(root)) == 2


def test_preparing_a_changed_directory_removes_its_older_sets_unless_in_use(data_dir, tmp_path):
    """A touched file changes the key, and its older sets (hundreds of megabytes for a
    real directory) were kept for ever: preparing a set now removes those of the same
    directory (any settings, an older format too) that no process holds, and says so."""
    import gc

    root = tmp_path / "c"
    other = write_shapes_dir(tmp_path / "other", per_class=12)
    held = load_split(data_dir, "train", pad_len=4, m=32, root=root)  # in use
    load_split(data_dir, "val", pad_len=4, m=32, root=root)
    load_split(data_dir, "train", pad_len=4, m=64, root=root)
    theirs = load_split(other, "train", pad_len=4, m=32, root=root)
    gc.collect()  # the val and m=64 sets: no longer held
    older_format = root / "prepared" / ("0" * 20)  # format 3 named no directory
    older_format.mkdir()
    files = [[str(p.resolve()), 1, 2] for p in sorted(data_dir.iterdir())]
    (older_format / "meta.json").write_text(json.dumps({"inputs": {"version": 3, "files": files}}))
    (older_format / "frames.bin").write_bytes(b"\0" * 4096)
    in_use = set(_prepared(root)) - {older_format.name}
    assert len(in_use) == 4

    os.utime(data_dir / "line.ndjson", ns=(1, 1))  # changed: its time
    now = load_split(data_dir, "train", pad_len=4, m=32, root=root)
    left = set(_prepared(root))
    assert len(left) == 3 and older_format.name not in left  # held's, theirs and now's
    assert now.removed.startswith(
        f"{data_dir.resolve()}: removed 3 older prepared sets of it from {root / 'prepared'} ("
    )
    assert now.removed.endswith(
        "): a data file changed since (its size or time), or the cache's format did"
    )
    assert len(held.frames(np.arange(len(held)))[0]) == len(held)  # still read
    assert len(theirs) and _hidden(root) == []

    del held, now
    gc.collect()
    os.utime(data_dir / "line.ndjson", ns=(2, 2))
    again = load_split(data_dir, "train", pad_len=4, m=32, root=root)
    assert again.removed.startswith(f"{data_dir.resolve()}: removed 2 older prepared sets")
    assert len(_prepared(root)) == 2  # theirs and again's
    found = load_split(data_dir, "train", pad_len=4, m=32, root=root)
    assert found.removed == "" and len(found) == len(again)  # a hit removes nothing


def test_cap_reads_at_most_n_drawings_a_class(data_dir, tmp_path):
    parts = [
        load_split(data_dir, s, pad_len=4, m=32, cap=5, root=tmp_path)
        for s in ("train", "val", "test")
    ]
    counts = np.bincount(np.concatenate([p.labels for p in parts]), minlength=18)
    assert counts.tolist() == [5] * 18


def test_cap_counts_a_class_across_its_files_and_the_words_of_a_mixed_file(tmp_path):
    """`data.cap_per_class` is at most N a class, as `eval --limit` counts: two files of
    one class share the N (it kept N of each), and a file named after no class keeps N
    of each of its words (it kept N of the file)."""
    d = tmp_path / "d"
    d.mkdir()
    line = (np.arange(3) * 50).tolist()

    def lines(start, n, words=None):
        objs = [
            {"key_id": f"k{start + i}", "drawing": [[line, line]]}
            | ({"word": words[i % len(words)]} if words else {})
            for i in range(n)
        ]
        return "".join(json.dumps(o) + "\n" for o in objs)

    (d / "ice cream.ndjson").write_text(lines(0, 50))
    (d / "ice_cream.ndjson").write_text(lines(100, 50))
    (d / "circle.ndjson").write_text(lines(200, 50))
    (d / "mine.ndjson").write_text(lines(300, 60, ["sun", "eye"]))
    parts = [
        load_split(d, s, pad_len=4, m=32, cap=15, root=tmp_path / "c")
        for s in ("train", "val", "test")
    ]
    counts = np.bincount(np.concatenate([p.labels for p in parts]), minlength=18)
    assert {CLASSES[i]: int(n) for i, n in enumerate(counts) if n} == {
        "circle": 15,
        "ice cream": 15,
        "sun": 15,
        "eye": 15,
    }


def test_raw_drawings_are_normalised_and_bad_lines_counted(tmp_path):
    d = tmp_path / "raw"
    d.mkdir()
    lines = []
    for i in range(30):
        xs, ys = [100 + i, 700, 900], [50, 400, 60]
        lines.append(
            json.dumps({"word": "triangle", "key_id": f"r{i}", "drawing": [[xs, ys, [0, 10, 20]]]})
        )
    lines.append("{not json")
    (d / "triangle.ndjson").write_text("\n".join(lines) + "\n")
    parts = [
        load_split(d, s, pad_len=4, m=32, root=tmp_path / "c") for s in ("train", "val", "test")
    ]
    assert sum(len(p) for p in parts) == 30
    pts = parts[0].strokes(np.arange(len(parts[0]))).points
    assert pts.min() == 0 and pts.max() == 255  # the simplified space
    meta = [
        json.loads((p / "meta.json").read_text()) for p in (tmp_path / "c" / "prepared").iterdir()
    ]
    assert all(m["bad_lines"] == 1 for m in meta)


def test_labels_are_the_files_class_and_a_line_without_one_is_a_bad_line(tmp_path):
    """core/strokes.py's rule: a line of triangle.ndjson whose word says circle is a
    triangle (counted in meta.json); in a file named after no class, a line is its
    word's class, and one without a word is a bad line (it stopped the run before)."""
    d = tmp_path / "d"
    d.mkdir()
    line = (np.arange(3) * 50).tolist()

    def obj(i, word=None):
        return json.dumps(
            {"key_id": f"k{i}", "drawing": [[line, line]]} | ({"word": word} if word else {})
        )

    (d / "triangle.ndjson").write_text(
        "\n".join(obj(i, "triangle" if i % 5 else "circle") for i in range(20)) + "\n"
    )
    (d / "mine.ndjson").write_text("\n".join([obj(20, "sun"), obj(21), obj(22, "sun")]) + "\n")
    parts = [
        load_split(d, s, pad_len=4, m=32, root=tmp_path / "c") for s in ("train", "val", "test")
    ]
    counts = np.bincount(np.concatenate([p.labels for p in parts]), minlength=18)
    assert counts[CLASSES.index("triangle")] == 20 and counts[CLASSES.index("sun")] == 2
    assert counts.sum() == 22
    for p in parts:
        assert p.bad_lines == 1 and "mine.ndjson:2: no 'word'" in p.bad_examples[0]
        assert p.mismatch_warning.startswith("4 drawings whose 'word' names another class")
        assert p.mismatch_warning.endswith("triangle.ndjson: 4 (the first: line 1, 'circle')")


def test_missing_or_empty_directories_are_clear_errors(tmp_path):
    with pytest.raises(DataError, match="data directory not found"):
        load_split(tmp_path / "nope", "train", pad_len=4, m=32, root=tmp_path)
    (tmp_path / "empty").mkdir()
    with pytest.raises(DataError, match=r"no \.ndjson or \.json drawing files"):
        load_split(tmp_path / "empty", "train", pad_len=4, m=32, root=tmp_path)
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / "circle.ndjson").write_text('not json\n{"word": "circle"}\n')
    with pytest.raises(DataError) as e:  # said why, as eval says it (train said nothing)
        load_split(tmp_path / "bad", "train", pad_len=4, m=32, root=tmp_path)
    bad = tmp_path / "bad"
    assert str(e.value) == (
        f"{bad}: no drawings to put in the train split (2 bad lines skipped, the first: "
        f"{bad / 'circle.ndjson'}:1: not valid JSON)"
    )


PREPARE_AND_STOP = """
import os
import signal
import sys
import time

from training.cache import load_split

def stop(done, total, what):
    if "rasterising" in what:
        if sys.argv[3] == "kill":
            os.kill(os.getpid(), signal.SIGKILL)  # as a power cut or the OOM killer would
        print("preparing", flush=True)
        time.sleep(600)

load_split(sys.argv[1], "train", pad_len=4, m=32, root=sys.argv[2], progress=stop)
"""


def _preparing(data_dir, root, how):
    return subprocess.Popen(
        [sys.executable, "-c", PREPARE_AND_STOP, str(data_dir), str(root), how],
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE,
        text=True,
    )


def _hidden(root):
    return sorted(p for p in (root / "prepared").iterdir() if p.name.startswith("."))


def _age(path, seconds):
    then = time.time() - seconds
    os.utime(path, (then, then))


def test_a_killed_preparation_leaves_a_hidden_folder_that_the_next_one_removes(data_dir, tmp_path):
    """A process killed while preparing (SIGKILL: no clean-up of its own) leaves its
    hidden temporary folder, as big as the frames written so far (gigabytes for a real
    data set); the next preparation in that cache removes it once no process holds it."""
    root = tmp_path / "c"
    killed = _preparing(data_dir, root, "kill")
    killed.wait(timeout=120)
    (left,) = _hidden(root)
    assert (left / "frames.bin").exists()
    _age(left, 120)  # a minute or more ago
    load_split(data_dir, "val", pad_len=4, m=32, root=root)
    assert _hidden(root) == [] and len(_prepared(root)) == 1


def test_a_live_preparation_and_a_fresh_folder_are_left_alone(data_dir, tmp_path):
    root = tmp_path / "c"
    live = _preparing(data_dir, root, "wait")
    try:
        assert live.stdout.readline() == "preparing\n"
        (theirs,) = _hidden(root)
        _age(theirs, 3600)  # old, but its process lives and holds it
        starting = root / "prepared" / ".0123456789abcdef0123.abcd1234"
        starting.mkdir()  # made a moment ago, its process not yet holding it
        load_split(data_dir, "val", pad_len=4, m=32, root=root)
        assert set(_hidden(root)) == {starting, theirs}
    finally:
        live.kill()
        live.wait()


def test_a_prepared_folder_is_on_disk_before_it_is_renamed_into_place(
    data_dir, tmp_path, monkeypatch
):
    """After a power cut, a folder renamed into place must not hold files whose data
    never reached the disk (frames of zeros, a short frames.bin that cannot be mapped):
    every file is synced, then the folder, before the rename."""
    import stat

    synced = []
    real_fsync = os.fsync

    def fsync(fd):  # the real fsync, noting what it synced
        st = os.fstat(fd)
        names = [p.name for p in (tmp_path / "c").rglob("*") if p.stat().st_ino == st.st_ino]
        synced.append(names[0] if stat.S_ISREG(st.st_mode) else "folder:" + names[0])
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    load_split(data_dir, "val", pad_len=4, m=32, root=tmp_path / "c")
    arrays = ["points.npy", "stroke_len.npy", "n_strokes.npy", "labels.npy"]
    assert synced[:5] == ["frames.bin", *arrays]
    assert synced[5].startswith(".meta.json.")  # atomic_write_text's temporary, synced
    temporary = synced[6]  # the folder's entries, as it was named before the rename
    assert temporary.startswith("folder:.") and synced[7:] == ["folder:prepared"]  # the rename


@pytest.mark.parametrize(
    ("damage", "reason"),
    [
        (lambda f: (f / "frames.bin").write_bytes(b"\x00" * 10), "mmap length"),
        (lambda f: (f / "meta.json").write_text('{"n": 3'), "Expecting"),
        (lambda f: (f / "labels.npy").unlink(), "No such file"),
    ],
    ids=["short-frames", "meta-json", "missing-labels"],
)
def test_a_damaged_cache_is_a_one_line_error_saying_what_to_delete(
    data_dir, tmp_path, damage, reason
):
    root = tmp_path / "c"
    load_split(data_dir, "val", pad_len=4, m=32, root=root)
    (key,) = _prepared(root)
    folder = root / "prepared" / key
    damage(folder)
    with pytest.raises(DataError) as e:
        load_split(data_dir, "val", pad_len=4, m=32, root=root)
    said = str(e.value)
    assert said.startswith(f"{folder}: a damaged prepared cache (") and reason in said
    assert said.endswith("); delete that folder and the data is prepared again")
    assert "\n" not in said


def test_a_split_prepared_without_frames_holds_the_same_strokes_and_no_frames(data_dir, tmp_path):
    """An augmenting run draws its training batches from the strokes, so the train
    split's frames (most of its size, half its preparing) were never read: frames=False
    skips them, under a key of its own, and a run without augmentation still gets them."""
    root = tmp_path / "c"
    calls = []
    bare = load_split(
        data_dir,
        "train",
        pad_len=4,
        m=32,
        root=root,
        frames=False,
        progress=lambda *a: calls.append(a),
    )
    assert bare.packed is None and not [c for c in calls if "rasterising" in c[2]]
    with pytest.raises(ValueError, match="prepared without frames"):
        bare.frames(np.arange(2))
    (key,) = _prepared(root)
    assert (root / "prepared" / key / "frames.bin").stat().st_size == 0
    full = load_split(data_dir, "train", pad_len=4, m=32, root=root)
    assert len(_prepared(root)) == 2 and full.packed is not None
    idx = np.arange(len(full))
    np.testing.assert_array_equal(bare.labels, full.labels)
    np.testing.assert_array_equal(bare.strokes(idx).points, full.strokes(idx).points)
