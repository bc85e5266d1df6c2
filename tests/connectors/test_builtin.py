"""The built-in connectors over the demo workspace: a migrated SQLite store seeded like `tandem demo seed`."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from tandem.connectors.builtin import builtin_connectors
from tandem.connectors.models import AppointmentSlot, Lead, Order
from tandem.connectors.ports import ConnectorError, Connectors, CustomerRef, LeadIn
from tandem.demo.seed import seed
from tandem.kit.db import make_engine, make_sessionmaker, unit_of_work

SEED_DAY = date(2026, 11, 22)


@pytest.fixture(scope="module")
def seeded_template(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Seed once per module (1,000 orders); each test gets its own copy."""
    path = tmp_path_factory.mktemp("seeded") / "seeded.db"
    shutil.copy(sqlite_template, path)
    engine = make_engine(f"sqlite:///{path}")
    with unit_of_work(make_sessionmaker(engine)) as session:
        seed(session, today=SEED_DAY)
    engine.dispose()
    return path


@pytest.fixture
def session(seeded_template: Path, tmp_path: Path) -> Iterator[Session]:
    target = tmp_path / "tandem.db"
    shutil.copy(seeded_template, target)
    engine = make_engine(f"sqlite:///{target}")
    factory = make_sessionmaker(engine)
    with factory() as session:
        yield session
        session.rollback()
    engine.dispose()


@pytest.fixture
def connectors(session: Session) -> Connectors:
    return builtin_connectors(session)


def an_order(session: Session, status: str = "delivered") -> Order:
    order = session.scalars(select(Order).where(Order.status == status).order_by(Order.id)).first()
    assert order is not None
    return order


class TestBuiltinOrders:
    def test_an_order_is_found_however_the_customer_types_its_number(
        self, session: Session, connectors: Connectors
    ) -> None:
        order = an_order(session)
        record = connectors.orders.get_order(f" #{order.number.lower()} ")
        assert record is not None
        assert record.number == order.number
        assert record.total == order.total
        assert record.customer_id == order.customer_id
        assert record.lines and all(line.price > 0 for line in record.lines)
        assert record.placed_at.tzinfo is not None

    def test_an_unknown_order_number_finds_nothing(self, connectors: Connectors) -> None:
        assert connectors.orders.get_order("Z99999") is None

    def test_a_customer_s_recent_orders_come_newest_first(self, session: Session, connectors: Connectors) -> None:
        customer_id = an_order(session).customer_id
        orders = connectors.orders.orders_for_customer(CustomerRef(customer_id), limit=3)
        assert 1 <= len(orders) <= 3
        assert all(order.customer_id == customer_id for order in orders)
        assert [o.placed_at for o in orders] == sorted((o.placed_at for o in orders), reverse=True)

    def test_a_partial_refund_is_recorded_on_the_order(self, session: Session, connectors: Connectors) -> None:
        order = an_order(session)
        result = connectors.orders.refund(order.number, Decimal("1.00"), "scratched", "key-0000000001")
        assert result.amount == Decimal("1.00")
        assert result.reference.endswith("00000001")
        assert order.refunded_amount == Decimal("1.00")

    def test_refunding_more_than_the_order_total_is_rejected(self, session: Session, connectors: Connectors) -> None:
        order = an_order(session)
        with pytest.raises(ConnectorError) as raised:
            connectors.orders.refund(order.number, order.total + 1, "too much", "key-2")
        assert (raised.value.system, raised.value.kind) == ("orders", "rejected")


class TestBuiltinCatalogue:
    def test_search_respects_category_price_and_stock_cheapest_first(
        self, session: Session, connectors: Connectors
    ) -> None:
        everything = connectors.catalogue.search(in_stock_only=False, limit=500)
        category = everything[0].category
        found = connectors.catalogue.search(category=category, max_price=Decimal("500"), limit=50)
        assert found, "the demo catalogue should have something in stock under £500"
        assert all(p.category == category and p.price <= 500 and p.in_stock > 0 for p in found)
        assert [p.price for p in found] == sorted(p.price for p in found)

    def test_search_returns_at_most_the_limit(self, connectors: Connectors) -> None:
        assert len(connectors.catalogue.search(in_stock_only=False, limit=2)) == 2


class TestBuiltinCalendar:
    def window(self) -> tuple[datetime, datetime]:
        start = datetime.combine(SEED_DAY, datetime.min.time(), tzinfo=UTC)
        return start, start + timedelta(days=15)

    def test_a_free_slot_can_be_booked_listed_and_cancelled(self, session: Session, connectors: Connectors) -> None:
        customer = CustomerRef(an_order(session).customer_id)
        slot = connectors.calendar.free_slots(*self.window(), limit=1)[0]
        booking = connectors.calendar.book(slot.id, customer, "key-book-1")
        assert booking.slot.id == slot.id
        assert [b.id for b in connectors.calendar.bookings(customer)] == [booking.id]
        assert slot.id not in [s.id for s in connectors.calendar.free_slots(*self.window(), limit=200)]
        connectors.calendar.cancel(booking.id, customer)
        assert connectors.calendar.bookings(customer) == []

    def test_a_taken_slot_cannot_be_booked(self, session: Session, connectors: Connectors) -> None:
        taken = session.scalars(select(AppointmentSlot).where(AppointmentSlot.status == "booked")).first()
        assert taken is not None
        with pytest.raises(ConnectorError) as raised:
            connectors.calendar.book(str(taken.id), CustomerRef(1), "key-book-2")
        assert raised.value.kind == "rejected"

    def test_nobody_can_cancel_another_customer_s_booking(self, session: Session, connectors: Connectors) -> None:
        slot = connectors.calendar.free_slots(*self.window(), limit=1)[0]
        booking = connectors.calendar.book(slot.id, CustomerRef(1), "key-book-3")
        with pytest.raises(ConnectorError) as raised:
            connectors.calendar.cancel(booking.id, CustomerRef(2))
        assert raised.value.kind == "rejected"

    @pytest.mark.parametrize("slot_id", ["not-a-number", "999999"])
    def test_a_slot_that_does_not_exist_is_rejected(self, connectors: Connectors, slot_id: str) -> None:
        with pytest.raises(ConnectorError) as raised:
            connectors.calendar.book(slot_id, CustomerRef(1), "key-book-4")
        assert raised.value.kind == "rejected"


class TestBuiltinCrm:
    def test_a_lead_is_stored_and_its_reference_returned(self, session: Session, connectors: Connectors) -> None:
        lead = LeadIn("50 laptops", "50 seats", Decimal("40000"), "next quarter", "buyer@example.com")
        reference = connectors.crm.create_lead(lead, "key-lead-1")
        row = session.scalars(select(Lead)).one()
        assert reference == f"LEAD-{row.id}"
        assert (row.need, row.budget) == ("50 laptops", Decimal("40000"))
