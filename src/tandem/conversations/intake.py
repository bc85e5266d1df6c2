"""Receiving a customer message: store it first, then run the pipeline; a failing stage loses nothing.

This module is a boundary (like a request handler): it owns the two commits. The first makes the
customer's message durable before any model runs; the second records what the AI or the hand-over did.
"""

from __future__ import annotations

import logging
import time
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from tandem.conversations import repository
from tandem.conversations import service as conversation_service
from tandem.conversations.models import Conversation, Message
from tandem.conversations.pipeline import AiReply, CustomerProfileData, FlowAwareReply, Pipeline, Turn, TurnTools
from tandem.conversations.schemas import CustomerTurnOut, HandoffOut, MessageOut
from tandem.customers import repository as customer_repository
from tandem.events import service as events
from tandem.handoff import brief_service
from tandem.handoff import service as handoff_service
from tandem.handoff import stage as handoff_stage
from tandem.handoff.decision import Decision, FiredReason, Reason
from tandem.handoff.models import Handoff
from tandem.handoff.state import next_state
from tandem.kit import clock
from tandem.kit.db import unit_of_work
from tandem.triage.signals import Signals
from tandem.users.principal import Principal
from tandem.workspace import service as workspace

log = logging.getLogger("tandem.intake")


@dataclass(frozen=True)
class Stored:
    message_id: int
    duplicate: bool


class StageFailed(Exception):
    def __init__(self, stage: str, error: BaseException) -> None:
        super().__init__(f"{stage} failed: {type(error).__name__}")
        self.stage, self.error = stage, error


def receive(
    factory: sessionmaker[Session],
    pipeline: Pipeline | None,
    principal: Principal,
    conversation_id: int,
    body: str,
    channel_message_id: str | None,
    max_chars: int,
) -> CustomerTurnOut:
    conversation_service.check_length(body, max_chars)
    if pipeline is None:
        # Persistence only (an outage switch, and the benchmark): one transaction, no AI.
        with unit_of_work(factory) as session:
            stored = _store(session, principal, conversation_id, body, channel_message_id)
            return turn_result(session, conversation_id, stored.message_id, stored.duplicate, stored.duplicate)
    with unit_of_work(factory) as session:
        stored = _store(session, principal, conversation_id, body, channel_message_id)
    if not stored.duplicate:
        _run_pipeline(factory, pipeline, conversation_id, stored.message_id)
    with unit_of_work(factory) as session:
        return turn_result(session, conversation_id, stored.message_id, stored.duplicate)


def _store(session: Session, principal: Principal, conversation_id: int, body: str, channel_id: str | None) -> Stored:
    principal.require_conversation(conversation_id, "messages:write")
    conversation = conversation_service.get(session, conversation_id, for_update=True)
    if channel_id and (first := repository.message_by_channel_id(session, conversation.channel, channel_id)):
        return Stored(first.id, duplicate=True)
    # SQLite: this transaction holds the database's write lock, so the check above cannot race and no
    # savepoint is needed. PostgreSQL: two requests can pass the check together; the unique constraint
    # decides, inside a savepoint so the loser's transaction survives.
    guard = nullcontext() if session.get_bind().dialect.name == "sqlite" else session.begin_nested()
    try:
        with guard:
            message = conversation_service.add_message(
                session, conversation, "customer", body, channel_message_id=channel_id
            )
    except IntegrityError:
        # Another request stored the same channel message a moment ago: that one is the first.
        first = repository.message_by_channel_id(session, conversation.channel, channel_id or "")
        assert first is not None
        return Stored(first.id, duplicate=True)
    if conversation.owner == "resolved":
        conversation_service.transition(session, conversation, "reopen_to_ai", "customer", "customer wrote again")
    events.record(session, "message.received", principal.actor, conversation_id, message_id=message.id, chars=len(body))
    return Stored(message.id, duplicate=False)


def _run_pipeline(factory: sessionmaker[Session], pipeline: Pipeline, conversation_id: int, message_id: int) -> None:
    with unit_of_work(factory) as session:
        conversation = conversation_service.get(session, conversation_id, for_update=True)
        message = session.get(Message, message_id)
        assert message is not None
        try:
            with session.begin_nested():
                _run_stages(session, pipeline, conversation, message)
        except Exception as exc:
            failure = exc if isinstance(exc, StageFailed) else StageFailed("pipeline", exc)
            session.refresh(conversation)
            _escalate_unavailable(session, pipeline, conversation, message, failure)
        # Keep the agent's brief current with every customer message while a person is needed
        # (a no-op while the AI owns the conversation; a failure is logged, never blocks the message).
        brief_service.refresh_brief(session, conversation_id)


def _run_stages(session: Session, pipeline: Pipeline, conversation: Conversation, message: Message) -> None:
    started = time.perf_counter()
    redaction = _stage("privacy", lambda: pipeline.privacy.scan(message.body))
    turn = _turn(session, conversation, message, redaction.text)
    context = handoff_stage.triage_context(turn.state, turn.owner)
    signals = _stage("triage", lambda: pipeline.triage.assess(redaction.text, context))
    if conversation.owner == "ai":
        signals = _stage("reply", lambda: _mark_answer(pipeline, turn, message.body, signals))
    message.meta = {
        **message.meta,
        "redacted": redaction.text,
        "pii": redaction.spans,
        "signals": signals.model_dump(mode="json", exclude={"text_redacted"}),
    }
    if conversation.owner != "ai":
        # A human owns it: the AI reads along to assist the agent, and says nothing to the customer.
        # What the message reveals (a bereavement, a chargeback threat) still joins the hand-over.
        incoming = _stage("decision", lambda: pipeline.decision.decide(signals, turn))
        _advance_state(conversation, turn, signals, Decision(owner="human", queue=conversation.queue))
        handoff_service.add_reasons(session, conversation, incoming, message.id)
        events.record(session, "message.triaged", "ai", conversation.id, message_id=message.id, silent=True)
        return
    decision = _stage("decision", lambda: pipeline.decision.decide(signals, turn))
    _advance_state(conversation, turn, signals, decision)
    handoff_service.record_decision(session, conversation.id, message.id, decision)
    if decision.owner == "human":
        _drop_task(conversation)
        _escalate(session, pipeline, conversation, decision, message, turn)
        return
    tools = TurnTools(session, message.body)
    reply = _stage("reply", lambda: pipeline.reply.respond(signals, turn, tools))
    conversation_service.add_message(
        session,
        conversation,
        "ai",
        reply.body,
        reply_to_id=message.id,
        meta={"skill": reply.skill, **reply.meta},
    )
    _keep_assistant_state(session, conversation, reply)
    events.record(
        session,
        "ai.replied",
        "ai",
        conversation.id,
        message_id=message.id,
        skill=reply.skill,
        resolved=reply.resolved,
        situation=reply.meta.get("situation"),
        latency_ms=round((time.perf_counter() - started) * 1000, 2),
    )
    if reply.handover is not None:
        # The skill explained itself to the customer above; now a person takes over, told why.
        skill_decision = _skill_handover(reply, conversation)
        handoff_service.record_decision(session, conversation.id, message.id, skill_decision)
        _drop_task(conversation)
        _escalate(session, pipeline, conversation, skill_decision, message, turn)


def _escalate(
    session: Session, pipeline: Pipeline, conversation: Conversation, decision: Decision, message: Message, turn: Turn
) -> None:
    handoff_service.escalate(
        session,
        conversation,
        decision,
        message.id,
        lambda wait: pipeline.notice.handover_notice(decision, wait, turn),
        people_back_at=_people_back_at(turn.business_hours),
    )


def _mark_answer(pipeline: Pipeline, turn: Turn, text: str, signals: Signals) -> Signals:
    """A reply to the assistant's own question ("A10023", "yes") is not a misunderstanding: say so. And
    while a question is open, an odd reply ("I don't have it") is the skill's to handle: say that too."""
    if not isinstance(pipeline.reply, FlowAwareReply):
        return signals
    evidence = dict(signals.evidence)
    if (answered := pipeline.reply.answering(turn, text)) is not None:
        evidence["answering_assistant"] = [answered]
    if (waiting := pipeline.reply.awaiting(turn)) is not None:
        evidence["assistant_waiting"] = [waiting]
    if evidence == signals.evidence:
        return signals
    return signals.model_copy(update={"evidence": evidence})


def _keep_assistant_state(session: Session, conversation: Conversation, reply: AiReply) -> None:
    if reply.state is None:
        return
    conversation.state = {**conversation.state, "assistant": reply.state}
    verified = reply.state.get("verified_customer_id")
    if conversation.customer_id is None and isinstance(verified, int):
        # The customer proved who they are: the conversation is theirs (the brief shows their record).
        conversation.customer_id = verified
        events.record(session, "conversation.customer_linked", "ai", conversation.id, customer_id=verified)


def _drop_task(conversation: Conversation) -> None:
    """A person takes over: the AI's half-finished request must not resume by itself on hand-back."""
    assistant = conversation.state.get("assistant")
    if isinstance(assistant, dict) and assistant.get("task") is not None:
        conversation.state = {**conversation.state, "assistant": {**assistant, "task": None}}


def _skill_handover(reply: AiReply, conversation: Conversation) -> Decision:
    assert reply.handover is not None
    handover = reply.handover
    reason = FiredReason(
        code=str(handover["reason"]),
        rule=f"skill:{reply.skill}",
        rank=0,
        signals=dict(handover.get("evidence") or {}),
        explanation=str(handover.get("explanation", "")),
        queue=str(handover.get("queue") or "general"),
    )
    return Decision(
        owner="human",
        reasons=[reason],
        queue=str(handover.get("queue") or conversation.queue or "general"),
        priority=handover.get("priority", "normal"),
    )


def _stage(name: str, run: Any) -> Any:
    try:
        return run()
    except Exception as exc:
        raise StageFailed(name, exc) from exc


def _escalate_unavailable(
    session: Session, pipeline: Pipeline, conversation: Conversation, message: Message, failure: StageFailed
) -> None:
    # Log the error class only: the exception text may quote the customer's message.
    log.error(
        "pipeline.stage_failed",
        extra={"stage": failure.stage, "error": type(failure.error).__name__, "conversation_id": conversation.id},
    )
    events.record(
        session,
        "pipeline.failed",
        "system",
        conversation.id,
        message_id=message.id,
        stage=failure.stage,
        error=type(failure.error).__name__,
    )
    if conversation.owner != "ai":
        return
    decision = Decision(
        owner="human",
        queue=conversation.queue or "general",
        priority="high",
        reasons=[
            FiredReason(
                code=Reason.AI_UNAVAILABLE,
                rule="stage_failed",
                rank=0,
                signals={"stage": failure.stage, "error": type(failure.error).__name__},
                explanation=f"The {failure.stage} stage failed; a person takes over.",
            )
        ],
    )
    handoff_service.record_decision(session, conversation.id, message.id, decision)
    handoff_service.escalate(
        session,
        conversation,
        decision,
        message.id,
        lambda wait: _safe_notice(pipeline, decision, wait, conversation, message),
        people_back_at=_people_back_at(workspace.get(session, "business_hours")),
    )


def _people_back_at(hours_config: dict[str, Any] | None) -> datetime | None:
    """None while the desk is open; otherwise when people are next at their desks."""
    hours = handoff_stage.business_hours(hours_config)
    now = clock.now()
    return None if hours.is_open(now) else hours.next_opening(now)


def _safe_notice(pipeline: Pipeline, decision: Decision, wait: int | None, conv: Conversation, msg: Message) -> str:
    turn = Turn(conv.id, msg.id, "", conv.owner, dict(conv.state), CustomerProfileData(), conv.customer_id)
    try:
        return pipeline.notice.handover_notice(decision, wait, turn)
    except Exception:
        return (
            "Thanks for your message. I'm passing this to a member of our team, who will see everything "
            "you've written and reply as soon as they can."
        )


def _turn(session: Session, conversation: Conversation, message: Message, redacted: str) -> Turn:
    return Turn(
        conversation_id=conversation.id,
        message_id=message.id,
        redacted_text=redacted,
        owner=conversation.owner,
        state=dict(conversation.state),
        profile=_profile(session, conversation),
        customer_id=conversation.customer_id,
        business_hours=workspace.get(session, "business_hours"),
    )


def _profile(session: Session, conversation: Conversation) -> CustomerProfileData:
    if conversation.customer_id is None:
        return CustomerProfileData()
    customer = customer_repository.get(session, conversation.customer_id)
    if customer is None:
        return CustomerProfileData()
    vulnerable = bool(customer_repository.vulnerabilities(session, customer.id))
    granted = [e for e in customer_repository.exceptions(session, customer.id) if e.outcome != "declined"]
    return CustomerProfileData(
        tier=customer.tier,
        lifetime_value=float(customer.lifetime_value),
        lifetime_spend=float(customer.lifetime_spend),
        prior_exceptions=len(granted),
        vulnerable=vulnerable,
        name=customer.name.split()[0] if customer.name.strip() else "",
        customer_since=customer.customer_since.isoformat() if customer.customer_since else None,
    )


def _advance_state(conversation: Conversation, turn: Turn, signals: Signals, decision: Decision) -> None:
    state = handoff_stage.conversation_state(turn.state, turn.owner)
    conversation.state = next_state(state, signals, decision).model_dump(mode="json")


def turn_result(
    session: Session, conversation_id: int, message_id: int, duplicate: bool, look_for_replies: bool = True
) -> CustomerTurnOut:
    conversation = conversation_service.get(session, conversation_id)
    message = session.get(Message, message_id)
    assert message is not None
    replies = repository.replies_to(session, message_id) if look_for_replies else []
    handoff = handoff_service.for_message(session, message_id) if look_for_replies else None
    return CustomerTurnOut(
        message=MessageOut.model_validate(message),
        duplicate=duplicate,
        owner=conversation.owner,
        replies=[MessageOut.model_validate(r) for r in replies],
        handoff=_handoff_out(handoff) if handoff else None,
    )


def _handoff_out(handoff: Handoff) -> HandoffOut:
    return HandoffOut(
        reasons=handoff.reasons,
        primary_reason=handoff.primary_reason,
        queue=handoff.queue,
        priority=handoff.priority,
        assigned_agent_id=handoff.assigned_agent_id,
        expected_wait_seconds=handoff.expected_wait_seconds,
        people_back_at=handoff.people_back_at,
    )
