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


@pytest.mark.parametrize(
    "text",
    [
        "I said I do NOT want to cancel. why do you keep saying that",
        "again no, you not understand what i say",
        "it's a gift card, not a bank card",
        "Hmm, that's come up as Thursday. I did say Friday",
        "No no, not the blue one. I say green.",
        "thats not mine - mine is 7754 not 7745",
        "Afraid we're still crossed wires",
        "Sorry, not the billing address, the delivery address",
        "I don't want a refund, I'd like an exchange",
        "Not store credit either, sorry. A straight exchange",
        "no no, I not want cancel the order",
        "not the TV stand, the TV itself",
        "Sorry, I think you've got it backwards, the gmail one is the new one",
        "No, that's the wrong way round again",
        "No, it's not the strap, it's the battery. It's stopped.",
        "No sorry, green not blue. The sage green.",
        "Is not correct again, I say sage green, you put forest green. Sage please.",
        "Sorry, I think we're at cross purposes again.",
        "No, sorry, I mean the replacement table.",
        "No, I'm not asking to return anything, it's already gone back.",
        "No, just the brass one. The other one's fine.",
        "Still not quite right on the confirmation, it says Unit 14.",
        "please not cancel! the order I keep. I want only the colour grey",
        "It's still showing Birmingham on the confirmation. Bristol, the Cribbs Causeway one",
        "Sorry, the return label you've sent still has both on it.",
        "that's the 50 inch model you're showing me, mine's the 55 inch U7",
        "sorry no, the 14th, not the 4th",
        "thats the 14th of november, i meant december",
        "Sorry, that's not an answer to my question, you've told me the dimensions again",
        "Thanks, but I meant whether I have to build it myself",
    ],
)
def test_corrections_as_people_type_them(text: str) -> None:
    assert detector.detect(text).fired


@pytest.mark.parametrize(
    "text",
    [
        "no thanks, that's all",
        "it's not my first time ordering, love your stuff",
        "no rush, it's not urgent",
        "Not sure either, sorry",
        "Not too bad thanks, I need to check my order",
        "Sorry, not sure which one, the blue or grey?",
        "No sorry, I'm not sure",
        "No thanks, not today",
        "it's not working, it's completely dead",
        "No problem, not urgent at all",
        "is it still going to arrive today?",
        "my son is still waiting, it still says processing",
        "it still shows processing on the tracking page",
        "I meant to ask, do you sell gift cards?",
    ],
)
def test_a_plain_no_is_not_a_correction(text: str) -> None:
    assert not detector.detect(text).fired
