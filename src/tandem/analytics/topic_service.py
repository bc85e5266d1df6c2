"""Topics over imported complaints or live conversations: build and store them, follow their trends.

Services flush; the caller commits. Building is heavy (embedding and clustering): call it from the CLI,
a job, or a request that runs it off the event loop.
"""

from __future__ import annotations

import math
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session

from tandem.analytics import stats, topics
from tandem.analytics.embedding import Embedder
from tandem.analytics.models import AnalyticsTopic, ComplaintRecord, ConversationOutcome, ConversationTopic, TopicCause
from tandem.analytics.periods import Window, baseline_and_current
from tandem.analytics.schemas import (
    RecurringTopic,
    TopicBuildOut,
    TopicOut,
    TopicTrend,
    TrendReport,
    WindowOut,
)
from tandem.analytics.settings import AnalyticsSettings
from tandem.conversations.models import Message
from tandem.kit import clock
from tandem.kit.errors import NotFound
from tandem.privacy.scan import redact

# A rebuilt topic continues a stored one when their terms overlap at least this much (Jaccard).
CONTINUITY = 0.3
EXAMPLE_CHARS = 280
TEXT_MESSAGES = 3
CHUNK = 500


@dataclass
class Document:
    id: int
    text: str
    at: datetime
    customer: str | None
    attributes: dict[str, str | None] = field(default_factory=dict)


def documents(session: Session, source: str, win: Window) -> list[Document]:
    if source == "complaints":
        query = select(
            ComplaintRecord.id,
            ComplaintRecord.text,
            ComplaintRecord.received_at,
            ComplaintRecord.customer_ref,
            ComplaintRecord.product,
            ComplaintRecord.category,
        ).where(ComplaintRecord.received_at >= win.since, ComplaintRecord.received_at < win.until)
        return [
            Document(i, text, at, customer, {"product": product or None, "category": category or None})
            for i, text, at, customer, product, category in session.execute(query.order_by(ComplaintRecord.id))
        ]
    return _conversation_documents(session, win)


def _conversation_documents(session: Session, win: Window) -> list[Document]:
    o = ConversationOutcome
    rows = session.execute(
        select(o.conversation_id, o.started_at, o.customer_id, o.intent, o.channel)
        .where(o.started_at >= win.since, o.started_at < win.until, o.customer_messages > 0)
        .order_by(o.conversation_id)
    ).all()
    found: list[Document] = []
    for start in range(0, len(rows), CHUNK):
        chunk = rows[start : start + CHUNK]
        texts: dict[int, list[str]] = defaultdict(list)
        messages = session.execute(
            select(Message.conversation_id, Message.body, Message.meta)
            .where(Message.conversation_id.in_([r[0] for r in chunk]), Message.author_kind == "customer")
            .order_by(Message.id)
        )
        for cid, body, meta in messages:
            if len(texts[cid]) < TEXT_MESSAGES:
                # The pipeline keeps a redacted copy; older messages are redacted here.
                texts[cid].append(str((meta or {}).get("redacted") or redact(body)))
        for cid, at, customer, intent, channel in chunk:
            found.append(
                Document(
                    cid,
                    " ".join(texts[cid]),
                    at,
                    None if customer is None else str(customer),
                    {"intent": intent, "channel": channel},
                )
            )
    return found


def build(
    session: Session,
    source: str,
    win: Window,
    embedder: Embedder,
    settings: AnalyticsSettings,
    k: int | None = None,
) -> TopicBuildOut:
    started = time.perf_counter()
    docs = [d for d in documents(session, source, win) if d.text.strip()]
    names = sorted({name for d in docs for name in d.attributes})
    discovery = topics.discover(
        [d.text for d in docs],
        embedder,
        k=k,
        max_topics=settings.max_topics,
        sample=settings.cluster_sample,
        attributes={name: [d.attributes.get(name) for d in docs] for name in names},
    )
    topic_ids = _store_topics(session, source, discovery, docs)
    _assign(session, source, docs, [topic_ids[int(label)] for label in discovery.labels])
    return TopicBuildOut(
        source=source,
        documents=len(docs),
        topics=len(discovery.topics),
        silhouette=discovery.silhouette,
        embedder=discovery.embedder,
        seconds=round(time.perf_counter() - started, 2),
    )


def _store_topics(session: Session, source: str, discovery: topics.Discovery, docs: list[Document]) -> list[int]:
    stored = list(session.scalars(select(AnalyticsTopic).where(AnalyticsTopic.source == source, AnalyticsTopic.active)))
    pairs = sorted(
        (
            (topics.term_overlap(draft.terms, old.terms), draft.index, old.id)
            for draft in discovery.topics
            for old in stored
        ),
        reverse=True,
    )
    continued: dict[int, AnalyticsTopic] = {}
    taken: set[int] = set()
    by_id = {old.id: old for old in stored}
    for overlap, index, old_id in pairs:
        if overlap < CONTINUITY:
            break
        if index not in continued and old_id not in taken:
            continued[index] = by_id[old_id]
            taken.add(old_id)
    now = clock.now()
    for old in stored:
        if old.id not in taken:
            old.active, old.size, old.updated_at = False, 0, now
    ids: list[int] = []
    for draft in discovery.topics:
        topic = continued.get(draft.index) or AnalyticsTopic(source=source, named_by="auto", created_at=now)
        if topic.named_by == "auto":
            topic.name = draft.name
        topic.terms = draft.terms
        topic.examples = [_example(docs[i].text) for i in draft.examples]
        topic.links = {name: [list(pair) for pair in pairs_] for name, pairs_ in draft.links.items()}
        topic.size, topic.active, topic.updated_at = draft.size, True, now
        session.add(topic)
        session.flush()
        ids.append(topic.id)
    return ids


def _example(text: str) -> str:
    cleaned = " ".join(redact(text).split())
    return cleaned if len(cleaned) <= EXAMPLE_CHARS else cleaned[: EXAMPLE_CHARS - 1].rstrip() + "…"


def _assign(session: Session, source: str, docs: list[Document], topic_ids: list[int]) -> None:
    if source == "complaints":
        rows = [{"id": d.id, "topic_id": t} for d, t in zip(docs, topic_ids, strict=True)]
        for start in range(0, len(rows), 5000):
            session.execute(update(ComplaintRecord), rows[start : start + 5000])
        return
    for start in range(0, len(docs), CHUNK):
        chunk = docs[start : start + CHUNK]
        session.execute(delete(ConversationTopic).where(ConversationTopic.conversation_id.in_([d.id for d in chunk])))
        session.execute(
            insert(ConversationTopic),
            [
                {"conversation_id": d.id, "topic_id": t}
                for d, t in zip(chunk, topic_ids[start : start + CHUNK], strict=True)
            ],
        )


def list_topics(session: Session, source: str | None = None, include_inactive: bool = False) -> list[TopicOut]:
    query = select(AnalyticsTopic, TopicCause.cause_id).outerjoin(TopicCause, TopicCause.topic_id == AnalyticsTopic.id)
    if source is not None:
        query = query.where(AnalyticsTopic.source == source)
    if not include_inactive:
        query = query.where(AnalyticsTopic.active)
    return [
        TopicOut.model_validate(topic).model_copy(update={"cause_id": cause_id})
        for topic, cause_id in session.execute(query.order_by(AnalyticsTopic.size.desc(), AnalyticsTopic.id))
    ]


def get_topic(session: Session, topic_id: int) -> AnalyticsTopic:
    topic = session.get(AnalyticsTopic, topic_id)
    if topic is None:
        raise NotFound(f"No topic with id {topic_id}.")
    return topic


def topic_out(session: Session, topic_id: int) -> TopicOut:
    topic = get_topic(session, topic_id)
    cause_id = session.scalar(select(TopicCause.cause_id).where(TopicCause.topic_id == topic_id))
    return TopicOut.model_validate(topic).model_copy(update={"cause_id": cause_id})


def rename(session: Session, topic_id: int, name: str, actor: str) -> TopicOut:
    topic = get_topic(session, topic_id)
    topic.name, topic.named_by, topic.updated_at = name.strip(), actor, clock.now()
    session.flush()
    return topic_out(session, topic_id)


def _contacts(session: Session, source: str, win: Window) -> list[tuple[int | None, datetime, str | None]]:
    """(topic id or None, when, customer) for every text in the window."""
    if source == "complaints":
        c = ComplaintRecord
        query = select(c.topic_id, c.received_at, c.customer_ref).where(
            c.received_at >= win.since, c.received_at < win.until
        )
        return [(t, at, who) for t, at, who in session.execute(query)]
    o = ConversationOutcome
    joined = (
        select(ConversationTopic.topic_id, o.started_at, o.customer_id)
        .select_from(o)
        .outerjoin(ConversationTopic, ConversationTopic.conversation_id == o.conversation_id)
        .where(o.started_at >= win.since, o.started_at < win.until, o.customer_messages > 0)
    )
    return [(t, at, None if who is None else str(who)) for t, at, who in session.execute(joined)]


def trends(session: Session, source: str, win: Window, current: timedelta) -> TrendReport:
    """Each topic's volume in the current period against the rest of the window, with the test in `stats`."""
    _, current_win = baseline_and_current(win, current)
    periods = min(52, max(1, math.ceil(win.length / current)))
    contacts = _contacts(session, source, win)
    totals = Counter(at >= current_win.since for _, at, _ in contacts)
    series: dict[int, list[int]] = defaultdict(lambda: [0] * periods)
    people: dict[int, Counter[str]] = defaultdict(Counter)
    for topic_id, at, customer in contacts:
        if topic_id is None:
            continue
        bucket = min(periods - 1, int((win.until - at) / current))
        series[topic_id][periods - 1 - bucket] += 1
        if customer:
            people[topic_id][customer] += 1
    names = dict(
        session.execute(select(AnalyticsTopic.id, AnalyticsTopic.name).where(AnalyticsTopic.id.in_(list(series)))).all()
    )
    tests = {
        topic_id: stats.rate_increase_test(counts[-1], sum(counts[:-1]), totals[True], totals[False])
        for topic_id, counts in series.items()
    }
    ordered = sorted(tests, key=lambda t: tests[t].p_value)
    q_values = dict(zip(ordered, stats.benjamini_hochberg([tests[t].p_value for t in ordered]), strict=True))
    rows = [
        _trend(
            topic_id, names.get(topic_id, f"topic {topic_id}"), tests[topic_id], q_values[topic_id], series[topic_id]
        )
        for topic_id in ordered
    ]
    return TrendReport(
        window=WindowOut(since=win.since, until=win.until),
        source=source,
        current=WindowOut(since=current_win.since, until=current_win.until),
        method=stats.method(),
        period_starts=[win.until - (periods - i) * current for i in range(periods)],
        trends=rows,
        spikes=[r for r in rows if r.spike],
        emerging=[r for r in rows if r.emerging],
        recurring=_recurring(series, people, names),
    )


def _trend(topic_id: int, name: str, test: stats.RateTest, q_value: float, counts: list[int]) -> TopicTrend:
    return TopicTrend(
        topic_id=topic_id,
        name=name,
        current=test.current,
        baseline=test.baseline,
        current_share=_round(test.current_share),
        baseline_share=_round(test.baseline_share),
        rate_ratio=_round(test.rate_ratio),
        p_value=_significant(test.p_value),
        q_value=_significant(q_value),
        spike=stats.is_spike(test, q_value),
        emerging=stats.is_emerging(test, q_value),
        series=counts,
    )


def _recurring(
    series: dict[int, list[int]], people: dict[int, Counter[str]], names: dict[int, str]
) -> list[RecurringTopic]:
    """Topics people keep coming back with: the same customer more than once, or every period again."""
    found = []
    for topic_id, counts in series.items():
        customers = people[topic_id]
        returning = sum(1 for n in customers.values() if n > 1)
        present = sum(1 for n in counts if n)
        if returning == 0 and present < len(counts):
            continue
        found.append(
            RecurringTopic(
                topic_id=topic_id,
                name=names.get(topic_id, f"topic {topic_id}"),
                contacts=sum(counts),
                customers=len(customers),
                returning_customers=returning,
                returning_share=_round(returning / len(customers)) if customers else None,
                periods_present=present,
                periods=len(counts),
            )
        )
    return sorted(found, key=lambda r: (-r.returning_customers, -r.periods_present, -r.contacts))


def _significant(value: float) -> float:
    return float(f"{value:.3g}")


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)
