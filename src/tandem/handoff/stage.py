"""The hand-over policy and the customer notice as pipeline stages (adapters over the pure core)."""

from __future__ import annotations

from datetime import time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from tandem.conversations.pipeline import CustomerProfileData, Turn
from tandem.handoff.decision import Decision
from tandem.handoff.messages import handover_message
from tandem.handoff.policy import decide, load_rules
from tandem.handoff.routing import WEEKDAYS, BusinessHours, OpeningSpan
from tandem.handoff.state import ConversationState, CustomerProfile, next_state
from tandem.kit import clock
from tandem.triage.signals import Signals, TriageContext


def conversation_state(raw: dict[str, Any], owner: str) -> ConversationState:
    known = {k: v for k, v in raw.items() if k in ConversationState.model_fields}
    # A resolved conversation that the customer reopens is the AI's again until the policy says otherwise.
    known["owner"] = owner if owner in ("ai", "queued", "human") else "ai"
    return ConversationState.model_validate(known)


def customer_profile(data: CustomerProfileData) -> CustomerProfile:
    return CustomerProfile(
        tier=data.tier if data.tier in ("standard", "silver", "gold", "platinum") else "standard",
        lifetime_value=Decimal(str(data.lifetime_value)),
        lifetime_spend=Decimal(str(data.lifetime_spend)),
        prior_exceptions=data.prior_exceptions,
        customer_since=data.customer_since,
        vulnerable=data.vulnerable,
    )


def triage_context(raw: dict[str, Any], owner: str) -> TriageContext:
    state = conversation_state(raw, owner)
    return TriageContext(
        previous_frustration=list(state.frustration_history),
        previous_departments=list(state.departments_seen),
        previous_customer_messages=state.customer_turns,
    )


class PolicyStage:
    """decide() over the rules file: the workspace's saved rules when present (the admin screen writes them),
    else TANDEM_HANDOFF_RULES, else the shipped defaults. Edits are picked up on the next turn."""

    def __init__(self, rules_path: Path | None = None, workspace_rules: Path | None = None) -> None:
        self.rules_path, self.workspace_rules = rules_path, workspace_rules
        load_rules(self.active_path())  # fail at start-up, not on the first customer, if the file is invalid

    def active_path(self) -> Path | None:
        if self.workspace_rules is not None and self.workspace_rules.exists():
            return self.workspace_rules
        return self.rules_path

    def decide(self, signals: Signals, turn: Turn) -> Decision:
        state = conversation_state(turn.state, turn.owner)
        return decide(signals, state, customer_profile(turn.profile), load_rules(self.active_path()))

    def advance(self, signals: Signals, turn: Turn, decision: Decision) -> dict[str, Any]:
        state = conversation_state(turn.state, turn.owner)
        return next_state(state, signals, decision).model_dump(mode="json")


class NoticeStage:
    """The honest hand-over message: fits the reason, gives the wait, or when people are back."""

    def handover_notice(self, decision: Decision, wait_seconds: int | None, turn: Turn) -> str:
        hours = business_hours(turn.business_hours)
        now = clock.now()
        # A wait of 0 means a person has already taken it: they are here, whatever the opening hours say.
        open_now = wait_seconds == 0 or hours.is_open(now)
        wait = timedelta(seconds=wait_seconds) if wait_seconds is not None and open_now else None
        first_name = turn.profile.name or None
        return handover_message(decision, wait, open_now, None if open_now else hours.next_opening(now), first_name)


def business_hours(config: dict[str, Any] | None) -> BusinessHours:
    """Read the workspace's hours ({"timezone", "weekly": {"mon": ["08:00", "20:00"] | None}, "holidays"})."""
    if not config:
        return BusinessHours.always_open()
    week = {}
    for day in WEEKDAYS:
        span = (config.get("weekly") or {}).get(day)
        if span:
            week[day] = (OpeningSpan(start=time.fromisoformat(span[0]), end=time.fromisoformat(span[1])),)
    return BusinessHours.model_validate(
        {"timezone": config.get("timezone", "UTC"), "week": week, "holidays": config.get("holidays", [])}
    )
