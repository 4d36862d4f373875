"""Fitting a checkpoint's familiarity statistics (training/familiarity.py) on drawings,
and scoring a batch of hidden features with them (core/familiar.py).

The bundled Frankenstein, one thread: every drawing replayed stroke by stroke (the
head's hidden features after each stroke, the snap the default policy makes), then
the Gaussians and the limit; on the 300 real dev doodles (drawings/s = 300 / median)
and on 900 synthetic doodles like a run's validation drawings (50 a class; 900 /
median). training/finish.py fits each run's validation drawings this way, so this rate
decides how many a class it can afford (FAMILIARITY_PER_CLASS).
"""

import numpy as np
import pytest

from core.classifier import StrokeClassifier
from training.familiarity import fit_familiarity

SYNTHETIC_PER_CLASS = 50


@pytest.fixture(scope="module")
def classifier():
    return StrokeClassifier.from_checkpoint("frankenstein")


@pytest.fixture(scope="module")
def synthetic_drawings():
    from training.synth import generate_drawings

    return list(generate_drawings(SYNTHETIC_PER_CLASS, seed=0))


def test_fit_familiarity_on_300_real_drawings(benchmark, classifier, real_drawings):
    fitted = benchmark.pedantic(
        fit_familiarity, args=(classifier, real_drawings), rounds=5, iterations=1
    )
    assert fitted is not None and np.isfinite(fitted.limit)
    benchmark.extra_info["drawings"] = len(real_drawings)


def test_fit_familiarity_on_900_synthetic_drawings(benchmark, classifier, synthetic_drawings):
    fitted = benchmark.pedantic(
        fit_familiarity, args=(classifier, synthetic_drawings), rounds=3, iterations=1
    )
    assert fitted is not None and np.isfinite(fitted.limit)
    benchmark.extra_info["drawings"] = len(synthetic_drawings)


def test_scores_of_a_batch_of_100(benchmark, classifier):
    """`Familiarity.scores` of 100 hidden features at once, as the window scores a pen-up's
    candidate frames; p95 and p99 recorded: in numpy the products woke OpenBLAS's thread
    pool, and one batch in twenty took 45-120 ms instead of 0.4 (torch now, one thread)."""
    fam = classifier.familiarity
    h = np.random.default_rng(0).standard_normal((100, fam.dim))
    scores = benchmark.pedantic(fam.scores, args=(h,), rounds=300, warmup_rounds=10)
    assert scores.shape == (100, len(fam.means))
    stats = getattr(benchmark.stats, "stats", None)
    if stats is not None and stats.data:
        for q in (95, 99):
            benchmark.extra_info[f"p{q}_ms"] = round(1e3 * float(np.percentile(stats.data, q)), 3)
