"""Shared fixtures: a migrated store on SQLite and (when configured) PostgreSQL, and a desk to talk to."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from tandem.kit.db import make_engine
from tandem.kit.migrate import upgrade
from tandem.kit.settings import normalise_database_url

POSTGRES_ENV = "TANDEM_TEST_POSTGRES_URL"
IN_CI = os.environ.get("CI", "").lower() == "true"
TABLES_TO_KEEP = {"alembic_version"}


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Migrate once per test session; each test gets a copy (much faster than migrating each time)."""
    path = tmp_path_factory.mktemp("store") / "template.db"
    upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture
def sqlite_url(sqlite_template: Path, tmp_path: Path) -> str:
    target = tmp_path / "tandem.db"
    shutil.copy(sqlite_template, target)
    return f"sqlite:///{target}"


@pytest.fixture(scope="session")
def postgres_server_url(worker_id: str, run_id: str) -> Iterator[str]:
    """One database per test run and xdist worker on the configured server, migrated once, dropped after."""
    base = os.environ.get(POSTGRES_ENV)
    if not base:
        pytest.skip(f"{POSTGRES_ENV} is not set: PostgreSQL store tests skipped")
    base = normalise_database_url(base)
    name = f"tandem_test_{run_id}_{worker_id}"
    try:
        admin = sa.create_engine(base, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
    except sa.exc.OperationalError as exc:
        if IN_CI:
            pytest.fail(f"PostgreSQL at {base} is unreachable under CI=true: {exc}")
        pytest.skip(f"PostgreSQL at {base} is unreachable: {exc}")
    url = base.rsplit("/", 1)[0] + f"/{name}"
    upgrade(url)
    yield url
    admin = sa.create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def postgres_url(postgres_server_url: str) -> str:
    engine = make_engine(postgres_server_url)
    with engine.begin() as conn:
        tables = [t for t in sa.inspect(conn).get_table_names() if t not in TABLES_TO_KEEP]
        # TRUNCATE does not fire the audit trail's row triggers, so it can clear it between tests.
        conn.execute(sa.text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
    engine.dispose()
    return postgres_server_url


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store_url(request: pytest.FixtureRequest) -> str:
    """Store-level tests run on both SQLite and PostgreSQL."""
    fixture = "sqlite_url" if request.param == "sqlite" else "postgres_url"
    url: str = request.getfixturevalue(fixture)
    return url


@pytest.fixture(scope="session")
def run_id(request: pytest.FixtureRequest) -> str:
    """Shared by the workers of one run, different between runs (two runs at once must not collide)."""
    workerinput = getattr(request.config, "workerinput", None)
    uid = workerinput["testrunuid"] if workerinput else f"{os.getpid():x}"
    return str(uid)[:10].lower()


@pytest.fixture(scope="session")
def worker_id(request: pytest.FixtureRequest) -> str:
    # pytest-xdist provides worker_id; without it (plain pytest) we are the only worker.
    workerinput = getattr(request.config, "workerinput", None)
    return str(workerinput["workerid"]) if workerinput else "main"
