"""Looking at hand-overs from the desk: every decision with its evidence, and the queues as they are now."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from tandem.conversations import repository as conversation_repository
from tandem.conversations import service as conversation_service
from tandem.conversations.models import Conversation
from tandem.conversations.repository import ConversationFilter
from tandem.events import service as events
from tandem.handoff import service as handoff_service
from tandem.handoff.decision import Priority
from tandem.handoff.models import Queue
from tandem.handoff.routing import first_response_target
from tandem.handoff.rules import PRIORITIES
from tandem.handoff.schemas import DecisionOut, QueueOut, QueuesOut, reasons_payload
from tandem.users import service as user_service

PAGE = 200


def decisions_for(session: Session, conversation_id: int) -> list[DecisionOut]:
    """Every decision the policy made in this conversation, oldest first, as it was stored."""
    conversation_service.get(session, conversation_id)
    found = []
    for event in events.for_conversation(session, conversation_id):
        if event.type != "decision.made":
            continue
        payload = event.payload or {}
        reasons = reasons_payload(payload)
        found.append(
            DecisionOut(
                event_id=event.id,
                message_id=payload.get("message_id"),
                made_at=event.created_at,
                owner=str(payload.get("owner", "ai")),
                reasons=reasons,
                primary_reason=reasons[0].code if reasons else None,
                queue=payload.get("queue"),
                priority=str(payload.get("priority", "normal")),
                turn_misunderstood=bool(payload.get("turn_misunderstood", False)),
            )
        )
    return found


def queue_overview(session: Session, now: datetime, rule_queues: Iterable[str] = ()) -> QueuesOut:
    """Each queue with live counts, its longest wait, the wait a newcomer would be told, and response targets."""
    configured = {q.name: q for q in session.scalars(select(Queue)).all()}
    waiting = list(_all(session, "queued"))
    taken = list(_all(session, "human"))
    names = sorted(
        {*configured, *rule_queues, *(c.queue for c in waiting if c.queue), *(c.queue for c in taken if c.queue)}
    )
    targets = {p: int(first_response_target(p).total_seconds()) for p in PRIORITIES}
    queues = []
    for name in names:
        here = [c for c in waiting if c.queue == name]
        by_priority = Counter(c.priority for c in here)
        handed = [c.handed_over_at for c in here if c.handed_over_at is not None]
        queues.append(
            QueueOut(
                name=name,
                description=configured[name].description if name in configured else "",
                waiting=len(here),
                in_progress=sum(1 for c in taken if c.queue == name),
                waiting_by_priority={p: by_priority.get(p, 0) for p in PRIORITIES},
                oldest_wait_seconds=max(0, int((now - min(handed)).total_seconds())) if handed else None,
                estimated_wait_seconds=_estimates(session, name, PRIORITIES),
                first_response_target_seconds=targets,
                agents_online=len(user_service.available_agents(session, name, load={}, with_capacity=False)),
            )
        )
    return QueuesOut(queues=queues, as_of=now)


def _estimates(session: Session, queue: str, priorities: Sequence[Priority]) -> dict[str, int]:
    # The same estimate the customer is told when handed over, so the desk and the customer agree.
    return {p: handoff_service.estimate_wait_seconds(session, queue, p) for p in priorities}


def _all(session: Session, owner: str) -> Iterator[Conversation]:
    """Every conversation with this owner, a page at a time."""
    before: int | None = None
    while True:
        page = conversation_repository.find(session, ConversationFilter(owner=owner, before_id=before, limit=PAGE))
        yield from page
        if len(page) < PAGE:
            return
        before = page[-1].id
