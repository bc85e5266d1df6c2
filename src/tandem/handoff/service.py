"""Hand a conversation to people: record the decision, route it, tell the customer honestly."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from tandem.conversations import service as conversation_service
from tandem.conversations.models import Conversation, Message
from tandem.events import service as events
from tandem.handoff.decision import Decision
from tandem.handoff.models import Handoff, Queue
from tandem.handoff.update import widened
from tandem.kit import clock
from tandem.users import service as user_service

PRIORITY_ORDER = {"urgent": 0, "high": 1, "normal": 2, "low": 3}
DEFAULT_HANDLE_MINUTES = 8


@dataclass(frozen=True)
class Escalation:
    handoff: Handoff
    notice: Message
    wait_seconds: int | None
    assigned_agent_id: int | None


def record_decision(session: Session, conversation_id: int, message_id: int, decision: Decision) -> None:
    """Every decision is stored with the signal values behind it, so anyone can later see why."""
    events.record(
        session,
        "decision.made",
        "ai",
        conversation_id,
        message_id=message_id,
        **decision.model_dump(mode="json"),
    )


def escalate(
    session: Session,
    conversation: Conversation,
    decision: Decision,
    trigger_message_id: int | None,
    compose_notice: Callable[[int | None], str],
    people_back_at: datetime | None = None,
) -> Escalation:
    """Hand over. `people_back_at` is set when the desk is closed: then no wait in minutes is promised."""
    queue = decision.queue or "general"
    conversation.queue, conversation.priority = queue, decision.priority
    conversation.handed_over_at = clock.now()
    conversation_service.transition(session, conversation, "hand_over", "ai", decision.primary_reason or "")
    handoff = Handoff(
        conversation_id=conversation.id,
        trigger_message_id=trigger_message_id,
        primary_reason=decision.primary_reason or "unspecified",
        reasons=decision.reason_codes,
        queue=queue,
        priority=decision.priority,
        decision=decision.model_dump(mode="json"),
    )
    session.add(handoff)
    session.flush()
    agent_id = _assign_free_agent(session, conversation, queue)
    closed = people_back_at is not None and agent_id is None
    wait = None if agent_id or closed else estimate_wait_seconds(session, queue, decision.priority)
    handoff.customer_notice = compose_notice(0 if agent_id else wait)
    handoff.expected_wait_seconds, handoff.assigned_agent_id = (0 if agent_id else wait), agent_id
    handoff.people_back_at = people_back_at if closed else None
    notice = conversation_service.add_message(
        session,
        conversation,
        "system",
        handoff.customer_notice,
        reply_to_id=trigger_message_id,
        meta={"kind": "handoff_notice", "handoff_id": handoff.id},
    )
    events.record(
        session,
        "handoff.created",
        "ai",
        conversation.id,
        handoff_id=handoff.id,
        reasons=handoff.reasons,
        queue=queue,
        priority=decision.priority,
        expected_wait_seconds=wait,
        people_back_at=handoff.people_back_at.isoformat() if handoff.people_back_at else None,
        assigned_agent_id=agent_id,
    )
    return Escalation(handoff, notice, wait, agent_id)


def add_reasons(session: Session, conversation: Conversation, incoming: Decision, message_id: int) -> Handoff | None:
    """A message from a customer a person already has: new reasons join the open hand-over (see
    `update.widened`). Nothing is said to the customer; the agent's brief shows the new reasons."""
    handoff = latest_handoff(session, conversation.id)
    if handoff is None:
        return None
    # The row holds the live queue and priority (routing and earlier updates write them there).
    stored = Decision.model_validate(handoff.decision or {"owner": "human"})
    current = stored.model_copy(update={"queue": handoff.queue, "priority": handoff.priority})
    update = widened(current, incoming, still_queued=conversation.owner == "queued")
    if update is None:
        return None
    before = {"reasons": list(handoff.reasons), "queue": handoff.queue, "priority": handoff.priority}
    handoff.decision = update.model_dump(mode="json")
    handoff.reasons, handoff.primary_reason = update.reason_codes, update.primary_reason or handoff.primary_reason
    handoff.queue, handoff.priority = update.queue or handoff.queue, update.priority
    conversation.queue, conversation.priority = handoff.queue, handoff.priority
    events.record(
        session,
        "handoff.updated",
        "ai",
        conversation.id,
        handoff_id=handoff.id,
        message_id=message_id,
        before=before,
        after={"reasons": handoff.reasons, "queue": handoff.queue, "priority": handoff.priority},
        added=[r.model_dump(mode="json") for r in update.reasons if r.code not in before["reasons"]],
    )
    return handoff


def _assign_free_agent(session: Session, conversation: Conversation, queue: str) -> int | None:
    load = conversation_service.active_load_by_agent(session)
    for agent in user_service.available_agents(session, queue, load):
        if conversation_service.claim_for(session, conversation, agent.id, ("queued",)):
            events.record(
                session,
                "conversation.owner_changed",
                "system",
                conversation.id,
                action="assign",
                before="queued",
                after="human",
                agent_id=agent.id,
                reason="auto-routed",
            )
            return agent.id
    return None


def estimate_wait_seconds(session: Session, queue: str, priority: str) -> int:
    """Honest and simple: the people ahead of you, divided by the people online, times the handle time."""
    rank = PRIORITY_ORDER.get(priority, 2)
    ahead = [p for p in conversation_service.queued_priorities(session, queue) if PRIORITY_ORDER.get(p, 2) <= rank]
    online = user_service.available_agents(session, queue, load={}, with_capacity=False)
    handle = session.scalar(select(Queue.avg_handle_minutes).where(Queue.name == queue)) or DEFAULT_HANDLE_MINUTES
    position = max(len(ahead), 1)
    return int(60 * handle * position / max(len(online), 1))


def latest_handoff(session: Session, conversation_id: int) -> Handoff | None:
    query = select(Handoff).where(Handoff.conversation_id == conversation_id).order_by(Handoff.id.desc())
    return session.scalars(query.limit(1)).first()


def for_message(session: Session, message_id: int) -> Handoff | None:
    """The hand-over a customer message triggered, if it triggered one."""
    return session.scalars(select(Handoff).where(Handoff.trigger_message_id == message_id)).first()
