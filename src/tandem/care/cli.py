"""`tandem care preview|send|list`: the API's campaigns from the command line. Each command is a boundary:
it opens the store, runs the service and commits once.

    tandem care preview --kind onboarding --new-within-days 30
    tandem care send --kind known-issue --order-status delayed --carrier DPD \\
        --explanation "DPD's Midlands hub closed for two days after a fire." --expected 2026-11-30 --key dpd-delay-nov
    tandem care list --json
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Annotated, Any

import typer
from pydantic import ValidationError

from tandem.kit.cli import migrated_sessionmaker

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from tandem.care.schemas import CampaignOut, PreviewOut, SendOut

care_app = typer.Typer(help="Proactive care: onboarding and known-issue messages to a segment.", no_args_is_help=True)

Kind = Annotated[str, typer.Option("--kind", help="onboarding or known-issue.")]
NewWithinDays = Annotated[int | None, typer.Option("--new-within-days", help="Customers since the last N days.")]
Tiers = Annotated[list[str] | None, typer.Option("--tier", help="standard, silver, gold or platinum (repeat).")]
Statuses = Annotated[list[str] | None, typer.Option("--order-status", help="An order status, e.g. delayed (repeat).")]
Carrier = Annotated[str | None, typer.Option("--carrier", help="Orders with this carrier, e.g. DPD.")]
PlacedFrom = Annotated[str | None, typer.Option("--placed-from", help="Orders placed on or after YYYY-MM-DD.")]
PlacedTo = Annotated[str | None, typer.Option("--placed-to", help="Orders placed on or before YYYY-MM-DD.")]
Orders = Annotated[list[str] | None, typer.Option("--order", help="A specific order number (repeat).")]
Issue = Annotated[str | None, typer.Option("--issue", help="known-issue: the issue's key (default: --key).")]
Explanation = Annotated[str | None, typer.Option("--explanation", help="known-issue: what happened.")]
Action = Annotated[str | None, typer.Option("--action", help="known-issue: what the team is doing.")]
CustomerAction = Annotated[
    str | None, typer.Option("--customer-action", help="known-issue: what the customer must do (default: nothing).")
]
Expected = Annotated[str | None, typer.Option("--expected", help="known-issue: expected resolution, YYYY-MM-DD.")]
MaxRecipients = Annotated[int, typer.Option("--max-recipients", help="Refuse to send to more customers than this.")]
AsJson = Annotated[bool, typer.Option("--json", help="Print JSON.")]

# Where a validation error points, in the words of the command line.
OPTION_NAMES = {
    "kind": "--kind",
    "key": "--key",
    "segment": "segment (give --new-within-days, --tier or an order filter)",
    "segment.new_customers.within_days": "--new-within-days",
    "segment.tiers": "--tier",
    "segment.orders": "order filter",
    "segment.orders.statuses": "--order-status",
    "segment.orders.carrier": "--carrier",
    "segment.orders.placed_from": "--placed-from",
    "segment.orders.placed_to": "--placed-to",
    "segment.orders.numbers": "--order",
    "issue": "--issue",
    "explanation": "--explanation",
    "action": "--action",
    "customer_action": "--customer-action",
    "expected": "--expected",
    "max_recipients": "--max-recipients",
}


def register(app: typer.Typer) -> None:
    """Mount `tandem care` on the main CLI."""
    app.add_typer(care_app, name="care")


@care_app.command("preview")
def preview(
    kind: Kind,
    new_within_days: NewWithinDays = None,
    tier: Tiers = None,
    order_status: Statuses = None,
    carrier: Carrier = None,
    placed_from: PlacedFrom = None,
    placed_to: PlacedTo = None,
    order: Orders = None,
    issue: Issue = None,
    explanation: Explanation = None,
    action: Action = None,
    customer_action: CustomerAction = None,
    expected: Expected = None,
    max_recipients: MaxRecipients = 500,
    key: Annotated[str | None, typer.Option("--key", help="The campaign key you will send with.")] = None,
    as_json: AsJson = False,
) -> None:
    """Who a campaign would reach, and the message the first of them would read. Writes nothing."""
    from tandem.care import service
    from tandem.care.schemas import CampaignDraft

    fields = _fields(locals())
    draft = _validated(CampaignDraft, fields)
    with _unit_of_work() as session:
        result = service.preview(session, draft)
    typer.echo(result.model_dump_json(indent=2) if as_json else _preview_text(result))


@care_app.command("send")
def send(
    kind: Kind,
    key: Annotated[str, typer.Option("--key", help="Idempotency key: the same key is never sent twice.")],
    new_within_days: NewWithinDays = None,
    tier: Tiers = None,
    order_status: Statuses = None,
    carrier: Carrier = None,
    placed_from: PlacedFrom = None,
    placed_to: PlacedTo = None,
    order: Orders = None,
    issue: Issue = None,
    explanation: Explanation = None,
    action: Action = None,
    customer_action: CustomerAction = None,
    expected: Expected = None,
    max_recipients: MaxRecipients = 500,
    as_json: AsJson = False,
) -> None:
    """Send the campaign: one new conversation per customer, opened by the AI with the message."""
    from tandem.care import service
    from tandem.care.schemas import CampaignIn
    from tandem.kit.errors import TandemError

    data = _validated(CampaignIn, _fields(locals()))
    try:
        with _unit_of_work() as session:
            result = service.send(session, data, service.Operator("user", 0))
    except TandemError as exc:
        typer.secho(exc.message, err=True, fg=typer.colors.RED)
        raise typer.Exit(1) from exc
    typer.echo(result.model_dump_json(indent=2) if as_json else _sent_text(result))


@care_app.command("list")
def list_campaigns(
    limit: Annotated[int, typer.Option("--limit", min=1, max=200, help="How many, newest first.")] = 20,
    as_json: AsJson = False,
) -> None:
    """Campaigns sent, newest first, with their counts."""
    from tandem.care import service

    with _unit_of_work() as session:
        items = service.recent(session, limit)
    if as_json:
        typer.echo(json.dumps({"items": [item.model_dump(mode="json") for item in items]}, indent=2))
        return
    if not items:
        typer.echo("no campaigns yet")
    for item in items:
        typer.echo(_campaign_line(item))


def _fields(options: dict[str, Any]) -> dict[str, Any]:
    """The command's options as the API's request body (only what was given)."""
    orders = {
        "statuses": [s.replace("-", "_") for s in options["order_status"] or []],
        "carrier": options["carrier"],
        "placed_from": options["placed_from"],
        "placed_to": options["placed_to"],
        "numbers": options["order"] or [],
    }
    segment: dict[str, Any] = {"tiers": options["tier"] or []}
    if options["new_within_days"] is not None:
        segment["new_customers"] = {"within_days": options["new_within_days"]}
    if any(orders.values()):
        segment["orders"] = {name: value for name, value in orders.items() if value}
    body: dict[str, Any] = {
        "kind": options["kind"].strip().lower().replace("-", "_"),
        "segment": segment,
        "max_recipients": options["max_recipients"],
    }
    for name in ("key", "issue", "explanation", "action", "customer_action", "expected"):
        if options.get(name) is not None:
            body[name] = options[name]
    return body


def _validated(model: Any, body: dict[str, Any]) -> Any:
    try:
        return model.model_validate(body)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            path = ".".join(str(part) for part in error["loc"] if not isinstance(part, int))
            problems.append(
                f"{OPTION_NAMES.get(path, path or 'campaign')}: {str(error['msg']).removeprefix('Value error, ')}"
            )
        typer.secho("invalid campaign: " + "; ".join(problems), err=True, fg=typer.colors.RED)
        raise typer.Exit(2) from exc


@contextmanager
def _unit_of_work() -> Iterator[Session]:
    """The store the settings name, migrated, as one transaction."""
    from tandem.kit.db import unit_of_work

    with unit_of_work(migrated_sessionmaker()) as session:
        yield session


def _preview_text(result: PreviewOut) -> str:
    skipped = ", ".join(f"{reason} {count}" for reason, count in result.skipped.items() if count) or "none"
    lines = [
        f"{result.kind}: {result.matched} customers match, {result.to_contact} would be contacted; skipped: {skipped}",
    ]
    if not result.within_limit:
        lines.append(f"over the limit: --max-recipients is {result.max_recipients}; sending would be refused")
    if result.sample:
        lines.append(f"  {'customer':>8}  {'name':<30}  orders")
        for row in result.sample:
            lines.append(f"  {row.customer_id:>8}  {row.name[:30]:<30}  {', '.join(row.order_numbers) or '-'}")
    if result.example_message:
        lines += ["", "Example message:", result.example_message]
    return "\n".join(lines)


def _sent_text(result: SendOut) -> str:
    campaign = result.campaign
    if result.replayed:
        return f"campaign {campaign.key} was already sent ({_campaign_line(campaign)}): nobody contacted again"
    skipped = ", ".join(f"{reason} {count}" for reason, count in campaign.skipped.items() if count) or "none"
    return f"sent {campaign.sent} messages (campaign {campaign.key}, id {campaign.id}); skipped: {skipped}"


def _campaign_line(campaign: CampaignOut) -> str:
    when = campaign.created_at.strftime("%Y-%m-%d %H:%M UTC")
    return f"#{campaign.id} {campaign.key} {campaign.kind} {when}: {campaign.sent} sent of {campaign.matched} matched"
