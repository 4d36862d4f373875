"""How sure a measured share is: intervals for one model, a paired test for two.

A few hundred real doodles measure an accuracy near 90% to within about +-3 points, so
the eval report gives each share with its 95% interval, and a comparison of two
models on the same drawings counts the drawings only one of them reads right.

- `wilson_interval`: the Wilson score interval of a binomial share (Wilson 1927). Unlike
  p +- 1.96 sqrt(p(1-p)/n) it stays inside [0, 1] and does not shrink to nothing at
  0 or n successes, which small per-class or per-snap counts hit.
- `mcnemar_p`: the exact two-sided McNemar test of paired right/wrong outcomes (a
  binomial test on the discordant pairs; McNemar 1947). Two models scored on the same
  drawings mostly agree, so their difference is far better measured from the drawings
  where they disagree than from two separate intervals.
"""

from __future__ import annotations

import math

Z95 = 1.959963984540054  # the two-sided 95% point of the standard normal


def wilson_interval(successes: int, n: int, z: float = Z95) -> tuple[float, float] | None:
    """(low, high) 95% Wilson score interval of successes / n; None when n == 0."""
    if not 0 <= successes <= n:
        raise ValueError(f"successes={successes} must lie in 0..n={n}")
    if n == 0:
        return None
    p = successes / n
    z2 = z * z
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / (1 + z2 / n)
    # exact at the ends: rounding leaves centre - half a hair above 0 when p is 0
    low = 0.0 if successes == 0 else max(0.0, centre - half)
    high = 1.0 if successes == n else min(1.0, centre + half)
    return low, high


# up to this many discordant pairs the largest term, C(n, k) / 2^n, is computed from
# the exact integers (math.comb, under a millisecond); above, in log space from lgamma
# (about 1e-11 relative: lgamma's rounding of values near n log n)
EXACT_COMB_N = 4096


def mcnemar_p(only_a: int, only_b: int) -> float:
    """Exact two-sided p-value that two models are equally accurate, from the paired
    outcomes where they differ: `only_a` items only model A got right, `only_b` only B.

    2 P(X <= k) for X ~ Binomial(n, 1/2), k = min(only_a, only_b), n = only_a + only_b:
    the tail's terms are summed in floating point from its largest, C(n, k) / 2^n,
    down (each is i / (n - i + 1) of the one before; the sum stops once they no longer
    count, after O(sqrt(n)) terms), and that largest one is taken from lgamma in log
    space for large n. Within 1e-12 of the exact value up to EXACT_COMB_N, about 1e-10
    at n = 200,000, in well under a millisecond; summing the exact big integers, as
    this once did, took 106 s at n = 32,500."""
    if only_a < 0 or only_b < 0:
        raise ValueError("discordant counts must be >= 0")
    n = only_a + only_b
    k = min(only_a, only_b)
    if 2 * k >= n:  # equal counts (or none): the tail holds half the mass or more
        return 1.0
    total, term = 0.0, 1.0  # sum of C(n, i) / C(n, k) for i = k, k-1, ..., 0
    for i in range(k, -1, -1):
        total += term
        term *= i / (n - i + 1)
        if term < total * 1e-17:
            break
    if n <= EXACT_COMB_N:
        top = math.comb(n, k) / 2**n  # C(n, k) / 2^n, correctly rounded
    else:
        log_comb = math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1)
        top = math.exp(log_comb - n * math.log(2))
    return min(1.0, 2 * top * total)
