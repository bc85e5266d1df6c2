"""Queues people work from, and each hand-over with the decision and brief behind it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from tandem.kit import clock
from tandem.kit.db import Base
from tandem.kit.types import JSONType, UTCDateTime


class Queue(Base):
    __tablename__ = "work_queue"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    description: Mapped[str] = mapped_column(Text, default="")
    skills: Mapped[list[str]] = mapped_column(JSONType, default=list)
    avg_handle_minutes: Mapped[int] = mapped_column(Integer, default=8)


class Handoff(Base):
    __tablename__ = "handoff"

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversation.id", ondelete="CASCADE"), index=True)
    trigger_message_id: Mapped[int | None] = mapped_column(ForeignKey("message.id", ondelete="SET NULL"), index=True)
    primary_reason: Mapped[str] = mapped_column(String(64))
    reasons: Mapped[list[str]] = mapped_column(JSONType, default=list)
    queue: Mapped[str] = mapped_column(String(64))
    priority: Mapped[str] = mapped_column(String(10))
    decision: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    brief: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    customer_notice: Mapped[str] = mapped_column(Text, default="")
    expected_wait_seconds: Mapped[int | None] = mapped_column(Integer)
    # Outside business hours there is no honest wait in minutes: this says when people are back instead.
    people_back_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    assigned_agent_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    accepted_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))
