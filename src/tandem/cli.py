"""The `tandem` command line."""

from __future__ import annotations

import importlib
import sys
from typing import Annotated

import typer
from pydantic import ValidationError

from tandem.kit.db import make_engine, make_sessionmaker, unit_of_work
from tandem.kit.settings import get_settings

app = typer.Typer(
    help="tandem: a Human + AI customer-support desk.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
demo_app = typer.Typer(help="The demo workspace.", no_args_is_help=True)
users_app = typer.Typer(help="Console users.", no_args_is_help=True)
models_app = typer.Typer(help="Local models (built on this machine, never downloaded).", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(demo_app, name="demo")
app.add_typer(users_app, name="users")
app.add_typer(models_app, name="models")


def _fail(message: str, code: int = 2) -> typer.Exit:
    typer.secho(message, err=True, fg=typer.colors.RED)
    return typer.Exit(code)


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Interface to bind (default from settings).")] = None,
    port: Annotated[int | None, typer.Option(help="Port (default from settings).")] = None,
    banner: Annotated[bool, typer.Option(help="Print the URLs and demo logins first.")] = False,
) -> None:
    """Start the desk."""
    import uvicorn

    from tandem.app import create_app
    from tandem.kit.errors import NotMigrated

    settings = get_settings()
    host, port = host or settings.host, port or settings.port
    try:
        application = create_app(settings)
    except NotMigrated as exc:
        raise _fail(str(exc)) from exc
    if banner:
        _print_banner(host, port)
    uvicorn.run(application, host=host, port=port, log_level="warning", access_log=False)


def _print_banner(host: str, port: int) -> None:
    from tandem.demo.seed import demo_logins

    base = f"http://{host}:{port}"
    typer.echo(f"\n  tandem is running at {base}\n")
    typer.echo(f"  Customer chat  {base}/            (the demo shop, with the chat widget)")
    typer.echo(f"  Agent console  {base}/console")
    typer.echo(f"  Supervisor     {base}/console/supervisor")
    typer.echo(f"  API            {base}/api/v1   (OpenAPI docs: {base}/docs)")
    typer.echo(f"  Health         {base}/api/v1/health\n")
    typer.echo("  Demo logins (local demo data only):")
    for email, role, password in demo_logins():
        typer.echo(f"    {role:<11} {email:<36} {password}")
    typer.echo("\n  Press Ctrl+C to stop.\n")


@db_app.command("upgrade")
def db_upgrade(revision: Annotated[str, typer.Argument(help="Target revision.")] = "head") -> None:
    """Create or migrate the database schema (safe to run again)."""
    from tandem.kit.migrate import upgrade

    settings = get_settings()
    upgrade(settings.database_url, revision)
    typer.echo(f"database is at {revision}: {make_engine(settings.database_url).url.render_as_string()}")


@demo_app.command("seed")
def demo_seed(
    if_empty: Annotated[bool, typer.Option("--if-empty", help="Do nothing if the workspace has users.")] = False,
) -> None:
    """Fill the workspace with the demo store (fixed seed: the same data everywhere)."""
    from tandem.demo.seed import is_seeded, seed
    from tandem.kit.errors import NotMigrated
    from tandem.kit.migrate import ensure_migrated

    settings = get_settings()
    engine = make_engine(settings.database_url)
    try:
        ensure_migrated(engine)
    except NotMigrated as exc:
        raise _fail(str(exc)) from exc
    with unit_of_work(make_sessionmaker(engine)) as session:
        if is_seeded(session):
            if if_empty:
                typer.echo("demo workspace already present: nothing to do")
                return
            raise _fail("The workspace already has data; seeding twice would duplicate it.")
        counts = seed(session)
    typer.echo("demo workspace seeded: " + ", ".join(f"{n} {k}" for k, n in counts.items()))


@users_app.command("create")
def users_create(
    email: Annotated[str, typer.Option(help="Sign-in email.")],
    name: Annotated[str, typer.Option(help="Display name.")],
    role: Annotated[str, typer.Option(help="agent, supervisor or admin.")] = "agent",
    queues: Annotated[str, typer.Option(help="Comma-separated queues.")] = "",
    capacity: Annotated[int, typer.Option(min=0, max=50)] = 3,
    password: Annotated[str | None, typer.Option(help="Prompted for if omitted.")] = None,
) -> None:
    """Create a console user."""
    from tandem.kit.errors import TandemError
    from tandem.users import service
    from tandem.users.schemas import UserCreate

    if password is None:
        if not sys.stdin.isatty():
            raise _fail("Give --password, or run in a terminal to be prompted.")
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        data = UserCreate(
            email=email,
            name=name,
            role=role,
            password=password,
            capacity=capacity,
            queues=[q.strip() for q in queues.split(",") if q.strip()],
        )
    except ValidationError as exc:
        raise _fail("invalid user: " + "; ".join(f"{e['loc'][0]}: {e['msg']}" for e in exc.errors())) from exc
    engine = make_engine(get_settings().database_url)
    try:
        with unit_of_work(make_sessionmaker(engine)) as session:
            user = service.create_user(session, data, "cli")
            typer.echo(f"created {user.role} {user.email} (id {user.id})")
    except TandemError as exc:
        raise _fail(exc.message) from exc


@models_app.command("build")
def models_build(
    if_missing: Annotated[bool, typer.Option("--if-missing", help="Skip models that are already built.")] = False,
) -> None:
    """Build the local models (sentence encoder graph, default intent model) into TANDEM_MODELS_DIR."""
    try:
        build = importlib.import_module("tandem.triage.build")
    except ModuleNotFoundError:
        typer.echo("no local models to build")
        return
    for line in build.build_models(if_missing=if_missing):
        typer.echo(line)


# Domains that add commands expose `register(app)`: triage (triage, intents), hand-over (replay, policy),
# analytics (import, report).
COMMAND_MODULES = ("tandem.triage.cli", "tandem.handoff.cli", "tandem.analytics.cli", "tandem.care.cli")


def _register_optional_commands() -> None:
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            continue
        module.register(app)


_register_optional_commands()

if __name__ == "__main__":
    app()
