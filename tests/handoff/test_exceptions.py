"""The make-good recommendation for a policy-exception request, from a table."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from tandem.handoff.exceptions import ExceptionPolicy, ExceptionRequest, recommend_exception
from tandem.handoff.state import CustomerProfile

NOW = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)


def days_ago(days: int) -> datetime:
    return NOW - timedelta(days=days)


# name, request, outcome, score, amount, approval. The base score is 40.
CASES: list[tuple[str, dict[str, Any], str, int, str, str]] = [
    (
        "loyal platinum, small ask: approved by an agent",
        {"tier": "platinum", "lifetime_value": 10000, "lifetime_spend": 5000, "resolution_cost": 40},
        "approve",
        100,
        "40.00",
        "agent",
    ),
    (
        "loyal platinum, large ask: approved by a supervisor",
        {"tier": "platinum", "lifetime_value": 10000, "lifetime_spend": 5000, "resolution_cost": 100},
        "approve",
        100,
        "100.00",
        "supervisor",
    ),
    (
        "new customer, first small ask",
        {"lifetime_value": 200, "lifetime_spend": 150, "resolution_cost": 10},
        "approve",
        75,
        "10.00",
        "agent",
    ),
    (
        "repeat asker, recent exception, large share",
        {
            "lifetime_value": 200,
            "lifetime_spend": 150,
            "prior_exceptions": 2,
            "last_exception_at": days_ago(30),
            "resolution_cost": 60,
        },
        "decline",
        0,
        "0.00",
        "agent",
    ),
    (
        "silver with one old exception: partial",
        {
            "tier": "silver",
            "lifetime_value": 1000,
            "lifetime_spend": 300,
            "prior_exceptions": 1,
            "last_exception_at": days_ago(200),
            "resolution_cost": 80,
        },
        "partial",
        55,
        "40.00",
        "agent",
    ),
    (
        "gold, sizeable ask: partial needs a supervisor",
        {
            "tier": "gold",
            "lifetime_value": 2000,
            "lifetime_spend": 500,
            "prior_exceptions": 1,
            "last_exception_at": days_ago(400),
            "resolution_cost": 300,
        },
        "partial",
        55,
        "150.00",
        "supervisor",
    ),
    (
        "costly return tips it to approve",
        {"lifetime_value": 500, "lifetime_spend": 100, "resolution_cost": 40, "logistics_cost": 25},
        "approve",
        75,
        "40.00",
        "agent",
    ),
    (
        "same ask with a cheap return: partial",
        {"lifetime_value": 500, "lifetime_spend": 100, "resolution_cost": 40, "logistics_cost": 5},
        "partial",
        65,
        "20.00",
        "agent",
    ),
    (
        "no lifetime value yet",
        {"resolution_cost": 20},
        "decline",
        40,
        "0.00",
        "agent",
    ),
    (
        "valuable but a habit of exceptions",
        {
            "tier": "gold",
            "lifetime_value": 20000,
            "lifetime_spend": 10000,
            "prior_exceptions": 5,
            "last_exception_at": days_ago(10),
            "resolution_cost": 50,
        },
        "decline",
        40,
        "0.00",
        "agent",
    ),
    (
        "exception exactly 90 days ago still counts as recent",
        {
            "lifetime_value": 1000,
            "lifetime_spend": 300,
            "prior_exceptions": 1,
            "last_exception_at": days_ago(90),
            "resolution_cost": 15,
        },
        "partial",
        55,
        "7.50",
        "agent",
    ),
    (
        "exception 91 days ago weighs less",
        {
            "lifetime_value": 1000,
            "lifetime_spend": 300,
            "prior_exceptions": 1,
            "last_exception_at": days_ago(91),
            "resolution_cost": 15,
        },
        "approve",
        70,
        "15.00",
        "agent",
    ),
]


@pytest.mark.parametrize(
    ("name", "request_fields", "outcome", "score", "amount", "approval"),
    CASES,
    ids=[case[0] for case in CASES],
)
def test_recommend_exception(
    name: str, request_fields: dict[str, Any], outcome: str, score: int, amount: str, approval: str
) -> None:
    recommendation = recommend_exception(ExceptionRequest.model_validate(request_fields), NOW)
    assert (recommendation.outcome, recommendation.score, recommendation.amount, recommendation.approval) == (
        outcome,
        score,
        Decimal(amount),
        approval,
    )


def test_every_factor_is_shown_with_its_points() -> None:
    request = ExceptionRequest(tier="silver", lifetime_value=Decimal(1000), resolution_cost=Decimal(80))
    recommendation = recommend_exception(request, NOW)
    assert [factor.name for factor in recommendation.factors] == [
        "tier",
        "cost_share",
        "lifetime_spend",
        "prior_exceptions",
        "last_exception",
        "logistics",
    ]
    cost_share = recommendation.factors[1]
    assert (cost_share.value, cost_share.points) == ("8.0%", 10)
    assert recommendation.score == ExceptionPolicy().base_score + sum(f.points for f in recommendation.factors)


def test_the_agent_limit_is_configurable() -> None:
    request = ExceptionRequest(tier="platinum", lifetime_value=Decimal(10000), resolution_cost=Decimal(100))
    assert recommend_exception(request, NOW).approval == "supervisor"
    assert recommend_exception(request, NOW, ExceptionPolicy(agent_limit=Decimal(150))).approval == "agent"


def test_a_stricter_desk_declines_more() -> None:
    request = ExceptionRequest(lifetime_value=Decimal(200), resolution_cost=Decimal(10))
    assert recommend_exception(request, NOW).outcome == "approve"
    strict = ExceptionPolicy(approve_at=90, partial_at=80)
    assert recommend_exception(request, NOW, strict).outcome == "decline"


def test_a_request_is_built_from_the_customer_profile() -> None:
    profile = CustomerProfile(tier="gold", lifetime_value=Decimal(900), prior_exceptions=1, last_exception_at=NOW)
    request = ExceptionRequest.for_customer(profile, Decimal(30), logistics_cost=Decimal(8))
    assert (request.tier, request.lifetime_value, request.prior_exceptions) == ("gold", Decimal(900), 1)
    assert (request.resolution_cost, request.logistics_cost) == (Decimal(30), Decimal(8))
