"""The orders connector over a merchant's REST API, against a stand-in for that API on a local port."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from connectors.conftest import Configure
from connectors.merchant_api import API_KEY, MerchantApiStandIn
from tandem.connectors.http import HttpOrders
from tandem.connectors.ports import ConnectorError, CustomerRef, OrderLine

ORDERS_FILE = """\
systems:
  orders:
    base_url: {url}
    auth: {header: Authorization, value: "Bearer ${NORTHWIND_API_KEY}"}
    timeout_seconds: 2
    statuses: {in_transit: shipped, done: delivered}
    endpoints:
      get_order: {data: order}
      orders_for_customer: {query: {per_page: "{limit}", sort: newest}, data: data}
      refund:
        body: {amount.value: "{amount}", note: "{reason}", source: tandem}
    fields:
      order:
        number: id
        status: state
        placed_at: created
        total: totals.grand
        currency: totals.currency
        lines: items
        carrier: shipment.carrier
        tracking_number: shipment.tracking
        estimated_delivery: shipment.eta
        customer_external_id: customer.id
      order_line: {name: title, quantity: qty, price: unit_price}
      refund: {reference: id, amount: amount.value}
"""


def merchant_order(
    number: str = "A10023", created: str = "2026-11-20T10:00:00+01:00", **changes: Any
) -> dict[str, Any]:
    """An order as the merchant's API writes it, not as the desk names things."""
    order = {
        "id": number,
        "state": "in_transit",
        "created": created,
        "totals": {"grand": "59.98", "currency": "EUR"},
        "items": [{"sku": "MUG-1", "title": "Stoneware mug", "qty": 2, "unit_price": 29.99}],
        "shipment": {"carrier": "DPD", "tracking": "TRK123", "eta": "2026-11-26"},
        "customer": {"id": "cus_42"},
    }
    order.update(changes)
    return order


@pytest.fixture
def orders(merchant_api_stand_in: MerchantApiStandIn, configure: Configure) -> HttpOrders:
    config = configure(ORDERS_FILE, merchant_api_stand_in.url)
    assert config.systems.orders is not None
    return HttpOrders(config.systems.orders, config.clients)


class TestReadingAnOrder:
    def test_the_merchant_s_fields_become_the_desk_s_order(
        self, orders: HttpOrders, merchant_api_stand_in: MerchantApiStandIn
    ) -> None:
        merchant_api_stand_in.answer("GET", "/v2/orders/A10023", {"order": merchant_order()})
        order = orders.get_order("A10023")
        assert order is not None
        assert order.number == "A10023"
        assert order.status == "shipped"  # mapped from the merchant's "in_transit"
        assert order.total == Decimal("59.98")
        assert order.currency == "EUR"
        assert order.lines == (OrderLine("MUG-1", "Stoneware mug", 2, Decimal("29.99")),)
        assert (order.carrier, order.tracking_number) == ("DPD", "TRK123")
        assert order.customer_external_id == "cus_42"
        assert order.refunded_amount == Decimal("0")
        assert order.delivered_at is None

    def test_dates_become_aware_utc_datetimes(
        self, orders: HttpOrders, merchant_api_stand_in: MerchantApiStandIn
    ) -> None:
        merchant_api_stand_in.answer("GET", "/v2/orders/A10023", {"order": merchant_order()})
        order = orders.get_order("A10023")
        assert order is not None
        assert order.placed_at == datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
        assert order.placed_at.utcoffset() is not None and order.placed_at.utcoffset().total_seconds() == 0
        assert order.estimated_delivery == datetime(2026, 11, 26, tzinfo=UTC)

    def test_money_is_exact_even_when_the_merchant_sends_json_numbers(
        self, orders: HttpOrders, merchant_api_stand_in: MerchantApiStandIn
    ) -> None:
        # A float would round this total; the reply is read with Decimal for every JSON number.
        reply = json.dumps({"order": merchant_order()}).replace('"59.98"', "1234567890123456.78")
        merchant_api_stand_in.answer("GET", "/v2/orders/A10023", reply.encode())
        record = orders.get_order("A10023")
        assert record is not None
        assert record.total == Decimal("1234567890123456.78")
        assert record.lines[0].price == Decimal("29.99")

    def test_the_api_key_from_the_environment_is_sent_as_the_auth_header(
        self, orders: HttpOrders, merchant_api_stand_in: MerchantApiStandIn
    ) -> None:
        merchant_api_stand_in.answer("GET", "/v2/orders/A10023", {"order": merchant_order()})
        orders.get_order("A10023")
        assert merchant_api_stand_in.last.headers["authorization"] == f"Bearer {API_KEY}"
        assert merchant_api_stand_in.last.headers["accept"] == "application/json"

    def test_the_number_as_typed_is_tidied_and_cannot_change_the_path(
        self, orders: HttpOrders, merchant_api_stand_in: MerchantApiStandIn
    ) -> None:
        merchant_api_stand_in.answer("GET", "/v2/orders/A10023", {"order": merchant_order()})
        assert orders.get_order(" #A10023 ") is not None
        assert orders.get_order("../admin/A1?x=1") is None
        assert merchant_api_stand_in.last.path == "/v2/orders/..%2Fadmin%2FA1%3Fx%3D1"

    def test_an_order_the_merchant_does_not_have_is_none(
        self, orders: HttpOrders, merchant_api_stand_in: MerchantApiStandIn
    ) -> None:
        merchant_api_stand_in.answer("GET", "/v2/orders/A404", {"error": "no such order"}, status=404)
        assert orders.get_order("A404") is None

    @pytest.mark.parametrize("typed", ["", "  ", "#"])
    def test_an_empty_number_asks_nothing(
        self, orders: HttpOrders, merchant_api_stand_in: MerchantApiStandIn, typed: str
    ) -> None:
        assert orders.get_order(typed) is None
        assert merchant_api_stand_in.requests == []

    def test_a_status_the_desk_does_not_know_is_a_configuration_problem_not_a_guess(
        self, orders: HttpOrders, merchant_api_stand_in: MerchantApiStandIn
    ) -> None:
        merchant_api_stand_in.answer("GET", "/v2/orders/A10023", {"order": merchant_order(state="teleported")})
        with pytest.raises(ConnectorError) as raised:
            orders.get_order("A10023")
        assert raised.value.kind == "misconfigured"
        assert "statuses" in raised.value.detail
        assert "teleported" not in str(raised.value)


class TestACustomersOrders:
    def test_recent_orders_come_newest_first_up_to_the_limit(
        self, orders: HttpOrders, merchant_api_stand_in: MerchantApiStandIn
    ) -> None:
        days = ["2026-11-01T00:00:00Z", "2026-11-20T00:00:00Z", "2026-11-10T00:00:00Z"]
        listed = [merchant_order(f"A{i}", created=day) for i, day in enumerate(days)]
        merchant_api_stand_in.answer("GET", "/v2/customers/cus_42/orders", {"data": listed})
        found = orders.orders_for_customer(CustomerRef(7, "cus_42"), limit=2)
        assert [order.number for order in found] == ["A1", "A2"]
        assert merchant_api_stand_in.last.query == {"per_page": "2", "sort": "newest"}

    def test_a_customer_the_merchant_does_not_know_has_no_orders(
        self, orders: HttpOrders, merchant_api_stand_in: MerchantApiStandIn
    ) -> None:
        assert orders.orders_for_customer(CustomerRef(7, "cus_unknown")) == []

    def test_a_customer_with_no_id_in_the_merchant_s_systems_is_not_guessed_at(
        self, orders: HttpOrders, merchant_api_stand_in: MerchantApiStandIn
    ) -> None:
        with pytest.raises(ConnectorError) as raised:
            orders.orders_for_customer(CustomerRef(7, None))
        assert raised.value.kind == "rejected"
        assert merchant_api_stand_in.requests == []


class TestRefunds:
    def test_a_refund_sends_the_mapped_body_and_the_idempotency_key(
        self, orders: HttpOrders, merchant_api_stand_in: MerchantApiStandIn
    ) -> None:
        merchant_api_stand_in.answer(
            "POST", "/v2/orders/A10023/refunds", {"id": "re_9", "amount": {"value": "12.50"}}, status=201
        )
        result = orders.refund("#A10023", Decimal("12.50"), "arrived broken", "turn-41-refund")
        assert (result.reference, result.amount, result.currency) == ("re_9", Decimal("12.50"), "GBP")
        sent = merchant_api_stand_in.last
        assert sent.headers["idempotency-key"] == "turn-41-refund"
        assert sent.headers["content-type"] == "application/json"
        assert sent.body == {"amount": {"value": "12.50"}, "note": "arrived broken", "source": "tandem"}

    @pytest.mark.parametrize("status", [400, 409, 422])
    def test_a_refund_the_merchant_refuses_is_rejected(
        self, orders: HttpOrders, merchant_api_stand_in: MerchantApiStandIn, status: int
    ) -> None:
        merchant_api_stand_in.answer(
            "POST", "/v2/orders/A10023/refunds", {"error": "refund window closed for jane@example.com"}, status=status
        )
        with pytest.raises(ConnectorError) as raised:
            orders.refund("A10023", Decimal("5"), "late", "turn-42-refund")
        assert (raised.value.system, raised.value.kind) == ("orders", "rejected")
        assert str(status) in raised.value.detail
        assert "jane@example.com" not in str(raised.value)

    def test_refunding_an_order_the_merchant_does_not_have_is_rejected(
        self, orders: HttpOrders, merchant_api_stand_in: MerchantApiStandIn
    ) -> None:
        with pytest.raises(ConnectorError) as raised:
            orders.refund("A404", Decimal("5"), "late", "turn-43-refund")
        assert raised.value.kind == "rejected"
