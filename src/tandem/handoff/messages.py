"""What the customer is told when a person takes over: warm, honest about the wait, fitted to the reason.

The words live in Jinja2 templates under templates/handover/, one per reason, so they can be reviewed
and edited without touching code.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from tandem.handoff.decision import Decision

# Customer-facing words for a queue. Queues not listed (vulnerable_customers above all) are never named.
TEAM_NAMES = {
    "billing": "billing team",
    "orders": "orders team",
    "technical": "technical team",
    "sales": "sales team",
    "complaints": "customer relations team",
}
NAME_LIMIT = 40  # a first name longer than this is more likely a pasted paragraph than a name

_TEMPLATES = Environment(
    loader=PackageLoader("tandem.handoff", "templates"),
    # Plain-text messages: the widget escapes when it renders, so escaping here would double it.
    autoescape=select_autoescape(enabled_extensions=("html",)),
    undefined=StrictUndefined,
    # Whitespace is collapsed after rendering, so templates can be laid out for reading.
)


def handover_message(
    decision: Decision,
    wait: timedelta | None,
    open_now: bool,
    next_opening: datetime | None,
    customer_first_name: str | None = None,
) -> str:
    """The message sent to the customer as the conversation goes to a person."""
    reason = decision.primary_reason or "default"
    template = _TEMPLATES.select_template([f"handover/{reason}.txt.j2", "handover/default.txt.j2"])
    text = template.render(
        first_name=_first_name(customer_first_name),
        team=TEAM_NAMES.get(decision.queue or "", "team"),
        urgent=decision.priority == "urgent",
        open_now=open_now,
        wait=describe_wait(wait) if wait is not None else None,
        reopening=describe_opening(next_opening) if next_opening is not None else None,
    )
    return " ".join(text.split())


def describe_wait(wait: timedelta) -> str:
    """`about 4 minutes`, `about an hour`, `about 1 hour and 20 minutes`: rounded up, never down."""
    minutes = max(1, math.ceil(wait.total_seconds() / 60))
    if minutes == 1:
        return "about a minute"
    if minutes < 60:
        return f"about {minutes} minutes"
    hours, rest = divmod(5 * math.ceil(minutes / 5), 60)
    hours_text = "an hour" if hours == 1 and not rest else f"{hours} hour{'s' if hours > 1 else ''}"
    return f"about {hours_text}" + (f" and {rest} minutes" if rest else "")


def describe_opening(opening: datetime) -> str:
    """`on Monday 5 May at 09:00 BST`: a full date, since the customer may read it days later."""
    zone = f" {opening.tzname()}" if opening.tzname() else ""
    return f"on {opening:%A} {opening.day} {opening:%B} at {opening:%H:%M}{zone}"


def _first_name(name: str | None) -> str | None:
    cleaned = " ".join((name or "").split())
    return cleaned if 0 < len(cleaned) <= NAME_LIMIT else None
