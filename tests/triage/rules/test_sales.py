from __future__ import annotations

import pytest

from tandem.triage.rules.sales import detector

from .phrasings import DESIGN, FALSE_POSITIVE_CEILING, HELDOUT, RECALL_FLOOR, false_positive_rate, recall


@pytest.mark.parametrize("which", [DESIGN, HELDOUT])
def test_recall(which: str) -> None:
    rate = recall(detector, which, "sales")
    assert rate.value >= RECALL_FLOOR[which], rate.explain()


@pytest.mark.parametrize("which", [DESIGN, HELDOUT])
def test_false_positives_stay_under_the_ceiling(which: str) -> None:
    rate = false_positive_rate(detector, which, "sales")
    assert rate.value <= FALSE_POSITIVE_CEILING[which], rate.explain()


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("I'd like to upgrade to the premium plan", "upgrade"),
        ("do you do wholesale pricing", "bulk"),
        ("Can I set up a business account?", "business_account"),
        ("corporate gifts for our staff", "corporate_gifting"),
        ("Could you send a quote for 200 units?", "quote"),
        ("Do you have an enterprise plan?", "enterprise"),
        ("We'd be interested in a partnership", "partnership"),
        ("Can I resell your products?", "resell"),
    ],
)
def test_labels(text: str, label: str) -> None:
    assert label in detector.detect(text).labels


@pytest.mark.parametrize(
    "text",
    [
        "The upgrade broke my app",
        "my business address changed, can you update it?",
        "Where is order 123456? It was for my son",
        "I ordered 2 units but only got 1",
    ],
)
def test_descriptions_and_order_numbers_are_not_sales(text: str) -> None:
    assert not detector.detect(text).fired
