"""What the brief is built from: plain views of the stored rows, loaded by brief_service.

Customers' text is the redacted copy; personal data the privacy scan found travels as (type, value)
pairs so the brief can show it masked, never in full.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from tandem.handoff.decision import Decision
from tandem.triage.signals import Signals


@dataclass(frozen=True)
class MessageView:
    """One stored message as the brief reads it: customers' text redacted, signals when triaged."""

    id: int
    author_kind: str
    text: str
    created_at: datetime
    signals: Signals | None = None
    kind: str | None = None
    skill: str | None = None
    # (type, original value) of personal data the privacy scan found; shown masked only.
    personal_data: tuple[tuple[str, str], ...] = ()
    # (label, value) facts an AI skill collected in this reply (the customer's own answers, checked).
    collected: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class PastExceptionView:
    decided_at: datetime
    outcome: str
    amount: Decimal
    request: str = ""


@dataclass(frozen=True)
class CustomerView:
    id: int
    name: str = ""
    tier: str = "standard"
    lifetime_value: Decimal = Decimal(0)
    lifetime_spend: Decimal = Decimal(0)
    customer_since: date | None = None
    email: str | None = None
    open_cases: int = 0
    past_complaints: int = 0
    exceptions: tuple[PastExceptionView, ...] = ()


@dataclass(frozen=True)
class OrderView:
    number: str
    status: str
    placed_at: datetime
    total: Decimal
    currency: str = "GBP"
    items: tuple[str, ...] = ()
    carrier: str | None = None
    tracking_number: str | None = None
    estimated_delivery: datetime | None = None
    delivered_at: datetime | None = None
    refunded_amount: Decimal = Decimal(0)
    mentioned: bool = False
    # None when the conversation is not linked to a customer record: nothing to check against.
    belongs_to_customer: bool | None = None


@dataclass(frozen=True)
class ArticleView:
    slug: str
    title: str
    tags: tuple[str, ...] = ()
    policy_clause: str | None = None


@dataclass(frozen=True)
class BriefInputs:
    conversation_id: int
    now: datetime
    owner: str
    queue: str | None
    priority: str
    messages: Sequence[MessageView]
    decision: Decision | None = None
    customer: CustomerView | None = None
    orders: Sequence[OrderView] = ()
    articles: Sequence[ArticleView] = ()
    expected_wait_seconds: int | None = None
