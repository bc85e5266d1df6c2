"""The append-only audit trail: every state change, decision and human action."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from tandem.kit import clock
from tandem.kit.db import Base
from tandem.kit.types import JSONType, UTCDateTime


class Event(Base):
    __tablename__ = "event"
    __table_args__ = (
        Index("ix_event_conversation", "conversation_id", "id"),
        Index("ix_event_type_created", "type", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    type: Mapped[str] = mapped_column(String(64))
    # "customer", "ai", "system", "user:<id>", "api_key:<id>"
    actor: Mapped[str] = mapped_column(String(64))
    conversation_id: Mapped[int | None] = mapped_column(ForeignKey("conversation.id"))
    payload: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
