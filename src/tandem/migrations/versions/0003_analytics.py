"""analytics: imported complaints, outcome facts, topics, root-cause taxonomy

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 09:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy import Text
from sqlalchemy.dialects import postgresql

import tandem.kit.types

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "analytics_topic",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("named_by", sa.String(length=64), nullable=False),
        sa.Column("terms", sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), "postgresql"), nullable=False),
        sa.Column(
            "examples", sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), "postgresql"), nullable=False
        ),
        sa.Column("links", sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), "postgresql"), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", tandem.kit.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", tandem.kit.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_analytics_topic")),
    )
    with op.batch_alter_table("analytics_topic", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_analytics_topic_source"), ["source"], unique=False)

    op.create_table(
        "analytics_watermark",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("last_event_id", sa.Integer(), nullable=False),
        sa.Column("refreshed_at", tandem.kit.types.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_analytics_watermark")),
    )
    # The outcome refresh locks this row; creating it here spares two first refreshes racing to insert it.
    op.execute("INSERT INTO analytics_watermark (name, last_event_id) VALUES ('conversation_outcome', 0)")
    op.create_table(
        "root_cause",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("merged_into_id", sa.Integer(), nullable=True),
        sa.Column("created_at", tandem.kit.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", tandem.kit.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["merged_into_id"],
            ["root_cause.id"],
            name=op.f("fk_root_cause_merged_into_id_root_cause"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_root_cause")),
        sa.UniqueConstraint("name", name=op.f("uq_root_cause_name")),
    )
    op.create_table(
        "complaint_record",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("external_id", sa.String(length=128), nullable=False),
        sa.Column("received_at", tandem.kit.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("customer_ref", sa.String(length=128), nullable=True),
        sa.Column("channel", sa.String(length=40), nullable=False),
        sa.Column("product", sa.String(length=200), nullable=False),
        sa.Column("category", sa.String(length=200), nullable=False),
        sa.Column("outcome", sa.String(length=200), nullable=False),
        sa.Column("satisfaction", sa.Integer(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column(
            "attributes", sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), "postgresql"), nullable=False
        ),
        sa.Column("topic_id", sa.Integer(), nullable=True),
        sa.Column("imported_at", tandem.kit.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["topic_id"],
            ["analytics_topic.id"],
            name=op.f("fk_complaint_record_topic_id_analytics_topic"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_complaint_record")),
        sa.UniqueConstraint("source", "external_id", name="uq_complaint_record_source_external_id"),
    )
    with op.batch_alter_table("complaint_record", schema=None) as batch_op:
        batch_op.create_index("ix_complaint_record_customer_received", ["customer_ref", "received_at"], unique=False)
        batch_op.create_index("ix_complaint_record_received_at", ["received_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_complaint_record_topic_id"), ["topic_id"], unique=False)

    op.create_table(
        "topic_cause",
        sa.Column("topic_id", sa.Integer(), nullable=False),
        sa.Column("cause_id", sa.Integer(), nullable=False),
        sa.Column("mapped_by", sa.String(length=64), nullable=False),
        sa.Column("mapped_at", tandem.kit.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["cause_id"], ["root_cause.id"], name=op.f("fk_topic_cause_cause_id_root_cause"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["topic_id"],
            ["analytics_topic.id"],
            name=op.f("fk_topic_cause_topic_id_analytics_topic"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("topic_id", name=op.f("pk_topic_cause")),
    )
    with op.batch_alter_table("topic_cause", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_topic_cause_cause_id"), ["cause_id"], unique=False)

    op.create_table(
        "conversation_outcome",
        sa.Column("conversation_id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=True),
        sa.Column("started_at", tandem.kit.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("started_day", sa.Date(), nullable=False),
        sa.Column("started_week", sa.Date(), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("queue", sa.String(length=64), nullable=True),
        sa.Column("intent", sa.String(length=100), nullable=True),
        sa.Column("path", sa.String(length=20), nullable=False),
        sa.Column("complaint", sa.Boolean(), nullable=False),
        sa.Column("customer_messages", sa.Integer(), nullable=False),
        sa.Column("ai_resolved_at", tandem.kit.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("ai_resolved", sa.Boolean(), nullable=False),
        sa.Column("confirmed", sa.Boolean(), nullable=False),
        sa.Column("came_back", sa.Boolean(), nullable=False),
        sa.Column("false_containment", sa.Boolean(), nullable=False),
        sa.Column("repeat_contact", sa.Boolean(), nullable=False),
        sa.Column("handed_over", sa.Boolean(), nullable=False),
        sa.Column("handed_over_at", tandem.kit.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("handover_reason", sa.String(length=64), nullable=True),
        sa.Column("first_response_s", sa.Float(), nullable=True),
        sa.Column("time_to_human_s", sa.Float(), nullable=True),
        sa.Column("resolved_at", tandem.kit.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("resolution_s", sa.Float(), nullable=True),
        sa.Column("satisfaction", sa.Integer(), nullable=True),
        sa.Column("frustration_start", sa.Float(), nullable=True),
        sa.Column("frustration_end", sa.Float(), nullable=True),
        sa.Column("repeated_fact", sa.Boolean(), nullable=False),
        sa.Column(
            "repeated_kinds", sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), "postgresql"), nullable=False
        ),
        sa.Column("refreshed_at", tandem.kit.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversation.id"],
            name=op.f("fk_conversation_outcome_conversation_id_conversation"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customer.id"],
            name=op.f("fk_conversation_outcome_customer_id_customer"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("conversation_id", name=op.f("pk_conversation_outcome")),
    )
    with op.batch_alter_table("conversation_outcome", schema=None) as batch_op:
        batch_op.create_index("ix_conversation_outcome_customer_started", ["customer_id", "started_at"], unique=False)
        batch_op.create_index("ix_conversation_outcome_started_at", ["started_at"], unique=False)

    op.create_table(
        "conversation_topic",
        sa.Column("conversation_id", sa.Integer(), nullable=False),
        sa.Column("topic_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversation.id"],
            name=op.f("fk_conversation_topic_conversation_id_conversation"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["topic_id"],
            ["analytics_topic.id"],
            name=op.f("fk_conversation_topic_topic_id_analytics_topic"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("conversation_id", name=op.f("pk_conversation_topic")),
    )
    with op.batch_alter_table("conversation_topic", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_conversation_topic_topic_id"), ["topic_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("conversation_topic", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_conversation_topic_topic_id"))

    op.drop_table("conversation_topic")
    with op.batch_alter_table("conversation_outcome", schema=None) as batch_op:
        batch_op.drop_index("ix_conversation_outcome_started_at")
        batch_op.drop_index("ix_conversation_outcome_customer_started")

    op.drop_table("conversation_outcome")
    with op.batch_alter_table("topic_cause", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_topic_cause_cause_id"))

    op.drop_table("topic_cause")
    with op.batch_alter_table("complaint_record", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_complaint_record_topic_id"))
        batch_op.drop_index("ix_complaint_record_received_at")
        batch_op.drop_index("ix_complaint_record_customer_received")

    op.drop_table("complaint_record")
    op.drop_table("root_cause")
    op.drop_table("analytics_watermark")
    with op.batch_alter_table("analytics_topic", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_analytics_topic_source"))

    op.drop_table("analytics_topic")
