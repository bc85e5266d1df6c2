"""analytics: commented ratings counted in the daily rollups, a stamp per day for the dashboard's cache

Revision ID: 0008
Revises: 0006
Create Date: 2026-11-23 03:30:00.000000
"""

import uuid
from collections import Counter
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DIMENSIONS = "started_day, started_week, channel, queue, intent, path, handover_reason"


def upgrade() -> None:
    with op.batch_alter_table("conversation_outcome_daily", schema=None) as batch_op:
        batch_op.add_column(sa.Column("commented", sa.Integer(), nullable=False, server_default="0"))
    op.create_table(
        "conversation_outcome_day_stamp",
        sa.Column("started_day", sa.Date(), nullable=False),
        sa.Column("stamp", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("started_day", name=op.f("pk_conversation_outcome_day_stamp")),
    )
    connection = op.get_bind()
    # Every day that has rollups gets a stamp: they change here, and a stamp is what a cached read needs.
    stamp = uuid.uuid4().hex
    connection.execute(
        sa.text(
            "INSERT INTO conversation_outcome_day_stamp (started_day, stamp) "
            "SELECT DISTINCT started_day, :stamp FROM conversation_outcome_daily"
        ),
        {"stamp": stamp},
    )
    # Count the commented ratings into the existing cells (matched in Python: NULL dimensions included)
    # rather than deriving every outcome again from the event trail.
    counts: Counter[tuple[object, ...]] = Counter()
    for row in connection.execute(
        sa.text(
            f"SELECT {DIMENSIONS}, count(*) FROM conversation_outcome "
            f"WHERE rating_comment IS NOT NULL GROUP BY {DIMENSIONS}"
        )
    ):
        counts[tuple(row[:-1])] += int(row[-1])
    updates = [
        {"id": row[0], "commented": counts[tuple(row[1:])]}
        for row in connection.execute(sa.text(f"SELECT id, {DIMENSIONS} FROM conversation_outcome_daily"))
        if counts.get(tuple(row[1:]))
    ]
    if updates:
        connection.execute(
            sa.text("UPDATE conversation_outcome_daily SET commented = :commented WHERE id = :id"), updates
        )


def downgrade() -> None:
    op.drop_table("conversation_outcome_day_stamp")
    with op.batch_alter_table("conversation_outcome_daily", schema=None) as batch_op:
        batch_op.drop_column("commented")
