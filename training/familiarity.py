"""Fit a checkpoint's familiarity statistics (core/familiar.py) on validation drawings.

Each validation drawing is replayed stroke by stroke through the calibrated classifier,
many drawings at a time (training/replay.py's `replay_batched`, equal up to float
rounding to feeding the classifier one stroke at a time, as `frankenstein eval` and the
window do); the head's hidden features after every stroke, with
the drawing's class, fit the class and background Gaussians. The limit is then the
`quantile` of the scores of the right snaps the default snap policy makes on the
same drawings (each at the stroke it snaps, for the class it snaps to), so on
synthetic doodles like the training ones the gate refuses about 1 - quantile of right
snaps; on real doodles it refuses the ink that looks unlike every training doodle.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from core.classes import class_index
from core.familiar import Familiarity, FamiliarityError
from core.strokes import Drawing
from training.cache import Progress

QUANTILE = 0.99


def fit_familiarity(
    classifier,
    drawings: Sequence[Drawing],
    *,
    quantile: float = QUANTILE,
    progress: Progress | None = None,
) -> Familiarity | None:
    """The familiarity of `classifier` (a core.classifier.StrokeClassifier, whose own
    familiarity is ignored) fitted on `drawings`; None for an ensemble, or when the
    drawings leave a class without features or make no right snap (a tiny run)."""
    from core.snap import SnapPolicy
    from training.replay import replay_batched, snap_at

    if not hasattr(classifier.model, "step_hidden"):
        return None
    policy = SnapPolicy(heed_familiarity=False)  # the snaps the statistics are to judge
    replayed = None
    if progress is not None:

        def replayed(done: int, total: int) -> None:
            progress(done, total, "fitting familiarity")

    hidden, labels, snaps = [], [], []  # snaps: (row of its hidden features, class index)
    rows = 0
    for r in replay_batched(classifier, drawings, replayed):
        hit = snap_at(r.history, policy, r.final)
        if hit is not None and class_index(hit[1]) == r.label:
            snaps.append((rows + hit[0] - 1, r.label))
        hidden.append(r.hidden)
        labels.extend([r.label] * len(r.hidden))
        rows += len(r.hidden)
    if not snaps:
        return None
    features = np.concatenate(hidden)
    try:
        fitted = Familiarity.fit(features, np.asarray(labels), classifier.cfg.num_classes)
    except FamiliarityError:
        return None
    rows, classes = np.asarray(snaps).T
    right = fitted.scores(features[rows])[np.arange(len(rows)), classes]
    return fitted.with_limit(right, quantile)
