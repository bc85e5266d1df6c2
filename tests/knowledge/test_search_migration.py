"""Migration 0007 on both stores: articles written before it are indexed by it, and it downgrades cleanly."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import command
from alembic.script import ScriptDirectory

from tandem.kit.db import make_engine
from tandem.kit.migrate import alembic_config
from tandem.knowledge import repository

REVISION = "0007"


def previous_revision(url: str) -> str:
    script = ScriptDirectory.from_config(alembic_config(url)).get_revision(REVISION)
    assert script is not None and isinstance(script.down_revision, str)
    return script.down_revision


def search_objects(engine: sa.Engine) -> list[str]:
    with engine.connect() as conn:
        if engine.dialect.name == "postgresql":
            found = conn.execute(
                sa.text(
                    "SELECT column_name FROM information_schema.columns WHERE table_name = 'kb_article' "
                    "AND column_name = 'search_vector' UNION ALL SELECT indexname FROM pg_indexes "
                    "WHERE indexname = 'ix_kb_article_search_vector'"
                )
            )
        else:
            found = conn.execute(sa.text("SELECT name FROM sqlite_master WHERE name LIKE 'kb_article_fts%'"))
        return sorted(row[0] for row in found)


def test_migration_indexes_existing_articles_and_downgrades(store_url):
    config = alembic_config(store_url)
    engine = make_engine(store_url)
    try:
        command.downgrade(config, previous_revision(store_url))
        assert search_objects(engine) == []
        with engine.begin() as conn:
            conn.execute(
                sa.text(
                    "INSERT INTO kb_article (slug, title, body, tags, published, updated_at) "
                    "VALUES ('gift-cards', 'Gift cards', 'Gift cards never expire.', '[\"voucher\"]', "
                    ":yes, CURRENT_TIMESTAMP)"
                ),
                {"yes": True},
            )
        command.upgrade(config, "head")
        assert search_objects(engine)
        with sa.orm.Session(engine) as session:
            assert list(repository.keyword_scores(session, ["voucher", "expire"])) == [1]
    finally:
        command.upgrade(config, "head")
        engine.dispose()
