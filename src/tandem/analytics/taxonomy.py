"""The root-cause taxonomy people curate: causes, which topics file under which cause, rename and merge,
and what each cause accounts for. Every edit is on the audit trail. Services flush; the caller commits.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from tandem.analytics.models import (
    ComplaintRecord,
    ConversationOutcome,
    ConversationTopic,
    RootCause,
    TopicCause,
)
from tandem.analytics.periods import Window
from tandem.analytics.schemas import CauseOut, CauseReport, CauseStat, WindowOut
from tandem.analytics.topic_service import get_topic
from tandem.events import service as events
from tandem.kit import clock
from tandem.kit.errors import Conflict, NotFound, ValidationFailed

UNMAPPED = "(not yet filed under a cause)"


def list_causes(session: Session, include_merged: bool = False) -> list[CauseOut]:
    query = select(RootCause).order_by(RootCause.name)
    if not include_merged:
        query = query.where(RootCause.merged_into_id.is_(None))
    topics: dict[int, list[int]] = defaultdict(list)
    for topic_id, cause_id in session.execute(
        select(TopicCause.topic_id, TopicCause.cause_id).order_by(TopicCause.topic_id)
    ):
        topics[cause_id].append(topic_id)
    return [CauseOut.model_validate(c).model_copy(update={"topic_ids": topics[c.id]}) for c in session.scalars(query)]


def get_cause(session: Session, cause_id: int) -> RootCause:
    cause = session.get(RootCause, cause_id)
    if cause is None:
        raise NotFound(f"No root cause with id {cause_id}.")
    return cause


def create_cause(session: Session, name: str, description: str, actor: str) -> CauseOut:
    _require_free_name(session, name)
    now = clock.now()
    cause = RootCause(name=name.strip(), description=description.strip(), created_at=now, updated_at=now)
    session.add(cause)
    session.flush()
    events.record(session, "analytics.root_cause_created", actor, cause_id=cause.id, name=cause.name)
    return _out(session, cause)


def edit_cause(session: Session, cause_id: int, actor: str, name: str | None, description: str | None) -> CauseOut:
    cause = _live(session, cause_id)
    changed: dict[str, Any] = {}
    if name is not None and name.strip() != cause.name:
        _require_free_name(session, name)
        changed["name"] = {"before": cause.name, "after": name.strip()}
        cause.name = name.strip()
    if description is not None and description.strip() != cause.description:
        changed["description"] = True
        cause.description = description.strip()
    if changed:
        cause.updated_at = clock.now()
        session.flush()
        events.record(session, "analytics.root_cause_edited", actor, cause_id=cause.id, changed=changed)
    return _out(session, cause)


def merge_causes(session: Session, cause_id: int, into_id: int, actor: str) -> CauseOut:
    """Fold one cause into another: its topics move across; the old entry stays, pointing at the new one."""
    if cause_id == into_id:
        raise ValidationFailed("A cause cannot be merged into itself.")
    source, target = _live(session, cause_id), _live(session, into_id)
    moved = list(session.scalars(select(TopicCause).where(TopicCause.cause_id == source.id)))
    for mapping in moved:
        mapping.cause_id, mapping.mapped_by, mapping.mapped_at = target.id, actor, clock.now()
    source.merged_into_id, source.updated_at = target.id, clock.now()
    session.flush()
    events.record(
        session,
        "analytics.root_cause_merged",
        actor,
        cause_id=source.id,
        into_id=target.id,
        topics=[m.topic_id for m in moved],
    )
    return _out(session, target)


def file_topic(session: Session, topic_id: int, cause_id: int, actor: str) -> CauseOut:
    get_topic(session, topic_id)
    cause = _live(session, cause_id)
    mapping = session.get(TopicCause, topic_id)
    if mapping is None:
        session.add(TopicCause(topic_id=topic_id, cause_id=cause.id, mapped_by=actor, mapped_at=clock.now()))
    else:
        mapping.cause_id, mapping.mapped_by, mapping.mapped_at = cause.id, actor, clock.now()
    session.flush()
    events.record(session, "analytics.topic_filed", actor, topic_id=topic_id, cause_id=cause.id)
    return _out(session, cause)


def unfile_topic(session: Session, topic_id: int, actor: str) -> None:
    mapping = session.get(TopicCause, topic_id)
    if mapping is None:
        raise NotFound(f"Topic {topic_id} is not filed under any cause.")
    session.delete(mapping)
    session.flush()
    events.record(session, "analytics.topic_unfiled", actor, topic_id=topic_id, cause_id=mapping.cause_id)


def cause_report(session: Session, win: Window) -> CauseReport:
    """Volume per cause now and in the window before, with satisfaction, false containment and the
    products and outcomes behind it."""
    previous = Window(win.since - win.length, win.since)
    names = {c.id: c.name for c in session.scalars(select(RootCause))}
    complaints_now, products, outcomes, complaint_scores = _complaint_stats(session, win)
    complaints_before = _complaint_stats(session, previous)[0]
    conversations_now, conversation_scores, false_containment = _conversation_stats(session, win)
    conversations_before = _conversation_stats(session, previous)[0]
    total = sum(complaints_now.values()) + sum(conversations_now.values())
    causes = set(complaints_now) | set(conversations_now) | set(complaints_before) | set(conversations_before)
    stats = []
    for cause_id in causes:
        now_count = complaints_now[cause_id] + conversations_now[cause_id]
        before = complaints_before[cause_id] + conversations_before[cause_id]
        scores = complaint_scores[cause_id] + conversation_scores[cause_id]
        stats.append(
            CauseStat(
                cause_id=cause_id,
                name=names.get(cause_id, UNMAPPED) if cause_id is not None else UNMAPPED,
                complaints=complaints_now[cause_id],
                conversations=conversations_now[cause_id],
                share=round(now_count / total, 4) if total else None,
                previous=before,
                change=round((now_count - before) / before, 4) if before else None,
                satisfaction_avg=round(sum(scores) / len(scores), 3) if scores else None,
                false_containment=false_containment[cause_id],
                top_products=products[cause_id].most_common(3),
                top_outcomes=outcomes[cause_id].most_common(3),
            )
        )
    stats.sort(key=lambda s: (s.cause_id is None, -(s.complaints + s.conversations)))
    return CauseReport(
        window=WindowOut(since=win.since, until=win.until),
        previous=WindowOut(since=previous.since, until=previous.until),
        causes=stats,
    )


def _complaint_stats(
    session: Session, win: Window
) -> tuple[
    Counter[int | None], dict[int | None, Counter[str]], dict[int | None, Counter[str]], dict[int | None, list[int]]
]:
    c = ComplaintRecord
    query = (
        select(TopicCause.cause_id, c.product, c.outcome, c.satisfaction, func.count())
        .select_from(c)
        .outerjoin(TopicCause, TopicCause.topic_id == c.topic_id)
        .where(c.received_at >= win.since, c.received_at < win.until)
        .group_by(TopicCause.cause_id, c.product, c.outcome, c.satisfaction)
    )
    counts: Counter[int | None] = Counter()
    products: dict[int | None, Counter[str]] = defaultdict(Counter)
    outcomes: dict[int | None, Counter[str]] = defaultdict(Counter)
    scores: dict[int | None, list[int]] = defaultdict(list)
    for cause_id, product, outcome, satisfaction, n in session.execute(query):
        counts[cause_id] += n
        if product:
            products[cause_id][product] += n
        if outcome:
            outcomes[cause_id][outcome] += n
        if satisfaction is not None:
            scores[cause_id].extend([satisfaction] * n)
    return counts, products, outcomes, scores


def _conversation_stats(
    session: Session, win: Window
) -> tuple[Counter[int | None], dict[int | None, list[int]], Counter[int | None]]:
    o = ConversationOutcome
    query = (
        select(
            TopicCause.cause_id,
            o.satisfaction,
            func.count(),
            func.sum(case((o.false_containment, 1), else_=0)),
        )
        .select_from(o)
        .join(ConversationTopic, ConversationTopic.conversation_id == o.conversation_id)
        .outerjoin(TopicCause, TopicCause.topic_id == ConversationTopic.topic_id)
        .where(o.started_at >= win.since, o.started_at < win.until)
        .group_by(TopicCause.cause_id, o.satisfaction)
    )
    counts: Counter[int | None] = Counter()
    scores: dict[int | None, list[int]] = defaultdict(list)
    false_containment: Counter[int | None] = Counter()
    for cause_id, satisfaction, n, contained_falsely in session.execute(query):
        counts[cause_id] += n
        false_containment[cause_id] += int(contained_falsely or 0)
        if satisfaction is not None:
            scores[cause_id].extend([satisfaction] * n)
    return counts, scores, false_containment


def _live(session: Session, cause_id: int) -> RootCause:
    cause = get_cause(session, cause_id)
    if cause.merged_into_id is not None:
        raise Conflict(
            f"Root cause {cause_id} was merged into {cause.merged_into_id}; edit that one instead.",
            merged_into_id=cause.merged_into_id,
        )
    return cause


def _require_free_name(session: Session, name: str) -> None:
    clean = name.strip()
    if not clean:
        raise ValidationFailed("A root cause needs a name.")
    taken = session.scalar(select(RootCause.id).where(func.lower(RootCause.name) == clean.lower()))
    if taken is not None:
        raise Conflict(f"There is already a root cause called {clean!r}.", cause_id=taken)


def _out(session: Session, cause: RootCause) -> CauseOut:
    topic_ids = list(
        session.scalars(
            select(TopicCause.topic_id).where(TopicCause.cause_id == cause.id).order_by(TopicCause.topic_id)
        )
    )
    return CauseOut.model_validate(cause).model_copy(update={"topic_ids": topic_ids})
