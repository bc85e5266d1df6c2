"""Campaigns sent to a segment, and who each one reached (so nobody hears the same thing twice)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tandem.kit import clock
from tandem.kit.db import Base
from tandem.kit.types import JSONType, UTCDateTime

KINDS = ("onboarding", "known_issue")
ONBOARDING_TOPIC = "onboarding"


class CareCampaign(Base):
    __tablename__ = "care_campaign"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The sender's idempotency key: sending the same key again contacts nobody.
    key: Mapped[str] = mapped_column(String(80), unique=True)
    kind: Mapped[str] = mapped_column(String(20))
    # What a customer is told about: "onboarding", or the known issue's key. One message per topic per customer.
    topic: Mapped[str] = mapped_column(String(80), index=True)
    # The validated request as sent: the audit of what was asked for, and how a replay is recognised.
    request: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    matched: Mapped[int] = mapped_column(Integer, default=0)
    sent: Mapped[int] = mapped_column(Integer, default=0)
    skipped: Mapped[dict[str, int]] = mapped_column(JSONType, default=dict)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)


class CareRecipient(Base):
    __tablename__ = "care_recipient"
    __table_args__ = (
        # The database, not only the code, refuses a second message about the same topic to one customer.
        UniqueConstraint("topic", "customer_id", name="uq_care_recipient_topic_customer"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("care_campaign.id", ondelete="CASCADE"), index=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id", ondelete="CASCADE"), index=True)
    conversation_id: Mapped[int | None] = mapped_column(ForeignKey("conversation.id", ondelete="SET NULL"))
    topic: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
