"""One rule for a drawing's class (core/strokes.py), whichever command reads a directory:
a file named after a class holds that class, whatever a line's 'word' says (such a
line is counted and named in a warning); a file named after none goes by each word."""

import json

import numpy as np

from core.classes import CLASSES
from training.cache import load_split
from training.datainfo import data_files, file_stats
from ui.cli import main

OWN = ("circle", "square", "sun")


def _directory(real_dev, tmp_path):
    """Three real class files, two square lines pasted into circle.ndjson, and a file
    named after no class: two square lines, one sun, one without a word, one banana.
    Returns the directory and the per-class counts every reader must agree on."""
    d = tmp_path / "data"
    d.mkdir()
    lines = {c: (real_dev / "simplified" / f"{c}.ndjson").read_text().splitlines() for c in OWN}
    (d / "circle.ndjson").write_text("\n".join([*lines["circle"], *lines["square"][:2]]) + "\n")
    for c in ("square", "sun"):
        (d / f"{c}.ndjson").write_text("\n".join(lines[c]) + "\n")
    no_word = json.loads(lines["sun"][1])
    del no_word["word"]
    banana = {**json.loads(lines["sun"][2]), "word": "banana"}
    mixed = [*lines["square"][-2:], lines["sun"][0], json.dumps(no_word), json.dumps(banana)]
    (d / "mixed.ndjson").write_text("\n".join(mixed) + "\n")
    counts = {
        "circle": len(lines["circle"]) + 2,
        "square": len(lines["square"]) + 2,
        "sun": len(lines["sun"]) + 1,
    }
    return d, counts


MISMATCH = (
    "2 drawings whose 'word' names another class than their file's, counted as the file's "
    "class: {d}/circle.ndjson: 2 (the first: line {line}, 'square')"
)


def test_info_eval_and_training_count_a_directory_the_same(real_dev, tmp_path, capsys):
    d, counts = _directory(real_dev, tmp_path)
    circles = len((real_dev / "simplified" / "circle.ndjson").read_text().splitlines())
    warning = MISMATCH.format(d=d, line=circles + 1)

    # data info: a row a class, the same counts (circle's holds the two pasted squares,
    # square and sun the mixed file's drawings by word), and notes naming the files
    stats = [file_stats(p) for p in data_files(d)]
    info_counts = {c: sum(s.classes[c] for s in stats) for c in OWN}
    assert info_counts == counts
    assert main(["data", "info", str(d)]) == 0
    out = capsys.readouterr().out
    rows = {
        cells[0]: (int(cells[1]), int(cells[2]))
        for line in out.splitlines()
        if line.startswith("│")
        for cells in [[c.strip() for c in line.strip("│").split("│")]]
    }
    assert rows == {c: (n, 0) for c, n in counts.items()}  # mixed's bad lines: no class
    assert f"{sum(counts.values())} drawings of 3 classes in 4 files, 2 bad lines skipped" in out
    assert f"({warning})" in out.replace("\n", "")
    assert (
        "(mixed.ndjson is not named after a class: by 'word', square: 2, sun: 1; "
        "2 bad lines, in no class's row)"
    ) in out
    square = counts["square"] - 2
    assert f"(square is read from 2 files: mixed.ndjson: 2, square.ndjson: {square})" in out

    # eval (the bundled model)
    report = tmp_path / "r.json"
    assert main(["eval", "--model", "frankenstein", "--data", str(d), "--json", str(report)]) == 0
    per_class = json.loads(report.read_text())["per_class"]
    assert {c: r["n"] for c, r in per_class.items()} == counts
    out = capsys.readouterr().out
    assert f"({warning})" in out.replace("\n", "")
    assert "mixed.ndjson:4: no 'word', and the file is not named after a class" in out

    # the training set: its three splits together, and the warning it keeps
    parts = [
        load_split(d, s, pad_len=4, m=32, root=tmp_path / "c") for s in ("train", "val", "test")
    ]
    labels = np.bincount(np.concatenate([p.labels for p in parts]), minlength=len(CLASSES))
    assert {c: int(labels[CLASSES.index(c)]) for c in CLASSES if labels[CLASSES.index(c)]} == counts
    assert all(p.mismatch_warning == warning and p.bad_lines == 2 for p in parts)
