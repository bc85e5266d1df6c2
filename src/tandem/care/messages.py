"""The words customers read. They live in Jinja2 templates under templates/care/, one per kind, so they can
be reviewed and edited without touching code; a template says only what the campaign says."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from tandem.care.policy import first_name

ORDERS_NAMED = 5  # more than this and the message names the first few and counts the rest

_TEMPLATES = Environment(
    loader=PackageLoader("tandem.care", "templates"),
    # Plain text: the widget and console escape when they render, so escaping here would double it.
    autoescape=select_autoescape(enabled_extensions=("html",)),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=False,
)


@dataclass(frozen=True)
class Notice:
    """What a known-issue campaign says, as the supervisor wrote it."""

    explanation: str
    action: str | None = None
    customer_action: str | None = None
    expected: date | None = None


def render(kind: str, store: str, customer_name: str, orders: Sequence[str], notice: Notice | None) -> str:
    template = _TEMPLATES.get_template(f"care/{kind}.txt.j2")
    text = template.render(
        store=store,
        first_name=first_name(customer_name),
        orders=describe_orders(orders),
        order_count=len(orders),
        explanation=sentence(notice.explanation) if notice else None,
        action=sentence(notice.action) if notice and notice.action else None,
        customer_action=sentence(notice.customer_action) if notice and notice.customer_action else None,
        expected=describe_date(notice.expected) if notice and notice.expected else None,
    )
    return tidy(text)


def subject(kind: str, store: str, order_count: int) -> str:
    if kind == "onboarding":
        return f"Welcome to {store}"[:300]
    if order_count == 0:
        return f"An update from {store}"[:300]
    return "An update about your orders" if order_count > 1 else "An update about your order"


def describe_orders(numbers: Sequence[str]) -> str:
    """`A1`, `A1 and A2`, `A1, A2 and A3`, `A1, A2, A3, A4, A5 and 2 more`."""
    named = list(numbers[:ORDERS_NAMED])
    rest = len(numbers) - len(named)
    if rest:
        named.append(f"{rest} more")
    if len(named) <= 1:
        return "".join(named)
    return ", ".join(named[:-1]) + " and " + named[-1]


def describe_date(day: date) -> str:
    return f"{day:%A} {day.day} {day:%B %Y}"


def sentence(text: str) -> str:
    """A supervisor's sentence as written, with a full stop if it lacks one."""
    text = " ".join(text.split())
    return text if text[-1:] in ".!?" else text + "."


def tidy(text: str) -> str:
    lines = [line.strip() for line in text.splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
