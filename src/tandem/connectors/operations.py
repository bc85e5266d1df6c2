"""What each connector asks of its system, and the request it sends when the connectors file says nothing.

A request is a template: `{name}` in its path, query or body stands for one of the operation's values
(`/orders/{number}`; `{"amount": "{amount}"}`). docs/connectors.md lists these defaults.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

Method = Literal["GET", "POST", "PUT", "PATCH", "DELETE"]
NotFound = Literal["none", "empty", "rejected", "misconfigured"]

# `{name}` in an endpoint's path, query or body: one of the operation's values.
PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")


@dataclass(frozen=True)
class Operation:
    """One thing a connector asks of its system, with the request sent when the file says nothing."""

    values: tuple[str, ...]  # what the request may use as {placeholders}
    method: Method
    path: str
    query: Mapping[str, Any] = field(default_factory=dict)
    body: Mapping[str, Any] | None = None
    writes: bool = False
    on_not_found: NotFound = "misconfigured"  # what a 404 means for this operation


@dataclass(frozen=True)
class Endpoint:
    """An operation's request with the file's settings and the defaults combined."""

    method: Method
    path: str
    query: Mapping[str, Any]
    body: Mapping[str, Any] | None
    data: str
    writes: bool
    on_not_found: NotFound


ORDER_OPERATIONS = {
    "get_order": Operation(("number",), "GET", "/orders/{number}", on_not_found="none"),
    "orders_for_customer": Operation(
        ("customer_id", "external_id", "limit"),
        "GET",
        "/customers/{external_id}/orders",
        query={"limit": "{limit}"},
        on_not_found="empty",
    ),
    "refund": Operation(
        ("number", "amount", "reason"),
        "POST",
        "/orders/{number}/refunds",
        body={"amount": "{amount}", "reason": "{reason}"},
        writes=True,
        on_not_found="rejected",
    ),
}
CATALOGUE_OPERATIONS = {
    "search": Operation(
        ("category", "max_price", "in_stock_only", "limit"),
        "GET",
        "/products",
        query={
            "category": "{category}",
            "max_price": "{max_price}",
            "in_stock_only": "{in_stock_only}",
            "limit": "{limit}",
        },
    ),
}
CALENDAR_OPERATIONS = {
    "free_slots": Operation(
        ("after", "before", "limit"),
        "GET",
        "/slots",
        query={"after": "{after}", "before": "{before}", "limit": "{limit}"},
    ),
    "bookings": Operation(
        ("customer_id", "external_id"), "GET", "/customers/{external_id}/bookings", on_not_found="empty"
    ),
    "book": Operation(
        ("slot_id", "customer_id", "external_id"),
        "POST",
        "/slots/{slot_id}/bookings",
        body={"customer": "{external_id}"},
        writes=True,
        on_not_found="rejected",
    ),
    "cancel": Operation(
        ("booking_id", "customer_id", "external_id"),
        "DELETE",
        "/bookings/{booking_id}",
        writes=True,
        on_not_found="rejected",
    ),
}
CRM_OPERATIONS = {
    "create_lead": Operation(
        ("need", "size", "budget", "timeline", "contact", "customer_id", "external_id", "conversation_id"),
        "POST",
        "/leads",
        body={
            "need": "{need}",
            "size": "{size}",
            "budget": "{budget}",
            "timeline": "{timeline}",
            "contact": "{contact}",
            "customer": "{external_id}",
        },
        writes=True,
        on_not_found="rejected",
    ),
}
