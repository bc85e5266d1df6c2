"""Queries over conversations and messages."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from tandem.conversations.models import Conversation, ConversationToken, Message


@dataclass(frozen=True)
class ConversationFilter:
    owner: str | None = None
    queue: str | None = None
    priority: str | None = None
    customer_id: int | None = None
    assigned_agent_id: int | None = None
    updated_since: datetime | None = None
    before_id: int | None = None
    limit: int = 50


def get(session: Session, conversation_id: int) -> Conversation | None:
    return session.get(Conversation, conversation_id)


def get_for_update(session: Session, conversation_id: int) -> Conversation | None:
    # Row lock on PostgreSQL; SQLite already holds the database write lock (BEGIN IMMEDIATE).
    return session.get(Conversation, conversation_id, with_for_update=True)


def find(session: Session, flt: ConversationFilter) -> Sequence[Conversation]:
    query = select(Conversation)
    for column, value in (
        (Conversation.owner, flt.owner),
        (Conversation.queue, flt.queue),
        (Conversation.priority, flt.priority),
        (Conversation.customer_id, flt.customer_id),
        (Conversation.assigned_agent_id, flt.assigned_agent_id),
    ):
        if value is not None:
            query = query.where(column == value)
    if flt.updated_since is not None:
        query = query.where(Conversation.updated_at >= flt.updated_since)
    if flt.before_id is not None:
        query = query.where(Conversation.id < flt.before_id)
    return session.scalars(query.order_by(Conversation.id.desc()).limit(flt.limit)).all()


def messages(session: Session, conversation_id: int, public_only: bool = False) -> Sequence[Message]:
    query = select(Message).where(Message.conversation_id == conversation_id)
    if public_only:
        query = query.where(Message.visibility == "public")
    return session.scalars(query.order_by(Message.id)).all()


def replies_to(session: Session, message_id: int) -> Sequence[Message]:
    query = select(Message).where(Message.reply_to_id == message_id, Message.visibility == "public")
    return session.scalars(query.order_by(Message.id)).all()


def message_by_channel_id(session: Session, channel: str, channel_message_id: str) -> Message | None:
    query = select(Message).where(Message.channel == channel, Message.channel_message_id == channel_message_id)
    return session.scalars(query).first()


def conversation_id_for_token(session: Session, token_hash: str) -> int | None:
    query = select(ConversationToken.conversation_id).where(ConversationToken.token_hash == token_hash)
    return session.scalars(query).first()


def claim(session: Session, conversation_id: int, agent_id: int, from_owners: Sequence[str]) -> bool:
    """Atomically give an unassigned conversation to one agent: exactly one of two racing agents wins."""
    result = session.execute(
        update(Conversation)
        .where(
            Conversation.id == conversation_id,
            Conversation.owner.in_(from_owners),
            Conversation.assigned_agent_id.is_(None),
        )
        .values(owner="human", assigned_agent_id=agent_id)
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0) == 1)
