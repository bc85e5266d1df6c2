"""Replay conversations through the full pipeline, turn by turn, the way the API receives them.

Each conversation gets its customer record (and exception history), then each customer message goes
through `intake.receive` with a customer principal: the same code path as a widget posting to the API.
What comes out per turn is who owns the conversation, why, which skill answered and what the AI said.
"""

from __future__ import annotations

import dataclasses
import json
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError
from sqlalchemy.orm import Session, sessionmaker

from tandem.conversations import intake
from tandem.conversations import service as conversation_service
from tandem.conversations.models import Message
from tandem.conversations.pipeline import Pipeline, Turn
from tandem.conversations.schemas import ConversationStart, CustomerTurnOut
from tandem.customers import service as customer_service
from tandem.customers.models import CustomerException
from tandem.customers.schemas import CustomerCreate
from tandem.handoff import brief_service
from tandem.handoff import service as handoff_service
from tandem.handoff.decision import Decision
from tandem.handoff.state import HUMAN_OWNERS
from tandem.kit import clock
from tandem.kit.db import unit_of_work
from tandem.kit.errors import TandemError
from tandem.triage.signals import Signals
from tandem.users.principal import CUSTOMER_SCOPES, Principal

REPLAY_ACTOR = Principal("api_key", 0, frozenset({"conversations:write"}))
# Replayed exception history is placed well in the past: the input gives a count, not dates.
PRIOR_EXCEPTION_SPACING = timedelta(days=400)


class ReplayCustomer(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Annotated[str, StringConstraints(max_length=200)] = ""
    tier: Literal["standard", "silver", "gold", "platinum"] = "standard"
    lifetime_value: Decimal = Field(default=Decimal(0), ge=0)
    lifetime_spend: Decimal = Field(default=Decimal(0), ge=0)
    prior_exceptions: int = Field(default=0, ge=0, le=100)
    customer_since: date | None = None


class ReplayConversation(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    customer: ReplayCustomer | None = None
    turns: list[Annotated[str, StringConstraints(min_length=1)]] = Field(min_length=1)


@dataclass(frozen=True)
class BadLine:
    line: int
    error: str
    id: str | None = None

    def as_json(self) -> dict[str, Any]:
        return {"id": self.id, "line": self.line, "error": self.error}


class TimedDecision:
    """Wraps the decision stage to time decide() alone (the benchmark reports it)."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.timings_ms: list[float] = []

    def decide(self, signals: Signals, turn: Turn) -> Decision:
        started = time.perf_counter()
        try:
            decision: Decision = self.inner.decide(signals, turn)
            return decision
        finally:
            self.timings_ms.append(round((time.perf_counter() - started) * 1000, 3))


@dataclass
class Replayer:
    factory: sessionmaker[Session]
    pipeline: Pipeline
    max_chars: int = 20_000
    timer: TimedDecision = field(init=False)

    def __post_init__(self) -> None:
        self.timer = TimedDecision(self.pipeline.decision)
        self.pipeline = dataclasses.replace(self.pipeline, decision=self.timer)

    def replay(self, conversation: ReplayConversation) -> dict[str, Any]:
        self.timer.timings_ms = []
        conversation_id = self._open(conversation)
        customer = Principal("customer", conversation_id, CUSTOMER_SCOPES, conversation_id=conversation_id)
        turns, handover_turn = [], None
        for number, text in enumerate(conversation.turns, start=1):
            result = intake.receive(
                self.factory,
                self.pipeline,
                customer,
                conversation_id,
                text,
                f"replay-{conversation_id}-{number}",
                self.max_chars,
            )
            turns.append(self._turn(result))
            if handover_turn is None and result.owner in HUMAN_OWNERS:
                handover_turn = number
        final, brief, brief_ms = self._final(conversation_id)
        final["handover_turn"] = handover_turn
        return {
            "id": conversation.id,
            "turns": turns,
            "final": final,
            "brief": brief,
            "timings": {"decide_ms": list(self.timer.timings_ms), "brief_ms": brief_ms},
        }

    def _open(self, conversation: ReplayConversation) -> int:
        with unit_of_work(self.factory) as session:
            customer_id = _make_customer(session, conversation) if conversation.customer else None
            started, _ = conversation_service.start(
                session, ConversationStart(customer_id=customer_id, subject=conversation.id[:300]), REPLAY_ACTOR
            )
            return started.id

    def _turn(self, result: CustomerTurnOut) -> dict[str, Any]:
        ai_replies = [reply for reply in result.replies if reply.author_kind == "ai"]
        notices = [reply for reply in result.replies if reply.author_kind == "system"]
        skill = None
        if ai_replies:
            with unit_of_work(self.factory) as session:
                stored = session.get(Message, ai_replies[0].id)
                skill = (stored.meta or {}).get("skill") if stored else None
        return {
            "owner": "human" if result.owner in HUMAN_OWNERS else result.owner,
            "desk_owner": result.owner,
            "reasons": list(result.handoff.reasons) if result.handoff else [],
            "skill": skill,
            "reply": ai_replies[0].body if ai_replies else None,
            "notice": notices[0].body if notices else None,
        }

    def _final(self, conversation_id: int) -> tuple[dict[str, Any], dict[str, Any] | None, float | None]:
        with unit_of_work(self.factory) as session:
            conversation = conversation_service.get(session, conversation_id)
            handoff = handoff_service.latest_handoff(session, conversation_id)
            human = conversation.owner in HUMAN_OWNERS
            final = {
                "owner": "human" if human else conversation.owner,
                "desk_owner": conversation.owner,
                "reasons": list(handoff.reasons) if handoff and human else [],
                "queue": conversation.queue if human else None,
                "priority": conversation.priority if human else None,
            }
            if not human:
                return final, None, None
            started = time.perf_counter()
            brief = brief_service.build_brief(session, conversation_id)
            return final, brief.model_dump(mode="json"), round((time.perf_counter() - started) * 1000, 3)


def _make_customer(session: Session, conversation: ReplayConversation) -> int:
    data = conversation.customer or ReplayCustomer()
    customer = customer_service.create(
        session,
        CustomerCreate(
            name=data.name,
            tier=data.tier,
            lifetime_value=data.lifetime_value,
            lifetime_spend=data.lifetime_spend,
            customer_since=data.customer_since,
        ),
        "replay",
    )
    now = clock.now()
    for number in range(data.prior_exceptions):
        session.add(
            CustomerException(
                customer_id=customer.id,
                request="(replayed history)",
                outcome="approved",
                amount=Decimal(0),
                approval_level="agent",
                decided_at=now - PRIOR_EXCEPTION_SPACING * (number + 1),
            )
        )
    session.flush()
    return customer.id


def read_lines(lines: Iterator[tuple[int, str]]) -> Iterator[tuple[int, ReplayConversation | BadLine]]:
    """Each non-empty line (with its number) as a conversation to replay, or the reason it cannot be."""
    for number, raw in lines:
        if not raw.strip():
            continue
        try:
            data = json.loads(raw)
        except json.JSONDecodeError as exc:
            yield number, BadLine(number, f"not valid JSON: {exc.msg} (column {exc.colno})")
            continue
        found_id = str(data.get("id")) if isinstance(data, dict) and data.get("id") is not None else None
        try:
            yield number, ReplayConversation.model_validate(data)
        except ValidationError as exc:
            problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'line'}: {e['msg']}" for e in exc.errors()[:5])
            yield number, BadLine(number, problems, found_id)


def replay_all(replayer: Replayer, lines: Iterator[tuple[int, str]]) -> Iterator[dict[str, Any]]:
    """One JSON object per line: the replayed conversation, or an error for that line alone."""
    for number, item in read_lines(lines):
        if isinstance(item, BadLine):
            yield item.as_json()
            continue
        try:
            yield replayer.replay(item)
        except (TandemError, ValueError) as exc:
            message = exc.message if isinstance(exc, TandemError) else str(exc)
            yield BadLine(number, f"could not replay: {message}", item.id).as_json()
