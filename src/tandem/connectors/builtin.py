"""The built-in connectors: the demo workspace's own tables, inside the turn's transaction.

Writes (a refund, a booking, a lead) commit together with the AI's reply and its events, or not at all.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from tandem.connectors import orders as order_queries
from tandem.connectors.models import AppointmentSlot, Lead, Order, Product
from tandem.connectors.ports import (
    Booking,
    ConnectorError,
    Connectors,
    CustomerRef,
    LeadIn,
    OrderLine,
    OrderRecord,
    ProductRecord,
    RefundResult,
    Slot,
)


class BuiltinOrders:
    def __init__(self, session: Session) -> None:
        self.session = session

    def get_order(self, number: str) -> OrderRecord | None:
        found = order_queries.find_orders(self.session, [number])
        return order_record(found[0]) if found else None

    def orders_for_customer(self, customer: CustomerRef, limit: int = 5) -> list[OrderRecord]:
        return [order_record(o) for o in order_queries.recent_orders(self.session, customer.id, limit)]

    def refund(self, number: str, amount: Decimal, reason: str, idempotency_key: str) -> RefundResult:
        found = order_queries.find_orders(self.session, [number])
        if not found:
            raise ConnectorError("orders", "rejected", "no such order")
        order = found[0]
        if order.refunded_amount + amount > order.total:
            raise ConnectorError("orders", "rejected", "more than the order's total")
        order.refunded_amount = order.refunded_amount + amount
        if order.refunded_amount >= order.total:
            order.status = "refunded"
        self.session.flush()
        return RefundResult(reference=f"RF-{order.id}-{idempotency_key[-8:]}", amount=amount, currency=order.currency)


def order_record(order: Order) -> OrderRecord:
    lines = tuple(
        OrderLine(
            sku=str(item.get("sku", "")),
            name=str(item.get("name", "")),
            quantity=int(item.get("quantity", 1)),
            price=Decimal(str(item.get("price", "0"))),
            category=str(item.get("category", "")),
        )
        for item in order.items or []
    )
    return OrderRecord(
        number=order.number,
        status=order.status,
        placed_at=order.placed_at,
        total=order.total,
        currency=order.currency,
        lines=lines,
        carrier=order.carrier,
        tracking_number=order.tracking_number,
        estimated_delivery=order.estimated_delivery,
        delivered_at=order.delivered_at,
        refunded_amount=order.refunded_amount,
        customer_id=order.customer_id,
    )


class BuiltinCatalogue:
    def __init__(self, session: Session) -> None:
        self.session = session

    def search(
        self, category: str | None = None, max_price: Decimal | None = None, in_stock_only: bool = True, limit: int = 20
    ) -> list[ProductRecord]:
        query = select(Product).order_by(Product.price)
        if category:
            query = query.where(Product.category == category)
        if max_price is not None:
            query = query.where(Product.price <= max_price)
        if in_stock_only:
            query = query.where(Product.in_stock > 0)
        return [
            ProductRecord(p.sku, p.name, p.category, p.price, p.description, p.in_stock, dict(p.attributes or {}))
            for p in self.session.scalars(query.limit(limit))
        ]


class BuiltinCalendar:
    def __init__(self, session: Session) -> None:
        self.session = session

    def free_slots(self, after: datetime, before: datetime, limit: int = 6) -> list[Slot]:
        query = (
            select(AppointmentSlot)
            .where(AppointmentSlot.status == "free", AppointmentSlot.starts_at >= after)
            .where(AppointmentSlot.starts_at < before)
            .order_by(AppointmentSlot.starts_at, AppointmentSlot.id)
            .limit(limit)
        )
        return [_slot(s) for s in self.session.scalars(query)]

    def bookings(self, customer: CustomerRef) -> list[Booking]:
        query = (
            select(AppointmentSlot)
            .where(AppointmentSlot.customer_id == customer.id, AppointmentSlot.status == "booked")
            .order_by(AppointmentSlot.starts_at)
        )
        return [Booking(str(s.id), _slot(s), customer.id) for s in self.session.scalars(query)]

    def book(self, slot_id: str, customer: CustomerRef, idempotency_key: str) -> Booking:
        slot = self._slot(slot_id, for_update=True)
        if slot.status != "free":
            raise ConnectorError("calendar", "rejected", "slot taken")
        slot.status, slot.customer_id = "booked", customer.id
        self.session.flush()
        return Booking(str(slot.id), _slot(slot), customer.id)

    def cancel(self, booking_id: str, customer: CustomerRef) -> None:
        slot = self._slot(booking_id, for_update=True)
        if slot.customer_id != customer.id or slot.status != "booked":
            raise ConnectorError("calendar", "rejected", "not this customer's booking")
        slot.status, slot.customer_id = "free", None
        self.session.flush()

    def _slot(self, slot_id: str, for_update: bool) -> AppointmentSlot:
        if not slot_id.isdigit():
            raise ConnectorError("calendar", "rejected", "bad slot id")
        query = select(AppointmentSlot).where(AppointmentSlot.id == int(slot_id))
        slot = self.session.scalar(query.with_for_update() if for_update else query)
        if slot is None:
            raise ConnectorError("calendar", "rejected", "no such slot")
        return slot


def _slot(slot: AppointmentSlot) -> Slot:
    return Slot(str(slot.id), slot.resource, slot.kind, slot.starts_at, slot.ends_at)


class BuiltinCrm:
    def __init__(self, session: Session) -> None:
        self.session = session

    def create_lead(self, lead: LeadIn, idempotency_key: str) -> str:
        row = Lead(
            customer_id=lead.customer.id if lead.customer else None,
            conversation_id=lead.conversation_id,
            need=lead.need,
            size=lead.size,
            budget=lead.budget,
            timeline=lead.timeline,
            contact=lead.contact,
        )
        self.session.add(row)
        self.session.flush()
        return f"LEAD-{row.id}"


def builtin_connectors(session: Session) -> Connectors:
    return Connectors(BuiltinOrders(session), BuiltinCatalogue(session), BuiltinCalendar(session), BuiltinCrm(session))
