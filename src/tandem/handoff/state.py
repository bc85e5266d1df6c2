"""What the hand-over policy knows beyond one message: the conversation so far and the customer's record.

`next_state` is pure so the store can persist the state per turn and replay it from the events.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from tandem.handoff.decision import Decision
from tandem.triage.signals import Signals

ConversationOwner = Literal["ai", "queued", "human"]
Tier = Literal["standard", "silver", "gold", "platinum"]

HUMAN_OWNERS: frozenset[ConversationOwner] = frozenset({"queued", "human"})
# Enough turns to see a trend, bounded so a long conversation does not grow its state forever.
FRUSTRATION_HISTORY_LIMIT = 20


class ConversationState(BaseModel):
    """The conversation as the policy sees it *before* the current customer message."""

    model_config = ConfigDict(frozen=True)

    owner: ConversationOwner = "ai"
    queue: str | None = None
    customer_turns: int = Field(default=0, ge=0)
    # Out-of-scope, low-confidence or "that's not what I asked" turns in a row, before this one.
    consecutive_misunderstandings: int = Field(default=0, ge=0)
    # Turns so far in which the customer corrected the assistant ("that's not what I asked"), in a row or not.
    corrections: int = Field(default=0, ge=0)
    frustration_history: tuple[float, ...] = ()
    departments_seen: tuple[str, ...] = ()
    previous_reasons: tuple[str, ...] = ()
    human_handled: bool = False
    channel: str = "web"

    @property
    def human_owns(self) -> bool:
        """A person has it (or it waits for one): the AI must not take it back on its own."""
        return self.owner in HUMAN_OWNERS


class CustomerProfile(BaseModel):
    """What the customer record tells the policy; money in the desk's currency."""

    model_config = ConfigDict(frozen=True)

    tier: Tier = "standard"
    lifetime_value: Decimal = Decimal(0)
    lifetime_spend: Decimal = Decimal(0)
    prior_exceptions: int = Field(default=0, ge=0)
    last_exception_at: datetime | None = None
    customer_since: date | None = None
    # Known from the record (a support need the customer told us about), not read from this message.
    vulnerable: bool = False
    open_cases: int = Field(default=0, ge=0)
    past_complaints: int = Field(default=0, ge=0)


def next_state(state: ConversationState, signals: Signals, decision: Decision) -> ConversationState:
    """The state after this customer message and the decision taken on it."""
    return state.model_copy(
        update={
            "owner": _next_owner(state, decision),
            "queue": decision.queue if decision.owner == "human" else None,
            "customer_turns": state.customer_turns + 1,
            "consecutive_misunderstandings": (
                state.consecutive_misunderstandings + 1 if decision.turn_misunderstood else 0
            ),
            # The opening message cannot correct the assistant, which has not said anything yet:
            # "I don't want a refund, I'd like it fixed" states a wish there.
            "corrections": state.corrections + int(signals.misunderstanding and state.customer_turns > 0),
            "frustration_history": (*state.frustration_history, signals.emotion.frustration)[
                -FRUSTRATION_HISTORY_LIMIT:
            ],
            "departments_seen": _union(state.departments_seen, departments_of(signals)),
            "previous_reasons": _union(state.previous_reasons, decision.reason_codes),
            "human_handled": state.human_handled or state.owner == "human",
        }
    )


def departments_of(signals: Signals) -> list[str]:
    """The departments this message touches, the intent's own first."""
    first = [signals.intent.department] if signals.intent.department else []
    return list(_union(first, signals.departments))


def _next_owner(state: ConversationState, decision: Decision) -> ConversationOwner:
    # Assignment (queued -> human) and hand-back are the store's transitions, not this function's.
    if state.human_owns:
        return state.owner
    return "queued" if decision.owner == "human" else "ai"


def _union(first: Iterable[str], then: Iterable[str]) -> tuple[str, ...]:
    """Both sequences' items once each, in order of first appearance."""
    return tuple(dict.fromkeys([*first, *then]))
