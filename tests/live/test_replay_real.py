"""End to end on real doodles with the bundled checkpoint: replayed with their timing
through the window's mouse handlers, they snap to the right class, and the snapped
template lies on the ink.

The floors are regression guards a little under what the bundled model measures on
these 54 doodles (precision 0.83, recall 0.65; 0.88 and 0.60 on all 300, README),
not the issue's bar (0.97 and 0.70), which it misses. Every snap left on the canvas
counts, including those of strokes that started a new shape after a snap. It fails,
never skips, when the checkpoint is missing.
"""

import numpy as np
import pytest

from core.classes import CLASSES
from core.errors import FrankensteinError
from core.strokes import iter_ndjson, resample
from live.controller import Controller
from live.geometry import nearest_points
from live.replay import ManualClock, place_drawings, replay_drawing
from live.window import DrawingWindow

PER_CLASS = 3  # 54 doodles
MIN_PRECISION = 0.78  # of all snaps, the share to the doodle's class
MIN_RECALL = 0.58  # of all doodles, the share that snapped to their class


@pytest.fixture
def window_on(settings):
    windows = []

    def make(controller):
        windows.append(DrawingWindow(controller, clock=ManualClock()))
        return windows[-1]

    yield make
    for w in windows:
        w.close()


def test_real_doodles_snap_to_their_class_with_the_template_on_the_ink(
    window_on, settings, real_dev
):
    from core.checkpoint import resolve_checkpoint

    try:
        resolve_checkpoint("frankenstein")
    except FrankensteinError as e:
        pytest.fail(f"the bundled checkpoint is needed here: {e}")
    c = Controller(settings)  # the default loader: the bundled checkpoint
    assert c.error is None, c.error
    w = window_on(c)
    snaps, recalled, n = [], 0, 0
    for cls in CLASSES:
        for d in iter_ndjson(real_dev / "raw" / f"{cls}.ndjson", limit=PER_CLASS):
            c.clear()
            (placed,) = place_drawings([d], c.settings.canvas_size)
            replay_drawing(w, placed, w.clock)
            n += 1
            mine = [s for s in c.shapes if s.snap is not None]
            recalled += any(s.snap.cls == cls for s in mine)
            for shape in mine:
                # both sides as dense as the fit sees them (points every 2 px)
                ink = np.concatenate([resample(s, 2.0) for s in shape.ink()])
                template = np.concatenate([resample(s, 2.0) for s in shape.snap.template])
                lo, hi = ink.min(axis=0), ink.max(axis=0)
                diagonal = float(np.hypot(*(hi - lo))) or 1.0
                # mean distance from template points to the nearest ink point
                on_ink = float(
                    np.linalg.norm(template - nearest_points(template, ink), axis=1).mean()
                )
                snaps.append((cls, shape.snap.cls, shape.snap.fit.error, on_ink / diagonal))
    assert snaps, "no snap at all"
    correct = [s for s in snaps if s[0] == s[1]]
    precision, recall = len(correct) / len(snaps), recalled / n
    wrong = sorted({f"{a}->{b}" for a, b, *_ in snaps if a != b})
    summary = f"{len(snaps)} snaps over {n} doodles, {len(correct)} right, recall {recall:.2f}"
    assert precision >= MIN_PRECISION, f"precision {precision:.2f} ({summary}); wrong: {wrong}"
    assert recall >= MIN_RECALL, summary
    for true, _, error, distance in correct:
        assert error <= c.settings.max_fit_error, (true, error)
        # the drawn template is where the fit put it: its points lie no farther from the
        # ink than the fit's own error allows (a mean over both directions, so at most 2x)
        assert distance <= 2 * error + 0.02, f"{true}: template {distance:.3f} off the ink"
    px = w.frame()
    assert px[:, :800].std() > 0  # the last doodle is on screen
