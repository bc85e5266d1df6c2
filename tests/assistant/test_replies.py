"""The AI's replies: grounded in the order system when it can be, honest when it can't."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tandem.assistant.replies import IntentReply, OrderFacts
from tandem.conversations.pipeline import CustomerProfileData, Turn
from tandem.triage.signals import Entity, IntentSignal, Signals

TURN = Turn(1, 1, "", "ai", {}, CustomerProfileData())
ORDERS = {
    "A10023": OrderFacts("A10023", "shipped", "DPD", datetime(2026, 11, 26, tzinfo=UTC), None),
    "A10024": OrderFacts("A10024", "delivered", "Evri", None, datetime(2026, 11, 20, tzinfo=UTC)),
}


def stub_order_system(number: str) -> OrderFacts | None:
    """Stands in for the merchant's order connector."""
    return ORDERS.get(number)


def signals(intent: str | None, skill: str | None, order: str | None = None, oos: bool = False) -> Signals:
    entities = [Entity(type="order_id", value=order)] if order else []
    return Signals(intent=IntentSignal(name=intent, skill=skill, confidence=0.9), entities=entities, out_of_scope=oos)


def test_order_status_is_read_from_the_order_system():
    reply = IntentReply(stub_order_system).respond(signals("track_order", "order_status", "A10023"), TURN)
    assert "A10023 is on its way" in reply.body and "Thursday 26 November" in reply.body and "DPD" in reply.body


def test_a_delivered_order_says_when():
    reply = IntentReply(stub_order_system).respond(signals("track_order", "order_status", "A10024"), TURN)
    assert "was delivered on Friday 20 November" in reply.body


def test_an_unknown_order_is_never_guessed():
    reply = IntentReply(stub_order_system).respond(signals("track_order", "order_status", "A99999"), TURN)
    assert "couldn't find an order A99999" in reply.body
    assert "on its way" not in reply.body


@pytest.mark.parametrize(
    "given",
    [signals(None, None, oos=True), signals("weather", None), signals("track_order", "order_status")],
)
def test_every_reply_keeps_the_door_open_to_a_person(given):
    assert "talk to a person" in IntentReply(stub_order_system).respond(given, TURN).body


def test_out_of_scope_asks_rather_than_bluffs():
    reply = IntentReply(stub_order_system).respond(signals(None, None, oos=True), TURN)
    assert "not sure I've understood" in reply.body


def stub_help_articles(question: str):
    """Stands in for the knowledge base lookup."""
    from tandem.knowledge.retrieval import ArticleText, Match

    if "paypal" in question:
        return Match(ArticleText("payment-methods", "Ways to pay", "We accept PayPal. We do not take cheques."), 5.0)
    return None


def faq_turn(text: str) -> Turn:
    return Turn(1, 1, text, "ai", {}, CustomerProfileData())


def test_a_faq_answer_quotes_and_cites_the_article():
    reply = IntentReply(stub_order_system, stub_help_articles).respond(
        signals("check_payment_methods", "faq"), faq_turn("can I pay with paypal")
    )
    assert "We accept PayPal." in reply.body and '"Ways to pay"' in reply.body
    assert reply.meta["article"] == "payment-methods"


def test_no_good_article_means_saying_so_and_offering_a_person():
    reply = IntentReply(stub_order_system, stub_help_articles).respond(
        signals("check_payment_methods", "faq"), faq_turn("do you take bitcoin")
    )
    assert "don't have a reliable answer" in reply.body and "member of the team" in reply.body


def test_opening_hours_come_from_the_workspace_configuration():
    hours = {"timezone": "Europe/London", "weekly": {"mon": ["08:00", "20:00"], "sun": None}}
    turn = Turn(1, 1, "when are you open", "ai", {}, CustomerProfileData(), business_hours=hours)
    reply = IntentReply(stub_order_system).respond(signals("business_hours", "business_info"), turn)
    assert "Monday 08:00–20:00" in reply.body and "closed on Sunday" in reply.body
