"""knowledge search: full-text index over help articles

SQLite: an FTS5 table (porter stemming, bm25 ranking) whose rowid is the article id, kept in sync by
triggers on kb_article, so every writer (admin API, demo seed, raw SQL) is covered.
PostgreSQL: a stored generated tsvector column (title A, tags B, body C) with a GIN index; the database
recomputes it on every insert and update.

Existing articles are indexed here. Note for later migrations: a batch "move and copy" of kb_article on
SQLite drops its triggers; re-create them with `create_sqlite_triggers` after such a migration.

Revision ID: 0007
Revises: 0004
Create Date: 2026-11-24 09:00:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0007"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FTS_TABLE = "kb_article_fts"
TRIGGERS = ("kb_article_fts_insert", "kb_article_fts_update", "kb_article_fts_delete")
PG_VECTOR = (
    "setweight(to_tsvector('english', coalesce(title, '')), 'A') || "
    "setweight(to_tsvector('english', coalesce(tags::text, '')), 'B') || "
    "setweight(to_tsvector('english', coalesce(body, '')), 'C')"
)


def create_sqlite_triggers() -> None:
    op.execute(
        f"CREATE TRIGGER kb_article_fts_insert AFTER INSERT ON kb_article BEGIN "
        f"INSERT INTO {FTS_TABLE}(rowid, title, body, tags) VALUES (new.id, new.title, new.body, new.tags); END"
    )
    op.execute(
        f"CREATE TRIGGER kb_article_fts_update AFTER UPDATE ON kb_article BEGIN "
        f"DELETE FROM {FTS_TABLE} WHERE rowid = old.id; "
        f"INSERT INTO {FTS_TABLE}(rowid, title, body, tags) VALUES (new.id, new.title, new.body, new.tags); END"
    )
    op.execute(
        f"CREATE TRIGGER kb_article_fts_delete AFTER DELETE ON kb_article BEGIN "
        f"DELETE FROM {FTS_TABLE} WHERE rowid = old.id; END"
    )


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"ALTER TABLE kb_article ADD COLUMN search_vector tsvector GENERATED ALWAYS AS ({PG_VECTOR}) STORED")
        op.execute("CREATE INDEX ix_kb_article_search_vector ON kb_article USING gin (search_vector)")
        return
    op.execute(f"CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5(title, body, tags, tokenize = 'porter unicode61')")
    create_sqlite_triggers()
    op.execute(f"INSERT INTO {FTS_TABLE}(rowid, title, body, tags) SELECT id, title, body, tags FROM kb_article")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_kb_article_search_vector")
        op.execute("ALTER TABLE kb_article DROP COLUMN IF EXISTS search_vector")
        return
    for trigger in TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    op.execute(f"DROP TABLE IF EXISTS {FTS_TABLE}")
