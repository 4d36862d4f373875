"""The realism report: stroke statistics of real vs synthetic data, and the gallery."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from core.errors import FrankensteinError
from core.strokes import write_ndjson
from training.realism import ClassComparison, compare, gallery, total_variation
from training.synth import generate_drawings
from ui.cli import main

CLASSES3 = ["circle", "house", "sun"]


@pytest.fixture(scope="module")
def synth_dir(tmp_path_factory):
    d = tmp_path_factory.mktemp("synth")
    for cls in CLASSES3:
        write_ndjson(generate_drawings(30, seed=1, classes=[cls]), d / f"{cls}.ndjson")
    return d


def test_total_variation_bounds():
    assert total_variation([1, 2, 3], [2, 4, 6]) == pytest.approx(0.0)
    assert total_variation([1, 0], [0, 5]) == pytest.approx(1.0)
    assert total_variation([1, 1], [1, 0]) == pytest.approx(0.5)


def test_the_noise_floor_shrinks_with_the_real_set_size(real_dev, synth_dir):
    (circle,) = [r for r in compare(real_dev / "simplified", synth_dir) if r.word == "circle"]
    small = circle.tv_floor()
    assert 0 < small < 0.5
    big = ClassComparison(circle.word, circle.synth, circle.synth).tv_floor()  # n = 30 > 18
    assert big < small


def test_a_directory_compared_with_itself_is_identical(real_dev):
    rows = compare(real_dev / "simplified", real_dev / "simplified")
    assert len(rows) == 18
    assert all(r.tv == 0 for r in rows)
    assert sum(r.real.n for r in rows) == 300


def test_compare_covers_the_classes_both_sides_have(real_dev, synth_dir):
    seen = []
    rows = compare(real_dev / "simplified", synth_dir, progress=lambda *a: seen.append(a))
    assert [r.word for r in rows] == CLASSES3
    # the bar follows the bytes of the files read, real's then synthetic's: only those
    # of the classes both sides have files of
    names = [f"{cls}.ndjson" for cls in CLASSES3]
    read = [real_dev / "simplified" / n for n in names] + [synth_dir / n for n in names]
    total = sum(f.stat().st_size for f in read)
    files = [w for i, (*_, w) in enumerate(seen) if i == 0 or seen[i - 1][2] != w]
    assert files == names + names
    assert {t for _, t, _ in seen} == {total}
    assert [d for d, _, _ in seen] == sorted(d for d, _, _ in seen) and seen[-1][0] == total
    circle = rows[0]
    assert circle.synth.n == 30 and circle.real.n == 18
    assert np.isclose(circle.synth_hist.sum(), 1.0)
    # circles are one stroke, suns many: the synthetic ones too
    assert circle.synth_hist[0] > 0.7 and rows[2].synth_hist[-1] > 0.4


def test_compare_explains_bad_directories(tmp_path, synth_dir):
    with pytest.raises(FrankensteinError, match="not a directory"):
        compare(tmp_path / "nope", synth_dir)
    with pytest.raises(FrankensteinError, match=r"no <class>\.ndjson"):
        compare(tmp_path, synth_dir)
    (tmp_path / "hexagon.ndjson").write_text("")
    with pytest.raises(FrankensteinError, match="share no class"):
        compare(tmp_path, synth_dir)


def test_gallery_draws_real_and_synthetic_rows(real_dev, synth_dir, tmp_path):
    path = gallery(real_dev / "simplified", synth_dir, tmp_path / "g" / "gallery.png", per_side=3)
    img = np.asarray(Image.open(path).convert("L"))
    assert img.shape[0] > 150 and img.shape[1] > 300
    assert (img < 128).mean() > 0.005  # ink (and text) drawn, not a blank page


def test_data_compare_prints_the_table_and_writes_the_gallery(
    real_dev, synth_dir, tmp_path, capsys
):
    png = tmp_path / "gallery.png"
    args = ["data", "compare", str(real_dev / "simplified"), str(synth_dir), "--gallery", str(png)]
    assert main(args) == 0
    out = capsys.readouterr().out
    for cls in CLASSES3:
        assert cls in out
    assert "total variation (TV) of stroke counts" in out
    assert png.stat().st_size > 10_000
    assert main(["data", "compare", str(tmp_path / "missing"), str(synth_dir)]) == 2


def test_data_compare_shows_what_it_reads_and_draws_on_stderr(real_dev, synth_dir, tmp_path):
    """Reading a real set and drawing the gallery take seconds: a bar on the terminal
    says which class, the table alone goes to stdout."""
    from tests.terminal import run_cli

    png = tmp_path / "gallery.png"
    seen = []
    gallery(real_dev / "simplified", synth_dir, png, progress=lambda i, n, w: seen.append((i, w)))
    reading = [w for _, w in seen if w.startswith("reading ")]
    assert set(reading) == {f"reading {cls}.ndjson" for cls in CLASSES3}
    assert seen[len(reading) :] == [
        (0, "circle"),
        (1, "house"),
        (2, "sun"),
        (3, "writing the image"),
    ]
    args = ["data", "compare", str(real_dev / "simplified"), str(synth_dir), "--gallery", str(png)]
    r = run_cli(args)
    assert r.returncode == 0, r.err
    assert "reading " in r.err and "drawing the gallery: " in r.err
    assert "total variation" in r.out and "reading" not in r.out and "gallery:" not in r.out


def test_data_compare_skips_empty_classes_and_reports_bad_lines(
    real_dev, synth_dir, tmp_path, capsys
):
    real = tmp_path / "real"
    real.mkdir()
    for cls in CLASSES3:
        (real / f"{cls}.ndjson").write_bytes(
            (real_dev / "simplified" / f"{cls}.ndjson").read_bytes()
        )
    (real / "house.ndjson").write_text("")  # no drawings of one class
    circle = (real_dev / "simplified" / "circle.ndjson").read_text().splitlines()[0]
    with (real / "sun.ndjson").open("a") as f:
        f.write(f"not json\n{circle}\n")  # a bad line, and a circle in the sun file
    args = ["data", "compare", str(real), str(synth_dir), "--gallery", str(tmp_path / "g.png")]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "skipped, no drawings read: house (real)" in out
    assert "2 classes" in out
    assert "(real: 1 bad line skipped while reading:" in out and "sun.ndjson:" in out
    assert "(real: 1 drawing whose 'word' names another class than its file's" in out
    suns = len((real_dev / "simplified" / "sun.ndjson").read_text().splitlines())
    assert f"sun.ndjson: 1 (the first: line {suns + 2}, 'circle'))" in out.replace("\n", "")
    (row,) = [r for r in compare(real, synth_dir) if r.word == "sun"]
    assert row.real.n == suns + 1  # counted as a sun, as every reader counts it
    (row,) = [r for r in compare(real, synth_dir) if r.word == "house"]
    assert row.empty == ["real"] and np.isnan(row.tv_floor())
    assert main([*args[:4], "--limit", "0"]) == 2
    assert "--limit 0: must be at least 1" in capsys.readouterr().err
    assert main([*args[:4], "--seed", "-1", "--gallery", str(tmp_path / "g.png")]) == 2
    assert "--seed -1: must be 0 or more" in capsys.readouterr().err
    assert main([*args[:4], "--gallery", str(tmp_path / "g.jpg")]) == 2
    assert "g.jpg: the gallery is written as a .png file" in capsys.readouterr().err
    assert not (tmp_path / "g.jpg").exists()
    for cls in CLASSES3:
        (real / f"{cls}.ndjson").write_text("")
    assert main(args[:4]) == 2
    err = capsys.readouterr().err
    assert "no class has drawings on both sides (none read: circle (real), house (real)" in err


def _stats(row: ClassComparison) -> tuple:
    """What a comparison row shows: per side the drawings, stroke and point counts; and
    the distance with its noise."""
    sides = [(s.n, s.stroke_counts, s.points_per_stroke) for s in (row.real, row.synth)]
    return row.word, sides, row.tv, row.tv_floor()


@pytest.fixture(scope="module")
def ice_cream(real_dev, tmp_path_factory):
    """The real ice creams (12) in one file (whole/), and split across `ice cream.ndjson`
    and `ice_cream.ndjson`, six each (split/); synthetic ones to compare them with."""
    root = tmp_path_factory.mktemp("ice")
    lines = (real_dev / "simplified" / "ice cream.ndjson").read_text().splitlines(True)
    assert len(lines) == 12
    for name, parts in (("whole", {"ice cream": lines}), ("split", {})):
        (root / name).mkdir()
        for stem, part in (parts or {"ice cream": lines[:6], "ice_cream": lines[6:]}).items():
            (root / name / f"{stem}.ndjson").write_text("".join(part))
    (root / "synth").mkdir()
    drawings = generate_drawings(30, seed=2, classes=["ice cream"])
    write_ndjson(drawings, root / "synth" / "ice cream.ndjson")
    return root


@pytest.mark.parametrize("limit", [None, 8])
def test_a_class_split_across_two_files_compares_as_the_single_file(ice_cream, limit):
    """`ice cream.ndjson` and `ice_cream.ndjson` are one class: both read, one row (one
    of them was ignored); --limit counts drawings a class (8: six of the first file and
    two of the second), not a file."""
    (whole,) = compare(ice_cream / "whole", ice_cream / "synth", limit=limit)
    (split,) = compare(ice_cream / "split", ice_cream / "synth", limit=limit)
    assert split.real.n == (limit or 12)
    assert _stats(split) == _stats(whole)
    assert split.real.files == {"ice cream.ndjson": 6, "ice_cream.ndjson": (limit or 12) - 6}


def test_data_compare_and_its_gallery_read_a_split_class_as_the_single_file(
    ice_cream, tmp_path, capsys
):
    outputs, images = [], []
    for name in ("whole", "split"):
        png = tmp_path / name / "gallery.png"
        args = ["data", "compare", str(ice_cream / name), str(ice_cream / "synth")]
        assert main([*args, "--limit", "9", "--gallery", str(png)]) == 0
        out = capsys.readouterr().out
        outputs.append(out.replace(str(ice_cream / name), "REAL").replace(str(png), "PNG"))
        images.append(np.asarray(Image.open(png).convert("RGB")))
    assert outputs[0] == outputs[1]
    (row,) = [line for line in outputs[1].splitlines() if line.strip().startswith("ice cream")]
    assert row.split()[:4] == ["ice", "cream", "real", "9"]
    # the gallery picks among the same twelve real ice creams, so draws the same sheet
    assert np.array_equal(images[0], images[1])


def test_a_file_named_after_no_class_gives_its_drawings_by_their_word(
    real_dev, synth_dir, tmp_path, capsys
):
    """A mixed file is read by each line's 'word' (it was skipped: 'no <class>.ndjson')."""
    simplified = real_dev / "simplified"
    mixed = tmp_path / "mixed"
    mixed.mkdir()
    lines = [(simplified / f"{cls}.ndjson").read_text() for cls in ("sun", "circle", "eye")]
    (mixed / "quickdraw.ndjson").write_text("".join(lines) + "not json\n")
    rows = compare(mixed, synth_dir)
    assert [r.word for r in rows] == ["circle", "sun"]  # eye: no synthetic side
    named = {r.word: r for r in compare(simplified, synth_dir)}
    for r in rows:
        assert _stats(r) == _stats(named[r.word])
        assert r.real.files == {"quickdraw.ndjson": r.real.n}
    (circle, sun) = compare(mixed, synth_dir, limit=4)
    assert circle.real.n == sun.real.n == 4
    # the command: the same rows as the named files give, and the mixed file's bad line
    args = ["data", "compare", str(mixed), str(synth_dir)]
    assert main([*args, "--gallery", str(tmp_path / "g.png")]) == 0
    out = capsys.readouterr().out
    assert "2 classes" in out and "circle" in out and " sun " in out and "house" not in out
    assert "(real: 1 bad line skipped while reading:" in out and "quickdraw.ndjson:" in out
    seen = []
    gallery(mixed, synth_dir, tmp_path / "g.png", progress=lambda i, n, w: seen.append(w))
    assert seen[-3:] == ["circle", "sun", "writing the image"]


def test_raw_drawings_are_compared_as_training_reads_them(real_dev, tmp_path, capsys):
    """A raw stroke holds the screen's samples (67 points a circle's stroke against 20
    simplified): raw doodles are normalised first, as training reads them, so the same
    doodles raw and simplified compare alike, and the report says it did so."""
    rows = compare(real_dev / "raw", real_dev / "simplified")
    for r in rows:  # the same doodles: RDP gives a point or so more or less
        real, simplified = (np.mean(s.points_per_stroke) for s in (r.real, r.synth))
        assert real == pytest.approx(simplified, rel=0.05), r.word
        assert r.tv == 0
    assert sum(r.real.raw for r in rows) == 300 and not any(r.synth.raw for r in rows)
    args = ["data", "compare", str(real_dev / "raw"), str(real_dev / "simplified")]
    assert main(args) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "(real: 300 raw drawings normalised into the simplified space first" in out
    assert "synth: " not in out


def test_the_gallery_draws_raw_drawings_in_the_simplified_space(real_dev, tmp_path):
    """Raw screen coordinates (up to 1286 in the dev set) ran off the panels' 0..255:
    the same doodle raw and simplified is drawn alike."""
    sides = {}
    for side in ("raw", "simplified"):
        sides[side] = tmp_path / side
        sides[side].mkdir()
        line = (real_dev / side / "circle.ndjson").read_text().splitlines()[0]
        (sides[side] / "circle.ndjson").write_text(line + "\n")
    path = gallery(sides["raw"], sides["simplified"], tmp_path / "g.png", per_side=1)
    img = np.asarray(Image.open(path).convert("RGB")).astype(int)
    blue = (np.abs(img - [31, 119, 180]).sum(axis=2) < 60).astype(int)  # the first stroke
    half = img.shape[1] * 0.12 + (img.shape[1] * 0.87) / 2  # between the two panels
    raw, simplified = blue[:, : int(half)].sum(), blue[:, int(half) :].sum()
    assert simplified > 50 and raw == pytest.approx(simplified, rel=0.15)
