"""Read-only queries the live streams and the console's views poll, and the sessions they run in.

Polling must not queue behind writers: on SQLite every desk transaction takes the single write lock
(BEGIN IMMEDIATE), so reads here use a second, query-only engine on the same file (WAL lets readers run
during writes). On PostgreSQL the desk's own sessions are already fine for reading.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from tandem.conversations.models import Conversation, Message
from tandem.events.models import Event
from tandem.handoff.models import Handoff
from tandem.kit.db import make_read_engine
from tandem.kit.desk import Desk
from tandem.kit.errors import NotFound
from tandem.users import service as user_service

BATCH = 200


class ReadStore:
    """Sessions for reading only; nothing read through here is ever committed."""

    def __init__(self, factory: sessionmaker[Session]) -> None:
        self.factory = factory

    @classmethod
    def for_desk(cls, desk: Desk) -> ReadStore:
        url = desk.engine.url
        if desk.engine.dialect.name != "sqlite" or url.database in (None, "", ":memory:"):
            return cls(desk.factory)
        return cls(sessionmaker(bind=make_read_engine(url.render_as_string(hide_password=False)), autoflush=False))

    @contextmanager
    def session(self) -> Iterator[Session]:
        session = self.factory()
        try:
            yield session
        finally:
            session.rollback()
            session.close()


def read_store(app: FastAPI) -> ReadStore:
    """One read store per app, made on first use (either UI module may be the first to ask)."""
    store: ReadStore | None = getattr(app.state, "read_store", None)
    if store is None:
        store = ReadStore.for_desk(app.state.desk)
        app.state.read_store = store
    return store


# ---- queries ---------------------------------------------------------------------------------------


def messages_after(session: Session, conversation_id: int, after_id: int, public_only: bool) -> Sequence[Message]:
    query = select(Message).where(Message.conversation_id == conversation_id, Message.id > after_id)
    if public_only:
        query = query.where(Message.visibility == "public")
    return session.scalars(query.order_by(Message.id).limit(BATCH)).all()


def events_after(session: Session, conversation_id: int, after_id: int) -> Sequence[Event]:
    query = select(Event).where(Event.conversation_id == conversation_id, Event.id > after_id)
    return session.scalars(query.order_by(Event.id).limit(BATCH)).all()


def last_event_id(session: Session, conversation_id: int | None = None) -> int:
    query = select(Event.id).order_by(Event.id.desc()).limit(1)
    if conversation_id is not None:
        query = query.where(Event.conversation_id == conversation_id)
    return session.scalar(query) or 0


def latest_handoffs(session: Session, conversation_ids: Sequence[int]) -> dict[int, Handoff]:
    """The most recent hand-over of each conversation (the one the current queue entry came from)."""
    if not conversation_ids:
        return {}
    query = select(Handoff).where(Handoff.conversation_id.in_(conversation_ids)).order_by(Handoff.id)
    return {handoff.conversation_id: handoff for handoff in session.scalars(query)}


def last_customer_messages(session: Session, conversation_ids: Sequence[int]) -> dict[int, Message]:
    if not conversation_ids:
        return {}
    query = (
        select(Message)
        .where(Message.conversation_id.in_(conversation_ids), Message.author_kind == "customer")
        .order_by(Message.id)
    )
    return {message.conversation_id: message for message in session.scalars(query)}


def agent_names(session: Session, agent_ids: Sequence[int | None]) -> dict[int, str]:
    names: dict[int, str] = {}
    for agent_id in {a for a in agent_ids if a is not None}:
        try:
            names[agent_id] = user_service.get_user(session, agent_id).name
        except NotFound:  # the user was deleted: show no name rather than fail the whole view
            names[agent_id] = ""
    return names


def conversation(session: Session, conversation_id: int) -> Conversation | None:
    return session.get(Conversation, conversation_id)
