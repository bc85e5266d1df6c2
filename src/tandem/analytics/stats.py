"""The statistics behind "spike" and "emerging", stated so a reader can check them.

Test: the exact conditional test for comparing two Poisson rates (Przyborowski & Wilenski 1940). A topic
with x₁ texts out of N₁ in the current period and x₀ out of N₀ in the baseline: if its share had not
changed, x₁ given x₀ + x₁ would be Binomial(x₀ + x₁, N₁ / (N₀ + N₁)). The one-sided p-value is
P(X ≥ x₁) under that binomial. Exposure is the total volume, so a topic that grows only because
everything grew is not a spike. Across topics, p-values are adjusted with Benjamini-Hochberg (q-values).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

METHOD = (
    "Exact conditional Poisson rate test (one-sided, current vs baseline share of total volume), "
    "Benjamini-Hochberg q-values across topics. Spike: q < {alpha} and at least {ratio}x the baseline share "
    "and {min_count}+ texts. Emerging: a spike whose baseline share was under {new_share:.0%} of its current share."
)
ALPHA = 0.05
MIN_RATIO = 1.5
MIN_COUNT = 5
NEW_SHARE = 0.2


@dataclass(frozen=True)
class RateTest:
    current: int
    baseline: int
    current_share: float | None
    baseline_share: float | None
    rate_ratio: float | None
    p_value: float


def method() -> str:
    return METHOD.format(alpha=ALPHA, ratio=MIN_RATIO, min_count=MIN_COUNT, new_share=NEW_SHARE)


def rate_increase_test(current: int, baseline: int, current_total: int, baseline_total: int) -> RateTest:
    from scipy.stats import binomtest

    current_share = current / current_total if current_total else None
    baseline_share = baseline / baseline_total if baseline_total else None
    # No ratio when the baseline share is zero (a new topic): JSON has no infinity.
    ratio = current_share / baseline_share if current_share is not None and baseline_share else None
    trials = current + baseline
    if trials == 0 or not current_total or not baseline_total:
        return RateTest(current, baseline, current_share, baseline_share, ratio, 1.0)
    expected = current_total / (current_total + baseline_total)
    p = float(binomtest(current, trials, expected, alternative="greater").pvalue)
    return RateTest(current, baseline, current_share, baseline_share, ratio, p)


def benjamini_hochberg(p_values: Sequence[float]) -> list[float]:
    """q-values: the false discovery rate at which each test would just be called significant."""
    m = len(p_values)
    order = sorted(range(m), key=lambda i: p_values[i])
    q = [1.0] * m
    running = 1.0
    for rank in range(m, 0, -1):
        index = order[rank - 1]
        running = min(running, p_values[index] * m / rank)
        q[index] = min(1.0, running)
    return q


def is_spike(test: RateTest, q_value: float) -> bool:
    # No ratio means the baseline share was zero: any growth from nothing counts as growth.
    grown = test.rate_ratio >= MIN_RATIO if test.rate_ratio is not None else test.current > 0
    return grown and q_value < ALPHA and test.current >= MIN_COUNT


def is_emerging(test: RateTest, q_value: float) -> bool:
    if not is_spike(test, q_value) or test.current_share is None:
        return False
    return (test.baseline_share or 0.0) <= NEW_SHARE * test.current_share
