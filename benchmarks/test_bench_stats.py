"""The exact McNemar p-value of `eval --compare` (training/stats.py `mcnemar_p`): one per
row of the paired comparison (the whole drawings, then after each stroke k: 9 rows), on
the discordant counts of two models scored on the same drawings. Summing the tail's exact
big-integer binomial coefficients took 0.83 s at n = 6,100 and 106 s at n = 32,500 (time
growing faster than n^2); the floating-point sum from the largest term stays well under
a millisecond. `test_the_old_exact_sum` times that sum at the smallest of these sizes."""

import math

import pytest

from training.stats import mcnemar_p

# (only_a, only_b): a few hundred real doodles, then data sets of tens of thousands
SIZES = [(40, 52), (3000, 3100), (16000, 16500), (100000, 101000)]


@pytest.mark.parametrize(("only_a", "only_b"), SIZES, ids=[str(a + b) for a, b in SIZES])
def test_mcnemar_p(benchmark, only_a, only_b):
    p = benchmark(mcnemar_p, only_a, only_b)
    assert 0.0 < p < 1.0
    benchmark.extra_info["n"] = only_a + only_b


def _old_exact_sum(only_a: int, only_b: int) -> float:
    n = only_a + only_b
    tail = sum(math.comb(n, i) for i in range(min(only_a, only_b) + 1)) / 2**n
    return min(1.0, 2 * tail)


def test_the_old_exact_sum(benchmark):
    """The sum mcnemar_p replaced, at n = 6,100 (seconds a round at 32,500)."""
    p = benchmark.pedantic(_old_exact_sum, args=(3000, 3100), rounds=3, iterations=1)
    assert p == pytest.approx(mcnemar_p(3000, 3100), rel=1e-12)
