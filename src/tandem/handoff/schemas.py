"""API shapes for hand-over review: decisions, exception decisions and queues."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from tandem.handoff.decision import FiredReason

ExceptionOutcome = Literal["approved", "partial", "declined"]


class DecisionOut(BaseModel):
    """One stored decision with the reasons, signal values and thresholds that produced it."""

    event_id: int
    message_id: int | None
    made_at: datetime
    owner: str
    reasons: list[FiredReason]
    primary_reason: str | None
    queue: str | None
    priority: str
    turn_misunderstood: bool


class ExceptionDecisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    outcome: ExceptionOutcome
    amount: Annotated[Decimal, Field(ge=0, max_digits=12, decimal_places=2)] = Decimal(0)
    note: Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)] = ""


class ExceptionDecisionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    customer_id: int
    conversation_id: int | None
    outcome: str
    amount: Decimal
    recommended: str | None
    approval_level: str
    decided_by: int | None
    decided_at: datetime
    note: str


class QueueOut(BaseModel):
    name: str
    description: str = ""
    waiting: int = Field(description="Conversations waiting for a person.")
    in_progress: int = Field(description="Conversations a person has taken.")
    waiting_by_priority: dict[str, int]
    oldest_wait_seconds: int | None = Field(description="How long the longest-waiting conversation has waited.")
    estimated_wait_seconds: dict[str, int] = Field(description="The wait a new arrival would be told, by priority.")
    first_response_target_seconds: dict[str, int]
    agents_online: int


class QueuesOut(BaseModel):
    queues: list[QueueOut]
    as_of: datetime


def reasons_payload(payload: dict[str, Any]) -> list[FiredReason]:
    return [FiredReason.model_validate(reason) for reason in payload.get("reasons") or []]
