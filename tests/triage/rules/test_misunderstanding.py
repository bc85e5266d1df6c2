from __future__ import annotations

import pytest

from tandem.triage.rules.misunderstanding import detector

from .phrasings import DESIGN, FALSE_POSITIVE_CEILING, HELDOUT, RECALL_FLOOR, false_positive_rate, recall


@pytest.mark.parametrize("which", [DESIGN, HELDOUT])
def test_recall(which: str) -> None:
    rate = recall(detector, which, "misunderstanding")
    assert rate.value >= RECALL_FLOOR[which], rate.explain()


@pytest.mark.parametrize("which", [DESIGN, HELDOUT])
def test_false_positives_stay_under_the_ceiling(which: str) -> None:
    rate = false_positive_rate(detector, which, "misunderstanding")
    assert rate.value <= FALSE_POSITIVE_CEILING[which], rate.explain()


def test_the_customers_own_confusion_is_not_the_assistants_mistake() -> None:
    assert detector.detect("you don't understand").fired
    assert not detector.detect("I don't understand my bill").fired


def test_agreement_is_not_a_misunderstanding() -> None:
    assert detector.detect("that's not what I asked").fired
    assert not detector.detect("that's what I asked, thanks").fired
