"""Commands: `tandem import complaints`, `tandem report`, `tandem analytics refresh|topics`.

Each command is a boundary: it opens the store, runs services and commits.
"""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from tandem.kit import clock
from tandem.kit.cli import migrated_sessionmaker

if TYPE_CHECKING:
    from tandem.analytics.schemas import TopicBuildOut

FormatOption = Annotated[str, typer.Option("--format", "-f", help="generic or cfpb (the US CFPB export as-is).")]


def register(app: typer.Typer) -> None:
    import_app = typer.Typer(help="Bring history in from other systems.", no_args_is_help=True)
    import_app.command("complaints")(import_complaints)
    app.add_typer(import_app, name="import")
    app.command("report")(report)
    analytics_app = typer.Typer(help="Insight: outcome facts and topics.", no_args_is_help=True)
    analytics_app.command("refresh")(refresh)
    analytics_app.command("topics")(topics)
    app.add_typer(analytics_app, name="analytics")


def import_complaints(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True, help="A CSV file.")],
    fmt: FormatOption = "generic",
    batch: Annotated[int, typer.Option(min=1, max=100_000, help="Rows per transaction.")] = 1000,
    as_json: Annotated[bool, typer.Option("--json", help="Print the import report as JSON.")] = False,
) -> None:
    """Import complaint history from CSV, streamed in batches. Bad rows are skipped and counted, never half
    imported; running the same file again imports only what is missing."""
    from tandem.analytics.importer import import_complaints as run_import
    from tandem.kit.errors import TandemError

    factory = migrated_sessionmaker()

    def progress(read: int, imported: int) -> None:
        if not as_json and read % 50_000 < batch:
            typer.echo(f"  … {read:,} rows read, {imported:,} imported", err=True)

    try:
        with file.open("rb") as stream:
            result = run_import(factory, stream, fmt, batch_rows=batch, progress=progress)
    except TandemError as exc:
        typer.secho(exc.message, err=True, fg=typer.colors.RED)
        raise typer.Exit(2) from exc
    if as_json:
        typer.echo(result.model_dump_json(indent=2))
    else:
        typer.echo(
            f"{result.imported:,} imported, {result.skipped:,} skipped of {result.rows_read:,} rows ({result.seconds}s)"
        )
        for reason, count in result.skipped_by_reason.items():
            typer.echo(f"  skipped {count:,}: {reason}")
        for example in result.examples:
            typer.echo(f"    e.g. {example}")
    if result.stopped:
        typer.secho(result.stopped + " (run the same command again to resume)", err=True, fg=typer.colors.RED)
        raise typer.Exit(1)


def refresh() -> None:
    """Bring the outcome facts up to date with the event trail (the first run backfills everything)."""
    from tandem.analytics import service
    from tandem.kit.db import unit_of_work

    with unit_of_work(migrated_sessionmaker()) as session:
        result = service.refresh(session)
    typer.echo(f"outcome facts refreshed: {result.conversations:,} conversations, up to event {result.up_to_event_id}")


def topics(
    source: Annotated[str, typer.Option(help="complaints or conversations.")] = "complaints",
    since: Annotated[str, typer.Option(help="Texts from this far back: 90d, 12w or a date.")] = "90d",
    count: Annotated[int | None, typer.Option("--topics", min=2, max=200, help="Fixed number of topics.")] = None,
) -> None:
    """Discover topics in complaint or conversation texts and store them (names people gave are kept)."""
    typer.echo(json.dumps(_build_topics(source, since, count).model_dump(), indent=2))


def _build_topics(source: str, since: str, count: int | None) -> TopicBuildOut:
    from tandem.analytics import service, topic_service
    from tandem.analytics.embedding import load_embedder
    from tandem.analytics.periods import window
    from tandem.analytics.settings import get_analytics_settings
    from tandem.kit.db import unit_of_work

    if source not in ("complaints", "conversations"):
        typer.secho("--source must be complaints or conversations", err=True, fg=typer.colors.RED)
        raise typer.Exit(2)
    settings = get_analytics_settings()
    with unit_of_work(migrated_sessionmaker()) as session:
        service.refresh(session)
        win = window(since, None, clock.now())
        return topic_service.build(session, source, win, load_embedder(settings), settings, count)


def report(
    since: Annotated[str, typer.Option(help="Window start: 30d, 12w, 24h or a date.")] = "30d",
    until: Annotated[str | None, typer.Option(help="Window end (default now).")] = None,
    out: Annotated[Path, typer.Option(help="The HTML file to write.")] = Path("report.html"),
    csv_dir: Annotated[Path | None, typer.Option(help="Also write every table as CSV into this folder.")] = None,
    current: Annotated[str, typer.Option(help="The period compared against the rest for spikes.")] = "7d",
    rebuild_topics: Annotated[bool, typer.Option(help="Rediscover topics in the window first.")] = True,
    with_vulnerable: Annotated[
        bool, typer.Option(help="Include aggregate outcomes for customers in vulnerable circumstances.")
    ] = False,
) -> None:
    """Write a self-contained HTML report (inline CSS and charts; safe to email) and optionally CSVs."""
    from tandem.analytics import render, service, topic_service
    from tandem.analytics import report as reporting
    from tandem.analytics.embedding import load_embedder
    from tandem.analytics.periods import parse_moment, window
    from tandem.analytics.settings import get_analytics_settings
    from tandem.kit.db import unit_of_work
    from tandem.kit.errors import TandemError

    settings = get_analytics_settings()
    factory = migrated_sessionmaker()
    now = clock.now()
    try:
        win = window(since, until, now)
        period: timedelta = now - parse_moment(current, now)
        with unit_of_work(factory) as session:
            service.refresh(session)
            if rebuild_topics:
                for source in ("complaints", "conversations"):
                    built = topic_service.build(session, source, win, load_embedder(settings), settings)
                    typer.echo(
                        f"{source}: {built.topics} topics in {built.documents:,} texts ({built.embedder})", err=True
                    )
        with unit_of_work(factory) as session:
            document = reporting.build_report(
                session, win, settings, load_embedder(settings), current=period, with_vulnerable=with_vulnerable
            )
    except TandemError as exc:
        typer.secho(exc.message, err=True, fg=typer.colors.RED)
        raise typer.Exit(2) from exc
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(render.render_html(document), encoding="utf-8")
    typer.echo(f"report written: {out}")
    if csv_dir is not None:
        written = render.write_csvs(document, csv_dir)
        typer.echo(f"{len(written)} tables written as CSV into {csv_dir}")
