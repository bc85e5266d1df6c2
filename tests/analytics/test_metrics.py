"""The pure rules behind the outcome metrics, from hand-written trails and tables of phrasings."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tandem.analytics import textfacts
from tandem.analytics.metrics import (
    ContactRow,
    ConversationRecord,
    TrailEvent,
    TrailMessage,
    cross_conversation_flags,
    derive_facts,
)

T0 = datetime(2026, 5, 4, 10, 0, tzinfo=UTC)


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def customer(minute: float, body: str, **signals: object) -> TrailMessage:
    return TrailMessage("customer", body, at(minute), meta={"signals": signals} if signals else {})


def ai(minute: float, body: str = "Here you go.") -> TrailMessage:
    return TrailMessage("ai", body, at(minute))


def event(minute: float, type_: str, **payload: object) -> TrailEvent:
    return TrailEvent(type_, at(minute), payload)


def record(**fields: object) -> ConversationRecord:
    return ConversationRecord(id=1, created_at=T0, **fields)  # type: ignore[arg-type]


AI_RESOLVES = [event(1, "message.received"), event(1.1, "ai.replied", resolved=True)]


class TestAiResolution:
    def test_silence_after_an_ai_resolution_is_unconfirmed(self):
        facts = derive_facts(record(), AI_RESOLVES, [customer(1, "where is my order"), ai(1.1)])
        assert facts.ai_resolved and not facts.confirmed and not facts.came_back
        assert facts.path == "ai_only"

    @pytest.mark.parametrize(
        "reply",
        ["That worked, thanks!", "perfect, thank you", "ok it's sorted now", "great thanks, all good now"],
    )
    def test_the_customer_saying_so_confirms_it(self, reply: str):
        facts = derive_facts(record(), AI_RESOLVES, [customer(1, "where is my order"), ai(1.1), customer(3, reply)])
        assert facts.confirmed and not facts.came_back

    def test_a_good_rating_on_an_ai_only_conversation_confirms_it(self):
        facts = derive_facts(record(satisfaction=4, owner="resolved"), AI_RESOLVES, [customer(1, "hi")])
        assert facts.confirmed

    def test_writing_again_with_a_new_problem_is_coming_back(self):
        messages = [customer(1, "where is my order"), ai(1.1), customer(90, "it still hasn't arrived")]
        facts = derive_facts(record(), AI_RESOLVES, messages)
        assert facts.came_back and not facts.confirmed

    def test_thanks_alone_is_not_coming_back(self):
        facts = derive_facts(record(), AI_RESOLVES, [customer(1, "where?"), ai(1.1), customer(5, "ok thanks, bye")])
        assert not facts.came_back and not facts.confirmed

    def test_a_resolution_after_a_person_took_over_is_not_the_ais(self):
        trail = [
            event(1, "handoff.created", reasons=["human_requested"]),
            event(5, "conversation.owner_changed", action="resolve", before="human", after="resolved"),
        ]
        facts = derive_facts(record(owner="resolved", resolved_at=at(5)), trail, [customer(1, "a person please")])
        assert not facts.ai_resolved and facts.path == "human_only" and facts.handover_reason == "human_requested"
        assert facts.resolution_s == 300


class TestRepeatingYourself:
    def test_restating_a_known_order_number_after_a_hand_over(self):
        messages = [
            customer(1, "My order #884213 never came"),
            ai(1.1, "Order 884213 shows as delivered."),
            customer(2, "I want a human"),
            TrailMessage("agent", "Hi, I'm Sam.", at(10)),
            customer(11, "Like I said, order number 884213, and I paid $42.50"),
        ]
        trail = [event(1.1, "ai.replied"), event(2, "handoff.created", reasons=["human_requested"])]
        facts = derive_facts(record(), trail, messages)
        assert facts.repeated_fact and facts.repeated_kinds == ["order_number"]  # the amount is new
        assert facts.path == "handed_over" and facts.time_to_human_s == 480

    def test_new_facts_after_a_hand_over_are_not_repetition(self):
        messages = [customer(1, "refund please"), customer(3, "my email is sam@example.com")]
        facts = derive_facts(record(), [event(2, "handoff.created", reasons=["policy_exception"])], messages)
        assert not facts.repeated_fact

    def test_facts_from_triage_entities_count_too(self):
        messages = [
            customer(1, "where is it", entities=[{"type": "order_id", "value": "A-7781"}]),
            customer(3, "it's A-7781"),
        ]
        facts = derive_facts(record(), [event(2, "handoff.created", reasons=["low_confidence"])], messages)
        assert facts.repeated_kinds == ["order_number"]


class TestAcrossConversations:
    def row(self, cid: int, day: float, intent: str | None, resolved: bool = True, came_back: bool = False):
        started = T0 + timedelta(days=day)
        return ContactRow(cid, 7, started, intent, started + timedelta(minutes=2) if resolved else None, came_back)

    @pytest.mark.parametrize(
        ("second_day", "second_intent", "false_containment"),
        [
            (3, "order_status", True),  # back within 7 days on the same issue
            (3, "refund", False),  # back, but about something else
            (3, None, True),  # unknown intent: assume the same issue rather than claim success
            (8, "order_status", False),  # outside the window
        ],
    )
    def test_false_containment(self, second_day: float, second_intent: str | None, false_containment: bool):
        flags = cross_conversation_flags(
            [self.row(1, 0, "order_status"), self.row(2, second_day, second_intent, resolved=False)]
        )
        assert flags[1].false_containment is false_containment
        assert flags[2].repeat_contact is (second_day <= 7)
        assert not flags[1].repeat_contact


@pytest.mark.parametrize(
    ("text", "confirms"),
    [
        ("that fixed it, cheers", True),
        ("Brilliant, thanks", True),
        ("it's working now", True),
        ("that did not work", False),
        ("it's still not fixed", False),
        ("thanks but it isn't sorted", False),
        ("where is my order", False),
    ],
)
def test_confirmation_phrasings(text: str, confirms: bool):
    assert textfacts.confirms_resolution(text) is confirms


@pytest.mark.parametrize(
    ("text", "facts"),
    [
        ("order #123456", {("order_number", "123456")}),
        ("ref: ORD-00991", {("order_number", "ORD00991")}),
        ("mail me at Sam.Lee@Example.com", {("email", "sam.lee@example.com")}),
        ("I was charged £1,250.00 not 40 pounds", {("amount", "1250.00"), ("amount", "40.00")}),
        ("call me tomorrow", set()),
    ],
)
def test_fact_extraction(text: str, facts: set[tuple[str, str]]):
    assert textfacts.extract_facts(text) == facts
