"""analytics: daily outcome rollups, pending event ids, sampled rating comments on outcome facts

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23 02:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy import Text
from sqlalchemy.dialects import postgresql

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), "postgresql")
WAITING = "handed_over AND time_to_human_s IS NULL AND resolved_at IS NULL"
RATED = "rating_comment IS NOT NULL"


def upgrade() -> None:
    op.create_table(
        "conversation_outcome_daily",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("started_day", sa.Date(), nullable=False),
        sa.Column("started_week", sa.Date(), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("queue", sa.String(length=64), nullable=True),
        sa.Column("intent", sa.String(length=100), nullable=True),
        sa.Column("path", sa.String(length=20), nullable=False),
        sa.Column("handover_reason", sa.String(length=64), nullable=True),
        *(
            sa.Column(name, sa.Integer(), nullable=False)
            for name in (
                "conversations",
                "ai_resolved",
                "confirmed",
                "false_containment",
                "confirmed_and_stayed",
                "handed_over",
                "repeat_contact",
                "complaints",
                "repeated_fact",
            )
        ),
        sa.Column("repeated_kinds", JSON, nullable=False),
        sa.Column("rated", sa.Integer(), nullable=False),
        sa.Column("satisfaction_sum", sa.Integer(), nullable=False),
        sa.Column("emotion_n", sa.Integer(), nullable=False),
        sa.Column("frustration_start_sum", sa.Float(), nullable=False),
        sa.Column("frustration_end_n", sa.Integer(), nullable=False),
        sa.Column("frustration_end_sum", sa.Float(), nullable=False),
        sa.Column("frustration_eased", sa.Integer(), nullable=False),
        sa.Column("frustration_rose", sa.Integer(), nullable=False),
        sa.Column("first_response_s", sa.LargeBinary(), nullable=False),
        sa.Column("time_to_human_s", sa.LargeBinary(), nullable=False),
        sa.Column("resolution_s", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_conversation_outcome_daily")),
    )
    with op.batch_alter_table("conversation_outcome_daily", schema=None) as batch_op:
        batch_op.create_index("ix_conversation_outcome_daily_day", ["started_day"], unique=False)
    with op.batch_alter_table("conversation_outcome", schema=None) as batch_op:
        batch_op.add_column(sa.Column("rating_score", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("rating_comment", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("rating_sample_key", sa.BigInteger(), nullable=True))
    op.create_index(
        "ix_conversation_outcome_waiting",
        "conversation_outcome",
        ["handed_over_at"],
        unique=False,
        postgresql_where=sa.text(WAITING),
        sqlite_where=sa.text(WAITING),
    )
    op.create_index(
        "ix_conversation_outcome_rated_sample",
        "conversation_outcome",
        ["rating_sample_key", "started_at"],
        unique=False,
        postgresql_where=sa.text(RATED),
        sqlite_where=sa.text(RATED),
    )
    with op.batch_alter_table("analytics_watermark", schema=None) as batch_op:
        batch_op.add_column(sa.Column("pending_ids", JSON, nullable=False, server_default="[]"))
    # Facts derived before this revision lack the rating comments and have no rollups: the next refresh
    # derives everything again from the event trail (replacing each row) and builds every day's rollup.
    op.execute("UPDATE analytics_watermark SET last_event_id = 0")


def downgrade() -> None:
    with op.batch_alter_table("analytics_watermark", schema=None) as batch_op:
        batch_op.drop_column("pending_ids")
    op.drop_index("ix_conversation_outcome_rated_sample", table_name="conversation_outcome")
    op.drop_index("ix_conversation_outcome_waiting", table_name="conversation_outcome")
    with op.batch_alter_table("conversation_outcome", schema=None) as batch_op:
        batch_op.drop_column("rating_sample_key")
        batch_op.drop_column("rating_comment")
        batch_op.drop_column("rating_score")
    with op.batch_alter_table("conversation_outcome_daily", schema=None) as batch_op:
        batch_op.drop_index("ix_conversation_outcome_daily_day")
    op.drop_table("conversation_outcome_daily")
    op.execute("UPDATE analytics_watermark SET last_event_id = 0")
