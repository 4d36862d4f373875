import math

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
