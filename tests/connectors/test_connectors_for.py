"""Each turn's connectors: the merchant's API for the systems the file configures, built-in for the rest."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from decimal import Decimal

import httpx
import pytest
from sqlalchemy.orm import Session

from connectors.conftest import Configure
from connectors.merchant_api import MerchantApiStandIn
from tandem.connectors.builtin import BuiltinCalendar, BuiltinCatalogue, BuiltinCrm, BuiltinOrders
from tandem.connectors.config import ConnectorConfig, connectors_for
from tandem.connectors.http import HttpCatalogue, HttpOrders
from tandem.connectors.models import Product
from tandem.connectors.ports import CustomerRef
from tandem.kit.db import make_engine, make_sessionmaker

ORDERS_AND_CATALOGUE = """\
systems:
  orders: {base_url: {url}}
  catalogue: {base_url: {url}, endpoints: {search: {data: products}}}
"""
ORDER = {"number": "A1", "status": "shipped", "placed_at": "2026-11-20T10:00:00Z", "total": "10.00"}


@pytest.fixture
def session(sqlite_url: str) -> Iterator[Session]:
    engine = make_engine(sqlite_url)
    with make_sessionmaker(engine)() as session:
        yield session
    engine.dispose()


@pytest.fixture
def config(merchant_api_stand_in: MerchantApiStandIn, configure: Configure) -> ConnectorConfig:
    return configure(ORDERS_AND_CATALOGUE, merchant_api_stand_in.url)


class TestConnectorsFor:
    def test_without_a_file_every_system_is_built_in(self, session: Session) -> None:
        connectors = connectors_for(session, None)
        assert isinstance(connectors.orders, BuiltinOrders)
        assert isinstance(connectors.catalogue, BuiltinCatalogue)
        assert isinstance(connectors.calendar, BuiltinCalendar)
        assert isinstance(connectors.crm, BuiltinCrm)

    def test_configured_systems_use_the_merchant_s_api_and_the_rest_stay_built_in(
        self, session: Session, config: ConnectorConfig
    ) -> None:
        connectors = connectors_for(session, config)
        assert isinstance(connectors.orders, HttpOrders)
        assert isinstance(connectors.catalogue, HttpCatalogue)
        assert isinstance(connectors.calendar, BuiltinCalendar)
        assert isinstance(connectors.crm, BuiltinCrm)

    def test_one_turn_reads_the_merchant_s_api_and_the_desk_s_tables_side_by_side(
        self, session: Session, config: ConnectorConfig, merchant_api_stand_in: MerchantApiStandIn
    ) -> None:
        merchant_api_stand_in.answer("GET", "/v2/orders/A1", ORDER)
        merchant_api_stand_in.answer(
            "GET", "/v2/products", {"products": [{"sku": "P1", "name": "Lamp", "price": "20", "in_stock": 3}]}
        )
        connectors = connectors_for(session, config)
        order = connectors.orders.get_order("A1")
        assert order is not None and order.total == Decimal("10.00")
        assert [p.sku for p in connectors.catalogue.search()] == ["P1"]
        assert connectors.calendar.bookings(CustomerRef(1)) == []  # built-in: nobody has booked yet

    def test_the_builtin_systems_still_read_the_desk_s_tables(self, session: Session, config: ConnectorConfig) -> None:
        session.add(Product(sku="DESK-1", name="Desk", category="furniture", price=Decimal("120"), in_stock=2))
        session.flush()
        only_orders = config.model_copy(update={"systems": config.systems.model_copy(update={"catalogue": None})})
        connectors = connectors_for(session, only_orders)
        assert [p.sku for p in connectors.catalogue.search(category="furniture")] == ["DESK-1"]


class TestOneClientPerSystem:
    def test_no_client_is_made_until_a_system_is_called(self, session: Session, config: ConnectorConfig) -> None:
        connectors_for(session, config)
        assert config.clients.open_systems() == []

    def test_turns_share_one_client_per_system(
        self, session: Session, config: ConnectorConfig, merchant_api_stand_in: MerchantApiStandIn
    ) -> None:
        merchant_api_stand_in.answer("GET", "/v2/orders/A1", ORDER)
        for _ in range(3):
            connectors_for(session, config).orders.get_order("A1")
        assert config.clients.open_systems() == ["orders"]
        assert len(merchant_api_stand_in.requests) == 3

    def test_threads_that_start_together_still_share_one_client(self, config: ConnectorConfig) -> None:
        orders = config.systems.orders
        assert orders is not None
        start = threading.Barrier(8)
        clients: list[httpx.Client] = []

        def first_call() -> None:
            start.wait()
            clients.append(config.clients.client(orders))

        threads = [threading.Thread(target=first_call) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert len(clients) == 8 and len({id(client) for client in clients}) == 1

    def test_closing_the_config_closes_its_clients_and_a_later_call_opens_a_new_one(
        self, config: ConnectorConfig
    ) -> None:
        orders = config.systems.orders
        assert orders is not None
        first = config.clients.client(orders)
        config.close()
        assert first.is_closed
        second = config.clients.client(orders)
        assert second is not first and not second.is_closed
