"""The drawing window's view of each prefix (training/replay.py `window_views`,
`replay_live`): the first k strokes normalised on their own bounding box, as
live/controller.py `_sync` normalises the ink drawn so far, not at the finished
drawing's scale that a simplified file holds them at."""

from __future__ import annotations

import numpy as np
import pytest

from core.classes import CLASSES
from core.classifier import StrokeClassifier
from core.raster import stroke_frames
from core.strokes import Drawing, normalize_strokes
from tests.conftest import one_torch_thread
from tests.core.tiny_models import real_drawings_by_strokes, tiny_model
from training.replay import read_eval_drawings, replay_live, replay_many, window_views

# A finished drawing whose first stroke is a small square in its top-left corner, and
# whose second stroke, a long diagonal, sets the finished drawing's box.
SQUARE = np.array([[0, 0], [40, 0], [40, 40], [0, 40], [0, 0]], np.float32)
DIAGONAL = np.array([[40, 40], [255, 255]], np.float32)


def _spans(frame: np.ndarray) -> tuple[int, int]:
    """The ink's width and height in a frame, in cells."""
    rows, cols = np.nonzero(frame)
    return int(cols.max() - cols.min() + 1), int(rows.max() - rows.min() + 1)


def test_the_window_reads_the_first_stroke_filling_the_frame():
    """The file holds the square at the finished drawing's scale, a sixth of the frame;
    the window, not knowing the diagonal comes, normalises the square on its own box, so
    it fills the frame, and the classifier's first live guess is of that frame."""
    views = window_views([SQUARE, DIAGONAL])
    assert len(views) == 2
    first = views[0]
    assert len(first) == 1
    assert first[0].min(axis=0).tolist() == [0, 0] and first[0].max(axis=0).tolist() == [255, 255]
    m = 64
    eval_frames, _ = stroke_frames([[SQUARE, DIAGONAL]], m)  # eval's: the file's scale
    live_frames, _ = stroke_frames([first], m)
    assert _spans(eval_frames[0])[0] <= m // 5  # the square in a corner
    assert _spans(live_frames[0]) == (m, m)  # the square filling the frame
    assert not np.array_equal(eval_frames[0], live_frames[0])
    # the whole drawing spans the finished box: the window reads it as the file has it
    assert all(np.array_equal(a, b) for a, b in zip(views[1], [SQUARE, DIAGONAL], strict=True))

    clf = StrokeClassifier.from_checkpoint("frankenstein")
    with one_torch_thread():
        (live,) = replay_live(clf, [Drawing((SQUARE, DIAGONAL), "square")])
        (replayed,) = replay_many(clf, [Drawing((SQUARE, DIAGONAL), "square")])
        alone = clf.replay(normalize_strokes([SQUARE])).probs
    assert live.shape == (2, len(CLASSES))
    np.testing.assert_allclose(live[0], alone, atol=1e-5)
    assert CLASSES[int(live[0].argmax())] == "square"  # read as a whole square
    assert np.abs(live[0] - replayed.history[0].probs).max() > 0.05  # not eval's guess
    np.testing.assert_allclose(live[1], replayed.history[1].probs, atol=1e-5)


def test_a_prefix_that_spans_the_finished_box_is_kept_as_the_file_holds_it():
    """Normalising it again would resample and simplify it again (RDP drops the middle
    point, 1 px off the chord); the window reads the finished ink's own simplification."""
    line = np.array([[0, 0], [128, 1], [255, 0]], np.float32)
    dot = np.array([[100, 100]], np.float32)
    assert len(normalize_strokes([line])[0]) == 2
    views = window_views([line, dot])
    assert np.array_equal(views[0][0], line) and np.array_equal(views[1][1], dot)
    # empty strokes are no strokes, as in every replay
    assert [len(v) for v in window_views([np.zeros((0, 2)), line, np.zeros((0, 2)), dot])] == [1, 2]
    assert replay_live(StrokeClassifier(tiny_model()), [Drawing((np.zeros((0, 2)),))]) == []


def test_the_last_live_guess_is_evals_on_every_real_doodle(real_dev):
    """After a drawing's last stroke the window reads the file's strokes themselves (the
    finished drawing spans its own box), so the last live guess is eval's last one, for
    all 300 real dev doodles, also those past pad_len; normalising the simplified ink
    again would have changed 264 of them (the number training/replay.py gives)."""
    drawings = read_eval_drawings(real_dev / "simplified")
    clf = StrokeClassifier.from_checkpoint("frankenstein")
    assert max(d.n_strokes for d in drawings) > clf.cfg.pad_len
    changed = 0
    for d in drawings:
        strokes = [s for s in d.strokes if np.size(s)]
        last = window_views(strokes)[-1]
        assert all(np.array_equal(a, b) for a, b in zip(last, strokes, strict=True))
        again = normalize_strokes(strokes)
        changed += not all(
            a.shape == b.shape and np.array_equal(a, b) for a, b in zip(again, strokes, strict=True)
        )
    assert changed == 264
    with one_torch_thread():
        live = replay_live(clf, drawings)
        replays = replay_many(clf, drawings)
    assert len(live) == len(replays) == 300
    for p, r in zip(live, replays, strict=True):
        assert p.shape == r.step_probs.shape
        np.testing.assert_allclose(p[-1], r.step_probs[-1], atol=1e-5)
    # and before the last stroke the two views differ: the window reads less well
    first = np.mean([p[0].argmax() == r.label for p, r in zip(live, replays, strict=True)])
    at_file_scale = np.mean([r.step_probs[0].argmax() == r.label for r in replays])
    assert first < at_file_scale - 0.05


@pytest.mark.parametrize("name", ["frankenstein", "cnn"])
def test_the_batched_live_replay_is_the_stroke_by_stroke_one(real_dev, name, monkeypatch):
    """`replay_live` replays each view many at a time (or, given eval's replays, takes
    their guess where a view is the file's prefix); a one-at-a-time replay of each
    prefix, normalised on its own box unless it spans the finished one, gives the same
    guesses to 1e-5 (one real doodle per stroke count, some past pad_len)."""
    import training.replay

    by_count = real_drawings_by_strokes(real_dev)
    drawings = [Drawing(tuple(s), "circle") for _, s in sorted(by_count.items())]
    clf = StrokeClassifier.from_checkpoint(name)
    assert max(by_count) > clf.cfg.pad_len

    def box(strokes):
        points = np.concatenate(strokes)
        return points.min(axis=0).tolist(), float((points.max(axis=0) - points.min(axis=0)).max())

    want = []
    with one_torch_thread():
        for d in drawings:
            rows = []
            for k in range(1, len(d.strokes) + 1):
                prefix = list(d.strokes[:k])
                seen = prefix if box(prefix) == box(d.strokes) else normalize_strokes(prefix)
                rows.append(clf.replay(seen).probs)
            want.append(np.stack(rows))

        def refused(*args, **kwargs):
            raise AssertionError("the live view of one model was replayed stroke by stroke")

        monkeypatch.setattr(training.replay, "replay_drawings", refused)
        got = replay_live(clf, drawings)
        capped = replay_live(clf, drawings, max_k=3)
        # eval's way: a view that is the file's prefix takes the eval replay's guess
        reused = replay_live(clf, drawings, replays=replay_many(clf, drawings))
    assert len(got) == len(reused) == len(want)
    for g, r, w in zip(got, reused, want, strict=True):
        np.testing.assert_allclose(g, w, atol=1e-5)
        np.testing.assert_allclose(r, w, atol=1e-5)
    for c, w in zip(capped, want, strict=True):
        np.testing.assert_allclose(c, w[:3], atol=1e-5)
