from __future__ import annotations

import pytest

from tandem.triage.rules.complaint import detector

from .phrasings import DESIGN, FALSE_POSITIVE_CEILING, HELDOUT, RECALL_FLOOR, false_positive_rate, recall


@pytest.mark.parametrize("which", [DESIGN, HELDOUT])
def test_recall(which: str) -> None:
    rate = recall(detector, which, "complaint")
    assert rate.value >= RECALL_FLOOR[which], rate.explain()


@pytest.mark.parametrize("which", [DESIGN, HELDOUT])
def test_false_positives_stay_under_the_ceiling(which: str) -> None:
    rate = false_positive_rate(detector, which, "complaint")
    assert rate.value <= FALSE_POSITIVE_CEILING[which], rate.explain()


@pytest.mark.parametrize(
    "text",
    ["no complaints at all, great service", "Not a complaint, just a question about sizes", "I'm not unhappy"],
)
def test_negated_dissatisfaction_is_not_a_complaint(text: str) -> None:
    assert not detector.detect(text).fired


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("I want to make a formal complaint", "explicit_complaint"),
        ("very disappointed", "dissatisfaction"),
        ("still hasn't arrived", "service_failure"),
        ("the lid arrived cracked", "fault"),
        ("your driver was rude", "staff_conduct"),
    ],
)
def test_labels(text: str, label: str) -> None:
    assert label in detector.detect(text).labels
