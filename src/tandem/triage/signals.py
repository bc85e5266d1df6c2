"""The contract between triage and everything that reads it (hand-over policy, skills, brief, analytics).

Extend these models; never rename a field: `tandem triage --json` prints them as they are.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

Trajectory = Literal["rising", "steady", "easing"]


class IntentAlternative(BaseModel):
    name: str
    confidence: float


class IntentSignal(BaseModel):
    name: str | None = None
    confidence: float = 0.0
    department: str | None = None
    skill: str | None = None
    alternatives: list[IntentAlternative] = Field(default_factory=list)
    # 0..1: how close the message is to the pack's examples (mean similarity of the 5 nearest). Low means
    # nothing like it was ever taught, however confident the classifier's pick.
    closeness: float = 1.0


class EmotionSignal(BaseModel):
    frustration: float = 0.0
    frustrated: bool = False
    label: str = "neutral"
    trajectory: Trajectory = "steady"


class VulnerabilitySignal(BaseModel):
    flagged: bool = False
    drivers: list[str] = Field(default_factory=list)
    evidence: list[str] = Field(default_factory=list)


class Entity(BaseModel):
    type: str
    value: str


class PiiSpan(BaseModel):
    type: str
    start: int
    end: int


class Signals(BaseModel):
    """Everything triage read in one customer message, in the context of its conversation."""

    text_redacted: str = ""
    intent: IntentSignal = Field(default_factory=IntentSignal)
    out_of_scope: bool = False
    emotion: EmotionSignal = Field(default_factory=EmotionSignal)
    vulnerability: VulnerabilitySignal = Field(default_factory=VulnerabilitySignal)
    dispute: bool = False
    public_escalation_risk: bool = False
    human_requested: bool = False
    exception_requested: bool = False
    sales_opportunity: bool = False
    complaint: bool = False
    misunderstanding: bool = False
    departments: list[str] = Field(default_factory=list)
    language: str = "en"
    entities: list[Entity] = Field(default_factory=list)
    pii: list[PiiSpan] = Field(default_factory=list)
    latency_ms: float = 0.0
    # detector name -> the phrases that made it fire; the hand-over policy quotes these as evidence.
    evidence: dict[str, list[str]] = Field(default_factory=dict)


class TriageContext(BaseModel):
    """What triage may know about the conversation so far (never raw personal data)."""

    previous_frustration: list[float] = Field(default_factory=list)
    previous_departments: list[str] = Field(default_factory=list)
    previous_customer_messages: int = 0
    prior_contacts_7d: int = 0
