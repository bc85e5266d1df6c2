"""What every domain's CLI commands share: opening the store the settings name, refusing an
un-migrated one with the message that says which command fixes it (exit code 2)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

if TYPE_CHECKING:
    from sqlalchemy.orm import Session, sessionmaker


def migrated_sessionmaker() -> sessionmaker[Session]:
    # Imported here: `tandem --help` should not pay for the database layer.
    from tandem.kit.db import make_engine, make_sessionmaker
    from tandem.kit.errors import NotMigrated
    from tandem.kit.migrate import ensure_migrated
    from tandem.kit.settings import get_settings

    engine = make_engine(get_settings().database_url)
    try:
        ensure_migrated(engine)
    except NotMigrated as exc:
        typer.secho(str(exc), err=True, fg=typer.colors.RED)
        raise typer.Exit(2) from exc
    return make_sessionmaker(engine)
