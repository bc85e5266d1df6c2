"""Detectors that give the hand-over policy context: one problem across departments, a customer leaving,
chit-chat that is not an unclear request, and dispute phrases kept per label."""

from __future__ import annotations

import pytest

from tandem.triage.rules._engine import CueDetector
from tandem.triage.rules.chit_chat import detector as chit_chat
from tandem.triage.rules.churn import detector as churn
from tandem.triage.rules.multi_department import detector as multi_department


@pytest.mark.parametrize(
    "text",
    [
        "my dishwasher arrived with a dented door, I've been charged twice for it, and the installer is booked"
        " for tomorrow. what do I do about all three?",
        "I cancelled my subscription but another box shipped, I was billed for it, and there's now an invoice"
        " for a fee. I need the box collected and both charges looked at",
    ],
)
def test_one_problem_for_several_departments(text: str) -> None:
    assert multi_department.detect(text).fired


@pytest.mark.parametrize(
    "text",
    [
        "I'd like to return the trainers from order 5520193, they're too small",  # orders + billing neighbours
        "why was I charged for delivery when the basket said free delivery over £50?",  # no linked asks
        "and do i pay for the return postage?",
        "hi where is my parcel, order #A10234",
    ],
)
def test_order_refund_and_delivery_neighbours_are_not_multi_department(text: str) -> None:
    assert not multi_department.detect(text).fired


@pytest.mark.parametrize(
    "text",
    [
        "please cancel my gold membership, I don't think it's worth it anymore",
        "I'm done, I'm taking my business elsewhere",
        "Honestly I'm thinking of moving all our ordering to John Lewis.",
        "I won't be renewing my membership",
        "Can you stop my monthly candle and diffuser subscription from December onwards?",
        "No particular reason, I've just found somewhere cheaper for the same thing.",
    ],
)
def test_leaving(text: str) -> None:
    assert churn.detect(text).fired


@pytest.mark.parametrize(
    "text",
    [
        "your coffee beans are the best, I'll never shop anywhere else!",
        "Could you tell me how to stop my monthly coffee subscription?",
        "I buy my bedding elsewhere usually, but do you have the linen duvet covers in king size?",
        "The delivery lads were brilliant. I'll be leaving you a glowing review on Trustpilot",
        "where is my order?",
    ],
)
def test_not_leaving(text: str) -> None:
    assert not churn.detect(text).fired


@pytest.mark.parametrize(
    "text", ["thanks!", "ok, no worries, thanks for checking", "10:30 works", "what's the weather like"]
)
def test_chit_chat(text: str) -> None:
    assert chit_chat.detect(text).fired


@pytest.mark.parametrize(
    "text", ["it's about the thing from before", "the other one. with the bit that came off. is that ok to do or not"]
)
def test_unclear_requests_are_not_chit_chat(text: str) -> None:
    assert not chit_chat.detect(text).fired


def test_dispute_matches_carry_their_labels() -> None:
    dispute = CueDetector("dispute")
    labels = {m.label for m in dispute.matches("I'm not paying this, I want it reversed or I'll dispute it")}
    assert "disputed" in labels
    assert {m.label for m in dispute.matches("I've been charged twice for order 42")} == {"double_charge"}
    assert not dispute.detect("just want to know I won't need to do a chargeback or anything").fired
