"""Template fitting at pen-up: the time of one fit on a real dev doodle (aim: under 10 ms,
with the classifier inside one 60 Hz frame).

Each benchmark fits the next doodle of its set on every call, so its median is the
median over those doodles. Per class, the ink is fitted to its own class.
"""

import itertools

import numpy as np
import pytest

from core.classes import CLASSES
from core.fit import fit_template
from core.strokes import iter_ndjson
from tests.conftest import REAL_DEV
from tests.core.test_fit import dashes


def _fit_next(drawings):
    """A function that fits the next drawing to its own class, round and round."""
    upcoming = itertools.cycle(drawings)

    def run():
        d = next(upcoming)
        return fit_template(d.strokes, d.word)

    return run


@pytest.mark.parametrize("cls", CLASSES)
def test_fit_one_real_doodle_of_class(benchmark, real_drawings, cls):
    drawings = [d for d in real_drawings if d.word == cls]
    fit = benchmark(_fit_next(drawings))
    benchmark.extra_info["drawings"] = len(drawings)
    assert fit.cls == cls and np.isfinite(fit.error)


def test_fit_one_real_doodle_any_class(benchmark, real_drawings):
    fit = benchmark(_fit_next(real_drawings))
    assert np.isfinite(fit.error)


def test_fit_one_raw_screen_doodle(benchmark, real_drawings):
    """The live window fits screen ink: raw points, not RDP-simplified (more of them)."""
    drawings = [d for f in sorted((REAL_DEV / "raw").glob("*.ndjson")) for d in iter_ndjson(f)]
    if len(drawings) != len(real_drawings):
        pytest.fail(f"expected {len(real_drawings)} raw twins in {REAL_DEV / 'raw'}")
    fit = benchmark(_fit_next(drawings))
    assert np.isfinite(fit.error)


def test_fit_a_circle_of_a_thousand_dashes(benchmark):
    """A pathological drawing: a thousand two-point strokes (a bounded sample keeps it
    to tens of milliseconds; every stroke's ends and segments took 0.1-0.7 s)."""
    fit = benchmark(fit_template, dashes(1000), "smiley face")
    assert np.isfinite(fit.error)
