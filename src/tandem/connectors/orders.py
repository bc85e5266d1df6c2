"""Reading orders from the built-in order system: a customer's recent orders, or orders by number."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tandem.connectors.models import Order

RECENT_ORDERS = 5
# Order numbers a customer types are case-insensitive and may carry a leading '#'.
MAX_NUMBERS = 50


def recent_orders(session: Session, customer_id: int, limit: int = RECENT_ORDERS) -> Sequence[Order]:
    """The customer's latest orders, newest first."""
    query = (
        select(Order)
        .where(Order.customer_id == customer_id)
        .order_by(Order.placed_at.desc(), Order.id.desc())
        .limit(limit)
    )
    return session.scalars(query).all()


def find_orders(session: Session, numbers: Iterable[str]) -> Sequence[Order]:
    """The orders whose numbers appear in `numbers` (as typed: any case, '#' allowed), in the order given."""
    wanted = list(dict.fromkeys(normalise_number(n) for n in numbers if normalise_number(n)))[:MAX_NUMBERS]
    if not wanted:
        return []
    found = session.scalars(select(Order).where(func.upper(Order.number).in_(wanted))).all()
    by_number = {order.number.upper(): order for order in found}
    return [by_number[number] for number in wanted if number in by_number]


def normalise_number(number: str) -> str:
    return number.strip().lstrip("#").strip().upper()
