"""What the customer is told at hand-over: warm, honest about timing, fitted to the reason."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tandem.handoff.decision import Decision, FiredReason, Priority, Reason
from tandem.handoff.messages import describe_opening, describe_wait, handover_message

MONDAY_NINE = datetime(2025, 5, 5, 9, 0, tzinfo=ZoneInfo("Europe/London"))
FOUR_MINUTES = timedelta(minutes=4)
QUEUES = {
    Reason.VULNERABILITY: "vulnerable_customers",
    Reason.LEGAL_OR_BILLING_DISPUTE: "billing",
    Reason.CHURN_RISK_HIGH_VALUE: "retention",
    Reason.SALES_OPPORTUNITY: "sales",
    Reason.PUBLIC_ESCALATION_RISK: "complaints",
}
BANNED = [
    "can't help",
    "cannot help",
    "unable to assist",
    "unable to help",
    "calm down",
    "as i said",
    "as i mentioned",
    "unfortunately you",
    "policy doesn't allow",
    "policy does not allow",
    "not allowed",
    "your fault",
    "you should have",
    "vulnerable",
    "queue",
    "our mistake",
    "we apologise for the error",
]


def decision_for(reason: str | None, priority: Priority = "normal") -> Decision:
    reasons = [FiredReason(code=reason)] if reason else []
    return Decision(
        owner="human",
        reasons=reasons,
        queue=QUEUES.get(Reason(reason)) if reason else None,
        priority=priority,
    )


ALL_REASONS = [*(reason.value for reason in Reason), None]


@pytest.mark.parametrize("reason", ALL_REASONS)
@pytest.mark.parametrize("open_now", [True, False], ids=["open", "closed"])
@pytest.mark.parametrize("name", [None, "Sam"])
def test_every_message_is_honest_and_kind(reason: str | None, open_now: bool, name: str | None) -> None:
    message = handover_message(decision_for(reason, "urgent"), FOUR_MINUTES, open_now, MONDAY_NINE, name)
    lowered = message.lower()
    assert ("about 4 minutes" in message) if open_now else ("Monday 5 May at 09:00" in message)
    assert "won't need to repeat" in lowered
    assert [phrase for phrase in BANNED if phrase in lowered] == []
    if name:
        assert "Sam" in message
    assert "  " not in message
    assert "{" not in message


def test_outside_hours_says_what_happens_meanwhile() -> None:
    message = handover_message(decision_for("frustration"), None, False, MONDAY_NINE)
    assert "away right now" in message
    assert "saved" in message
    assert "on Monday 5 May at 09:00 BST" in message


def test_asking_for_a_person_is_answered_with_yes() -> None:
    message = handover_message(decision_for("human_requested"), FOUR_MINUTES, True, None, "Sam")
    assert message.startswith("Of course, Sam — I'm bringing in a member of the team now.")


def test_asking_for_a_person_out_of_hours_does_not_promise_now() -> None:
    message = handover_message(decision_for("human_requested"), None, False, MONDAY_NINE)
    assert message.startswith("Of course")
    assert "now." not in message


def test_vulnerability_is_gentle_and_names_no_queue() -> None:
    message = handover_message(decision_for("vulnerability", "high"), FOUR_MINUTES, True, None)
    assert message.startswith("Thank you for telling me.")
    assert "care" in message
    assert "emergency" not in message


def test_urgent_vulnerability_out_of_hours_points_to_emergency_help() -> None:
    message = handover_message(decision_for("vulnerability", "urgent"), None, False, MONDAY_NINE)
    assert "emergency services" in message


def test_a_dispute_is_neutral() -> None:
    message = handover_message(decision_for("legal_or_billing_dispute"), FOUR_MINUTES, True, None)
    assert "billing team" in message
    for admission in ("sorry", "mistake", "error", "wrong"):
        assert admission not in message.lower()


def test_a_failed_stage_is_owned_by_us() -> None:
    message = handover_message(decision_for("ai_unavailable"), FOUR_MINUTES, True, None)
    assert "went wrong on my side" in message


def test_no_estimate_is_said_honestly() -> None:
    open_message = handover_message(decision_for("frustration"), None, True, None)
    closed_message = handover_message(decision_for("frustration"), None, False, None)
    assert "as soon as they're free" in open_message
    assert "as soon as they're back" in closed_message


@pytest.mark.parametrize("name", ["", "   ", "x" * 200])
def test_an_unusable_name_is_left_out(name: str) -> None:
    message = handover_message(decision_for("human_requested"), FOUR_MINUTES, True, None, name)
    assert message.startswith("Of course —")


@pytest.mark.parametrize(
    ("wait", "words"),
    [
        (timedelta(seconds=10), "about a minute"),
        (timedelta(minutes=1), "about a minute"),
        (timedelta(minutes=4), "about 4 minutes"),
        (timedelta(minutes=3, seconds=5), "about 4 minutes"),
        (timedelta(minutes=59), "about 59 minutes"),
        (timedelta(minutes=60), "about an hour"),
        (timedelta(minutes=74), "about 1 hour and 15 minutes"),
        (timedelta(minutes=120), "about 2 hours"),
    ],
)
def test_describe_wait(wait: timedelta, words: str) -> None:
    assert describe_wait(wait) == words


def test_describe_opening() -> None:
    assert describe_opening(MONDAY_NINE) == "on Monday 5 May at 09:00 BST"
