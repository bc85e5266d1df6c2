"""Store guarantees that hold on SQLite and PostgreSQL alike."""

from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa

from tandem.conversations import service as conversation_service
from tandem.conversations.schemas import ConversationStart
from tandem.events import service as events
from tandem.kit.db import unit_of_work
from tandem.users.principal import ROLE_SCOPES, Principal

from foundation.desk_client import DeskClient


def test_the_audit_trail_refuses_updates_and_deletes(desk: DeskClient):
    with unit_of_work(desk.desk.factory) as session:
        events.record(session, "test.happened", "system", None, detail="x")
    for statement in ("UPDATE event SET type = 'forged'", "DELETE FROM event"):
        with pytest.raises(sa.exc.DatabaseError), unit_of_work(desk.desk.factory) as session:
            session.execute(sa.text(statement))
    with unit_of_work(desk.desk.factory) as session:
        assert session.scalar(sa.text("SELECT count(*) FROM event WHERE type = 'test.happened'")) == 1


def test_two_agents_racing_for_one_conversation_exactly_one_wins(desk: DeskClient):
    agents = [desk.make_user(f"racer{i}@desk.example") for i in range(6)]
    with unit_of_work(desk.desk.factory) as session:
        conversation, _ = conversation_service.start(session, ConversationStart(), Principal("customer", 0))
        conversation.owner = "queued"
        cid = conversation.id
    outcomes: list[str] = []
    barrier = threading.Barrier(len(agents))

    def take(agent_id: int) -> None:
        principal = Principal("user", agent_id, ROLE_SCOPES["agent"], role="agent")
        barrier.wait()
        try:
            with unit_of_work(desk.desk.factory) as session:
                conversation_service.assign(session, cid, agent_id, principal)
            outcomes.append("won")
        except Exception as exc:  # the losers see a Conflict
            outcomes.append(type(exc).__name__)

    threads = [threading.Thread(target=take, args=(a,)) for a in agents]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes.count("won") == 1
    assert set(outcomes) - {"won"} == {"Conflict"}


def test_the_same_channel_message_posted_concurrently_is_stored_once(desk: DeskClient):
    cid, token = desk.start()
    barrier = threading.Barrier(4)
    results: list[int] = []

    def post() -> None:
        barrier.wait()
        response = desk.say(cid, token, "hello from whatsapp", channel_message_id="wamid.1")
        results.append(response.json()["message"]["id"])

    threads = [threading.Thread(target=post) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(results)) == 1
    with unit_of_work(desk.desk.factory) as session:
        count = session.scalar(sa.text("SELECT count(*) FROM message WHERE channel_message_id = 'wamid.1'"))
    assert count == 1
