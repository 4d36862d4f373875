"""The scribble probe: its scribbles, its features, and its table of ranges."""

from __future__ import annotations

import math

import numpy as np

from core.scribble import SCRIBBLE_CROSSINGS
from experiments.probes.scribble import (
    DISC,
    features,
    main,
    random_walk,
    rows,
    window_snaps,
    zigzag,
)


def test_walks_stay_in_their_disc_and_zigzags_cross_only_when_they_scrub():
    for smooth in (None, 0.6):
        walk = random_walk(500, seed=3, step=8.0, smooth=smooth)
        assert walk.shape == (500, 2)
        assert np.hypot(*(walk - DISC[:2]).T).max() <= DISC[2] + 1e-9
        assert np.allclose(np.hypot(*np.diff(walk, axis=0).T), 8.0)
    assert features([zigzag(0, 12)])["crossings"] < 20  # hatching: its legs lie side by side
    assert features([zigzag(0, 12, drift=0.0)])["crossings"] >= 100  # scrubbing: on each other


def test_features_of_a_circle_by_hand():
    a = np.linspace(0, 2 * math.pi, 400)
    f = features([np.stack([100 * np.cos(a), 100 * np.sin(a)], 1)])
    assert f["crossings"] == f["per stroke"] == f["per diagonal"] == 0
    assert abs(f["length/side"] - math.pi) < 1e-3
    assert abs(f["turns/diagonal"] - 1 / (2 * math.pi / math.sqrt(8))) < 0.01  # one turn
    assert 0.05 < f["coverage"] < 0.2  # a ring of cells round a 32 x 32 grid


def test_rows_give_each_features_range_and_the_scribbles_past_the_limit():
    walk = random_walk(1000, seed=1)
    (row,) = rows({"two": [[walk], [walk[:50]]]})
    assert row["n"] == 2 and row["scribbles"] == 1
    lo, _, hi = row["crossings"]
    assert lo < SCRIBBLE_CROSSINGS <= hi


def test_the_command_prints_every_group_and_the_margins(real_dev, tmp_path, capsys):
    for kind in ("raw", "simplified"):
        (tmp_path / kind).mkdir()
        lines = (real_dev / kind / "hockey stick.ndjson").read_text().splitlines()[:2]
        (tmp_path / kind / "hockey stick.ndjson").write_text("\n".join(lines) + "\n")
    assert main(["--data", str(tmp_path), "--per-class", "1"]) == 0
    out = capsys.readouterr().out
    for group in ("real dev raw (window)", "synthetic", "walk 1000, 3 strokes", "scrawl (synth)"):
        assert f"\n{group} " in out
    assert "\nhockey stick " in out  # the per-class maxima
    assert (
        out.rstrip().splitlines()[-1].startswith(f"scribble limit {SCRIBBLE_CROSSINGS} crossings")
    )


def test_in_the_window_the_limit_stops_a_walk_both_bundled_models_snap():
    snaps = window_snaps({"walk": [[random_walk(1000, seed=1)]]})
    assert snaps == {"walk": {"frankenstein": (0, 1), "cnn": (0, 1)}}  # with / without
