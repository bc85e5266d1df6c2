"""A desk with a small shop in it: customers, their orders, a supervisor and an agent, all created once the way
an admin or the order system would, so the tests can drive care through its API and CLI."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from tandem.connectors.models import Order
from tandem.conversations.pipeline import basic_pipeline
from tandem.customers import service as customer_service
from tandem.customers.schemas import CustomerCreate
from tandem.kit import clock
from tandem.kit.db import unit_of_work

from foundation.desk_client import AgentSession, DeskClient

SUPERVISOR = "lead@desk.example"
AGENT = "agent@desk.example"


@dataclass
class Shop:
    desk: DeskClient
    customers: dict[str, int] = field(default_factory=dict)

    def customer(
        self,
        name: str,
        *,
        tier: str = "standard",
        since_days: int = 400,
        consents: dict[str, bool] | None = None,
        erased: bool = False,
    ) -> int:
        with unit_of_work(self.desk.desk.factory) as session:
            customer = customer_service.create(
                session,
                CustomerCreate(
                    name=name,
                    tier=tier,  # type: ignore[arg-type]
                    customer_since=clock.now().date() - timedelta(days=since_days),
                    consents=consents or {},
                ),
                "test",
            )
            if erased:
                # There is no erasure endpoint yet; the privacy domain will set this.
                customer.erased_at = clock.now()
            self.customers[name] = customer.id
            return customer.id

    def order(self, customer: str, number: str, status: str, carrier: str | None, placed: date) -> None:
        with unit_of_work(self.desk.desk.factory) as session:
            session.add(
                Order(
                    number=number,
                    customer_id=self.customers[customer],
                    status=status,
                    placed_at=datetime(placed.year, placed.month, placed.day, 12, tzinfo=UTC),
                    total=Decimal("49.00"),
                    carrier=carrier,
                )
            )


@pytest.fixture
def shop(store_url: str) -> Iterator[Shop]:
    desk = DeskClient(store_url, pipeline=basic_pipeline())
    desk.make_user(SUPERVISOR, role="supervisor")
    desk.make_user(AGENT, role="agent")
    yield Shop(desk)
    desk.close()


@pytest.fixture
def lead(shop: Shop) -> AgentSession:
    return shop.desk.login(SUPERVISOR)


def known_issue(key: str | None = "dpd-delay-nov", **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "kind": "known_issue",
        "segment": {"orders": {"statuses": ["delayed"], "carrier": "dpd"}},
        "explanation": "A fire closed DPD's Midlands hub for two days, so parcels are running late",
        "expected": (clock.now().date() + timedelta(days=7)).isoformat(),
    }
    if key is not None:
        body["key"] = key
    body.update(overrides)
    return body
