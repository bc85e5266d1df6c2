"""When the merchant's API fails, the assistant gets a ConnectorError it can hand over with, never a crash.

Every failure is `ConnectorError(system, kind, detail)` with kind timeout, unavailable, rejected or
misconfigured, and the detail never repeats what the reply said: replies hold customer data.
"""

from __future__ import annotations

import json
import logging
import socket
import time
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from connectors.conftest import Configure
from connectors.merchant_api import API_KEY_ENV, Answer, MerchantApiStandIn
from tandem.connectors.config import ConnectorConfig
from tandem.connectors.http import HttpCalendar, HttpCatalogue, HttpCrm, HttpOrders
from tandem.connectors.ports import ConnectorError, CustomerRef, LeadIn

ALL_SYSTEMS_FILE = """\
systems:
  orders:
    base_url: {url}
    auth: {value: "Bearer ${NORTHWIND_API_KEY}"}
    timeout_seconds: 0.3
    endpoints:
      get_order: {data: order}
  catalogue: {base_url: {url}, timeout_seconds: 0.3}
  calendar: {base_url: {url}, timeout_seconds: 0.3}
  crm: {base_url: {url}, timeout_seconds: 0.3}
"""
# What a reply might hold that must never reach a log line or an error message.
CUSTOMER_DATA = "Jane Doe, 14 Mill Lane, jane@example.com"
GOOD_ORDER = {
    "number": "A1",
    "status": "shipped",
    "placed_at": "2026-11-20T10:00:00Z",
    "total": "10.00",
    "note": CUSTOMER_DATA,
}
WINDOW = (datetime(2026, 11, 23, tzinfo=UTC), datetime(2026, 11, 28, tzinfo=UTC))
CUSTOMER = CustomerRef(7, "cus_42")


@pytest.fixture
def config(merchant_api_stand_in: MerchantApiStandIn, configure: Configure) -> ConnectorConfig:
    return configure(ALL_SYSTEMS_FILE, merchant_api_stand_in.url)


@pytest.fixture
def orders(config: ConnectorConfig) -> HttpOrders:
    assert config.systems.orders is not None
    return HttpOrders(config.systems.orders, config.clients)


def every_operation(config: ConnectorConfig) -> dict[str, Callable[[], Any]]:
    systems = config.systems
    assert systems.orders and systems.catalogue and systems.calendar and systems.crm
    orders = HttpOrders(systems.orders, config.clients)
    catalogue = HttpCatalogue(systems.catalogue, config.clients)
    calendar = HttpCalendar(systems.calendar, config.clients)
    crm = HttpCrm(systems.crm, config.clients)
    lead = LeadIn("laptops", "5", Decimal("900"), "soon", "jane@example.com", CUSTOMER)
    return {
        "orders.get_order": lambda: orders.get_order("A1"),
        "orders.orders_for_customer": lambda: orders.orders_for_customer(CUSTOMER),
        "orders.refund": lambda: orders.refund("A1", Decimal("5"), "broken", "key-1"),
        "catalogue.search": lambda: catalogue.search(),
        "calendar.free_slots": lambda: calendar.free_slots(*WINDOW),
        "calendar.bookings": lambda: calendar.bookings(CUSTOMER),
        "calendar.book": lambda: calendar.book("3", CUSTOMER, "key-2"),
        "calendar.cancel": lambda: calendar.cancel("bk_1", CUSTOMER),
        "crm.create_lead": lambda: crm.create_lead(lead, "key-3"),
    }


OPERATIONS = [
    "orders.get_order",
    "orders.orders_for_customer",
    "orders.refund",
    "catalogue.search",
    "calendar.free_slots",
    "calendar.bookings",
    "calendar.book",
    "calendar.cancel",
    "crm.create_lead",
]


class TestEveryOperationFailsCleanly:
    @pytest.mark.parametrize("operation", OPERATIONS)
    @pytest.mark.parametrize(("status", "kind"), [(500, "unavailable"), (503, "unavailable"), (401, "misconfigured")])
    def test_a_failing_api_is_a_connector_error_for_that_system(
        self,
        config: ConnectorConfig,
        merchant_api_stand_in: MerchantApiStandIn,
        operation: str,
        status: int,
        kind: str,
    ) -> None:
        merchant_api_stand_in.otherwise = Answer(status, {"error": CUSTOMER_DATA})
        with pytest.raises(ConnectorError) as raised:
            every_operation(config)[operation]()
        assert (raised.value.system, raised.value.kind) == (operation.split(".")[0], kind)
        assert "Jane" not in str(raised.value)

    @pytest.mark.parametrize("operation", OPERATIONS)
    def test_no_reply_in_time_is_a_timeout_not_a_wait(
        self, config: ConnectorConfig, merchant_api_stand_in: MerchantApiStandIn, operation: str
    ) -> None:
        merchant_api_stand_in.otherwise = Answer(200, {}, delay=2.0)
        started = time.monotonic()
        with pytest.raises(ConnectorError) as raised:
            every_operation(config)[operation]()
        assert raised.value.kind == "timeout"
        assert time.monotonic() - started < 1.5

    @pytest.mark.parametrize("operation", OPERATIONS)
    def test_an_api_nobody_answers_is_unavailable(self, configure: Configure, operation: str) -> None:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            closed_port = sock.getsockname()[1]
        config = configure(ALL_SYSTEMS_FILE, f"http://127.0.0.1:{closed_port}")
        with pytest.raises(ConnectorError) as raised:
            every_operation(config)[operation]()
        assert raised.value.kind == "unavailable"

    @pytest.mark.parametrize("operation", [op for op in OPERATIONS if op != "calendar.cancel"])
    def test_a_reply_that_is_not_json_is_misconfigured(
        self, config: ConnectorConfig, merchant_api_stand_in: MerchantApiStandIn, operation: str
    ) -> None:
        merchant_api_stand_in.otherwise = Answer(200, b"<html>Welcome " + CUSTOMER_DATA.encode() + b"</html>")
        with pytest.raises(ConnectorError) as raised:
            every_operation(config)[operation]()
        assert raised.value.kind == "misconfigured"
        assert "Jane" not in str(raised.value)


def order_reply(**changes: Any) -> bytes:
    order = {**GOOD_ORDER, **changes}
    return json.dumps({"order": {k: v for k, v in order.items() if v is not None}}).encode()


class TestReadingAnOrderFails:
    @pytest.mark.parametrize(
        ("name", "answer", "kind"),
        [
            ("server error", Answer(500, {"error": CUSTOMER_DATA}), "unavailable"),
            ("bad gateway", Answer(502, b"upstream down"), "unavailable"),
            ("rate limited", Answer(429, {}), "unavailable"),
            ("credentials refused", Answer(401, {}), "misconfigured"),
            ("forbidden", Answer(403, {}), "misconfigured"),
            ("request timeout", Answer(408, {}), "timeout"),
            ("bad request", Answer(400, {"error": CUSTOMER_DATA}), "rejected"),
            ("redirect", Answer(302, {}), "misconfigured"),
            ("truncated json", Answer(200, b'{"order": {"number": "A1", '), "misconfigured"),
            ("empty reply", Answer(200, b""), "misconfigured"),
            ("NaN total", Answer(200, b'{"order": {"total": NaN}}'), "misconfigured"),
            ("no data where the file says", Answer(200, {"orders": [GOOD_ORDER]}), "misconfigured"),
            ("a list where one order was expected", Answer(200, {"order": [GOOD_ORDER]}), "misconfigured"),
            ("missing required field", Answer(200, order_reply(total=None)), "misconfigured"),
            ("total not an amount", Answer(200, order_reply(total=CUSTOMER_DATA)), "misconfigured"),
            ("total a boolean", Answer(200, order_reply(total=True)), "misconfigured"),
            ("date not a date", Answer(200, order_reply(placed_at=CUSTOMER_DATA)), "misconfigured"),
            ("date a number", Answer(200, order_reply(placed_at=1732096800)), "misconfigured"),
            ("number an object", Answer(200, order_reply(number={"name": CUSTOMER_DATA})), "misconfigured"),
            ("lines not a list", Answer(200, order_reply(lines=CUSTOMER_DATA)), "misconfigured"),
            ("a line without a price", Answer(200, order_reply(lines=[{"sku": "X", "name": "Y"}])), "misconfigured"),
            (
                "quantity not whole",
                Answer(200, order_reply(lines=[{"sku": "X", "name": "Y", "price": "1", "quantity": "1.5x"}])),
                "misconfigured",
            ),
        ],
    )
    def test_each_failure_has_its_kind_and_never_quotes_the_reply(
        self, orders: HttpOrders, merchant_api_stand_in: MerchantApiStandIn, name: str, answer: Answer, kind: str
    ) -> None:
        merchant_api_stand_in.answers[("GET", "/v2/orders/A1")] = answer
        with pytest.raises(ConnectorError) as raised:
            orders.get_order("A1")
        assert (raised.value.system, raised.value.kind) == ("orders", kind), name
        for fragment in ("Jane", "Mill Lane", "jane@example.com", "1.5x", "upstream"):
            assert fragment not in str(raised.value)

    def test_the_detail_names_the_field_and_where_it_was_read_from(
        self, orders: HttpOrders, merchant_api_stand_in: MerchantApiStandIn
    ) -> None:
        merchant_api_stand_in.answer("GET", "/v2/orders/A1", order_reply(total="twelve"))
        with pytest.raises(ConnectorError) as raised:
            orders.get_order("A1")
        assert "order.total (from 'total') is not an amount" in raised.value.detail
        assert "get_order" in raised.value.detail

    def test_the_failure_is_logged_without_the_reply(
        self, orders: HttpOrders, merchant_api_stand_in: MerchantApiStandIn, caplog: pytest.LogCaptureFixture
    ) -> None:
        merchant_api_stand_in.answer("GET", "/v2/orders/A1", {"error": CUSTOMER_DATA}, status=503)
        with caplog.at_level(logging.WARNING, logger="tandem.connectors"), pytest.raises(ConnectorError):
            orders.get_order("A1")
        [record] = [r for r in caplog.records if r.getMessage() == "connector.failed"]
        assert (record.system, record.operation, record.kind, record.status) == (  # type: ignore[attr-defined]
            "orders",
            "get_order",
            "unavailable",
            503,
        )
        assert "Jane" not in caplog.text


class TestWritesThatFail:
    def test_a_refund_with_no_reply_in_time_says_it_may_have_happened(
        self, orders: HttpOrders, merchant_api_stand_in: MerchantApiStandIn
    ) -> None:
        merchant_api_stand_in.answer("POST", "/v2/orders/A1/refunds", {"reference": "r"}, delay=2.0)
        with pytest.raises(ConnectorError) as raised:
            orders.refund("A1", Decimal("5"), "broken", "key-4")
        assert raised.value.kind == "timeout"
        assert "may have been applied" in raised.value.detail

    def test_a_refund_whose_reply_does_not_map_says_it_was_sent(
        self, orders: HttpOrders, merchant_api_stand_in: MerchantApiStandIn
    ) -> None:
        merchant_api_stand_in.answer("POST", "/v2/orders/A1/refunds", {"ok": True}, status=201)
        with pytest.raises(ConnectorError) as raised:
            orders.refund("A1", Decimal("5"), "broken", "key-5")
        assert raised.value.kind == "misconfigured"
        assert "refund.reference" in raised.value.detail and "may have been applied" in raised.value.detail


class TestConfigurationFailures:
    def test_a_secret_missing_from_the_environment_is_misconfigured_and_named(
        self, orders: HttpOrders, merchant_api_stand_in: MerchantApiStandIn, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.delenv(API_KEY_ENV)
        with pytest.raises(ConnectorError) as raised:
            orders.get_order("A1")
        assert raised.value.kind == "misconfigured"
        assert API_KEY_ENV in raised.value.detail
        assert merchant_api_stand_in.requests == []

    def test_an_operation_the_file_switches_off_is_rejected_without_a_call(
        self, merchant_api_stand_in: MerchantApiStandIn, configure: Configure
    ) -> None:
        config = configure(
            "systems:\n  orders:\n    base_url: {url}\n    endpoints: {refund: null}\n", merchant_api_stand_in.url
        )
        assert config.systems.orders is not None
        with pytest.raises(ConnectorError) as raised:
            HttpOrders(config.systems.orders, config.clients).refund("A1", Decimal("1"), "x", "key-6")
        assert raised.value.kind == "rejected"
        assert merchant_api_stand_in.requests == []
