"""Familiarity: relative Mahalanobis scores of hidden features, fitted and limited."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from core.familiar import Familiarity, FamiliarityError


def _blobs(rng, n_classes=3, dim=4, per_class=400, spread=0.3):
    """Well separated Gaussian clusters: centres on the axes, 3 apart."""
    centres = 3.0 * np.eye(n_classes, dim)
    labels = np.repeat(np.arange(n_classes), per_class)
    return centres[labels] + spread * rng.standard_normal((len(labels), dim)), labels, centres


def test_scores_are_the_relative_mahalanobis_distance():
    rng = np.random.default_rng(0)
    x, y, _ = _blobs(rng)
    fam = Familiarity.fit(x, y, 3)
    h = rng.standard_normal(4)
    for c in range(3):
        d, b = h - x[y == c].mean(0), h - x.mean(0)
        within = x - np.stack([x[y == k].mean(0) for k in range(3)])[y]
        cov = within.T @ within / len(x)
        cov0 = (x - x.mean(0)).T @ (x - x.mean(0)) / len(x)
        ridge, ridge0 = (1e-3 * np.trace(m) / 4 for m in (cov, cov0))
        want = d @ np.linalg.inv(cov + ridge * np.eye(4)) @ d
        want -= b @ np.linalg.inv(cov0 + ridge0 * np.eye(4)) @ b
        assert fam.scores(h)[c] == pytest.approx(want, rel=1e-9)
    np.testing.assert_allclose(fam.scores(np.stack([h, h]))[1], fam.scores(h))


def _old_scores(fam: Familiarity, h: np.ndarray) -> np.ndarray:
    """The formula as numpy computed it before the scores moved to torch."""
    means_p = fam.means @ (fam.precision + fam.precision.T) / 2
    to_class = np.einsum("nd,nd->n", h @ fam.precision, h)[:, None]
    to_class = to_class - 2 * h @ means_p.T + np.einsum("cd,cd->c", means_p, fam.means)
    b = h - fam.background_mean
    return to_class - np.einsum("nd,nd->n", b @ fam.background_precision, b)[:, None]


def _random_familiarity(rng, n_classes=18, dim=128) -> Familiarity:
    """Statistics made without a matrix product (so without waking a BLAS thread)."""
    a, a0 = rng.standard_normal((2, dim, dim))
    return Familiarity(
        rng.standard_normal((n_classes, dim)),
        (a + a.T) / 2 + dim * np.eye(dim),
        rng.standard_normal(dim),
        (a0 + a0.T) / 2 + dim * np.eye(dim),
    )


def test_scores_equal_the_numpy_formula_on_random_features():
    rng = np.random.default_rng(6)
    fam = _random_familiarity(rng)
    h = rng.standard_normal((100, fam.dim)) * 3
    np.testing.assert_allclose(fam.scores(h), _old_scores(fam, h), rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(fam.scores(h[7]), _old_scores(fam, h[7:8])[0], rtol=1e-6)
    read_only = h.astype(np.float32)[::2]  # a strided, read-only float32 view is fine too
    read_only.flags.writeable = False
    np.testing.assert_allclose(
        fam.scores(read_only), _old_scores(fam, read_only.astype(np.float64)), rtol=1e-6
    )


# Run in a fresh interpreter: in the suite's own process, threads that earlier tests
# left (a data loader, a TUI worker, llvmpipe) may work a few ticks in the meantime.
_THREAD_PROBE = """
import os, threading
import numpy as np
import torch
from tests.core.test_familiar import _random_familiarity

def other_ticks():
    ticks = 0
    for tid in os.listdir("/proc/self/task"):
        if int(tid) == threading.get_native_id():
            continue
        try:
            with open(f"/proc/self/task/{tid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except FileNotFoundError:  # the thread ended
            continue
        ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return ticks

torch.set_num_threads(1)  # as the window does
rng = np.random.default_rng(7)
fam = _random_familiarity(rng)
h = rng.standard_normal((100, fam.dim))
fam.scores(h)
before = other_ticks()
for _ in range(1000):
    fam.scores(h)
print(other_ticks() - before)
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/self/task")
def test_scores_of_a_batch_run_on_this_thread_alone():
    """The window scores every stroke's candidate frames (a batch) at pen-up with torch on
    one thread; numpy's products ran on OpenBLAS's own thread pool, which nothing there
    limits, and waking it stalled the pen-up 45-120 ms. With torch on one thread no
    other thread of the process may work while the scores are computed (numpy's pool
    spent 4-6 ticks, half the work, on 300 such batches on an idle 2-core machine, and
    stalled when the other core was busy)."""
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "PYTHONPATH": str(root)}
    out = subprocess.run(
        [sys.executable, "-c", _THREAD_PROBE], cwd=root, env=env, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    spent = int(out.stdout.split()[-1])
    assert spent <= 1, f"other threads spent {spent} clock ticks while scoring"


def test_a_point_is_familiar_near_its_class_and_unfamiliar_far_from_all():
    rng = np.random.default_rng(1)
    x, y, centres = _blobs(rng)
    fitted = Familiarity.fit(x, y, 3)
    own = fitted.scores(x)[np.arange(len(x)), y]
    fam = fitted.with_limit(own, 0.99)
    assert fam.quantile == 0.99 and np.mean(own <= fam.limit) >= 0.99
    np.testing.assert_array_equal(fam.familiar(centres[1]), [False, True, False])
    assert not fam.familiar(np.array([-6.0, -6.0, 6.0, 6.0])).any()  # far from every cluster


def test_with_limit_is_a_quantile_and_refuses_nonsense():
    rng = np.random.default_rng(2)
    x, y, _ = _blobs(rng)
    fitted = Familiarity.fit(x, y, 3)
    assert fitted.with_limit(np.arange(101.0), 0.9).limit == pytest.approx(90.0)
    with pytest.raises(FamiliarityError, match="no right snaps"):
        fitted.with_limit(np.array([]))
    with pytest.raises(FamiliarityError, match="quantile"):
        fitted.with_limit(np.arange(3.0), 1.5)
    with pytest.raises(FamiliarityError, match="no limit set"):
        fitted.familiar(x[0])


def test_fit_needs_every_class_and_matching_shapes():
    rng = np.random.default_rng(3)
    x, y, _ = _blobs(rng)
    with pytest.raises(FamiliarityError, match="no features of class 3"):
        Familiarity.fit(x, y, 4)
    with pytest.raises(FamiliarityError, match="features"):
        Familiarity.fit(x, y[:-1], 3)
    fam = Familiarity.fit(x, y, 3)
    with pytest.raises(FamiliarityError, match="expected 4"):
        fam.scores(np.zeros(5))


def test_the_payload_round_trip_keeps_the_scores():
    rng = np.random.default_rng(4)
    x, y, _ = _blobs(rng)
    fitted = Familiarity.fit(x, y, 3)
    fam = fitted.with_limit(fitted.scores(x)[np.arange(len(x)), y])
    back = Familiarity.from_payload(fam.to_payload())
    assert (back.limit, back.quantile) == (fam.limit, fam.quantile)
    np.testing.assert_allclose(back.scores(x[:50]), fam.scores(x[:50]), rtol=1e-3, atol=1e-2)


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda p: p.pop("precision"), "must hold"),
        (lambda p: p.update(means=np.zeros((3, 5))), "precision has shape"),
        (lambda p: p.update(background_mean=np.full(4, np.nan)), "NaN"),
        (lambda p: p.update(limit="high"), "limit must be a number"),
        (lambda p: p.update(limit=float("inf")), "limit must be a finite number"),
    ],
)
def test_a_bad_payload_is_refused_with_the_reason(change, message):
    rng = np.random.default_rng(5)
    x, y, _ = _blobs(rng)
    payload = Familiarity.fit(x, y, 3).to_payload()
    change(payload)
    with pytest.raises(FamiliarityError, match=message):
        Familiarity.from_payload(payload)
