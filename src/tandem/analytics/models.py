"""Analytics tables: imported complaint history, per-conversation outcome facts, topics and the root-cause
taxonomy. Everything here is derived from or kept beside the live desk; nothing here drives it.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from tandem.kit import clock
from tandem.kit.db import Base
from tandem.kit.types import JSONType, UTCDateTime

COMPLAINT_SOURCES = ("generic", "cfpb")
TOPIC_SOURCES = ("complaints", "conversations")
PATHS = ("ai_only", "handed_over", "human_only")
WAITING = "handed_over AND time_to_human_s IS NULL AND resolved_at IS NULL"
RATED = "rating_comment IS NOT NULL"


class ComplaintRecord(Base):
    """A complaint imported from another system (history, not a live conversation)."""

    __tablename__ = "complaint_record"
    __table_args__ = (
        UniqueConstraint("source", "external_id", name="uq_complaint_record_source_external_id"),
        Index("ix_complaint_record_received_at", "received_at"),
        Index("ix_complaint_record_customer_received", "customer_ref", "received_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(20))
    external_id: Mapped[str] = mapped_column(String(128))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    customer_ref: Mapped[str | None] = mapped_column(String(128))
    channel: Mapped[str] = mapped_column(String(40), default="")
    product: Mapped[str] = mapped_column(String(200), default="")
    category: Mapped[str] = mapped_column(String(200), default="")
    outcome: Mapped[str] = mapped_column(String(200), default="")
    satisfaction: Mapped[int | None] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    # Everything else the source file said about the complaint (CFPB: sub-issue, state, dispute…).
    attributes: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    topic_id: Mapped[int | None] = mapped_column(ForeignKey("analytics_topic.id", ondelete="SET NULL"), index=True)
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)


class AnalyticsTopic(Base):
    """A cluster of similar complaint or conversation texts, named by its distinctive terms."""

    __tablename__ = "analytics_topic"

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(20), index=True)
    name: Mapped[str] = mapped_column(String(200))
    # "auto" until a person renames it; a rebuild then keeps the person's name.
    named_by: Mapped[str] = mapped_column(String(64), default="auto")
    terms: Mapped[list[str]] = mapped_column(JSONType, default=list)
    examples: Mapped[list[str]] = mapped_column(JSONType, default=list)
    # The intents, products or categories its texts carry, with shares: {"intent": [["card_arrival", 0.8]]}.
    links: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    size: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)


class ConversationTopic(Base):
    __tablename__ = "conversation_topic"

    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversation.id", ondelete="CASCADE"), primary_key=True)
    topic_id: Mapped[int] = mapped_column(ForeignKey("analytics_topic.id", ondelete="CASCADE"), index=True)


class RootCause(Base):
    """One entry of the editable root-cause taxonomy. A merged cause points at the cause it became."""

    __tablename__ = "root_cause"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("root_cause.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)


class TopicCause(Base):
    """Which root cause a topic is filed under (one per topic)."""

    __tablename__ = "topic_cause"

    topic_id: Mapped[int] = mapped_column(ForeignKey("analytics_topic.id", ondelete="CASCADE"), primary_key=True)
    cause_id: Mapped[int] = mapped_column(ForeignKey("root_cause.id", ondelete="CASCADE"), index=True)
    mapped_by: Mapped[str] = mapped_column(String(64), default="")
    mapped_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)


class ConversationOutcome(Base):
    """One row of outcome facts per conversation, derived from its event trail (see `metrics.py`)."""

    __tablename__ = "conversation_outcome"
    __table_args__ = (
        Index("ix_conversation_outcome_started_at", "started_at"),
        Index("ix_conversation_outcome_customer_started", "customer_id", "started_at"),
        # Few rows match (handed over, nobody has answered yet): the dashboard counts them without a scan.
        Index(
            "ix_conversation_outcome_waiting",
            "handed_over_at",
            postgresql_where=text(WAITING),
            sqlite_where=text(WAITING),
        ),
        # Comment themes read the commented conversations of a window in sample-key order, a few hundred.
        Index(
            "ix_conversation_outcome_rated_sample",
            "rating_sample_key",
            "started_at",
            postgresql_where=text(RATED),
            sqlite_where=text(RATED),
        ),
    )

    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversation.id", ondelete="CASCADE"), primary_key=True)
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customer.id", ondelete="SET NULL"))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Stored so grouping by day or ISO week is the same plain GROUP BY on SQLite and PostgreSQL.
    started_day: Mapped[date] = mapped_column(Date)
    started_week: Mapped[date] = mapped_column(Date)
    channel: Mapped[str] = mapped_column(String(20), default="web")
    queue: Mapped[str | None] = mapped_column(String(64))
    intent: Mapped[str | None] = mapped_column(String(100))
    path: Mapped[str] = mapped_column(String(20), default="ai_only")
    complaint: Mapped[bool] = mapped_column(Boolean, default=False)
    customer_messages: Mapped[int] = mapped_column(Integer, default=0)
    ai_resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ai_resolved: Mapped[bool] = mapped_column(Boolean, default=False)
    confirmed: Mapped[bool] = mapped_column(Boolean, default=False)
    came_back: Mapped[bool] = mapped_column(Boolean, default=False)
    false_containment: Mapped[bool] = mapped_column(Boolean, default=False)
    repeat_contact: Mapped[bool] = mapped_column(Boolean, default=False)
    handed_over: Mapped[bool] = mapped_column(Boolean, default=False)
    handed_over_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    handover_reason: Mapped[str | None] = mapped_column(String(64))
    first_response_s: Mapped[float | None] = mapped_column(Float)
    time_to_human_s: Mapped[float | None] = mapped_column(Float)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolution_s: Mapped[float | None] = mapped_column(Float)
    satisfaction: Mapped[int | None] = mapped_column(Integer)
    frustration_start: Mapped[float | None] = mapped_column(Float)
    frustration_end: Mapped[float | None] = mapped_column(Float)
    repeated_fact: Mapped[bool] = mapped_column(Boolean, default=False)
    repeated_kinds: Mapped[list[str]] = mapped_column(JSONType, default=list)
    # The customer's latest rating that came with a comment (the themes read these, not the event trail).
    rating_score: Mapped[int | None] = mapped_column(Integer)
    rating_comment: Mapped[str | None] = mapped_column(Text)
    rating_sample_key: Mapped[int | None] = mapped_column(BigInteger)
    refreshed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)


class AnalyticsWatermark(Base):
    """How far through the event trail the outcome facts are (see `service.refresh`)."""

    __tablename__ = "analytics_watermark"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    last_event_id: Mapped[int] = mapped_column(Integer, default=0)
    # Ids at or below `last_event_id` that were not visible yet (a transaction still open, or rolled back):
    # the next refresh reads these and the ids above the mark, nothing it has already folded in.
    pending_ids: Mapped[list[int]] = mapped_column(JSONType, default=list)
    refreshed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class OutcomeRollup(Base):
    """Outcome facts summed per day and dashboard dimension, so a month is a few thousand rows, not a scan
    of every conversation. Rebuilt per day from `conversation_outcome` whenever a fact of that day changes.

    Durations are kept as raw float64 values (little-endian bytes), not averages, so medians, percentiles
    and "within target" counts stay exact whatever the targets are set to.
    """

    __tablename__ = "conversation_outcome_daily"
    __table_args__ = (Index("ix_conversation_outcome_daily_day", "started_day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    started_day: Mapped[date] = mapped_column(Date)
    started_week: Mapped[date] = mapped_column(Date)
    channel: Mapped[str] = mapped_column(String(20))
    queue: Mapped[str | None] = mapped_column(String(64))
    intent: Mapped[str | None] = mapped_column(String(100))
    path: Mapped[str] = mapped_column(String(20))
    handover_reason: Mapped[str | None] = mapped_column(String(64))
    conversations: Mapped[int] = mapped_column(Integer, default=0)
    ai_resolved: Mapped[int] = mapped_column(Integer, default=0)
    confirmed: Mapped[int] = mapped_column(Integer, default=0)
    false_containment: Mapped[int] = mapped_column(Integer, default=0)
    confirmed_and_stayed: Mapped[int] = mapped_column(Integer, default=0)
    handed_over: Mapped[int] = mapped_column(Integer, default=0)
    repeat_contact: Mapped[int] = mapped_column(Integer, default=0)
    complaints: Mapped[int] = mapped_column(Integer, default=0)
    repeated_fact: Mapped[int] = mapped_column(Integer, default=0)
    # {"order_id": 3}: handed-over conversations in which the customer repeated each kind of fact.
    repeated_kinds: Mapped[dict[str, int]] = mapped_column(JSONType, default=dict)
    rated: Mapped[int] = mapped_column(Integer, default=0)
    # Conversations whose rating came with a comment (the satisfaction report's comment count).
    commented: Mapped[int] = mapped_column(Integer, default=0)
    satisfaction_sum: Mapped[int] = mapped_column(Integer, default=0)
    emotion_n: Mapped[int] = mapped_column(Integer, default=0)
    frustration_start_sum: Mapped[float] = mapped_column(Float, default=0.0)
    frustration_end_n: Mapped[int] = mapped_column(Integer, default=0)
    frustration_end_sum: Mapped[float] = mapped_column(Float, default=0.0)
    frustration_eased: Mapped[int] = mapped_column(Integer, default=0)
    frustration_rose: Mapped[int] = mapped_column(Integer, default=0)
    first_response_s: Mapped[bytes] = mapped_column(LargeBinary, default=b"")
    time_to_human_s: Mapped[bytes] = mapped_column(LargeBinary, default=b"")
    resolution_s: Mapped[bytes] = mapped_column(LargeBinary, default=b"")


class OutcomeDayStamp(Base):
    """A new random stamp for a day whenever its rollups (and so its outcome facts) are written: what the
    dashboard's cached reads of that day are keyed by (see `cache`). A day with no rollups has none."""

    __tablename__ = "conversation_outcome_day_stamp"

    started_day: Mapped[date] = mapped_column(Date, primary_key=True)
    stamp: Mapped[str] = mapped_column(String(32))
