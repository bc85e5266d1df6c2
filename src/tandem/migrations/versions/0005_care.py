"""care: proactive campaigns and who each one reached

Revision ID: 0005
Revises: 0007
Create Date: 2026-11-24 09:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy import Text
from sqlalchemy.dialects import postgresql

import tandem.kit.types

revision: str = "0005"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "care_campaign",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=80), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("topic", sa.String(length=80), nullable=False),
        sa.Column(
            "request", sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), "postgresql"), nullable=False
        ),
        sa.Column("matched", sa.Integer(), nullable=False),
        sa.Column("sent", sa.Integer(), nullable=False),
        sa.Column(
            "skipped", sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), "postgresql"), nullable=False
        ),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", tandem.kit.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_care_campaign")),
        sa.UniqueConstraint("key", name=op.f("uq_care_campaign_key")),
    )
    with op.batch_alter_table("care_campaign", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_care_campaign_topic"), ["topic"], unique=False)

    op.create_table(
        "care_recipient",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.Integer(), nullable=True),
        sa.Column("topic", sa.String(length=80), nullable=False),
        sa.Column("created_at", tandem.kit.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["care_campaign.id"],
            name=op.f("fk_care_recipient_campaign_id_care_campaign"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversation.id"],
            name=op.f("fk_care_recipient_conversation_id_conversation"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customer.id"], name=op.f("fk_care_recipient_customer_id_customer"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_care_recipient")),
        sa.UniqueConstraint("topic", "customer_id", name="uq_care_recipient_topic_customer"),
    )
    with op.batch_alter_table("care_recipient", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_care_recipient_campaign_id"), ["campaign_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_care_recipient_customer_id"), ["customer_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("care_recipient", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_care_recipient_customer_id"))
        batch_op.drop_index(batch_op.f("ix_care_recipient_campaign_id"))

    op.drop_table("care_recipient")
    with op.batch_alter_table("care_campaign", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_care_campaign_topic"))

    op.drop_table("care_campaign")
