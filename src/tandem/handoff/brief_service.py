"""The store side of the brief: load what it needs through other domains, build it, keep it current.

`refresh_brief` runs inside the caller's transaction (intake, after each customer message while a
person owns the conversation) and flushes; the boundary commits. Vulnerability records are never
stored in the brief: they are read from their own table at read time, for viewers allowed to see them.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from tandem.connectors import orders as order_connector
from tandem.connectors.models import Order
from tandem.conversations import repository as conversation_repository
from tandem.conversations import service as conversation_service
from tandem.conversations.models import Conversation, Message
from tandem.conversations.repository import ConversationFilter
from tandem.customers import repository as customer_repository
from tandem.customers.models import Customer
from tandem.events import service as events
from tandem.handoff.brief import Brief, VulnerabilityNote, assemble_brief
from tandem.handoff.brief_inputs import (
    ArticleView,
    BriefInputs,
    CustomerView,
    MessageView,
    OrderView,
    PastExceptionView,
)
from tandem.handoff.decision import Decision, Reason
from tandem.handoff.models import Handoff
from tandem.handoff.service import latest_handoff
from tandem.kit import clock
from tandem.knowledge.models import Article
from tandem.triage.signals import Signals
from tandem.users.principal import Principal

log = logging.getLogger("tandem.handoff.brief")

HUMAN_OWNERS = ("queued", "human")
VULNERABILITY_SCOPE = "vulnerability:read"
# Earlier hand-overs for these reasons count as complaints on the customer card.
COMPLAINT_REASONS = frozenset(
    {Reason.FRUSTRATION, Reason.LEGAL_OR_BILLING_DISPUTE, Reason.PUBLIC_ESCALATION_RISK, Reason.CHURN_RISK_HIGH_VALUE}
)
OTHER_CASES_LOOKED_AT = 200


def build_brief(session: Session, conversation_id: int, now: datetime | None = None) -> Brief:
    """Assemble the brief from the store as it is now (reads only)."""
    started = time.perf_counter()
    conversation = conversation_service.get(session, conversation_id)
    messages = [_message_view(m) for m in conversation_repository.messages(session, conversation_id, public_only=True)]
    handoff = latest_handoff(session, conversation_id)
    customer = customer_repository.get(session, conversation.customer_id) if conversation.customer_id else None
    inputs = BriefInputs(
        conversation_id=conversation_id,
        now=now or clock.now(),
        owner=conversation.owner,
        queue=conversation.queue,
        priority=conversation.priority,
        messages=messages,
        decision=Decision.model_validate(handoff.decision) if handoff and handoff.decision else None,
        customer=_customer_view(session, customer, conversation) if customer else None,
        orders=_order_views(session, messages, customer),
        articles=_articles(session),
        expected_wait_seconds=handoff.expected_wait_seconds if handoff else None,
    )
    brief = assemble_brief(inputs)
    return brief.model_copy(update={"build_ms": round((time.perf_counter() - started) * 1000, 2)})


def refresh_brief(session: Session, conversation_id: int) -> Brief | None:
    """Rebuild and store the brief of a conversation a person owns (or waits for); None otherwise.

    Call it after each customer message is processed, in the same transaction. A failure here must not
    undo the hand-over it follows: it is logged and recorded as an event, and the brief is rebuilt on read.
    """
    conversation = conversation_service.get(session, conversation_id)
    handoff = latest_handoff(session, conversation_id)
    if conversation.owner not in HUMAN_OWNERS or handoff is None:
        return None
    try:
        with session.begin_nested():
            brief = build_brief(session, conversation_id)
            handoff.brief = brief.model_dump(mode="json")
            session.flush()
    except Exception as exc:
        # The error class only: the message could quote the customer.
        log.error("brief.failed", extra={"conversation_id": conversation_id, "error": type(exc).__name__})
        events.record(session, "brief.failed", "system", conversation_id, error=type(exc).__name__)
        return None
    events.record(session, "brief.built", "ai", conversation_id, handoff_id=handoff.id, build_ms=brief.build_ms)
    return brief


def current_brief(session: Session, conversation_id: int) -> Brief:
    """The stored brief when it has seen the latest message; otherwise a fresh one (not stored: reads only)."""
    handoff = latest_handoff(session, conversation_id)
    stored = _stored(handoff)
    latest = _latest_message_id(session, conversation_id)
    if stored is not None and stored.last_message_id == latest:
        return stored
    return build_brief(session, conversation_id)


def brief_for_viewer(session: Session, conversation_id: int, viewer: Principal) -> Brief:
    """The current brief, with the customer's vulnerability records only for viewers allowed to see them."""
    viewer.require_conversation(conversation_id)
    brief = current_brief(session, conversation_id)
    if brief.customer is None:
        return brief
    if VULNERABILITY_SCOPE not in viewer.scopes:
        card = brief.customer.model_copy(update={"vulnerability": None, "vulnerability_visible": False})
        return brief.model_copy(update={"customer": card})
    notes = vulnerability_notes(session, brief.customer.customer_id, clock.now())
    card = brief.customer.model_copy(update={"vulnerability": notes, "vulnerability_visible": True})
    return brief.model_copy(update={"customer": card})


def vulnerability_notes(session: Session, customer_id: int, now: datetime) -> list[VulnerabilityNote]:
    return [
        VulnerabilityNote(drivers=list(v.drivers), notes=v.notes, source=v.source, recorded_at=v.created_at)
        for v in customer_repository.vulnerabilities(session, customer_id)
        if v.expires_at is None or v.expires_at > now
    ]


# ---- loading ----------------------------------------------------------------------------------------


def _stored(handoff: Handoff | None) -> Brief | None:
    if handoff is None or not handoff.brief:
        return None
    try:
        return Brief.model_validate(handoff.brief)
    except ValidationError:
        return None  # written by an older version: rebuilt on read


def _latest_message_id(session: Session, conversation_id: int) -> int | None:
    messages = conversation_repository.messages(session, conversation_id, public_only=True)
    return messages[-1].id if messages else None


def _message_view(message: Message) -> MessageView:
    meta: dict[str, Any] = message.meta or {}
    is_customer = message.author_kind == "customer"
    return MessageView(
        id=message.id,
        author_kind=message.author_kind,
        # Customers' words as the models saw them: redacted when the privacy scan ran.
        text=str(meta.get("redacted") or message.body) if is_customer else message.body,
        created_at=message.created_at,
        signals=_signals(meta) if is_customer else None,
        kind=meta.get("kind"),
        skill=meta.get("skill"),
        personal_data=_personal_data(message.body, meta.get("pii") or []) if is_customer else (),
        collected=_collected(meta) if message.author_kind == "ai" else (),
    )


def _collected(meta: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    """What a skill established while the AI had the conversation (reason given, amount, lead…)."""
    facts = meta.get("facts")
    if not isinstance(facts, dict):
        return ()
    return tuple((str(label), str(value)) for label, value in facts.items() if value not in (None, ""))


def _signals(meta: dict[str, Any]) -> Signals | None:
    raw = meta.get("signals")
    if not isinstance(raw, dict):
        return None
    try:
        return Signals.model_validate({**raw, "text_redacted": meta.get("redacted", "")})
    except ValidationError:
        return None


def _personal_data(body: str, spans: Sequence[Any]) -> tuple[tuple[str, str], ...]:
    found = []
    for span in spans:
        if isinstance(span, dict) and {"type", "start", "end"} <= span.keys():
            start, end = int(span["start"]), int(span["end"])
            if 0 <= start < end <= len(body):
                found.append((str(span["type"]), body[start:end]))
    return tuple(found)


def _customer_view(session: Session, customer: Customer, conversation: Conversation) -> CustomerView:
    others = [
        c
        for c in conversation_repository.find(
            session, ConversationFilter(customer_id=customer.id, limit=OTHER_CASES_LOOKED_AT)
        )
        if c.id != conversation.id
    ]
    return CustomerView(
        id=customer.id,
        name=customer.name,
        tier=customer.tier,
        lifetime_value=customer.lifetime_value,
        lifetime_spend=customer.lifetime_spend,
        customer_since=customer.customer_since,
        email=customer.email,
        open_cases=sum(1 for c in others if c.owner != "resolved"),
        past_complaints=_past_complaints(session, [c.id for c in others]),
        exceptions=tuple(
            PastExceptionView(decided_at=e.decided_at, outcome=e.outcome, amount=e.amount, request=e.request)
            for e in customer_repository.exceptions(session, customer.id)
        ),
    )


def _past_complaints(session: Session, conversation_ids: list[int]) -> int:
    if not conversation_ids:
        return 0
    rows = session.execute(
        select(Handoff.conversation_id, Handoff.reasons).where(Handoff.conversation_id.in_(conversation_ids))
    ).all()
    return len({cid for cid, reasons in rows if COMPLAINT_REASONS & set(reasons or [])})


def _order_views(session: Session, messages: Sequence[MessageView], customer: Customer | None) -> list[OrderView]:
    numbers = [
        entity.value
        for m in messages
        if m.signals is not None
        for entity in m.signals.entities
        if entity.type == "order_id"
    ]
    mentioned = list(order_connector.find_orders(session, numbers))
    recent = list(order_connector.recent_orders(session, customer.id)) if customer else []
    mentioned_ids = {order.id for order in mentioned}
    views = [_order_view(order, True, customer) for order in mentioned]
    views += [_order_view(order, False, customer) for order in recent if order.id not in mentioned_ids]
    return views


def _order_view(order: Order, mentioned: bool, customer: Customer | None) -> OrderView:
    return OrderView(
        number=order.number,
        status=order.status,
        placed_at=order.placed_at,
        total=order.total,
        currency=order.currency,
        items=tuple(str(item.get("name") or item.get("sku") or "item") for item in order.items or []),
        carrier=order.carrier,
        tracking_number=order.tracking_number,
        estimated_delivery=order.estimated_delivery,
        delivered_at=order.delivered_at,
        refunded_amount=order.refunded_amount,
        mentioned=mentioned,
        belongs_to_customer=(order.customer_id == customer.id) if customer else None,
    )


def _articles(session: Session) -> list[ArticleView]:
    # The knowledge domain has no query module yet; published articles are few and read whole.
    rows = session.scalars(select(Article).where(Article.published.is_(True)).order_by(Article.id)).all()
    return [
        ArticleView(slug=a.slug, title=a.title, tags=tuple(a.tags or ()), policy_clause=a.policy_clause) for a in rows
    ]
