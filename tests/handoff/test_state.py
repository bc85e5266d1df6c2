"""How one turn moves the conversation state on."""

from __future__ import annotations

from typing import Any

import pytest

from tandem.handoff.decision import Decision, FiredReason
from tandem.handoff.state import FRUSTRATION_HISTORY_LIMIT, ConversationState, next_state
from tandem.triage.signals import Signals

AI = Decision()
TO_HUMAN = Decision(owner="human", reasons=[FiredReason(code="frustration")], queue="billing")


TURNS: list[tuple[str, dict[str, Any], Decision, dict[str, Any]]] = [
    ("ai keeps an ai conversation", {}, AI, {"owner": "ai", "queue": None}),
    ("a hand-over queues it", {}, TO_HUMAN, {"owner": "queued", "queue": "billing"}),
    ("queued stays queued", {"owner": "queued", "queue": "billing"}, TO_HUMAN, {"owner": "queued"}),
    ("human stays human", {"owner": "human"}, TO_HUMAN, {"owner": "human", "human_handled": True}),
    (
        "a misunderstood turn adds to the run",
        {"consecutive_misunderstandings": 1},
        Decision(turn_misunderstood=True),
        {"consecutive_misunderstandings": 2},
    ),
    (
        "an understood turn ends the run",
        {"consecutive_misunderstandings": 3},
        AI,
        {"consecutive_misunderstandings": 0},
    ),
    (
        "reasons are kept once each",
        {"previous_reasons": ("frustration",)},
        TO_HUMAN,
        {"previous_reasons": ("frustration",)},
    ),
    ("turns are counted", {"customer_turns": 4}, AI, {"customer_turns": 5}),
    ("a past human stays on record", {"human_handled": True}, AI, {"human_handled": True}),
]


@pytest.mark.parametrize(("name", "state", "decision", "expected"), TURNS, ids=[turn[0] for turn in TURNS])
def test_next_state(name: str, state: dict[str, Any], decision: Decision, expected: dict[str, Any]) -> None:
    after = next_state(ConversationState.model_validate(state), Signals(), decision)
    for field, value in expected.items():
        assert getattr(after, field) == value, name


def test_frustration_and_departments_are_remembered() -> None:
    signals = Signals.model_validate(
        {
            "emotion": {"frustration": 0.4},
            "intent": {"department": "orders"},
            "departments": ["billing", "orders"],
        }
    )
    state = ConversationState(frustration_history=(0.1,), departments_seen=("billing",))
    after = next_state(state, signals, AI)
    assert after.frustration_history == (0.1, 0.4)
    assert after.departments_seen == ("billing", "orders")


def test_frustration_history_is_bounded() -> None:
    state = ConversationState(frustration_history=tuple([0.1] * FRUSTRATION_HISTORY_LIMIT))
    after = next_state(state, Signals.model_validate({"emotion": {"frustration": 0.9}}), AI)
    assert len(after.frustration_history) == FRUSTRATION_HISTORY_LIMIT
    assert after.frustration_history[-1] == 0.9


def test_the_state_before_is_left_alone() -> None:
    before = ConversationState()
    next_state(before, Signals(), TO_HUMAN)
    assert before == ConversationState()
