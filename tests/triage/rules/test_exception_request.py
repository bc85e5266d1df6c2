from __future__ import annotations

import pytest

from tandem.triage.rules.exception_request import detector

from .phrasings import DESIGN, FALSE_POSITIVE_CEILING, HELDOUT, RECALL_FLOOR, false_positive_rate, recall


@pytest.mark.parametrize("which", [DESIGN, HELDOUT])
def test_recall(which: str) -> None:
    rate = recall(detector, which, "exception_request")
    assert rate.value >= RECALL_FLOOR[which], rate.explain()


@pytest.mark.parametrize("which", [DESIGN, HELDOUT])
def test_false_positives_stay_under_the_ceiling(which: str) -> None:
    rate = false_positive_rate(detector, which, "exception_request")
    assert rate.value <= FALSE_POSITIVE_CEILING[which], rate.explain()


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("could you waive the fee?", "fee_waiver"),
        ("I know it's past the 30 days but can I return it", "outside_policy"),
        ("please make an exception", "exception"),
        ("I'd like some compensation", "goodwill"),
        ("The £40 re-delivery charge, can that be dropped? I was only 10 mins late", "fee_waiver"),
        ("can I use STUDENT10 and BLACKFRIDAY20 together? can you not just put both on manually", "exception"),
        ("Could you stack the 10% education discount on the bundle price?", "outside_policy"),
    ],
)
def test_labels(text: str, label: str) -> None:
    assert label in detector.detect(text).labels


@pytest.mark.parametrize(
    "text",
    [
        "What is your return policy?",
        "How many days do I have to return an item?",
        "It's been over 2 weeks and my parcel still hasn't arrived",
        "it's been over a week since I was told someone would look at my case about the refund",
    ],
)
def test_asking_about_policy_is_not_an_exception(text: str) -> None:
    assert not detector.detect(text).fired
