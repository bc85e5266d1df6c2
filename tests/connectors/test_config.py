"""The connectors file: defaults for what it leaves out, and mistakes reported with the line and setting."""

from __future__ import annotations

import textwrap
from decimal import Decimal
from pathlib import Path

import pytest

from connectors.merchant_api import MerchantApiStandIn
from tandem.connectors.config import ConnectorConfigError, load_connector_config, parse_connector_config
from tandem.connectors.http import HttpOrders
from tandem.connectors.mapping import RECORDS
from tandem.connectors.operations import (
    CALENDAR_OPERATIONS,
    CATALOGUE_OPERATIONS,
    CRM_OPERATIONS,
    ORDER_OPERATIONS,
)
from tandem.kit.settings import Settings

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "docs" / "connectors.example.yaml"
SECRETS = {"NORTHWIND_API_KEY": "k1", "NORTHWIND_CATALOGUE_KEY": "k2"}


def problem_in(text: str, environ: dict[str, str] | None = None) -> str:
    with pytest.raises(ConnectorConfigError) as raised:
        parse_connector_config(textwrap.dedent(text), source="connectors.yaml", environ=environ or SECRETS)
    return str(raised.value)


class TestLoading:
    def test_the_example_file_loads(self) -> None:
        config = load_connector_config(EXAMPLE, environ=SECRETS)
        assert config.systems.orders and config.systems.catalogue and config.systems.calendar
        assert config.systems.crm is None  # not in the file: stays built-in
        endpoint = config.systems.orders.endpoint("refund")
        assert endpoint is not None and endpoint.body is not None and endpoint.body["note"] == "{reason}"

    def test_a_system_needs_only_its_base_url(self) -> None:
        config = parse_connector_config("systems:\n  orders:\n    base_url: https://shop.example/api/\n")
        orders = config.systems.orders
        assert orders is not None
        assert orders.base_url == "https://shop.example/api"
        assert orders.timeout_seconds == 5
        endpoint = orders.endpoint("get_order")
        assert endpoint is not None and (endpoint.method, endpoint.path) == ("GET", "/orders/{number}")
        assert orders.mapping("order") == {}

    def test_an_endpoint_setting_keeps_the_operation_s_other_defaults(self) -> None:
        config = parse_connector_config(
            "systems:\n  orders:\n    base_url: https://shop.example\n    endpoints: {refund: {data: refund}}\n"
        )
        assert config.systems.orders is not None
        endpoint = config.systems.orders.endpoint("refund")
        assert endpoint is not None
        assert (endpoint.method, endpoint.path, endpoint.data) == ("POST", "/orders/{number}/refunds", "refund")

    def test_secrets_are_read_from_the_environment_when_a_client_is_made(self) -> None:
        config = load_connector_config(EXAMPLE, environ=SECRETS)
        assert config.systems.catalogue is not None
        headers = config.systems.catalogue.request_headers({"NORTHWIND_CATALOGUE_KEY": "from-env"})
        assert headers["X-Api-Key"] == "from-env"
        assert "from-env" not in EXAMPLE.read_text()

    def test_the_file_is_named_in_settings_by_environment_variable(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv("TANDEM_CONNECTORS_FILE", str(EXAMPLE))
        assert Settings().connectors_file == EXAMPLE
        monkeypatch.delenv("TANDEM_CONNECTORS_FILE")
        assert Settings(_env_file=None).connectors_file is None  # type: ignore[call-arg]


class TestMistakesAreReportedWhereTheyAre:
    def test_an_unknown_setting_names_its_line_and_suggests_the_right_one(self) -> None:
        message = problem_in(
            """\
            systems:
              orders:
                base_url: https://shop.example
                timout_seconds: 3
            """
        )
        assert message == (
            "connectors.yaml: line 4: systems.orders: unknown setting 'timout_seconds'; did you mean 'timeout_seconds'?"
        )

    def test_an_unknown_system_is_named(self) -> None:
        message = problem_in("systems:\n  warehouse: {base_url: https://shop.example}\n")
        assert "line 2: systems: unknown setting 'warehouse'" in message

    def test_a_missing_base_url_is_required(self) -> None:
        message = problem_in("systems:\n  crm:\n    timeout_seconds: 2\n")
        assert "line 3: systems.crm.base_url: is required" in message

    def test_an_unknown_placeholder_names_the_operation_and_the_ones_it_may_use(self) -> None:
        message = problem_in(
            """\
            systems:
              orders:
                base_url: https://shop.example
                endpoints:
                  get_order:
                    path: /orders/{order_number}
            """
        )
        assert "line 6: systems.orders.endpoints.get_order.path: unknown placeholder 'order_number'" in message
        assert "(known: number)" in message

    def test_an_unknown_operation_suggests_a_known_one(self) -> None:
        message = problem_in(
            "systems:\n  orders:\n    base_url: https://shop.example\n    endpoints: {get_orders: {}}\n"
        )
        assert "systems.orders.endpoints.get_orders: unknown orders operation 'get_orders'" in message
        assert "did you mean 'get_order'?" in message

    def test_an_unknown_record_field_is_named(self) -> None:
        message = problem_in(
            "systems:\n  orders:\n    base_url: https://shop.example\n    fields:\n      order: {totl: totals.grand}\n"
        )
        assert "line 5: systems.orders.fields.order.totl: unknown order field 'totl'" in message
        assert "did you mean 'total'?" in message

    def test_a_status_must_map_to_one_the_desk_knows(self) -> None:
        message = problem_in(
            "systems:\n  orders:\n    base_url: https://shop.example\n    statuses: {in_transit: on_its_way}\n"
        )
        assert "systems.orders.statuses.in_transit: unknown order status 'on_its_way'" in message

    def test_a_get_request_cannot_have_a_body(self) -> None:
        message = problem_in(
            "systems:\n  orders:\n    base_url: https://shop.example\n"
            "    endpoints: {get_order: {body: {x: '{number}'}}}\n"
        )
        assert "systems.orders.endpoints.get_order.body: a GET request has no body" in message

    def test_a_path_must_stay_on_the_configured_host(self) -> None:
        message = problem_in(
            "systems:\n  orders:\n    base_url: https://shop.example\n"
            "    endpoints: {get_order: {path: '//evil.example/{number}'}}\n"
        )
        assert "get_order.path: must start with a single '/'" in message

    @pytest.mark.parametrize(
        ("setting", "expected"),
        [
            ("timeout_seconds: 0", "systems.orders.timeout_seconds: Input should be greater than 0"),
            ("timeout_seconds: soon", "systems.orders.timeout_seconds: Input should be a valid number"),
            ("currency: pounds", "systems.orders.currency: String should match pattern"),
            ("money_as: float", "systems.orders.money_as: Input should be 'string' or 'number'"),
            ("idempotency_header: 'Idempotency Key'", "systems.orders.idempotency_header: is not a valid HTTP header"),
        ],
    )
    def test_bad_values_name_the_setting_and_its_line(self, setting: str, expected: str) -> None:
        message = problem_in(f"systems:\n  orders:\n    base_url: https://shop.example\n    {setting}\n")
        assert f"connectors.yaml: line 4: {expected}" in message

    def test_every_mistake_is_reported_at_once(self) -> None:
        message = problem_in("systems:\n  orders:\n    base_url: ftp://shop.example\n    timeout_seconds: -1\n")
        assert "line 3: systems.orders.base_url: must be an http(s):// URL with a host" in message
        assert "line 4: systems.orders.timeout_seconds" in message

    def test_invalid_yaml_names_the_line(self) -> None:
        message = problem_in("systems:\n  orders:\n    base_url: [unclosed\n")
        assert message.startswith("connectors.yaml: line ") and "not valid YAML" in message

    def test_a_setting_given_twice_is_named(self) -> None:
        message = problem_in("systems:\n  orders:\n    base_url: https://a.example\n    base_url: https://b.example\n")
        assert message == "connectors.yaml: line 4: 'base_url' appears twice"

    @pytest.mark.parametrize("text", ["", "# nothing yet\n"])
    def test_an_empty_file_is_reported(self, text: str) -> None:
        assert "the connectors file is empty" in problem_in(text)

    def test_a_file_that_is_not_a_mapping_is_reported(self) -> None:
        assert "line 1: must be a mapping of settings" in problem_in("- orders\n")

    def test_a_missing_file_is_named(self, tmp_path: Path) -> None:
        with pytest.raises(ConnectorConfigError) as raised:
            load_connector_config(tmp_path / "nowhere.yaml")
        assert str(raised.value).startswith(f"{tmp_path / 'nowhere.yaml'}: cannot be read")

    def test_yaml_tags_that_would_build_objects_are_refused(self) -> None:
        message = problem_in("systems: !!python/object/apply:os.system ['true']\n")
        assert "connectors.yaml" in message


class TestSecretsStayOutOfTheFile:
    def test_a_literal_api_key_is_refused_and_not_echoed(self) -> None:
        message = problem_in(
            "systems:\n  orders:\n    base_url: https://shop.example\n"
            "    auth: {header: Authorization, value: 'Bearer sk_live_abc123'}\n"
        )
        assert "line 4: systems.orders.auth.value: must take the secret from an environment variable" in message
        assert "sk_live_abc123" not in message

    def test_a_credential_looking_header_must_come_from_the_environment(self) -> None:
        message = problem_in(
            "systems:\n  orders:\n    base_url: https://shop.example\n    headers: {X-Api-Token: abc123}\n"
        )
        assert "systems.orders.headers.X-Api-Token: looks like a credential" in message
        assert "abc123" not in message

    def test_plain_headers_may_be_written_in_the_file(self) -> None:
        config = parse_connector_config(
            "systems:\n  orders:\n    base_url: https://shop.example\n    headers: {X-Shop: northwind}\n"
        )
        assert config.systems.orders is not None
        assert config.systems.orders.request_headers({})["X-Shop"] == "northwind"

    def test_an_environment_variable_that_is_not_set_is_named_with_its_line(self) -> None:
        text = "systems:\n  orders:\n    base_url: https://shop.example\n    auth: {value: 'Bearer ${SHOP_KEY}'}\n"
        message = problem_in(text, environ={"OTHER": "x"})
        assert message == (
            "connectors.yaml: line 4: systems.orders.auth.value: environment variable SHOP_KEY is not set"
        )

    def test_credentials_in_the_url_are_refused(self) -> None:
        message = problem_in("systems:\n  orders:\n    base_url: https://user:pw@shop.example\n")
        assert "systems.orders.base_url: must not hold credentials" in message

    def test_plain_http_is_only_for_this_machine_unless_allowed(self) -> None:
        message = problem_in("systems:\n  orders:\n    base_url: http://shop.example\n")
        assert "line 3: systems.orders.base_url: plain http://" in message
        parse_connector_config("systems:\n  orders:\n    base_url: http://127.0.0.1:8080\n")
        parse_connector_config(
            "systems:\n  orders:\n    base_url: http://orders.internal\n    allow_plain_http: true\n"
        )


class TestTheDocumentation:
    def test_the_guide_names_every_operation_and_record_field(self) -> None:
        guide = (REPO / "docs" / "connectors.md").read_text()
        for operations in (ORDER_OPERATIONS, CATALOGUE_OPERATIONS, CALENDAR_OPERATIONS, CRM_OPERATIONS):
            for name, operation in operations.items():
                assert f"`{name}`" in guide
                assert operation.path.split("?")[0] in guide
        for record, fields in RECORDS.items():
            assert f"`{record}`" in guide
            for name in fields:
                assert name in guide

    def test_the_example_reads_an_order_shaped_as_its_mapping_says(
        self, merchant_api_stand_in: MerchantApiStandIn, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        for name, value in SECRETS.items():
            monkeypatch.setenv(name, value)
        text = EXAMPLE.read_text().replace("https://api.northwind.example/v2", merchant_api_stand_in.url)
        config = parse_connector_config(text, source=str(EXAMPLE))
        assert config.systems.orders is not None
        merchant_api_stand_in.answer(
            "GET",
            "/v2/orders/A1",
            {
                "order": {
                    "id": "A1",
                    "state": "with_courier",
                    "created_at": "2026-11-20T10:00:00Z",
                    "totals": {"grand_total": "42.00", "currency": "GBP", "refunded": "0"},
                    "line_items": [{"sku": "S1", "title": "Lamp", "qty": 1, "unit_price": "42.00"}],
                    "shipment": {"carrier": "DPD", "tracking_code": "T1", "expected_at": "2026-11-23"},
                    "customer": {"id": "cus_1"},
                }
            },
        )
        try:
            order = HttpOrders(config.systems.orders, config.clients).get_order("A1")
        finally:
            config.close()
        assert order is not None
        assert (order.status, order.total, order.carrier, order.customer_external_id) == (
            "out_for_delivery",
            Decimal("42.00"),
            "DPD",
            "cus_1",
        )
        assert merchant_api_stand_in.last.headers["authorization"] == "Bearer k1"
