"""What the AI may ask of the outside systems: one Protocol per system, and the records they return.

Each port has a built-in implementation over the demo workspace's tables (`builtin.py`) and an HTTP
implementation for a merchant's own REST API (`http.py`). Skills only ever see these types, so a
merchant can swap a system without the assistant noticing. Every failure of an outside system is a
`ConnectorError`: the assistant turns it into an honest message and a hand-over, never a guess.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Literal, Protocol

FailureKind = Literal["timeout", "unavailable", "rejected", "misconfigured"]


class ConnectorError(Exception):
    """An outside system could not answer. The message never quotes the customer."""

    def __init__(self, system: str, kind: FailureKind, detail: str = "") -> None:
        super().__init__(f"{system} connector: {kind}" + (f" ({detail})" if detail else ""))
        self.system, self.kind, self.detail = system, kind, detail


@dataclass(frozen=True)
class CustomerRef:
    """Who the customer is, in the desk (`id`) and in the merchant's systems (`external_id`)."""

    id: int
    external_id: str | None = None


@dataclass(frozen=True)
class OrderLine:
    sku: str
    name: str
    quantity: int
    price: Decimal
    category: str = ""


@dataclass(frozen=True)
class OrderRecord:
    number: str
    status: str
    placed_at: datetime
    total: Decimal
    currency: str = "GBP"
    lines: tuple[OrderLine, ...] = ()
    carrier: str | None = None
    tracking_number: str | None = None
    estimated_delivery: datetime | None = None
    delivered_at: datetime | None = None
    refunded_amount: Decimal = Decimal("0")
    # The customer the order belongs to: the assistant only discusses an order with its owner.
    customer_external_id: str | None = None
    customer_id: int | None = None


@dataclass(frozen=True)
class RefundResult:
    reference: str
    amount: Decimal
    currency: str = "GBP"


@dataclass(frozen=True)
class ProductRecord:
    sku: str
    name: str
    category: str
    price: Decimal
    description: str = ""
    in_stock: int = 0
    attributes: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class Slot:
    id: str
    resource: str
    kind: str
    starts_at: datetime
    ends_at: datetime


@dataclass(frozen=True)
class Booking:
    id: str
    slot: Slot
    customer_id: int | None = None


@dataclass(frozen=True)
class LeadIn:
    need: str
    size: str
    budget: Decimal | None
    timeline: str
    contact: str
    customer: CustomerRef | None = None
    conversation_id: int | None = None


class OrderConnector(Protocol):
    def get_order(self, number: str) -> OrderRecord | None: ...

    def orders_for_customer(self, customer: CustomerRef, limit: int = 5) -> list[OrderRecord]: ...

    def refund(self, number: str, amount: Decimal, reason: str, idempotency_key: str) -> RefundResult: ...


class CatalogueConnector(Protocol):
    def search(
        self, category: str | None = None, max_price: Decimal | None = None, in_stock_only: bool = True, limit: int = 20
    ) -> list[ProductRecord]: ...


class CalendarConnector(Protocol):
    def free_slots(self, after: datetime, before: datetime, limit: int = 6) -> list[Slot]: ...

    def bookings(self, customer: CustomerRef) -> list[Booking]: ...

    def book(self, slot_id: str, customer: CustomerRef, idempotency_key: str) -> Booking: ...

    def cancel(self, booking_id: str, customer: CustomerRef) -> None: ...


class CrmConnector(Protocol):
    def create_lead(self, lead: LeadIn, idempotency_key: str) -> str: ...


@dataclass(frozen=True)
class Connectors:
    """The systems one turn may use. Built per turn: the built-in ones work inside its transaction."""

    orders: OrderConnector
    catalogue: CatalogueConnector
    calendar: CalendarConnector
    crm: CrmConnector
