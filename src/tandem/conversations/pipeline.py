"""The stages a customer message goes through after it is stored, each a replaceable interface.

privacy → triage → decision → reply (AI owns) or hand-over notice (a human takes over).
The defaults here are deliberately simple; the triage, hand-over and assistant domains provide the real ones.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from tandem.handoff.decision import Decision, FiredReason, Reason
from tandem.triage.signals import Signals, TriageContext

if TYPE_CHECKING:
    from sqlalchemy.orm import Session


@dataclass(frozen=True)
class Redaction:
    text: str
    spans: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class CustomerProfileData:
    tier: str = "standard"
    lifetime_value: float = 0.0
    lifetime_spend: float = 0.0
    prior_exceptions: int = 0
    customer_since: str | None = None
    vulnerable: bool = False
    name: str = ""


@dataclass(frozen=True)
class Turn:
    """One customer message in its conversation, as the stages see it (redacted text only)."""

    conversation_id: int
    message_id: int
    redacted_text: str
    owner: str
    state: dict[str, Any]
    profile: CustomerProfileData
    customer_id: int | None = None
    history: list[tuple[str, str]] = field(default_factory=list)
    business_hours: dict[str, Any] | None = None


@dataclass(frozen=True)
class TurnTools:
    """What the reply stage may use beyond the redacted turn: the turn's own transaction, and the
    customer's words as written (to read an email or an address they give; never logged or sent out)."""

    session: Session
    text: str


@dataclass(frozen=True)
class AiReply:
    body: str
    skill: str | None = None
    resolved: bool = False
    meta: dict[str, Any] = field(default_factory=dict)
    # The assistant's own state to carry to the next turn (its task in progress), if it keeps one.
    state: dict[str, Any] | None = None
    # Set when the skill cannot finish within policy: reason, explanation, evidence, queue, priority.
    handover: dict[str, Any] | None = None


class PrivacyStage(Protocol):
    def scan(self, text: str) -> Redaction: ...


class TriageStage(Protocol):
    def assess(self, redacted_text: str, context: TriageContext) -> Signals: ...


class DecisionStage(Protocol):
    def decide(self, signals: Signals, turn: Turn) -> Decision: ...


class ReplyStage(Protocol):
    def respond(self, signals: Signals, turn: Turn, tools: TurnTools) -> AiReply: ...


@runtime_checkable
class FlowAwareReply(Protocol):
    """A reply stage that asks questions knows when a message is the answer to one."""

    def answering(self, turn: Turn, text: str) -> str | None: ...

    def awaiting(self, turn: Turn) -> str | None: ...


class NoticeStage(Protocol):
    def handover_notice(self, decision: Decision, wait_seconds: int | None, turn: Turn) -> str: ...


@dataclass
class Pipeline:
    privacy: PrivacyStage
    triage: TriageStage
    decision: DecisionStage
    reply: ReplyStage
    notice: NoticeStage


# ---- the simple defaults ---------------------------------------------------------------------------

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
_HUMAN = re.compile(r"\b(human|real person|agent|someone real|speak to (a|an|some)one|representative)\b", re.I)


class EmailOnlyPrivacy:
    def scan(self, text: str) -> Redaction:
        spans = [{"type": "email", "start": m.start(), "end": m.end()} for m in _EMAIL.finditer(text)]
        return Redaction(_EMAIL.sub("[EMAIL]", text), spans)


class KeywordTriage:
    def assess(self, redacted_text: str, context: TriageContext) -> Signals:
        return Signals(text_redacted=redacted_text, human_requested=bool(_HUMAN.search(redacted_text)))


class HumanRequestOnlyPolicy:
    def decide(self, signals: Signals, turn: Turn) -> Decision:
        if not signals.human_requested:
            return Decision(owner="ai")
        reason = FiredReason(
            code=Reason.HUMAN_REQUESTED, rule="customer_asks_for_a_human", rank=1, signals={"human_requested": True}
        )
        return Decision(owner="human", reasons=[reason], queue="general", priority="normal")


class AcknowledgingReply:
    def respond(self, signals: Signals, turn: Turn, tools: TurnTools) -> AiReply:
        return AiReply("Thanks, I've got your message. I'm looking into it now.")


class PlainNotice:
    def handover_notice(self, decision: Decision, wait_seconds: int | None, turn: Turn) -> str:
        wait = f" The expected wait is about {max(1, round(wait_seconds / 60))} minutes." if wait_seconds else ""
        return (
            "I'm bringing in a member of our team. They will see everything you've told me, "
            f"so you won't need to repeat yourself.{wait}"
        )


def basic_pipeline() -> Pipeline:
    return Pipeline(EmailOnlyPrivacy(), KeywordTriage(), HumanRequestOnlyPolicy(), AcknowledgingReply(), PlainNotice())
