"""`tandem replay` and `tandem policy simulate | check`.

    tandem replay conversations.jsonl --json               # a throwaway database, the real pipeline
    tandem replay conversations.jsonl --json --database sqlite:///var/try.db
    tandem policy check rules.yaml                         # errors name the line; exit 2
    tandem policy simulate --rules rules.yaml --since 30d  # what would change; writes nothing

A replay line is {"id", "customer": {"tier", "lifetime_value", "lifetime_spend", "prior_exceptions",
"customer_since"}?, "turns": ["customer message", ...]}; each prints one JSON line, a bad line prints
{"id", "line", "error"} and the others still run.
"""

from __future__ import annotations

import json
import re
import sys
import tempfile
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any

import typer

from tandem.handoff.rules import RulesError, RuleSet, parse_rules
from tandem.kit import clock
from tandem.kit.db import make_engine, make_sessionmaker
from tandem.kit.errors import NotMigrated
from tandem.kit.settings import Settings, get_settings

policy_app = typer.Typer(help="Hand-over rules: check a rules file, or simulate a change on past conversations.")
_SINCE = re.compile(r"^(\d+)([hdw])$")
_UNITS = {"h": "hours", "d": "days", "w": "weeks"}


def register(app: typer.Typer) -> None:
    app.command("replay")(replay)
    app.add_typer(policy_app, name="policy", no_args_is_help=True)


def _fail(message: str, code: int = 2) -> typer.Exit:
    typer.secho(message, err=True, fg=typer.colors.RED)
    return typer.Exit(code)


def replay(
    file: Annotated[Path, typer.Argument(help="JSONL: one conversation a line.", exists=True, dir_okay=False)],
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object a line (the stable format).")] = False,
    database: Annotated[
        str | None, typer.Option(help="Replay into this (migrated) database instead of a throwaway one.")
    ] = None,
) -> None:
    """Run conversations through the full pipeline, turn by turn, and print what happened."""
    with tempfile.TemporaryDirectory(prefix="tandem-replay-") as scratch:
        url = database or _throwaway_database(Path(scratch))
        settings = _settings_for(url)
        engine = make_engine(settings.database_url)
        try:
            _require_migrated(engine)
            from tandem.handoff.replay import Replayer, replay_all
            from tandem.stages import build_pipeline

            try:
                pipeline = build_pipeline(settings)
            except RuntimeError as exc:  # TriageSetupError says which command builds the models
                raise _fail(f"the pipeline cannot start: {exc}") from exc
            replayer = Replayer(make_sessionmaker(engine), pipeline, settings.max_message_chars)
            for result in replay_all(replayer, _numbered_lines(file)):
                typer.echo(json.dumps(result, ensure_ascii=False) if as_json else _replay_line(result))
        finally:
            engine.dispose()


def _throwaway_database(folder: Path) -> str:
    from tandem.kit.migrate import upgrade

    url = f"sqlite:///{folder / 'replay.db'}"
    upgrade(url)
    return url


def _settings_for(url: str) -> Settings:
    try:
        return get_settings().model_copy(update={"database_url": Settings(database_url=url).database_url})
    except ValueError as exc:
        raise _fail(f"invalid database URL: {exc}") from exc


def _require_migrated(engine: Any) -> None:
    from tandem.kit.migrate import ensure_migrated

    try:
        ensure_migrated(engine)
    except NotMigrated as exc:
        raise _fail(exc.message) from exc


def _numbered_lines(file: Path) -> Iterator[tuple[int, str]]:
    with file.open(encoding="utf-8", errors="replace") as lines:
        yield from enumerate(lines, start=1)


def _replay_line(result: dict[str, Any]) -> str:
    if "error" in result:
        return f"line {result['line']}: {result['error']}"
    final = result["final"]
    if final["owner"] != "human":
        return f"{result['id']}: stays with the AI ({len(result['turns'])} turns)"
    reasons = ", ".join(final["reasons"]) or "no reason"
    return f"{result['id']}: handed over at turn {final['handover_turn']} to {final['queue']} ({reasons})"


@policy_app.command("check")
def policy_check(file: Annotated[Path, typer.Argument(help="A hand-over rules YAML file.")]) -> None:
    """Validate a rules file; errors name the line. Exit 2 when it cannot be used."""
    rules = _load_rules(file)
    enabled = len(rules.enabled)
    typer.echo(f"ok: {file.name}: {len(rules.rules)} rules ({enabled} enabled), {len(rules.queues)} queues")


@policy_app.command("simulate")
def policy_simulate(
    rules: Annotated[Path, typer.Option("--rules", help="The candidate rules file.")],
    since: Annotated[str, typer.Option(help="How far back: 12h, 30d, 8w.")] = "30d",
    database: Annotated[str | None, typer.Option(help="Database URL (default: the configured one).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Re-decide stored conversations with other rules and report what would change. Writes nothing."""
    from tandem.handoff.policy import active_rules_path, load_rules
    from tandem.handoff.simulate import compare, stored_conversations

    candidate = _load_rules(rules)
    settings = _settings_for(database) if database else get_settings()
    try:
        current = load_rules(active_rules_path(settings.workspace_dir, settings.handoff_rules))
    except (OSError, RulesError) as exc:
        raise _fail(f"the current rules cannot be read: {exc}") from exc
    window = _window(since)
    engine = make_engine(settings.database_url)
    try:
        _require_migrated(engine)
        session = make_sessionmaker(engine)()
        try:
            conversations = list(stored_conversations(session, clock.now() - window))
        finally:
            session.rollback()  # reads only: nothing to keep
            session.close()
    finally:
        engine.dispose()
    report = {
        "since": since,
        "rules": {"before": current.source, "after": candidate.source},
        **compare(conversations, current, candidate),
    }
    typer.echo(json.dumps(report, ensure_ascii=False) if as_json else _simulation_text(report))


def _load_rules(file: Path) -> RuleSet:
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as exc:
        raise _fail(f"{file}: cannot read: {exc.strerror or exc}") from exc
    try:
        return parse_rules(text, source=file.name)
    except RulesError as exc:
        raise _fail(str(exc)) from exc


def _window(since: str) -> timedelta:
    match = _SINCE.match(since.strip().lower())
    if match is None:
        raise _fail(f"--since must look like 12h, 30d or 8w, not {since!r}")
    return timedelta(**{_UNITS[match.group(2)]: int(match.group(1))})


def _simulation_text(report: dict[str, Any]) -> str:
    lines = [
        f"{report['conversations']} conversations, {report['turns']} customer turns since {report['since']} "
        f"({report['rules']['before']} → {report['rules']['after']})",
        f"handed over: {report['handed_over']['before']} → {report['handed_over']['after']}",
        "reason                       before  after  change",
    ]
    for code, row in report["reasons"].items():
        lines.append(f"{code:<28} {row['before']:>6} {row['after']:>6} {row['change']:>+7}")
    lines.append(
        f"owner flips: {report['owner_flips']['to_human']} to a person, {report['owner_flips']['to_ai']} to the AI"
    )
    for flip in report["flips"]:
        before, after = flip["before"], flip["after"]
        lines.append(
            f"  conversation {flip['conversation_id']}: {before['owner']} {before['reasons']} → "
            f"{after['owner']} {after['reasons']}"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    # `python -m tandem.handoff.cli replay …` works even when another domain's commands fail to load.
    standalone = typer.Typer(no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False)
    register(standalone)
    standalone(args=sys.argv[1:])
