"""Outcome facts for one conversation, read from its event trail and messages. Pure: no store, no clock.

Definitions (the honest ones; the report quotes them):
- path: `ai_only` (no person ever involved), `handed_over` (the AI answered at least once, then a person
  took over), `human_only` (a person was involved before the AI answered anything).
- AI resolution: the conversation was resolved while the AI owned it, else the AI's first reply that it
  marked as resolving, provided no person was involved before that moment.
- confirmed: after the AI resolution the customer said so ("that worked, thanks"), the desk recorded a
  `resolution.confirmed` event, or an AI-only conversation was rated 4 or 5. Silence is never success:
  everything else is unconfirmed.
- came back: within the return window after the AI resolution the customer wrote again in the same
  conversation with more than thanks. False containment: came back, or started another conversation on
  the same issue (same intent; when triage could not name an intent we assume the same issue, so as not
  to over-claim) within the window.
- repeated a fact: after a hand-over the customer re-stated an order number, email address or amount
  that was already in the conversation before the hand-over.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from tandem.analytics import textfacts

RETURN_WINDOW = timedelta(days=7)
CONFIRMATION_EVENTS = frozenset({"resolution.confirmed"})
CONFIRMING_RATING = 4
HUMAN_OWNERS = frozenset({"queued", "human"})


@dataclass(frozen=True)
class TrailEvent:
    type: str
    created_at: datetime
    payload: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class TrailMessage:
    author_kind: str
    body: str
    created_at: datetime
    visibility: str = "public"
    meta: Mapping[str, Any] = field(default_factory=dict)

    @property
    def signals(self) -> Mapping[str, Any]:
        signals = self.meta.get("signals")
        return signals if isinstance(signals, Mapping) else {}


@dataclass(frozen=True)
class ConversationRecord:
    id: int
    created_at: datetime
    channel: str = "web"
    customer_id: int | None = None
    queue: str | None = None
    owner: str = "ai"
    resolved_at: datetime | None = None
    satisfaction: int | None = None


@dataclass
class OutcomeFacts:
    conversation_id: int
    customer_id: int | None
    started_at: datetime
    started_day: date
    started_week: date
    channel: str
    queue: str | None
    intent: str | None
    path: str
    complaint: bool
    customer_messages: int
    ai_resolved_at: datetime | None
    ai_resolved: bool
    confirmed: bool
    came_back: bool
    handed_over: bool
    handed_over_at: datetime | None
    handover_reason: str | None
    first_response_s: float | None
    time_to_human_s: float | None
    resolved_at: datetime | None
    resolution_s: float | None
    satisfaction: int | None
    frustration_start: float | None
    frustration_end: float | None
    repeated_fact: bool
    repeated_kinds: list[str]
    # Set across conversations by `cross_conversation_flags`.
    false_containment: bool = False
    repeat_contact: bool = False
    rating_score: int | None = None
    rating_comment: str | None = None
    rating_sample_key: int | None = None


@dataclass(frozen=True)
class ContactRow:
    """What the cross-conversation rules need about one conversation."""

    conversation_id: int
    customer_id: int
    started_at: datetime
    intent: str | None
    ai_resolved_at: datetime | None
    came_back: bool


@dataclass(frozen=True)
class CrossFlags:
    repeat_contact: bool
    false_containment: bool


def derive_facts(
    conversation: ConversationRecord, events: Sequence[TrailEvent], messages: Sequence[TrailMessage]
) -> OutcomeFacts:
    """`events` in the order they were recorded (id order)."""
    rating = _rating_comment(events)
    events = sorted(events, key=lambda e: e.created_at)
    messages = sorted(messages, key=lambda m: m.created_at)
    customer = [m for m in messages if m.author_kind == "customer"]
    human_at = _first_human_involvement(events)
    first_ai_reply = next((e.created_at for e in events if e.type == "ai.replied"), None)
    path = _path(human_at, first_ai_reply)
    resolved_by_ai_at = _ai_resolution(events, human_at)
    came_back = _came_back(customer, resolved_by_ai_at)
    started = conversation.created_at
    frustrations = [_frustration(m) for m in customer if _frustration(m) is not None]
    repeated = _repeated_kinds(messages, human_at)
    resolved_at = conversation.resolved_at if conversation.owner == "resolved" else None
    return OutcomeFacts(
        conversation_id=conversation.id,
        customer_id=conversation.customer_id,
        started_at=started,
        started_day=started.date(),
        started_week=week_start(started.date()),
        channel=conversation.channel,
        queue=conversation.queue,
        intent=next((name for m in customer if (name := _intent(m))), None),
        path=path,
        complaint=any(bool(m.signals.get("complaint")) for m in customer),
        customer_messages=len(customer),
        ai_resolved_at=resolved_by_ai_at,
        ai_resolved=resolved_by_ai_at is not None,
        confirmed=_confirmed(conversation, events, customer, resolved_by_ai_at, path),
        came_back=came_back,
        handed_over=human_at is not None,
        handed_over_at=human_at,
        handover_reason=_handover_reason(events) if human_at is not None else None,
        first_response_s=_first_response_seconds(messages),
        time_to_human_s=_time_to_human(events, messages, human_at),
        resolved_at=resolved_at,
        resolution_s=_seconds(started, resolved_at),
        satisfaction=conversation.satisfaction,
        frustration_start=frustrations[0] if frustrations else None,
        frustration_end=frustrations[-1] if frustrations else None,
        repeated_fact=bool(repeated),
        repeated_kinds=repeated,
        rating_score=rating[0] if rating else None,
        rating_comment=rating[1] if rating else None,
        rating_sample_key=sample_key(conversation.id) if rating else None,
    )


def cross_conversation_flags(rows: Sequence[ContactRow], window: timedelta = RETURN_WINDOW) -> dict[int, CrossFlags]:
    """Repeat contact (another contact from the same customer in the window before this one) and false
    containment (came back in the same conversation, or opened another on the same issue in the window)."""
    by_customer: dict[int, list[ContactRow]] = defaultdict(list)
    for row in rows:
        by_customer[row.customer_id].append(row)
    flags: dict[int, CrossFlags] = {}
    for contacts in by_customer.values():
        contacts.sort(key=lambda r: r.started_at)
        for row in contacts:
            repeat = any(row.started_at - window <= o.started_at < row.started_at for o in contacts if o is not row)
            returned = row.came_back or (
                row.ai_resolved_at is not None
                and any(
                    row.ai_resolved_at < o.started_at <= row.ai_resolved_at + window
                    and same_issue(row.intent, o.intent)
                    for o in contacts
                    if o is not row
                )
            )
            flags[row.conversation_id] = CrossFlags(repeat, returned and row.ai_resolved_at is not None)
    return flags


def sample_key(conversation_id: int) -> int:
    """A fixed pseudo-random number per conversation: the comments with the smallest keys in a window are
    its sample, so a comment arriving or leaving changes the sample only if it falls inside it."""
    digest = hashlib.blake2b(str(conversation_id).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") >> 1  # 63 bits: fits a signed BIGINT


def same_issue(first: str | None, second: str | None) -> bool:
    # Unknown on either side counts as the same issue: it errs against claiming an AI success.
    return first is None or second is None or first == second


def week_start(day: date) -> date:
    """The Monday of the ISO week the day falls in."""
    return day - timedelta(days=day.weekday())


def _rating_comment(events: Sequence[TrailEvent]) -> tuple[int, str] | None:
    """The last rating recorded with a comment (a customer may rate again without one)."""
    found = None
    for event in events:
        if event.type != "conversation.rated":
            continue
        comment, score = str(event.payload.get("comment") or "").strip(), event.payload.get("score")
        if comment and isinstance(score, int):
            found = (score, comment)
    return found


def _first_human_involvement(events: Sequence[TrailEvent]) -> datetime | None:
    for event in events:
        if event.type == "handoff.created":
            return event.created_at
        if event.type == "conversation.owner_changed" and event.payload.get("after") in HUMAN_OWNERS:
            return event.created_at
    return None


def _path(human_at: datetime | None, first_ai_reply: datetime | None) -> str:
    if human_at is None:
        return "ai_only"
    if first_ai_reply is not None and first_ai_reply <= human_at:
        return "handed_over"
    return "human_only"


def _ai_resolution(events: Sequence[TrailEvent], human_at: datetime | None) -> datetime | None:
    def before_people(at: datetime) -> bool:
        return human_at is None or at <= human_at

    for event in events:
        if (
            event.type == "conversation.owner_changed"
            and event.payload.get("action") == "resolve"
            and event.payload.get("before") == "ai"
            and before_people(event.created_at)
        ):
            return event.created_at
    for event in events:
        if event.type == "ai.replied" and event.payload.get("resolved") and before_people(event.created_at):
            return event.created_at
    return None


def _came_back(customer: Sequence[TrailMessage], resolved_at: datetime | None) -> bool:
    if resolved_at is None:
        return False
    return any(
        resolved_at < m.created_at <= resolved_at + RETURN_WINDOW
        and not textfacts.confirms_resolution(m.body)
        and not textfacts.is_gratitude_only(m.body)
        for m in customer
    )


def _confirmed(
    conversation: ConversationRecord,
    events: Sequence[TrailEvent],
    customer: Sequence[TrailMessage],
    resolved_at: datetime | None,
    path: str,
) -> bool:
    if resolved_at is None:
        return False
    if any(e.type in CONFIRMATION_EVENTS and e.created_at >= resolved_at for e in events):
        return True
    if any(m.created_at > resolved_at and textfacts.confirms_resolution(m.body) for m in customer):
        return True
    # A rating after a person took over rates the person, not the AI's resolution.
    rating = conversation.satisfaction
    return path == "ai_only" and rating is not None and rating >= CONFIRMING_RATING


def _handover_reason(events: Sequence[TrailEvent]) -> str:
    for event in events:
        if event.type == "handoff.created":
            reasons = event.payload.get("reasons") or []
            if reasons:
                return str(reasons[0])
        handed = event.type == "conversation.owner_changed" and event.payload.get("action") == "hand_over"
        if handed and event.payload.get("reason"):
            return str(event.payload["reason"])
    # A person picked the conversation up from the AI without a hand-over decision.
    return "agent_takeover"


def _first_response_seconds(messages: Sequence[TrailMessage]) -> float | None:
    first_customer = next((m for m in messages if m.author_kind == "customer"), None)
    if first_customer is None:
        return None
    reply = next(
        (
            m
            for m in messages
            if m.author_kind in ("ai", "agent")
            and m.visibility == "public"
            and m.created_at >= first_customer.created_at
        ),
        None,
    )
    return _seconds(first_customer.created_at, reply.created_at if reply else None)


def _time_to_human(
    events: Sequence[TrailEvent], messages: Sequence[TrailMessage], human_at: datetime | None
) -> float | None:
    if human_at is None:
        return None
    replied = [e.created_at for e in events if e.type == "message.agent_replied" and e.created_at >= human_at]
    replied += [
        m.created_at
        for m in messages
        if m.author_kind == "agent" and m.visibility == "public" and m.created_at >= human_at
    ]
    return _seconds(human_at, min(replied)) if replied else None


def _repeated_kinds(messages: Sequence[TrailMessage], human_at: datetime | None) -> list[str]:
    if human_at is None:
        return []
    known: set[textfacts.Fact] = set()
    # The message that triggered the hand-over was written before it (same instant at worst).
    for message in messages:
        if message.created_at <= human_at and message.visibility == "public":
            known |= _facts(message)
    repeated = {
        kind
        for message in messages
        if message.author_kind == "customer" and message.created_at > human_at
        for kind, value in _facts(message)
        if (kind, value) in known
    }
    return sorted(repeated)


def _facts(message: TrailMessage) -> set[textfacts.Fact]:
    entities = message.signals.get("entities") or []
    return textfacts.extract_facts(message.body) | textfacts.entity_facts(e for e in entities if isinstance(e, Mapping))


def _intent(message: TrailMessage) -> str | None:
    intent = message.signals.get("intent")
    name = intent.get("name") if isinstance(intent, Mapping) else None
    return str(name) if name else None


def _frustration(message: TrailMessage) -> float | None:
    emotion = message.signals.get("emotion")
    value = emotion.get("frustration") if isinstance(emotion, Mapping) else None
    return float(value) if isinstance(value, int | float) else None


def _seconds(start: datetime | None, end: datetime | None) -> float | None:
    if start is None or end is None:
        return None
    return max(0.0, (end - start).total_seconds())
