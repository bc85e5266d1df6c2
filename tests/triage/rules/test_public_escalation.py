from __future__ import annotations

import pytest

from tandem.triage.rules.public_escalation import LABELS, detector

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
    rate = recall(detector, which, "public_escalation", check_labels=False)
    assert rate.value >= RECALL_FLOOR[which], rate.explain()


@pytest.mark.parametrize("which", [DESIGN, HELDOUT])
def test_false_positives_stay_under_the_ceiling(which: str) -> None:
    rate = false_positive_rate(detector, which, "public_escalation")
    assert rate.value <= FALSE_POSITIVE_CEILING[which], rate.explain()


def test_phrasings_cover_every_label() -> None:
    assert {label for _, label in positives(DESIGN, "public_escalation")} == set(LABELS)


@pytest.mark.parametrize(
    "text",
    [
        "I saw your ad on Facebook, is the offer still on?",
        "Your trustpilot reviews are great so I ordered",
        "How do I press the reset button?",
        "I'd like to leave a review, the blender is amazing",
        "Is the 5 star hotel voucher still valid?",
        "Really happy with my new fridge, where can I leave you a review on Trustpilot?",
        "I'll leave you a glowing review on Trustpilot",
        "Saw your post on Twitter about 20% off garden furniture. Does that code work in store too?",
        "going to put a review on trustpilot because the fitter was great, what's the link?",
    ],
)
def test_mentioning_a_platform_is_not_a_threat(text: str) -> None:
    assert not detector.detect(text).fired


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("I'm going to post this on twitter", "social_media"),
        ("I'll be telling the newspapers", "press"),
        ("expect a 1-star review", "reviews"),
        ("I'm putting a thread up on Mumsnet tonight with every screenshot", "social_media"),
        ("I'll be leaving a review on Trustpilot about this shambles", "reviews"),
        ("i have 80k on tiktok and im about to post a video of the state this chair arrived in", "social_media"),
        ("im admin of a 12,000 member local buy/sell group, should I tell them the truth", "social_media"),
    ],
)
def test_labels(text: str, label: str) -> None:
    assert label in detector.detect(text).labels


def test_the_letter_x_is_a_platform_only_when_capitalised_after_posting() -> None:
    assert detector.detect("I'll be posting on X about this").fired
    assert not detector.detect("I'll post it on x-ray day").fired
