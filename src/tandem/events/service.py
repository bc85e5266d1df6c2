"""Append to the audit trail. There is deliberately no update or delete here (the database refuses too)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tandem.events.models import Event
from tandem.kit import clock


def record(
    session: Session,
    type: str,
    actor: str,
    conversation_id: int | None = None,
    **payload: Any,
) -> Event:
    event = Event(type=type, actor=actor, conversation_id=conversation_id, payload=payload, created_at=clock.now())
    session.add(event)
    return event


def for_conversation(session: Session, conversation_id: int) -> Sequence[Event]:
    query = select(Event).where(Event.conversation_id == conversation_id).order_by(Event.id)
    return session.scalars(query).all()


def of_type_since(session: Session, type: str, since: datetime) -> Sequence[Event]:
    """Events of one type from `since` on (indexed by type and time), oldest first."""
    query = select(Event).where(Event.type == type, Event.created_at >= since).order_by(Event.id)
    return session.scalars(query).all()
