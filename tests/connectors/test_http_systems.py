"""The catalogue, calendar and CRM connectors over a merchant's REST API (a local stand-in for it)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from connectors.conftest import Configure
from connectors.merchant_api import MerchantApiStandIn
from tandem.connectors.http import HttpCalendar, HttpCatalogue, HttpCrm
from tandem.connectors.ports import ConnectorError, CustomerRef, LeadIn

SYSTEMS_FILE = """\
systems:
  catalogue:
    base_url: {url}
    auth: {header: X-Api-Key, value: "${NORTHWIND_API_KEY}"}
    endpoints:
      search: {path: /catalogue/items, query: {cat: "{category}", price_lte: "{max_price}"}, data: results}
    fields:
      product: {sku: code, name: title, price: price.amount, in_stock: available, attributes: specs}
  calendar:
    base_url: {url}
    auth: {value: "Bearer ${NORTHWIND_API_KEY}"}
    endpoints:
      free_slots: {query: {from: "{after}", to: "{before}"}}
      book: {body: {customer.ref: "{external_id}", channel: chat}}
    fields:
      slot: {id: slot_id, resource: store, starts_at: start, ends_at: end}
      booking: {id: booking_id, slot: ""}
  crm:
    base_url: {url}
    auth: {value: "Bearer ${NORTHWIND_API_KEY}"}
    money_as: number
    endpoints:
      create_lead: {body: {summary: "{need} ({size})", budget: "{budget}", email: "{contact}"}}
    fields:
      lead: {reference: id}
"""
MONDAY = datetime(2026, 11, 23, tzinfo=UTC)
SATURDAY = datetime(2026, 11, 28, tzinfo=UTC)
CUSTOMER = CustomerRef(7, "cus_42")

PRODUCTS = [
    {
        "code": "LAP-1",
        "title": "Aero 13",
        "category": "laptops",
        "price": {"amount": "899.00"},
        "available": 4,
        "specs": {"ram_gb": 16},
    },
    {"code": "LAP-2", "title": "Aero 15", "category": "laptops", "price": {"amount": "1299.00"}, "available": 2},
    {"code": "LAP-3", "title": "Aero 11", "category": "laptops", "price": {"amount": "499.00"}, "available": False},
]


def merchant_slot(slot_id: int, start: str, end: str) -> dict[str, object]:
    return {"slot_id": slot_id, "store": "Northwind Bristol", "kind": "product demo", "start": start, "end": end}


@pytest.fixture
def systems(
    merchant_api_stand_in: MerchantApiStandIn, configure: Configure
) -> tuple[HttpCatalogue, HttpCalendar, HttpCrm]:
    config = configure(SYSTEMS_FILE, merchant_api_stand_in.url)
    catalogue, calendar, crm = config.systems.catalogue, config.systems.calendar, config.systems.crm
    assert catalogue and calendar and crm
    return (
        HttpCatalogue(catalogue, config.clients),
        HttpCalendar(calendar, config.clients),
        HttpCrm(crm, config.clients),
    )


@pytest.fixture
def catalogue(systems: tuple[HttpCatalogue, HttpCalendar, HttpCrm]) -> HttpCatalogue:
    return systems[0]


@pytest.fixture
def calendar(systems: tuple[HttpCatalogue, HttpCalendar, HttpCrm]) -> HttpCalendar:
    return systems[1]


@pytest.fixture
def crm(systems: tuple[HttpCatalogue, HttpCalendar, HttpCrm]) -> HttpCrm:
    return systems[2]


class TestCatalogue:
    def test_products_are_read_through_the_mapping_with_the_filters_sent(
        self, catalogue: HttpCatalogue, merchant_api_stand_in: MerchantApiStandIn
    ) -> None:
        merchant_api_stand_in.answer("GET", "/v2/catalogue/items", {"results": PRODUCTS[:1]})
        [product] = catalogue.search(category="laptops", max_price=Decimal("1000"))
        assert (product.sku, product.name, product.category) == ("LAP-1", "Aero 13", "laptops")
        assert (product.price, product.in_stock, product.attributes) == (Decimal("899.00"), 4, {"ram_gb": 16})
        assert merchant_api_stand_in.last.query == {"cat": "laptops", "price_lte": "1000"}
        assert merchant_api_stand_in.last.headers["x-api-key"] == "test-key-not-a-real-secret"

    def test_filters_an_api_ignores_are_still_applied(
        self, catalogue: HttpCatalogue, merchant_api_stand_in: MerchantApiStandIn
    ) -> None:
        merchant_api_stand_in.answer("GET", "/v2/catalogue/items", {"results": PRODUCTS})
        found = catalogue.search(max_price=Decimal("1000"), in_stock_only=True)
        assert [p.sku for p in found] == ["LAP-1"]  # over budget and out of stock are never offered
        assert len(catalogue.search(in_stock_only=False, limit=2)) == 2

    def test_a_filter_not_given_is_not_sent(
        self, catalogue: HttpCatalogue, merchant_api_stand_in: MerchantApiStandIn
    ) -> None:
        merchant_api_stand_in.answer("GET", "/v2/catalogue/items", {"results": []})
        assert catalogue.search() == []
        assert merchant_api_stand_in.last.query == {}


class TestCalendar:
    def test_free_slots_are_asked_for_by_window_and_come_back_in_order(
        self, calendar: HttpCalendar, merchant_api_stand_in: MerchantApiStandIn
    ) -> None:
        slots = [
            merchant_slot(3, "2026-11-24T11:00:00Z", "2026-11-24T11:30:00Z"),
            merchant_slot(2, "2026-11-24T10:00:00+00:00", "2026-11-24T10:30:00+00:00"),
            merchant_slot(9, "2026-12-24T10:00:00Z", "2026-12-24T10:30:00Z"),  # outside the window asked for
        ]
        merchant_api_stand_in.answer("GET", "/v2/slots", slots)
        found = calendar.free_slots(MONDAY, SATURDAY, limit=5)
        assert [slot.id for slot in found] == ["2", "3"]
        assert found[0].resource == "Northwind Bristol"
        assert found[0].starts_at == datetime(2026, 11, 24, 10, tzinfo=UTC)
        assert merchant_api_stand_in.last.query == {"from": MONDAY.isoformat(), "to": SATURDAY.isoformat()}

    def test_booking_sends_the_customer_and_idempotency_key_and_reads_the_booking(
        self, calendar: HttpCalendar, merchant_api_stand_in: MerchantApiStandIn
    ) -> None:
        booked = {"booking_id": "bk_1", **merchant_slot(2, "2026-11-24T10:00:00Z", "2026-11-24T10:30:00Z")}
        merchant_api_stand_in.answer("POST", "/v2/slots/2/bookings", booked, status=201)
        booking = calendar.book("2", CUSTOMER, "turn-7-book")
        assert (booking.id, booking.slot.id, booking.customer_id) == ("bk_1", "2", 7)
        assert merchant_api_stand_in.last.headers["idempotency-key"] == "turn-7-book"
        assert merchant_api_stand_in.last.body == {"customer": {"ref": "cus_42"}, "channel": "chat"}

    def test_a_slot_someone_else_took_is_rejected(
        self, calendar: HttpCalendar, merchant_api_stand_in: MerchantApiStandIn
    ) -> None:
        merchant_api_stand_in.answer("POST", "/v2/slots/2/bookings", {"error": "taken"}, status=409)
        with pytest.raises(ConnectorError) as raised:
            calendar.book("2", CUSTOMER, "turn-8-book")
        assert (raised.value.system, raised.value.kind) == ("calendar", "rejected")

    def test_a_customer_s_bookings_are_listed(
        self, calendar: HttpCalendar, merchant_api_stand_in: MerchantApiStandIn
    ) -> None:
        booked = {"booking_id": "bk_1", **merchant_slot(2, "2026-11-24T10:00:00Z", "2026-11-24T10:30:00Z")}
        merchant_api_stand_in.answer("GET", "/v2/customers/cus_42/bookings", [booked])
        assert [b.id for b in calendar.bookings(CUSTOMER)] == ["bk_1"]
        assert calendar.bookings(CustomerRef(8, "cus_new")) == []  # 404: the merchant has none for them

    def test_cancelling_sends_a_delete_and_needs_no_reply_body(
        self, calendar: HttpCalendar, merchant_api_stand_in: MerchantApiStandIn
    ) -> None:
        merchant_api_stand_in.answer("DELETE", "/v2/bookings/bk_1", b"", status=204)
        calendar.cancel("bk_1", CUSTOMER)
        assert (merchant_api_stand_in.last.method, merchant_api_stand_in.last.path) == ("DELETE", "/v2/bookings/bk_1")

    def test_cancelling_a_booking_the_merchant_does_not_have_is_rejected(self, calendar: HttpCalendar) -> None:
        with pytest.raises(ConnectorError) as raised:
            calendar.cancel("bk_gone", CUSTOMER)
        assert raised.value.kind == "rejected"


class TestCrm:
    def test_a_lead_is_sent_as_the_merchant_s_fields_and_its_reference_returned(
        self, crm: HttpCrm, merchant_api_stand_in: MerchantApiStandIn
    ) -> None:
        merchant_api_stand_in.answer("POST", "/v2/leads", {"id": 5501}, status=201)
        lead = LeadIn("laptops for a school", "50 seats", Decimal("40000.50"), "January", "it@school.example", CUSTOMER)
        assert crm.create_lead(lead, "turn-9-lead") == "5501"
        sent = merchant_api_stand_in.last
        assert sent.body == {
            "summary": "laptops for a school (50 seats)",
            "budget": 40000.5,
            "email": "it@school.example",
        }
        assert sent.headers["idempotency-key"] == "turn-9-lead"

    def test_a_lead_without_a_budget_sends_null(self, crm: HttpCrm, merchant_api_stand_in: MerchantApiStandIn) -> None:
        merchant_api_stand_in.answer("POST", "/v2/leads", {"id": "L-1"}, status=201)
        crm.create_lead(LeadIn("a quote", "", None, "", "someone@example.com"), "turn-10-lead")
        assert merchant_api_stand_in.last.body["budget"] is None
