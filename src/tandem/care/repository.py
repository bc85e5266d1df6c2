"""Queries for care. Segments read customers and the built-in order system; nothing here writes their tables."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import ColumnElement, exists, func, select
from sqlalchemy.orm import Session

from tandem.care.models import CareCampaign, CareRecipient
from tandem.care.policy import Candidate
from tandem.care.schemas import OrderFilter, Segment
from tandem.connectors.models import Order
from tandem.customers.models import Customer

CHUNK = 500  # ids per IN (...) list: well inside every database's parameter limit


def candidates(session: Session, segment: Segment, today: date) -> list[Candidate]:
    """Everyone the segment describes, erased customers included (the policy leaves them out and counts them)."""
    query = select(Customer.id, Customer.name, Customer.consents, Customer.erased_at).order_by(Customer.id)
    if segment.new_customers is not None:
        query = query.where(Customer.customer_since >= today - timedelta(days=segment.new_customers.within_days))
    if segment.tiers:
        query = query.where(Customer.tier.in_(segment.tiers))
    if segment.orders is not None:
        query = query.where(
            exists(select(Order.id).where(Order.customer_id == Customer.id, *_order_criteria(segment.orders)))
        )
    return [
        Candidate(customer_id, name or "", dict(consents or {}), erased_at is not None)
        for customer_id, name, consents, erased_at in session.execute(query)
    ]


def matching_order_numbers(session: Session, orders: OrderFilter, customer_ids: Sequence[int]) -> dict[int, list[str]]:
    """Each customer's orders that the filter matches, oldest first."""
    found: dict[int, list[str]] = {}
    for chunk in _chunks(customer_ids):
        query = (
            select(Order.customer_id, Order.number)
            .where(Order.customer_id.in_(chunk), *_order_criteria(orders))
            .order_by(Order.placed_at, Order.id)
        )
        for customer_id, number in session.execute(query):
            found.setdefault(customer_id, []).append(number)
    return found


def contacted(session: Session, topic: str, customer_ids: Sequence[int]) -> set[int]:
    """Which of these customers have already had a message about this topic."""
    seen: set[int] = set()
    for chunk in _chunks(customer_ids):
        query = select(CareRecipient.customer_id).where(
            CareRecipient.topic == topic, CareRecipient.customer_id.in_(chunk)
        )
        seen.update(session.scalars(query))
    return seen


def by_key(session: Session, key: str) -> CareCampaign | None:
    return session.scalars(select(CareCampaign).where(CareCampaign.key == key)).first()


def recent(session: Session, limit: int) -> Sequence[CareCampaign]:
    return session.scalars(select(CareCampaign).order_by(CareCampaign.id.desc()).limit(limit)).all()


def _order_criteria(orders: OrderFilter) -> list[ColumnElement[bool]]:
    criteria: list[ColumnElement[bool]] = []
    if orders.statuses:
        criteria.append(Order.status.in_(orders.statuses))
    if orders.carrier:
        criteria.append(func.lower(Order.carrier) == orders.carrier.lower())
    if orders.placed_from:
        criteria.append(Order.placed_at >= _start_of(orders.placed_from))
    if orders.placed_to:
        criteria.append(Order.placed_at < _start_of(orders.placed_to + timedelta(days=1)))
    if orders.numbers:
        criteria.append(func.upper(Order.number).in_(orders.numbers))
    return criteria


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def _chunks(ids: Iterable[int]) -> Iterable[list[int]]:
    batch = list(ids)
    for start in range(0, len(batch), CHUNK):
        yield batch[start : start + CHUNK]
