"""What a change of hand-over rules would have done to past conversations, without writing anything.

Each stored customer turn kept the signals triage read (`Message.meta["signals"]`), so the policy can
be re-run turn by turn from a fresh state with `next_state`, once with the current rules and once with
the candidate rules, and the two outcomes compared.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, Literal

from pydantic import ValidationError
from sqlalchemy.orm import Session

from tandem.conversations import repository as conversation_repository
from tandem.conversations.models import Conversation
from tandem.conversations.repository import ConversationFilter
from tandem.customers import repository as customer_repository
from tandem.handoff.decision import Decision
from tandem.handoff.policy import decide
from tandem.handoff.rules import RuleSet
from tandem.handoff.state import ConversationState, CustomerProfile, next_state
from tandem.triage.signals import Signals

PAGE = 200
CHANGES_LISTED = 200
TIERS = ("standard", "silver", "gold", "platinum")


@dataclass(frozen=True)
class Outcome:
    """Where a conversation ends up under one set of rules: who owns it, why, and from which turn."""

    owner: Literal["ai", "human"]
    reasons: tuple[str, ...] = ()
    turn: int | None = None

    def as_json(self) -> dict[str, Any]:
        return {"owner": self.owner, "reasons": list(self.reasons), "turn": self.turn}


@dataclass(frozen=True)
class StoredConversation:
    id: int
    channel: str
    profile: CustomerProfile
    turns: tuple[Signals, ...]
    turns_without_signals: int = 0


def replay_policy(turns: Sequence[Signals], profile: CustomerProfile, rules: RuleSet, channel: str = "web") -> Outcome:
    """Decide each turn as intake does: once a person has it, later turns only advance the state."""
    state = ConversationState(channel=channel)
    handed: Outcome | None = None
    for number, signals in enumerate(turns, start=1):
        if state.human_owns:
            decision = Decision(owner="human", queue=state.queue)
        else:
            decision = decide(signals, state, profile, rules)
            if decision.owner == "human" and handed is None:
                handed = Outcome("human", tuple(decision.reason_codes), number)
        state = next_state(state, signals, decision)
    return handed or Outcome("ai")


def compare(conversations: Sequence[StoredConversation], before: RuleSet, after: RuleSet) -> dict[str, Any]:
    """Per reason, how many conversations it hands over before and after; and every conversation that changes."""
    counts: dict[str, Counter[str]] = {"before": Counter(), "after": Counter()}
    primary: dict[str, Counter[str]] = {"before": Counter(), "after": Counter()}
    handed = Counter[str]()
    flips: list[dict[str, Any]] = []
    changed: list[dict[str, Any]] = []
    for conversation in conversations:
        outcomes = {
            "before": replay_policy(conversation.turns, conversation.profile, before, conversation.channel),
            "after": replay_policy(conversation.turns, conversation.profile, after, conversation.channel),
        }
        for side, outcome in outcomes.items():
            counts[side].update(outcome.reasons)
            primary[side].update(outcome.reasons[:1])
            handed[side] += outcome.owner == "human"
        if outcomes["before"] == outcomes["after"]:
            continue
        entry: dict[str, Any] = {"conversation_id": conversation.id, **{k: v.as_json() for k, v in outcomes.items()}}
        (flips if outcomes["before"].owner != outcomes["after"].owner else changed).append(entry)
    codes = sorted({*counts["before"], *counts["after"]})
    return {
        "conversations": len(conversations),
        "turns": sum(len(c.turns) for c in conversations),
        "turns_without_signals": sum(c.turns_without_signals for c in conversations),
        "handed_over": {"before": handed["before"], "after": handed["after"]},
        "reasons": {code: _side_by_side(counts, code) for code in codes},
        "primary_reasons": {
            code: _side_by_side(primary, code) for code in codes if primary["before"][code] or primary["after"][code]
        },
        "owner_flips": {
            "to_human": sum(1 for f in flips if f["after"]["owner"] == "human"),
            "to_ai": sum(1 for f in flips if f["after"]["owner"] == "ai"),
        },
        "flips": flips[:CHANGES_LISTED],
        "other_changes": changed[:CHANGES_LISTED],
        "other_changes_count": len(changed),
    }


def _side_by_side(counts: dict[str, Counter[str]], code: str) -> dict[str, int]:
    before, after = counts["before"][code], counts["after"][code]
    return {"before": before, "after": after, "change": after - before}


# ---- loading from the store (reads only) -----------------------------------------------------------


def stored_conversations(session: Session, since: datetime) -> Iterator[StoredConversation]:
    before_id: int | None = None
    while True:
        page = conversation_repository.find(
            session, ConversationFilter(updated_since=since, before_id=before_id, limit=PAGE)
        )
        for conversation in page:
            yield _stored(session, conversation)
        if len(page) < PAGE:
            return
        before_id = page[-1].id


def _stored(session: Session, conversation: Conversation) -> StoredConversation:
    turns, missing = [], 0
    for message in conversation_repository.messages(session, conversation.id):
        if message.author_kind != "customer":
            continue
        signals = _signals(message.meta or {})
        if signals is None:
            missing += 1  # the pipeline failed or did not run on this message
        else:
            turns.append(signals)
    return StoredConversation(
        id=conversation.id,
        channel=conversation.channel,
        profile=_profile(session, conversation),
        turns=tuple(turns),
        turns_without_signals=missing,
    )


def _signals(meta: dict[str, Any]) -> Signals | None:
    raw = meta.get("signals")
    if not isinstance(raw, dict):
        return None
    try:
        return Signals.model_validate({**raw, "text_redacted": meta.get("redacted", "")})
    except ValidationError:
        return None


def _profile(session: Session, conversation: Conversation) -> CustomerProfile:
    if conversation.customer_id is None:
        return CustomerProfile()
    customer = customer_repository.get(session, conversation.customer_id)
    if customer is None:
        return CustomerProfile()
    # Only exceptions granted before the conversation began: later ones were unknown when it was decided.
    granted = [
        e
        for e in customer_repository.exceptions(session, customer.id)
        if e.outcome != "declined" and e.decided_at < conversation.created_at
    ]
    return CustomerProfile(
        tier=customer.tier if customer.tier in TIERS else "standard",
        lifetime_value=Decimal(customer.lifetime_value),
        lifetime_spend=Decimal(customer.lifetime_spend),
        prior_exceptions=len(granted),
        last_exception_at=max((e.decided_at for e in granted), default=None),
        customer_since=customer.customer_since,
        vulnerable=bool(customer_repository.vulnerabilities(session, customer.id)),
    )
