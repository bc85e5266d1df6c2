"""The supervisor's overview: emotion start-against-end by path, and exceptions waiting for approval."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tandem.conversations import service as conversation_service
from tandem.conversations.pipeline import basic_pipeline
from tandem.events import service as events
from tandem.kit.db import unit_of_work

from foundation.desk_client import DeskClient


@pytest.fixture
def desk(sqlite_url: str) -> Iterator[DeskClient]:
    client = DeskClient(sqlite_url, pipeline=basic_pipeline())
    client.make_user("sup@desk.example", role="supervisor")
    yield client
    client.close()


def _customer_says(desk: DeskClient, cid: int, frustration: float) -> None:
    with unit_of_work(desk.desk.factory) as session:
        conversation = conversation_service.get(session, cid)
        conversation_service.add_message(
            session, conversation, "customer", "text", meta={"signals": {"emotion": {"frustration": frustration}}}
        )


def test_emotion_at_the_start_and_the_end_by_path(desk: DeskClient):
    cid, _ = desk.start()
    _customer_says(desk, cid, 0.8)
    _customer_says(desk, cid, 0.2)
    overview = desk.login("sup@desk.example").get("/console/overview", days=7).json()
    ai_only = next(row for row in overview["satisfaction"] if row["path"] == "ai_only")
    assert (ai_only["frustration_start"], ai_only["frustration_end"]) == (0.8, 0.2)


def test_an_approval_request_waits_until_an_exception_is_decided(desk: DeskClient):
    cid, _ = desk.start()
    with unit_of_work(desk.desk.factory) as session:
        events.record(session, "exception.approval_requested", "user:9", cid, outcome="approved", amount="80", limit=50)
    supervisor = desk.login("sup@desk.example")
    waiting = supervisor.get("/console/overview", days=7).json()["approvals"]
    assert [(a["conversation_id"], a["amount"], a["limit"]) for a in waiting] == [(cid, "80", 50)]
    with unit_of_work(desk.desk.factory) as session:
        events.record(session, "exception.decided", "user:2", cid, outcome="approved", amount="80")
    assert supervisor.get("/console/overview", days=7).json()["approvals"] == []
