"""Test set-up for the hand-over tests: a scripted stand-in for triage, and store set-up through services.

`ScriptedTriage` is a FAKE of our own triage component: it returns the signals a test chose for a
message (picked by a marker phrase in the text), so hand-over and brief tests do not depend on the
language models. Everything else in the pipeline is real: the privacy scan, the policy over the
shipped rules, the notice.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from tandem.connectors.models import Order
from tandem.conversations.pipeline import AcknowledgingReply, Pipeline, Redaction
from tandem.customers import service as customer_service
from tandem.customers.schemas import CustomerCreate
from tandem.handoff.stage import NoticeStage, PolicyStage
from tandem.kit.db import unit_of_work
from tandem.knowledge.models import Article
from tandem.privacy import scan
from tandem.triage.signals import Entity, Signals, TriageContext

from foundation.desk_client import DeskClient, bearer


class RealPrivacy:
    def scan(self, text: str) -> Redaction:
        result = scan(text)
        return Redaction(result.redacted, [span.model_dump() for span in result.spans])


class ScriptedTriage:
    """FAKE triage: the first marker found in the message picks its signals; otherwise calm, nothing flagged."""

    def __init__(self, script: dict[str, dict[str, Any]] | None = None) -> None:
        self.script = script or {}

    def assess(self, redacted_text: str, context: TriageContext) -> Signals:
        for marker, fields in self.script.items():
            if marker.lower() in redacted_text.lower():
                return Signals.model_validate({**fields, "text_redacted": redacted_text})
        return Signals(text_redacted=redacted_text)


def scripted_pipeline(script: dict[str, dict[str, Any]] | None = None) -> Pipeline:
    return Pipeline(RealPrivacy(), ScriptedTriage(script), PolicyStage(), AcknowledgingReply(), NoticeStage())


def entities(**values: str | list[str]) -> list[dict[str, str]]:
    found = []
    for kind, value in values.items():
        for one in [value] if isinstance(value, str) else value:
            found.append(Entity(type=kind, value=one).model_dump())
    return found


def make_customer(desk: DeskClient, **fields: Any) -> int:
    data = {"name": "Sam Carter", "email": "sam@example.com", "tier": "gold", "lifetime_value": "3200"}
    data.update(lifetime_spend="4100", customer_since=date(2021, 3, 2))
    data.update(fields)
    with unit_of_work(desk.desk.factory) as session:
        return customer_service.create(session, CustomerCreate(**data), "test").id


def record_vulnerability(desk: DeskClient, customer_id: int, drivers: list[str], notes: str) -> None:
    with unit_of_work(desk.desk.factory) as session:
        customer_service.record_vulnerability(session, customer_id, drivers, notes, "test")


def add_order(desk: DeskClient, customer_id: int, number: str, status: str, total: str, days_ago: int = 5) -> None:
    placed = datetime.now(UTC) - timedelta(days=days_ago)
    with unit_of_work(desk.desk.factory) as session:
        session.add(
            Order(
                number=number,
                customer_id=customer_id,
                status=status,
                placed_at=placed,
                total=Decimal(total),
                items=[{"sku": "SPK-1", "name": "Aurora Speaker", "quantity": 1, "price": total}],
                estimated_delivery=placed + timedelta(days=3),
            )
        )


def add_article(desk: DeskClient, slug: str, title: str, tags: list[str], clause: str) -> None:
    with unit_of_work(desk.desk.factory) as session:
        session.add(Article(slug=slug, title=title, body=title, tags=tags, policy_clause=clause))


def start_for_customer(desk: DeskClient, customer_id: int) -> tuple[int, str]:
    """An integration opens the chat for a signed-in shopper (linking a customer needs a credential)."""
    key = desk.make_api_key(["conversations:write", "conversations:read"])
    response = desk.http.post("/api/v1/conversations", json={"customer_id": customer_id}, headers=bearer(key))
    assert response.status_code == 201, response.text
    return response.json()["id"], response.json()["customer_token"]
