"""The make-good recommendation when a customer asks for an exception to policy.

A person decides; this gives them a starting point they can check: a score from named factors, an
outcome (approve, partial, decline), the amount to offer and who may approve it.
"""

from __future__ import annotations

import math
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from tandem.handoff.state import CustomerProfile, Tier

Outcome = Literal["approve", "partial", "decline"]
ApprovalLevel = Literal["agent", "supervisor"]

TIER_POINTS: dict[Tier, int] = {"standard": 0, "silver": 5, "gold": 10, "platinum": 15}
# (the make-good as a share of lifetime value, at most; points): a small gesture to a valuable
# customer pays for itself, a large one to a new customer rarely does.
COST_SHARE_POINTS: tuple[tuple[Decimal, int], ...] = (
    (Decimal("0.02"), 30),
    (Decimal("0.05"), 20),
    (Decimal("0.10"), 10),
    (Decimal("0.25"), 0),
)
COST_SHARE_ABOVE_ALL = -15
SPEND_POINTS: tuple[tuple[Decimal, int], ...] = ((Decimal(1000), 10), (Decimal(250), 5))
PRIOR_EXCEPTION_POINTS = (15, 0, -15)  # for 0, 1, 2 exceptions granted before
MANY_PRIOR_EXCEPTIONS_POINTS = -30
# Taking an item back costs money too: when it costs half the make-good or more, letting them keep it helps.
LOGISTICS_SHARE = Decimal("0.5")
LOGISTICS_POINTS = 10
CENT = Decimal("0.01")


class ExceptionRequest(BaseModel):
    """The customer and the make-good they ask for."""

    model_config = ConfigDict(frozen=True)

    tier: Tier = "standard"
    lifetime_value: Decimal = Decimal(0)
    lifetime_spend: Decimal = Decimal(0)
    prior_exceptions: int = Field(default=0, ge=0)
    last_exception_at: datetime | None = None
    # What the make-good costs us: the refund, credit or replacement.
    resolution_cost: Decimal = Field(ge=0)
    # What taking the item back would cost (return shipping, handling): saved if they keep it.
    logistics_cost: Decimal = Field(default=Decimal(0), ge=0)

    @classmethod
    def for_customer(
        cls, profile: CustomerProfile, resolution_cost: Decimal, logistics_cost: Decimal = Decimal(0)
    ) -> ExceptionRequest:
        return cls(
            tier=profile.tier,
            lifetime_value=profile.lifetime_value,
            lifetime_spend=profile.lifetime_spend,
            prior_exceptions=profile.prior_exceptions,
            last_exception_at=profile.last_exception_at,
            resolution_cost=resolution_cost,
            logistics_cost=logistics_cost,
        )


class ExceptionPolicy(BaseModel):
    """The desk's settings: how generous, and how much an agent may grant alone."""

    model_config = ConfigDict(frozen=True)

    agent_limit: Decimal = Decimal(50)
    base_score: int = 40
    approve_at: int = 70
    partial_at: int = 45
    partial_share: Decimal = Decimal("0.5")
    recent_days: int = 90  # an exception this recent weighs heavily
    lately_days: int = 365  # and one this recent a little
    recent_points: int = -20
    lately_points: int = -5


class Factor(BaseModel):
    name: str
    value: str
    points: int
    note: str


class ExceptionRecommendation(BaseModel):
    outcome: Outcome
    score: int
    amount: Decimal
    approval: ApprovalLevel
    factors: list[Factor]


def recommend_exception(
    request: ExceptionRequest, now: datetime, policy: ExceptionPolicy | None = None
) -> ExceptionRecommendation:
    """Score the request from its factors and turn the score into an outcome, an amount and an approver."""
    policy = policy or ExceptionPolicy()
    factors = [
        _tier_factor(request),
        _cost_share_factor(request),
        _spend_factor(request),
        _prior_exceptions_factor(request),
        _recency_factor(request, now, policy),
        _logistics_factor(request),
    ]
    score = min(100, max(0, policy.base_score + sum(factor.points for factor in factors)))
    outcome = _outcome(score, policy)
    amount = _amount(outcome, request.resolution_cost, policy)
    return ExceptionRecommendation(
        outcome=outcome,
        score=score,
        amount=amount,
        approval="supervisor" if amount > policy.agent_limit else "agent",
        factors=factors,
    )


def _outcome(score: int, policy: ExceptionPolicy) -> Outcome:
    if score >= policy.approve_at:
        return "approve"
    return "partial" if score >= policy.partial_at else "decline"


def _amount(outcome: Outcome, cost: Decimal, policy: ExceptionPolicy) -> Decimal:
    share = {"approve": Decimal(1), "partial": policy.partial_share, "decline": Decimal(0)}[outcome]
    return (cost * share).quantize(CENT, rounding=ROUND_HALF_UP)


def _tier_factor(request: ExceptionRequest) -> Factor:
    return Factor(name="tier", value=request.tier, points=TIER_POINTS[request.tier], note="loyalty tier")


def _cost_share_factor(request: ExceptionRequest) -> Factor:
    if request.lifetime_value <= 0:
        share_text, points = "no lifetime value", COST_SHARE_ABOVE_ALL
    else:
        share = request.resolution_cost / request.lifetime_value
        share_text = f"{share:.1%}"
        points = next((p for limit, p in COST_SHARE_POINTS if share <= limit), COST_SHARE_ABOVE_ALL)
    return Factor(name="cost_share", value=share_text, points=points, note="make-good as a share of lifetime value")


def _spend_factor(request: ExceptionRequest) -> Factor:
    points = next((p for floor, p in SPEND_POINTS if request.lifetime_spend >= floor), 0)
    return Factor(name="lifetime_spend", value=f"{request.lifetime_spend}", points=points, note="spent with us so far")


def _prior_exceptions_factor(request: ExceptionRequest) -> Factor:
    count = request.prior_exceptions
    points = PRIOR_EXCEPTION_POINTS[count] if count < len(PRIOR_EXCEPTION_POINTS) else MANY_PRIOR_EXCEPTIONS_POINTS
    return Factor(name="prior_exceptions", value=str(count), points=points, note="exceptions granted before")


def _recency_factor(request: ExceptionRequest, now: datetime, policy: ExceptionPolicy) -> Factor:
    if request.last_exception_at is None:
        return Factor(name="last_exception", value="never", points=0, note="no earlier exception")
    days = math.floor((now - request.last_exception_at).total_seconds() / 86400)
    if days <= policy.recent_days:
        points = policy.recent_points
    else:
        points = policy.lately_points if days <= policy.lately_days else 0
    return Factor(name="last_exception", value=f"{days} days ago", points=points, note="how recent the last one was")


def _logistics_factor(request: ExceptionRequest) -> Factor:
    worth_keeping = request.resolution_cost > 0 and request.logistics_cost >= request.resolution_cost * LOGISTICS_SHARE
    return Factor(
        name="logistics",
        value=f"{request.logistics_cost}",
        points=LOGISTICS_POINTS if worth_keeping else 0,
        note="taking it back costs about as much as the make-good" if worth_keeping else "return costs are modest",
    )
