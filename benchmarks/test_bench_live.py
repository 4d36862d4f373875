"""The drawing window's pen-up: from releasing the pen to the updated state.

Measured on real dev doodles (raw, placed on the canvas as a person drew them): the
controller normalises the shape's ink, updates the classifier (one CNN frame + one
LSTM step, or a replay when the bounding box changed), asks the snap policy, and
fits the template. The goal is one frame at 60 Hz (16.7 ms).

Uses the bundled `frankenstein` checkpoint when it exists, else a default-size model
with random weights (same cost; `extra_info["weights"]` says which). For the full
path the snap policy is opened wide so every measured pen-up snaps (and fits).
"""

import numpy as np
import pytest

from core.classes import CLASSES
from core.strokes import iter_ndjson
from live.controller import Controller
from live.replay import place_drawings
from live.settings import LiveSettings
from tests.conftest import REAL_DEV


@pytest.fixture(scope="module")
def classifier_and_weights():
    import torch

    from core.checkpoint import resolve_checkpoint
    from core.classifier import StrokeClassifier
    from core.errors import FrankensteinError
    from core.modelconfig import model_config
    from core.models import build_model

    try:
        return StrokeClassifier.from_checkpoint(resolve_checkpoint("frankenstein")), "bundled"
    except FrankensteinError:
        torch.manual_seed(0)
        model = build_model(model_config("frankenstein")).eval()
        return StrokeClassifier(model), "random (no bundled checkpoint yet)"


@pytest.fixture(scope="module")
def placed_doodles():
    """The first raw doodle of each class, placed on the default canvas (18 doodles)."""
    drawings = []
    for cls in CLASSES:
        path = REAL_DEV / "raw" / f"{cls}.ndjson"
        if not path.exists():
            pytest.fail(f"real dev doodles not found at {REAL_DEV}")
        drawings += list(iter_ndjson(path, limit=1))
    canvas = LiveSettings().canvas_size
    return [place_drawings([d], canvas)[0] for d in drawings]


def _pen_up_bench(
    benchmark, classifier_and_weights, placed_doodles, tmp_path, snap: bool, preview=False
):
    from core.snap import SnapPolicy

    clf, weights = classifier_and_weights
    settings = LiveSettings(
        save_dir=tmp_path, auto_snap=snap, max_fit_error=10.0, preview=preview, preview_min=0.0
    )
    rounds = iter(range(10**9))
    results, scenes = [], []

    def setup():
        # everything but the last pen-up of the doodle (not timed)
        placed = placed_doodles[next(rounds) % len(placed_doodles)]
        c = Controller(settings, loader=lambda name, ckpt: clf)
        if snap:  # every measured pen-up snaps: the whole path, fit included
            c.policy = SnapPolicy(
                threshold=0.0,
                margin=0.0,
                min_strokes={},
                steady_classes=(),
                heed_familiarity=False,  # else ink unlike a class's doodles stays ink
            )
            c.auto_snap = False
        t = 0.0
        for k, stroke in enumerate(placed.strokes):
            c.pen_down(*stroke[0], t)
            for p in stroke[1:]:
                t += 0.01
                c.pen_move(*p, t)
            if k < len(placed.strokes) - 1:
                c.pen_up(*stroke[-1], t)
        c.auto_snap = snap
        return (c, stroke[-1], t), {}

    def pen_up(c, last, t):
        results.append(c.pen_up(*last, t))
        if preview:  # and the frame's scene: the completion preview's fit
            scenes.append(c.scene())

    benchmark.pedantic(pen_up, setup=setup, rounds=2 * len(placed_doodles), warmup_rounds=1)
    benchmark.extra_info["weights"] = weights
    benchmark.extra_info["doodles"] = len(placed_doodles)
    assert all(u.prediction is not None for u in results)
    if snap:
        assert all(u.snapped or u.refused for u in results)
    if preview:
        assert all(any(ln.kind == "preview" for ln in scene.lines) for scene in scenes)
    return results


def test_pen_up_classify_snap_and_fit(benchmark, classifier_and_weights, placed_doodles, tmp_path):
    """Pen-up -> classifier update + snap decision + template fit (the whole path)."""
    results = _pen_up_bench(benchmark, classifier_and_weights, placed_doodles, tmp_path, True)
    assert np.mean([u.snapped is not None for u in results]) > 0.5


def test_pen_up_classify_only(benchmark, classifier_and_weights, placed_doodles, tmp_path):
    """Pen-up -> classifier update, no snap (auto-snap off)."""
    results = _pen_up_bench(benchmark, classifier_and_weights, placed_doodles, tmp_path, False)
    assert not any(u.snapped for u in results)


def test_pen_up_then_the_scene_with_the_preview(
    benchmark, classifier_and_weights, placed_doodles, tmp_path
):
    """Pen-up -> classifier update, then the frame's scene with the completion preview
    (the top guess's template fitted to the ink; auto-snap off, shown however unsure)."""
    results = _pen_up_bench(
        benchmark, classifier_and_weights, placed_doodles, tmp_path, False, preview=True
    )
    assert not any(u.snapped for u in results)
