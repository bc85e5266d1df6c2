from __future__ import annotations

import pytest

from tandem.triage.rules.human_request import detector

from .phrasings import DESIGN, FALSE_POSITIVE_CEILING, HELDOUT, RECALL_FLOOR, false_positive_rate, recall


@pytest.mark.parametrize("which", [DESIGN, HELDOUT])
def test_recall(which: str) -> None:
    rate = recall(detector, which, "human_request")
    assert rate.value >= RECALL_FLOOR[which], rate.explain()


@pytest.mark.parametrize("which", [DESIGN, HELDOUT])
def test_false_positives_stay_under_the_ceiling(which: str) -> None:
    rate = false_positive_rate(detector, which, "human_request")
    assert rate.value <= FALSE_POSITIVE_CEILING[which], rate.explain()


@pytest.mark.parametrize("text", ["agent", "HUMAN", "human please", "representative!!", "Operator?"])
def test_one_word_requests(text: str) -> None:
    assert detector.detect(text).fired


@pytest.mark.parametrize(
    "text",
    [
        "my agent said the parcel would arrive Monday",
        "the delivery person left it in the rain",
        "The manager at the store said I could return it",
        "I don't need a human, the bot answered my question, thanks",
        "Does the price include the operator fee?",
        "the order went up the line to the warehouse",
        "are you a bot? no worries either way haha",
    ],
)
def test_people_mentioned_in_passing_are_not_requests(text: str) -> None:
    assert not detector.detect(text).fired


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("I would prefer to discuss my order with a member of your staff rather than a computer", "human"),
        ("I'd still like to put it to your supervisor, please, if you could pass me up the line", "manager"),
    ],
)
def test_formal_requests(text: str, label: str) -> None:
    assert label in detector.detect(text).labels


def test_asking_for_someone_senior_is_labelled_manager() -> None:
    hit = detector.detect("let me speak to your manager")
    assert "manager" in hit.labels


def test_curly_apostrophes_and_missing_ones_both_match() -> None:
    assert detector.detect("I don’t want to talk to a bot").fired
    assert detector.detect("i dont want to talk to a bot").fired
