from __future__ import annotations

import pytest

from tandem.triage.rules.dispute import LABELS, detector

from .phrasings import (
    DESIGN,
    FALSE_POSITIVE_CEILING,
    HELDOUT,
    RECALL_FLOOR,
    false_positive_rate,
    positives,
    recall,
)


@pytest.mark.parametrize("which", [DESIGN, HELDOUT])
def test_recall(which: str) -> None:
    rate = recall(detector, which, "dispute", check_labels=False)
    assert rate.value >= RECALL_FLOOR[which], rate.explain()


@pytest.mark.parametrize("which", [DESIGN, HELDOUT])
def test_expected_label_among_labels(which: str) -> None:
    rate = recall(detector, which, "dispute")
    assert rate.value >= RECALL_FLOOR[which] - 0.05, rate.explain()


@pytest.mark.parametrize("which", [DESIGN, HELDOUT])
def test_false_positives_stay_under_the_ceiling(which: str) -> None:
    rate = false_positive_rate(detector, which, "dispute")
    assert rate.value <= FALSE_POSITIVE_CEILING[which], rate.explain()


def test_phrasings_cover_every_label() -> None:
    assert {label for _, label in positives(DESIGN, "dispute")} == set(LABELS)


@pytest.mark.parametrize(
    "text",
    [
        "my husband is a lawyer and asked me to check my order status",
        "I work as a solicitor, what are your opening hours?",
        "does this cable charge my phone fast?",
        "The court shoes I ordered are too small",
        "Sue from your Leeds store was really helpful",
        "I'm not going to sue anyone, I just want my parcel",
    ],
)
def test_professions_and_everyday_words_are_not_disputes(text: str) -> None:
    hit = detector.detect(text)
    assert not hit.fired, hit


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("I've been charged twice for one order", "double_charge"),
        ("I'm instructing my solicitor today", "legal"),
        ("I'll raise a chargeback", "chargeback"),
        ("there's a payment I didn't authorise", "unauthorised"),
        ("you overcharged me", "billing"),
        ("Just so you know, I've asked Monzo to claw back the £129 for the rug", "chargeback"),
    ],
)
def test_labels_name_the_kind_of_dispute(text: str, label: str) -> None:
    assert label in detector.detect(text).labels
