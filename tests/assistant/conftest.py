"""A seeded demo desk with the real pipeline (local models, policy, assistant), shared per test session.

Each test gets its own copy of the seeded store; the pipeline (models loaded once) is shared, since it
keeps nothing about a conversation outside the store.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from tandem.connectors.models import Order
from tandem.conversations.pipeline import Pipeline
from tandem.customers.models import Customer
from tandem.demo.seed import seed
from tandem.events.models import Event
from tandem.kit import clock
from tandem.kit.db import make_engine, make_sessionmaker, unit_of_work
from tandem.kit.settings import Settings
from tandem.stages import build_pipeline
from tandem.triage.settings import default_models_dir
from tandem.users.models import User

from foundation.desk_client import DeskClient


@pytest.fixture(scope="session")
def seeded_store(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("assistant") / "seeded.db"
    shutil.copy(sqlite_template, path)
    engine = make_engine(f"sqlite:///{path}")
    with unit_of_work(make_sessionmaker(engine)) as session:
        seed(session)
        # Nobody online: a hand-over waits in its queue (routing has its own tests).
        for user in session.scalars(select(User)).all():
            user.presence = "away"
    engine.dispose()
    return path


@pytest.fixture(scope="session")
def real_pipeline(seeded_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Pipeline:
    workspace = tmp_path_factory.mktemp("assistant-workspace")
    settings = Settings(
        database_url=f"sqlite:///{seeded_store}", models_dir=default_models_dir(), workspace_dir=workspace
    )
    return build_pipeline(settings)


@dataclass
class Said:
    owner: str
    replies: list[dict[str, Any]]
    handoff: dict[str, Any] | None
    # Which template the AI answered with (from the audit trail: customers never see it).
    situation: str | None
    skill: str | None = None

    @property
    def text(self) -> str:
        return " ".join(r["body"] for r in self.replies)

    @property
    def ai(self) -> list[dict[str, Any]]:
        return [r for r in self.replies if r["author_kind"] == "ai"]


class ChattingCustomer:
    """A customer in the chat widget's shoes: one conversation, talking to the desk's public API."""

    def __init__(self, desk: DeskClient) -> None:
        self.desk = desk
        self.conversation_id, self.token = desk.start()

    def says(self, text: str) -> Said:
        response = self.desk.say(self.conversation_id, self.token, text)
        assert response.status_code == 200, response.text
        body = response.json()
        situation = skill = None
        if any(r["author_kind"] == "ai" for r in body["replies"]):
            with unit_of_work(self.desk.desk.factory) as session:
                replied = session.scalars(
                    select(Event)
                    .where(Event.type == "ai.replied", Event.conversation_id == self.conversation_id)
                    .order_by(Event.id.desc())
                ).first()
                situation = replied.payload.get("situation") if replied else None
                skill = replied.payload.get("skill") if replied else None
        return Said(body["owner"], body["replies"], body.get("handoff"), situation, skill)


@dataclass
class Demo:
    """Facts about the seeded workspace, read the way a tester would look them up."""

    desk: DeskClient

    def session(self) -> Any:
        return unit_of_work(self.desk.desk.factory)

    def order(self, where: Callable[[Order], bool]) -> Order:
        with self.session() as session:
            orders = session.scalars(select(Order).order_by(Order.placed_at.desc(), Order.id)).all()
            found = next(o for o in orders if where(o))
            session.expunge(found)
            return found

    def customer(self, customer_id: int) -> Customer:
        with self.session() as session:
            found = session.get(Customer, customer_id)
            assert found is not None
            session.expunge(found)
            return found

    def refunded(self, number: str) -> Decimal:
        with self.session() as session:
            order = session.scalars(select(Order).where(Order.number == number)).one()
            return order.refunded_amount

    def read(self, query: Callable[[Session], Any]) -> Any:
        with self.session() as session:
            return query(session)


def days_old(order: Order) -> int:
    return (clock.now() - (order.delivered_at or order.placed_at)).days


@pytest.fixture
def desk(seeded_store: Path, real_pipeline: Pipeline, tmp_path: Path) -> Iterator[DeskClient]:
    target = tmp_path / "desk.db"
    shutil.copy(seeded_store, target)
    client = DeskClient(f"sqlite:///{target}", pipeline=real_pipeline, workspace_dir=tmp_path / "var")
    yield client
    client.close()


@pytest.fixture
def customer(desk: DeskClient) -> Callable[[], ChattingCustomer]:
    return lambda: ChattingCustomer(desk)


@pytest.fixture
def demo(desk: DeskClient) -> Demo:
    return Demo(desk)


def postcode_of(customer: Customer) -> str:
    return (customer.address or "").rsplit(",", 1)[-1].strip()
