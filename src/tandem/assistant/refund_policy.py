"""The refund policy the AI applies on its own, as a pure function: inside it, the AI may refund;
outside it, a person decides (a `policy_exception` hand-over quoting the clause that blocks it).

The policy lives in the workspace's settings (`refund_policy`), so a business edits it without code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from tandem.connectors.ports import OrderRecord

REFUNDABLE_STATUSES = ("delivered", "returned", "delayed", "shipped", "out_for_delivery", "processing")
# Ways customers say an item is faulty (the any-time fault refund), typos included.
FAULTY = re.compile(
    r"\b(fault\w*|broken|broke|damaged|defect\w*|snapped|cracked|smashed|dead|crackl\w*|malfunction\w*|"
    r"died|packed (in|up)|gave up|kaput|knackered|bust(ed)?|rattl\w*|flicker\w*|overheat\w*|cuts? out|"
    r"keeps? (turning|switching|cutting) off|(won'?t|doesn'?t|not) hold(ing)? (a )?charge|"
    r"(doesn'?t|dosn'?t|dosnt|does not|won'?t|wont|will not|isn'?t|not|stopp?ed|has stopp?ed|no longer|"
    r"can'?t|cannot) (even |properly |at all )?"
    r"(work\w*|switch\w* on|turn\w* on|power\w* on|charg\w*|respond\w*|connect\w*)|"
    r"don'?t respond|wrong item)\b",
    re.I,
)


@dataclass(frozen=True)
class RefundPolicy:
    window_days: int = 30
    condition: str = "unused, or faulty"
    excluded_categories: tuple[str, ...] = ()
    ai_max_amount: Decimal = Decimal("150")
    per_customer_per_90_days: int = 3

    @classmethod
    def from_settings(cls, raw: dict[str, Any] | None) -> RefundPolicy:
        raw = raw or {}
        return cls(
            window_days=int(raw.get("window_days", 30)),
            condition=str(raw.get("condition", "unused, or faulty")),
            excluded_categories=tuple(str(c).lower() for c in raw.get("excluded_categories", ())),
            ai_max_amount=Decimal(str(raw.get("ai_max_amount", 150))),
            per_customer_per_90_days=int(raw.get("per_customer_per_90_days", 3)),
        )


@dataclass(frozen=True)
class RefundVerdict:
    allowed: bool
    amount: Decimal
    clause: str  # which rule decided, for the customer, the agent and the audit
    explanation: str


def check_refund(
    policy: RefundPolicy, order: OrderRecord, reason: str, now: datetime, refunds_last_90_days: int
) -> RefundVerdict:
    """Whether the AI may refund what is left on `order` for `reason`, and which clause says so."""
    amount = order.total - order.refunded_amount
    faulty = bool(FAULTY.search(reason))
    if amount <= 0:
        return RefundVerdict(False, Decimal("0"), "already_refunded", "This order has already been refunded in full.")
    if order.status in ("cancelled", "pending_payment"):
        return RefundVerdict(False, amount, "not_charged", "This order was not charged, so there is nothing to refund.")
    if order.status not in REFUNDABLE_STATUSES:
        return RefundVerdict(False, amount, "status", f"Orders with the status '{order.status}' need a person.")
    excluded = [line.name for line in order.lines if line.category.lower() in policy.excluded_categories]
    if excluded:
        return RefundVerdict(
            False, amount, "excluded_category", f"{', '.join(excluded)} can't be refunded under our standard policy."
        )
    since = order.delivered_at or order.placed_at
    age_days = (now - since).days
    if age_days > policy.window_days and not faulty:
        return RefundVerdict(
            False,
            amount,
            "window",
            f"Our standard refund window is {policy.window_days} days from delivery, and this order is "
            f"{age_days} days old.",
        )
    if amount > policy.ai_max_amount:
        return RefundVerdict(
            False,
            amount,
            "ai_max_amount",
            f"Refunds over £{policy.ai_max_amount:,.2f} are approved by a member of our team.",
        )
    if refunds_last_90_days >= policy.per_customer_per_90_days:
        return RefundVerdict(
            False,
            amount,
            "per_customer_limit",
            f"More than {policy.per_customer_per_90_days} refunds in 90 days are reviewed by a member of our team.",
        )
    clause = "faulty_any_time" if faulty and age_days > policy.window_days else "within_window"
    return RefundVerdict(True, amount, clause, "Within our standard refund policy.")
