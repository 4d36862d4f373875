import math
from fractions import Fraction

import pytest

from training.stats import mcnemar_p, wilson_interval


def test_wilson_interval_matches_worked_values():
    # 0 of 10: the upper bound is z^2 / (n + z^2); 5 of 10 is symmetric about 0.5
    low, high = wilson_interval(0, 10)
    assert low == 0.0 and high == pytest.approx(3.8415 / 13.8415, abs=1e-4)
    assert wilson_interval(5, 10) == pytest.approx((0.2366, 0.7634), abs=1e-4)
    assert wilson_interval(267, 300) == pytest.approx((0.8495, 0.9206), abs=1e-4)


def test_wilson_interval_stays_in_range_holds_the_share_and_narrows_with_n():
    for n in (1, 3, 17, 300):
        for k in range(n + 1):
            low, high = wilson_interval(k, n)
            assert 0.0 <= low <= k / n <= high <= 1.0
    assert wilson_interval(90, 100)[1] - wilson_interval(90, 100)[0] > (
        wilson_interval(900, 1000)[1] - wilson_interval(900, 1000)[0]
    )


def test_wilson_interval_of_nothing_is_none_and_bad_counts_are_refused():
    assert wilson_interval(0, 0) is None
    with pytest.raises(ValueError, match="successes=4"):
        wilson_interval(4, 3)


def _binomial_two_sided(a: int, b: int) -> float:
    """Exact two-sided binomial test at p = 1/2 by listing every split as likely as or
    less likely than the one seen (for p = 1/2 this equals doubling the smaller tail)."""
    n = a + b
    seen = math.comb(n, a)
    return min(1.0, sum(math.comb(n, i) for i in range(n + 1) if math.comb(n, i) <= seen) / 2**n)


@pytest.mark.parametrize(("a", "b"), [(5, 0), (12, 10), (9, 2), (3, 3), (0, 7), (40, 21)])
def test_mcnemar_is_the_exact_binomial_test_on_the_disagreements(a, b):
    assert mcnemar_p(a, b) == pytest.approx(_binomial_two_sided(a, b))
    assert mcnemar_p(a, b) == mcnemar_p(b, a)


def test_mcnemar_edge_cases():
    assert mcnemar_p(0, 0) == 1.0  # never disagree: no evidence of a difference
    assert mcnemar_p(5, 0) == pytest.approx(2 / 32)
    assert mcnemar_p(20, 0) < 1e-5
    with pytest.raises(ValueError):
        mcnemar_p(-1, 2)


def _exact_mcnemar(a: int, b: int) -> float:
    """The exact big-integer sum mcnemar_p once computed, C(n, i) built up one from
    the other (fast enough here), rounded once at the end."""
    n, k = a + b, min(a, b)
    tail, comb = 0, 1
    for i in range(k + 1):
        tail += comb
        comb = comb * (n - i) // (i + 1)
    return float(min(Fraction(1), Fraction(2 * tail, 2**n)))


def test_mcnemar_matches_the_exact_big_integer_sum():
    for n in range(1, 121):
        for a in range(n + 1):
            assert mcnemar_p(a, n - a) == pytest.approx(_exact_mcnemar(a, n - a), rel=1e-12)
    for a, b in [(150, 260), (700, 800), (2000, 2096), (2040, 2056), (1, 4095)]:
        assert mcnemar_p(a, b) == pytest.approx(_exact_mcnemar(a, b), rel=1e-12)
    for a, b in [(2040, 2057), (9000, 9400), (16000, 16500), (3000, 4000)]:  # lgamma
        assert mcnemar_p(a, b) == pytest.approx(_exact_mcnemar(a, b), rel=1e-10)


def test_mcnemar_of_tens_of_thousands_of_disagreements_is_the_normal_tail():
    """Where the exact sum took minutes (n = 32,500): a p in [0, 1] that the normal
    approximation with continuity correction gives to a few digits."""
    for a, b in [(16000, 16500), (50000, 50000), (100000, 101000)]:
        p = mcnemar_p(a, b)
        z = max(abs(a - b) - 1, 0) / math.sqrt(a + b)
        assert 0.0 <= p <= 1.0 and p == pytest.approx(math.erfc(z / math.sqrt(2)), rel=2e-3)
    assert mcnemar_p(0, 20000) == 0.0  # 2 / 2^20000, below the smallest float
