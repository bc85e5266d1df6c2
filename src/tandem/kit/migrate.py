"""Run and check Alembic migrations from code (the CLI, the app's start-up check, tests)."""

from __future__ import annotations

from importlib.resources import files

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from tandem.kit.errors import NotMigrated

FIX_COMMAND = "tandem db upgrade"


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(files("tandem") / "migrations"))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(url), revision)


def head_revision(url: str) -> str | None:
    return ScriptDirectory.from_config(alembic_config(url)).get_current_head()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def ensure_migrated(engine: Engine) -> None:
    """Refuse to serve an un-migrated database, and say which command fixes it."""
    url = engine.url.render_as_string(hide_password=False)
    current, head = current_revision(engine), head_revision(url)
    if current != head:
        state = "has no tables yet" if current is None else f"is at revision {current}, not {head}"
        raise NotMigrated(
            f"The database {engine.url.render_as_string(hide_password=True)} {state}. "
            f"Run `{FIX_COMMAND}` (with the same TANDEM_DATABASE_URL) and start again."
        )
