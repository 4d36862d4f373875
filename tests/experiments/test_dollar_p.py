"""The $P point-cloud recogniser (Vatavu, Anthony and Wobbrock 2012) on simple cases."""

from __future__ import annotations

import numpy as np
import pytest

from core.classes import class_index
from core.strokes import Drawing
from experiments.peers.dollar_p import (
    N_POINTS,
    DollarP,
    _greedy,
    cloud,
    evaluate_leave_one_out,
    resample,
)


def circle(cx=128.0, cy=128.0, r=100.0, n=40, start=0.0):
    t = start + np.linspace(0, 2 * np.pi, n)
    return [np.stack([cx + r * np.cos(t), cy + r * np.sin(t)], 1).astype(np.float32)]


def square(x0=20.0, y0=20.0, s=200.0):
    p = np.array([[x0, y0], [x0 + s, y0], [x0 + s, y0 + s], [x0, y0 + s], [x0, y0]], np.float32)
    return [p]


def line(y=128.0):
    return [np.array([[0, y], [255, y]], np.float32)]


def test_resampling_spaces_points_evenly_along_the_ink_not_the_gaps():
    two = [np.array([[0, 0], [10, 0]], np.float32), np.array([[100, 0], [110, 0]], np.float32)]
    p = resample(two, 4)
    assert p.shape == (4, 2)
    # 20 units of ink, 4 points: every 20/3 units; the gap from 10 to 100 holds none
    assert p[:, 0] == pytest.approx([0, 20 / 3, 100 + 10 / 3, 110])
    assert p[:, 1] == pytest.approx([0, 0, 0, 0])


def test_clouds_are_scaled_and_centred():
    c = cloud(square(x0=50, s=20))
    assert c.shape == (N_POINTS, 2)
    assert c.mean(0) == pytest.approx([0, 0], abs=1e-9)
    assert (c.max(0) - c.min(0)).max() == pytest.approx(1.0)
    assert cloud(square(x0=50, s=20)) == pytest.approx(cloud(square(x0=0, s=250)))


def reference_cloud_distance(a, b, start):
    """The paper's CLOUD-DISTANCE, loop for loop."""
    n = len(a)
    matched = [False] * n
    total, i = 0.0, start
    while True:
        best, index = np.inf, -1
        for j in range(n):
            if not matched[j]:
                d = float(np.linalg.norm(a[i] - b[j]))
                if d < best:
                    best, index = d, j
        matched[index] = True
        total += (1 - ((i - start + n) % n) / n) * best
        i = (i + 1) % n
        if i == start:
            return total


def test_the_vectorised_greedy_match_is_the_papers():
    rng = np.random.default_rng(0)
    n = 9
    q = rng.normal(size=(n, 2))
    templates = rng.normal(size=(4, n, 2))
    d = np.linalg.norm(q[None, :, None] - templates[:, None, :], axis=-1)  # (M, n, n)
    step = int(np.floor(n**0.5))
    expected = [
        min(reference_cloud_distance(q, t, s) for s in range(0, n, step)) for t in templates
    ]
    assert _greedy(d) == pytest.approx(expected)


def test_a_drawing_is_recognised_as_its_own_template():
    shapes = [circle(), square(), line()]
    labels = [class_index(c) for c in ("circle", "square", "line")]
    p = DollarP(shapes, labels)
    for s, y in zip(shapes, labels, strict=True):
        assert p.recognize(s) == y
        assert p.distances(s).min() == pytest.approx(0.0, abs=1e-9)
    # a moved, resized, differently started circle is still nearest the circle
    assert p.recognize(circle(cx=60, cy=90, r=30, start=1.0)) == class_index("circle")


def test_leave_one_out_excludes_the_query():
    shapes = [circle(), circle(r=60, start=2.0), square()]
    labels = [class_index("circle"), class_index("circle"), class_index("square")]
    p = DollarP(shapes, labels)
    d = p.distances(shapes[0], exclude=0)
    assert d[0] == np.inf and np.isfinite(d[1:]).all()
    assert p.recognize(shapes[0], exclude=0) == class_index("circle")  # the other circle
    lone = DollarP([circle(), square()], [class_index("circle"), class_index("square")])
    assert lone.recognize(circle(), exclude=0) == class_index("square")  # itself is out


def test_leave_one_out_evaluation_reports_accuracy_after_k_strokes():
    def d(word, strokes):
        return Drawing(strokes=tuple(strokes), word=word)

    tail = np.array([[128, 228], [128, 255]], np.float32)
    drawings = [
        d("circle", circle()),
        d("circle", circle(r=80, start=1.0)),
        d("line", line(100)),
        d("line", line(150)),
        d("ice cream", [*circle(r=40), tail]),  # its only class member: always wrong
    ]
    rep = evaluate_leave_one_out(drawings)
    assert rep["n"] == 5 and rep["templates"] == 4 and rep["alone"] == 1
    assert rep["top1"] == pytest.approx(4 / 5)
    rows = rep["accuracy_at_stroke"]
    assert [r["k"] for r in rows] == list(range(1, 9))
    assert rows[0]["so_far"] == pytest.approx(4 / 5) and rows[1]["n"] == 1
    assert rows[1]["top1"] == 0.0  # the ice cream's second stroke
    assert rep["ms_per_drawing"] > 0


def test_one_drawing_a_class_has_no_leave_one_out_score():
    """Left out of its own set, each drawing has no template of its class: 0% was
    reported, a figure of nothing; now none, and how many were alone."""
    drawings = [
        Drawing(strokes=tuple(circle()), word="circle"),
        Drawing(strokes=tuple(line()), word="line"),
    ]
    rep = evaluate_leave_one_out(drawings)
    assert (rep["n"], rep["alone"], rep["top1"]) == (2, 2, None)
    assert {r["so_far"] for r in rep["accuracy_at_stroke"]} == {None}
    assert rep["ms_per_drawing"] > 0
