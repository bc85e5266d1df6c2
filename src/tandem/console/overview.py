"""What a supervisor watches besides the queues (GET /queues): first-response targets at risk, why
conversations are handed over, satisfaction and emotion (start against end) by the path a conversation
took, and exceptions waiting for a supervisor's approval.

Read-only, computed from the store on request. When the analytics domain offers these numbers, they
should come from its service instead (this module then shrinks to a call).
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from typing import Literal

from pydantic import BaseModel, Field
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tandem.console.inbox import first_response_due, target_for
from tandem.conversations.models import Conversation, Message
from tandem.events.models import Event
from tandem.handoff.models import Handoff
from tandem.kit import clock
from tandem.widget import reads

Path = Literal["ai_only", "handed_over", "human_only"]
PATH_LABELS: dict[Path, str] = {"ai_only": "AI only", "handed_over": "Handed over", "human_only": "Human only"}
# A conversation is "at risk" once less than this share of its first-response target is left.
AT_RISK_SHARE = 0.5


class AtRisk(BaseModel):
    conversation_id: int
    queue: str | None
    priority: str
    owner: str
    agent_name: str | None
    due_at: datetime
    seconds_left: int = Field(description="Negative once the target has passed.")
    target_seconds: int


class ReasonCount(BaseModel):
    reason: str
    count: int


class PathSatisfaction(BaseModel):
    path: Path
    label: str
    conversations: int
    rated: int
    average: float | None
    distribution: list[int] = Field(description="How many ratings of 1, 2, 3, 4 and 5.")
    frustration_start: float | None = Field(default=None, description="Mean frustration of first customer messages.")
    frustration_end: float | None = Field(default=None, description="Mean frustration of last customer messages.")


class PendingApproval(BaseModel):
    """An agent asked a supervisor to approve an exception above their limit, and nobody has decided yet."""

    conversation_id: int
    outcome: str
    amount: str
    limit: int | None
    requested_by: str
    requested_at: datetime


class Overview(BaseModel):
    generated_at: datetime
    since: datetime
    at_risk: list[AtRisk]
    handovers_by_reason: list[ReasonCount]
    satisfaction: list[PathSatisfaction]
    approvals: list[PendingApproval] = Field(default_factory=list)


def overview(session: Session, days: int) -> Overview:
    now = clock.now()
    since = now - timedelta(days=days)
    return Overview(
        generated_at=now,
        since=since,
        at_risk=at_risk(session, now),
        handovers_by_reason=handovers_by_reason(session, since),
        satisfaction=satisfaction_by_path(session, since),
        approvals=pending_approvals(session, since),
    )


def at_risk(session: Session, now: datetime) -> list[AtRisk]:
    open_handovers = session.scalars(
        select(Conversation).where(
            Conversation.owner.in_(("queued", "human")),
            Conversation.handed_over_at.is_not(None),
            Conversation.first_human_response_at.is_(None),
        )
    ).all()
    names = reads.agent_names(session, [c.assigned_agent_id for c in open_handovers])
    found = []
    for conversation in open_handovers:
        due = first_response_due(conversation)
        if due is None:
            continue
        target = target_for(conversation.priority).total_seconds()
        left = (due - now).total_seconds()
        if left < AT_RISK_SHARE * target:
            found.append(
                AtRisk(
                    conversation_id=conversation.id,
                    queue=conversation.queue,
                    priority=conversation.priority,
                    owner=conversation.owner,
                    agent_name=names.get(conversation.assigned_agent_id or 0),
                    due_at=due,
                    seconds_left=int(left),
                    target_seconds=int(target),
                )
            )
    return sorted(found, key=lambda risk: risk.seconds_left)


def handovers_by_reason(session: Session, since: datetime) -> list[ReasonCount]:
    rows = session.execute(
        select(Handoff.primary_reason, func.count()).where(Handoff.created_at >= since).group_by(Handoff.primary_reason)
    ).all()
    counts = [ReasonCount(reason=reason, count=count) for reason, count in rows]
    return sorted(counts, key=lambda row: (-row.count, row.reason))


def path_of(conversation: Conversation) -> Path:
    if conversation.handed_over_at is not None:
        return "handed_over"
    if conversation.first_human_response_at is not None:
        return "human_only"
    return "ai_only"


def satisfaction_by_path(session: Session, since: datetime) -> list[PathSatisfaction]:
    conversations = session.scalars(select(Conversation).where(Conversation.created_at >= since)).all()
    arcs = frustration_arcs(session, since)
    totals: Counter[Path] = Counter()
    ratings: dict[Path, list[int]] = {path: [] for path in PATH_LABELS}
    starts: dict[Path, list[float]] = {path: [] for path in PATH_LABELS}
    ends: dict[Path, list[float]] = {path: [] for path in PATH_LABELS}
    for conversation in conversations:
        path = path_of(conversation)
        totals[path] += 1
        if conversation.satisfaction is not None:
            ratings[path].append(conversation.satisfaction)
        if conversation.id in arcs:
            starts[path].append(arcs[conversation.id][0])
            ends[path].append(arcs[conversation.id][1])
    return [
        PathSatisfaction(
            path=path,
            label=label,
            conversations=totals[path],
            rated=len(ratings[path]),
            average=round(sum(ratings[path]) / len(ratings[path]), 2) if ratings[path] else None,
            distribution=[ratings[path].count(score) for score in range(1, 6)],
            frustration_start=_mean(starts[path]),
            frustration_end=_mean(ends[path]),
        )
        for path, label in PATH_LABELS.items()
    ]


def frustration_arcs(session: Session, since: datetime) -> dict[int, tuple[float, float]]:
    """Per conversation: the frustration triage read in the first and in the last customer message."""
    rows = session.execute(
        select(Message.conversation_id, Message.meta)
        .join(Conversation, Conversation.id == Message.conversation_id)
        .where(Conversation.created_at >= since, Message.author_kind == "customer")
        .order_by(Message.conversation_id, Message.id)
    ).all()
    arcs: dict[int, tuple[float, float]] = {}
    for conversation_id, meta in rows:
        score = ((meta or {}).get("signals") or {}).get("emotion", {}).get("frustration")
        if isinstance(score, int | float):
            first = arcs[conversation_id][0] if conversation_id in arcs else float(score)
            arcs[conversation_id] = (first, float(score))
    return arcs


def pending_approvals(session: Session, since: datetime) -> list[PendingApproval]:
    """Approval requests with no exception decided on that conversation after them, oldest first."""
    trail = session.execute(
        select(Event)
        .where(Event.type.in_(("exception.approval_requested", "exception.decided")), Event.created_at >= since)
        .order_by(Event.id)
    ).scalars()
    waiting: dict[int, Event] = {}
    for event in trail:
        if event.conversation_id is None:
            continue
        if event.type == "exception.decided":
            waiting.pop(event.conversation_id, None)
        else:
            waiting[event.conversation_id] = event
    return [
        PendingApproval(
            conversation_id=event.conversation_id or 0,
            outcome=str(event.payload.get("outcome", "")),
            amount=str(event.payload.get("amount", "")),
            limit=event.payload.get("limit"),
            requested_by=event.actor,
            requested_at=event.created_at,
        )
        for event in sorted(waiting.values(), key=lambda e: e.id)
    ]


def _mean(values: list[float]) -> float | None:
    return round(sum(values) / len(values), 3) if values else None
