"""The contract of a hand-over decision: who owns the conversation next, and why.

Reason codes are stable (see docs/architecture.md): extend, never rename.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, Field


class Reason(StrEnum):
    HUMAN_REQUESTED = "human_requested"
    FRUSTRATION = "frustration"
    VULNERABILITY = "vulnerability"
    LEGAL_OR_BILLING_DISPUTE = "legal_or_billing_dispute"
    POLICY_EXCEPTION = "policy_exception"
    REPEATED_MISUNDERSTANDING = "repeated_misunderstanding"
    LOW_CONFIDENCE = "low_confidence"
    CHURN_RISK_HIGH_VALUE = "churn_risk_high_value"
    PUBLIC_ESCALATION_RISK = "public_escalation_risk"
    MULTI_DEPARTMENT = "multi_department"
    SALES_OPPORTUNITY = "sales_opportunity"
    AI_UNAVAILABLE = "ai_unavailable"
    # A routine request the AI cannot complete itself (it collected the facts first, so nobody asks again).
    NEEDS_A_PERSON = "needs_a_person"


# Reasons a skill gives when it cannot finish within policy (the rules file never raises these).
SKILL_ONLY_REASONS = frozenset({Reason.NEEDS_A_PERSON})

Owner = Literal["ai", "human"]
Priority = Literal["low", "normal", "high", "urgent"]


class FiredReason(BaseModel):
    """One rule that fired, with the signal values and thresholds behind it."""

    code: str
    rule: str = ""
    rank: int = 0
    signals: dict[str, Any] = Field(default_factory=dict)
    thresholds: dict[str, Any] = Field(default_factory=dict)
    evidence: list[str] = Field(default_factory=list)
    explanation: str = ""
    # Where this reason alone would route the conversation (the decision routes by the primary one).
    queue: str | None = None
    priority: Priority | None = None


class Decision(BaseModel):
    owner: Owner = "ai"
    reasons: list[FiredReason] = Field(default_factory=list)
    queue: str | None = None
    priority: Priority = "normal"
    # Whether this turn counted as the AI failing to understand (the rules' `misunderstood_turn`
    # condition): `next_state` counts these in a row, so the definition lives in one place.
    turn_misunderstood: bool = False

    @property
    def reason_codes(self) -> list[str]:
        return [r.code for r in self.reasons]

    @property
    def primary_reason(self) -> str | None:
        return self.reasons[0].code if self.reasons else None
