from __future__ import annotations

import pytest

from tandem.triage.rules.departments import DEPARTMENTS, departments_touched, detector

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
def test_expected_departments_are_all_found(which: str) -> None:
    rate = recall(detector, which, "departments")
    assert rate.value >= RECALL_FLOOR[which], rate.explain()


@pytest.mark.parametrize("which", [DESIGN, HELDOUT])
def test_small_talk_touches_no_department(which: str) -> None:
    rate = false_positive_rate(detector, which, "departments")
    assert rate.value <= FALSE_POSITIVE_CEILING[which], rate.explain()


def test_phrasings_cover_every_department() -> None:
    covered = {d for _, expected in positives(DESIGN, "departments") for d in expected}
    assert covered == set(DEPARTMENTS)


def test_a_message_can_touch_several_departments() -> None:
    touched = departments_touched("My order arrived late and I was charged for express delivery")
    assert touched == ["orders", "billing", "shipping"]


def test_labels_are_known_departments() -> None:
    for text, _ in positives(DESIGN, "departments"):
        assert set(detector.detect(text).labels) <= set(DEPARTMENTS)
