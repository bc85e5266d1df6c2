"""The refund policy the AI applies by itself: every clause, at and either side of its limit."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from tandem.assistant.refund_policy import RefundPolicy, check_refund
from tandem.connectors.ports import OrderLine, OrderRecord

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
POLICY = RefundPolicy.from_settings(
    {
        "window_days": 30,
        "excluded_categories": ["Gift cards"],
        "ai_max_amount": 150,
        "per_customer_per_90_days": 3,
    }
)


def order(
    total: str = "80.00",
    days: int = 10,
    status: str = "delivered",
    refunded: str = "0",
    category: str = "kitchen",
) -> OrderRecord:
    delivered = NOW - timedelta(days=days)
    return OrderRecord(
        number="A10001",
        status=status,
        placed_at=delivered - timedelta(days=3),
        total=Decimal(total),
        lines=(OrderLine("KIT-001", "Kettle", 1, Decimal(total), category),),
        delivered_at=delivered if status == "delivered" else None,
        refunded_amount=Decimal(refunded),
    )


@pytest.mark.parametrize(
    ("case", "reason", "earlier_refunds", "allowed", "clause"),
    [
        (order(), "changed my mind", 0, True, "within_window"),
        (order(days=30), "changed my mind", 0, True, "within_window"),
        (order(days=31), "changed my mind", 0, False, "window"),
        (order(days=200), "it's faulty", 0, True, "faulty_any_time"),
        (order(days=200), "arrived damaged", 0, True, "faulty_any_time"),
        (order(days=200), "it worked for a bit but now it won't switch on", 0, True, "faulty_any_time"),
        (order(total="150.00"), "changed my mind", 0, True, "within_window"),
        (order(total="150.01"), "changed my mind", 0, False, "ai_max_amount"),
        (order(total="80.00", refunded="30.00"), "changed my mind", 0, True, "within_window"),
        (order(refunded="80.00"), "changed my mind", 0, False, "already_refunded"),
        (order(status="cancelled"), "changed my mind", 0, False, "not_charged"),
        (order(status="pending_payment"), "changed my mind", 0, False, "not_charged"),
        (order(category="gift cards"), "changed my mind", 0, False, "excluded_category"),
        (order(), "changed my mind", 2, True, "within_window"),
        (order(), "changed my mind", 3, False, "per_customer_limit"),
    ],
)
def test_the_policy(case: OrderRecord, reason: str, earlier_refunds: int, allowed: bool, clause: str) -> None:
    verdict = check_refund(POLICY, case, reason, NOW, earlier_refunds)
    assert (verdict.allowed, verdict.clause) == (allowed, clause)
    assert verdict.explanation  # every verdict can be explained to the customer and the agent


def test_only_what_is_left_is_refunded() -> None:
    verdict = check_refund(POLICY, order(total="80.00", refunded="30.00"), "damaged", NOW, 0)
    assert verdict.amount == Decimal("50.00")


def test_the_explanation_names_the_window_and_the_age() -> None:
    verdict = check_refund(POLICY, order(days=45), "changed my mind", NOW, 0)
    assert "30 days" in verdict.explanation and "45 days" in verdict.explanation


def test_a_workspace_without_a_policy_gets_the_safe_defaults() -> None:
    default = RefundPolicy.from_settings(None)
    assert default.window_days == 30 and default.ai_max_amount == Decimal("150")
