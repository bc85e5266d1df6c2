"""Queries for outcome facts.

Analytics is the desk's read model: it reads the conversation, message and event tables directly (read
only, in bulk, by id ranges), because going through each domain's service one conversation at a time
would make a backfill of a million messages take hours. It writes only its own tables.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

import numpy as np
from sqlalchemy import ColumnElement, and_, case, delete, exists, func, insert, or_, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from tandem.analytics.metrics import ContactRow, ConversationRecord, CrossFlags, OutcomeFacts, TrailEvent, TrailMessage
from tandem.analytics.models import AnalyticsWatermark, ConversationOutcome
from tandem.conversations.models import Conversation, Message
from tandem.customers.models import CustomerVulnerability
from tandem.events.models import Event
from tandem.kit import clock

OUTCOMES_MARK = "conversation_outcome"
# Events that change no outcome: skipping them keeps the incremental refresh cheap.
IGNORED_EVENTS = ("message.note_added",)


def lock_watermark(session: Session, name: str = OUTCOMES_MARK) -> AnalyticsWatermark:
    """The refresh's bookmark, row-locked on PostgreSQL so two refreshes never interleave."""
    mark = session.get(AnalyticsWatermark, name, with_for_update=True)
    if mark is None:
        mark = AnalyticsWatermark(name=name, last_event_id=0)
        session.add(mark)
        session.flush()
        mark = session.get(AnalyticsWatermark, name, with_for_update=True)
        assert mark is not None
    return mark


def max_event_id(session: Session) -> int:
    return int(session.scalar(select(func.max(Event.id))) or 0)


def conversations_with_events(session: Session, after_id: int, up_to_id: int) -> list[int]:
    query = (
        select(Event.conversation_id)
        .where(Event.id > after_id, Event.id <= up_to_id, Event.conversation_id.is_not(None))
        .where(Event.type.not_in(IGNORED_EVENTS))
        .distinct()
    )
    return sorted(int(cid) for cid in session.scalars(query) if cid is not None)


def load_trails(
    session: Session, conversation_ids: Sequence[int]
) -> list[tuple[ConversationRecord, list[TrailEvent], list[TrailMessage]]]:
    conversations = session.execute(
        select(
            Conversation.id,
            Conversation.created_at,
            Conversation.channel,
            Conversation.customer_id,
            Conversation.queue,
            Conversation.owner,
            Conversation.resolved_at,
            Conversation.satisfaction,
        ).where(Conversation.id.in_(conversation_ids))
    ).all()
    events: dict[int, list[TrailEvent]] = defaultdict(list)
    event_rows = session.execute(
        select(Event.conversation_id, Event.type, Event.created_at, Event.payload)
        .where(Event.conversation_id.in_(conversation_ids), Event.type.not_in(IGNORED_EVENTS))
        .order_by(Event.id)
    )
    for cid, type_, created_at, payload in event_rows:
        events[int(cid)].append(TrailEvent(type_, created_at, payload or {}))
    messages: dict[int, list[TrailMessage]] = defaultdict(list)
    message_rows = session.execute(
        select(
            Message.conversation_id,
            Message.author_kind,
            Message.body,
            Message.created_at,
            Message.visibility,
            Message.meta,
        )
        .where(Message.conversation_id.in_(conversation_ids))
        .order_by(Message.id)
    )
    for cid, author, body, created_at, visibility, meta in message_rows:
        messages[int(cid)].append(TrailMessage(author, body, created_at, visibility, meta or {}))
    return [(ConversationRecord(row.id, *row[1:]), events[row.id], messages[row.id]) for row in conversations]


def replace_outcomes(session: Session, facts: Sequence[OutcomeFacts]) -> None:
    if not facts:
        return
    ids = [f.conversation_id for f in facts]
    session.execute(delete(ConversationOutcome).where(ConversationOutcome.conversation_id.in_(ids)))
    now = clock.now()
    session.execute(insert(ConversationOutcome), [{**vars(f), "refreshed_at": now} for f in facts])


def contact_rows(session: Session, customer_ids: Iterable[int], since: datetime) -> list[ContactRow]:
    rows: list[ContactRow] = []
    ids = sorted(set(customer_ids))
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        query = select(
            ConversationOutcome.conversation_id,
            ConversationOutcome.customer_id,
            ConversationOutcome.started_at,
            ConversationOutcome.intent,
            ConversationOutcome.ai_resolved_at,
            ConversationOutcome.came_back,
        ).where(ConversationOutcome.customer_id.in_(chunk), ConversationOutcome.started_at >= since)
        rows.extend(ContactRow(int(r[0]), int(r[1] or 0), r[2], r[3], r[4], bool(r[5])) for r in session.execute(query))
    return rows


def update_flags(session: Session, flags: dict[int, CrossFlags]) -> None:
    groups: dict[tuple[bool, bool], list[int]] = defaultdict(list)
    for cid, flag in flags.items():
        groups[(flag.repeat_contact, flag.false_containment)].append(cid)
    for (repeat, false_containment), ids in groups.items():
        for start in range(0, len(ids), 500):
            session.query(ConversationOutcome).filter(
                ConversationOutcome.conversation_id.in_(ids[start : start + 500])
            ).update({"repeat_contact": repeat, "false_containment": false_containment}, synchronize_session=False)


# ---- aggregates -------------------------------------------------------------------------------------

GROUPS: dict[str, Any] = {
    "day": ConversationOutcome.started_day,
    "week": ConversationOutcome.started_week,
    "channel": ConversationOutcome.channel,
    "queue": ConversationOutcome.queue,
    "intent": ConversationOutcome.intent,
    "path": ConversationOutcome.path,
    "handover_reason": ConversationOutcome.handover_reason,
}


def _count(condition: ColumnElement[bool] | InstrumentedAttribute[bool]) -> Any:
    return func.sum(case((condition, 1), else_=0))


def _aggregate_columns(targets: dict[str, float]) -> list[Any]:
    o = ConversationOutcome
    return [
        func.count().label("conversations"),
        _count(o.ai_resolved).label("ai_resolved"),
        _count(and_(o.ai_resolved, o.confirmed)).label("confirmed"),
        _count(and_(o.ai_resolved, o.false_containment)).label("false_containment"),
        _count(and_(o.ai_resolved, o.confirmed, ~o.false_containment)).label("confirmed_and_stayed"),
        _count(o.handed_over).label("handed_over"),
        _count(o.repeat_contact).label("repeat_contact"),
        _count(o.complaint).label("complaints"),
        _count(o.repeated_fact).label("repeated_fact"),
        func.count(o.satisfaction).label("rated"),
        func.avg(o.satisfaction).label("satisfaction_avg"),
        func.count(o.first_response_s).label("first_response_n"),
        _count(o.first_response_s <= targets["first_response"]).label("first_response_met"),
        func.avg(o.first_response_s).label("first_response_avg"),
        func.count(o.time_to_human_s).label("time_to_human_n"),
        _count(o.time_to_human_s <= targets["human_response"]).label("time_to_human_met"),
        func.avg(o.time_to_human_s).label("time_to_human_avg"),
        func.count(o.resolution_s).label("resolution_n"),
        _count(o.resolution_s <= targets["resolution"]).label("resolution_met"),
        func.avg(o.resolution_s).label("resolution_avg"),
        func.count(o.frustration_start).label("emotion_n"),
        func.avg(o.frustration_start).label("frustration_start_avg"),
        func.avg(o.frustration_end).label("frustration_end_avg"),
        _count(o.frustration_end < o.frustration_start).label("frustration_eased"),
        _count(o.frustration_end > o.frustration_start).label("frustration_rose"),
    ]


def _window(since: datetime, until: datetime) -> ColumnElement[bool]:
    return and_(ConversationOutcome.started_at >= since, ConversationOutcome.started_at < until)


def _vulnerable() -> ColumnElement[bool]:
    now = clock.now()
    return exists().where(
        CustomerVulnerability.customer_id == ConversationOutcome.customer_id,
        or_(CustomerVulnerability.expires_at.is_(None), CustomerVulnerability.expires_at > now),
    )


def aggregate(
    session: Session,
    since: datetime,
    until: datetime,
    targets: dict[str, float],
    group_by: str | None = None,
    vulnerable_split: bool = False,
) -> list[dict[str, Any]]:
    """One row of counts per group (or one row overall); rates are worked out by the caller."""
    keys: dict[str, Any] = {}
    if group_by is not None:
        keys["group"] = GROUPS[group_by]
    if vulnerable_split:
        keys["vulnerable"] = case((_vulnerable(), 1), else_=0)
    labelled = [expression.label(name) for name, expression in keys.items()]
    query = select(*labelled, *_aggregate_columns(targets)).where(_window(since, until))
    if keys:
        query = query.group_by(*keys.values()).order_by(*keys.values())
    return [dict(row._mapping) for row in session.execute(query)]


def duration_percentiles(session: Session, since: datetime, until: datetime) -> dict[str, tuple[float, float] | None]:
    """Median and 90th percentile of each duration (first response, time to a human, resolution)."""
    o = ConversationOutcome
    columns = {"first_response": o.first_response_s, "time_to_human": o.time_to_human_s, "resolution": o.resolution_s}
    if session.get_bind().dialect.name == "postgresql":
        percentiles = [func.percentile_cont(q).within_group(column) for column in columns.values() for q in (0.5, 0.9)]
        row = session.execute(select(*percentiles).where(_window(since, until))).one()
        return {
            name: None if row[2 * i] is None else (float(row[2 * i]), float(row[2 * i + 1]))
            for i, name in enumerate(columns)
        }
    # SQLite has no percentile function; an embedded desk's window is small enough to read.
    rows = session.execute(select(*columns.values()).where(_window(since, until))).all()
    found: dict[str, tuple[float, float] | None] = {}
    for i, name in enumerate(columns):
        values = np.array([row[i] for row in rows if row[i] is not None], dtype=float)
        if values.size == 0:
            found[name] = None
            continue
        median, p90 = np.percentile(values, [50, 90])
        found[name] = (float(median), float(p90))
    return found


def waiting_for_human(session: Session, since: datetime, until: datetime, older_than: datetime) -> int:
    """Handed over, no person has replied yet, and the hand-over is older than the target allows."""
    query = select(func.count()).where(
        _window(since, until),
        ConversationOutcome.handed_over,
        ConversationOutcome.time_to_human_s.is_(None),
        ConversationOutcome.resolved_at.is_(None),
        ConversationOutcome.handed_over_at < older_than,
    )
    return int(session.scalar(query) or 0)


def handover_counts(session: Session, since: datetime, until: datetime) -> list[tuple[str, int]]:
    query = (
        select(ConversationOutcome.handover_reason, func.count())
        .where(_window(since, until), ConversationOutcome.handed_over)
        .group_by(ConversationOutcome.handover_reason)
        .order_by(func.count().desc())
    )
    return [(str(reason), int(n)) for reason, n in session.execute(query)]


def repeated_kind_counts(session: Session, since: datetime, until: datetime) -> Counter[str]:
    """How many handed-over conversations had the customer repeat each kind of fact."""
    query = (
        select(ConversationOutcome.repeated_kinds, func.count())
        .where(_window(since, until), ConversationOutcome.repeated_fact)
        .group_by(ConversationOutcome.repeated_kinds)
    )
    counts: Counter[str] = Counter()
    for kinds, n in session.execute(query):
        for kind in kinds or []:
            counts[kind] += int(n)
    return counts


def rating_comments(session: Session, since: datetime, until: datetime) -> list[tuple[int, int, str, str]]:
    """(conversation id, score, comment, path) for every rated conversation with a comment in the window."""
    query = (
        select(Event.conversation_id, Event.payload, ConversationOutcome.path)
        .join(ConversationOutcome, ConversationOutcome.conversation_id == Event.conversation_id)
        .where(Event.type == "conversation.rated", _window(since, until))
        .order_by(Event.id)
    )
    latest: dict[int, tuple[int, int, str, str]] = {}
    for cid, payload, path in session.execute(query):
        comment = str((payload or {}).get("comment") or "").strip()
        score = (payload or {}).get("score")
        if comment and isinstance(score, int):
            latest[int(cid)] = (int(cid), score, comment, str(path))
    return list(latest.values())
