"""Conversations, their messages, and the per-conversation customer access token."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tandem.kit import clock
from tandem.kit.db import Base
from tandem.kit.types import JSONType, UTCDateTime

OWNERS = ("ai", "queued", "human", "resolved")
AUTHOR_KINDS = ("customer", "ai", "agent", "system")
VISIBILITY = ("public", "internal")
PRIORITIES = ("low", "normal", "high", "urgent")
CHANNELS = ("web", "email", "api", "phone", "social", "import")


class Conversation(Base):
    __tablename__ = "conversation"
    __table_args__ = (
        Index("ix_conversation_owner_priority", "owner", "priority", "updated_at"),
        Index("ix_conversation_queue_owner", "queue", "owner"),
        Index("ix_conversation_updated_at", "updated_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(20), default="web")
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customer.id", ondelete="SET NULL"), index=True)
    owner: Mapped[str] = mapped_column(String(20), default="ai")
    assigned_agent_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"), index=True)
    queue: Mapped[str | None] = mapped_column(String(64))
    priority: Mapped[str] = mapped_column(String(10), default="normal")
    subject: Mapped[str] = mapped_column(String(300), default="")
    # Hand-over state carried from turn to turn (misunderstandings in a row, emotion history…).
    state: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    handed_over_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    first_human_response_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    satisfaction: Mapped[int | None] = mapped_column(Integer)


class Message(Base):
    __tablename__ = "message"
    __table_args__ = (
        # Posting the same channel message twice must store it once.
        UniqueConstraint("channel", "channel_message_id", name="uq_message_channel_message_id"),
        Index("ix_message_conversation_created", "conversation_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversation.id", ondelete="CASCADE"))
    author_kind: Mapped[str] = mapped_column(String(20))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(Text)
    visibility: Mapped[str] = mapped_column(String(10), default="public")
    channel: Mapped[str] = mapped_column(String(20), default="web")
    channel_message_id: Mapped[str | None] = mapped_column(String(200))
    reply_to_id: Mapped[int | None] = mapped_column(ForeignKey("message.id", ondelete="SET NULL"), index=True)
    meta: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)


class ConversationToken(Base):
    """What a customer's widget holds: access to one conversation only. Only the hash is stored."""

    __tablename__ = "conversation_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversation.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
