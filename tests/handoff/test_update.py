"""What a customer message adds to an open hand-over (the pure merge behind it)."""

from __future__ import annotations

import pytest

from tandem.handoff.decision import Decision, FiredReason
from tandem.handoff.update import widened


def reason(code: str, rank: int, queue: str = "general", priority: str = "normal") -> FiredReason:
    return FiredReason(code=code, rank=rank, queue=queue, priority=priority)  # type: ignore[arg-type]


def decision(*reasons: FiredReason, queue: str = "general", priority: str = "normal") -> Decision:
    return Decision(owner="human", reasons=list(reasons), queue=queue, priority=priority)  # type: ignore[arg-type]


NEEDS = reason("needs_a_person", 0, "orders")
DISPUTE = reason("legal_or_billing_dispute", 5, "billing", "high")
VULNERABLE = reason("vulnerability", 0, "vulnerable_customers", "high")
HUMAN = reason("human_requested", 1)
LOW = reason("low_confidence", 13)
SALES = reason("sales_opportunity", 14, "sales", "low")
AT_ORDERS = decision(NEEDS, queue="orders")
AT_BILLING = decision(DISPUTE, queue="billing", priority="high")

CASES = [
    # (current, incoming, still queued) -> (reasons, queue, priority), or None when nothing is added
    ("skill hand-over, then a chargeback threat", AT_ORDERS, AT_BILLING, True,
     (["legal_or_billing_dispute", "needs_a_person"], "billing", "high")),
    ("an assigned conversation keeps its queue", AT_ORDERS, AT_BILLING, False,
     (["legal_or_billing_dispute", "needs_a_person"], "orders", "high")),
    ("a lower-ranked reason joins behind the primary", decision(HUMAN),
     decision(SALES, queue="sales", priority="low"), True,
     (["human_requested", "sales_opportunity"], "general", "normal")),
    ("vulnerability goes first and to its queue", AT_BILLING,
     decision(VULNERABLE, queue="vulnerable_customers", priority="high"), True,
     (["vulnerability", "legal_or_billing_dispute"], "vulnerable_customers", "high")),
    ("the same reason again adds nothing", decision(HUMAN), decision(HUMAN), True, None),
    ("the AI's own misunderstanding cannot apply while it is silent", decision(HUMAN), decision(LOW), True, None),
    ("nothing fired", decision(HUMAN), Decision(owner="human"), True, None),
]  # fmt: skip


@pytest.mark.parametrize(
    ("current", "incoming", "queued", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_widened(current: Decision, incoming: Decision, queued: bool, expected: tuple | None) -> None:
    result = widened(current, incoming, still_queued=queued)
    if expected is None:
        assert result is None
        return
    assert result is not None
    assert (result.reason_codes, result.queue, result.priority) == expected
    assert result.owner == "human"
