"""Queries for outcome facts.

Analytics is the desk's read model: it reads the conversation, message and event tables directly (read
only, in bulk, by id ranges), because going through each domain's service one conversation at a time
would make a backfill of a million messages take hours. It writes only its own tables.
"""

from __future__ import annotations

import logging
import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import partial
from typing import Any

from sqlalchemy import (
    ColumnElement,
    DateTime,
    and_,
    case,
    delete,
    exists,
    false,
    func,
    insert,
    null,
    or_,
    select,
    true,
    type_coerce,
    update,
)
from sqlalchemy.orm import InstrumentedAttribute, Session

from tandem.analytics import cache, rollup
from tandem.analytics.metrics import ContactRow, ConversationRecord, CrossFlags, OutcomeFacts, TrailEvent, TrailMessage
from tandem.analytics.models import AnalyticsWatermark, ConversationOutcome, OutcomeDayStamp, OutcomeRollup
from tandem.conversations.models import Conversation, Message
from tandem.customers.models import CustomerVulnerability
from tandem.events.models import Event
from tandem.kit import clock

log = logging.getLogger("tandem.analytics")
OUTCOMES_MARK = "conversation_outcome"
# Events that change no outcome: skipping them keeps the incremental refresh cheap.
IGNORED_EVENTS = ("message.note_added",)


@dataclass(frozen=True)
class StoredFlags:
    flags: CrossFlags
    started_day: date


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


def events_since(
    session: Session, after_id: int, up_to_id: int, pending: Sequence[int]
) -> list[tuple[int, int | None]]:
    """(id, conversation id) of every event above the mark up to `up_to_id`, and of the pending ids that
    have become visible since; ignored types count as seen but carry no conversation."""
    visible = or_(and_(Event.id > after_id, Event.id <= up_to_id), Event.id.in_(pending) if pending else false())
    query = select(Event.id, Event.conversation_id, Event.type).where(visible).order_by(Event.id)
    return [
        (int(event_id), None if type_ in IGNORED_EVENTS or cid is None else int(cid))
        for event_id, cid, type_ in session.execute(query)
    ]


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


def contact_rows(
    session: Session, customer_ids: Iterable[int], since: datetime
) -> tuple[list[ContactRow], dict[int, StoredFlags]]:
    """What the cross-conversation rules need, and the flags and day each row holds now."""
    rows: list[ContactRow] = []
    stored: dict[int, StoredFlags] = {}
    ids = sorted(set(customer_ids))
    o = ConversationOutcome
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        query = select(
            o.conversation_id,
            o.customer_id,
            o.started_at,
            o.intent,
            o.ai_resolved_at,
            o.came_back,
            o.repeat_contact,
            o.false_containment,
            o.started_day,
        ).where(o.customer_id.in_(chunk), o.started_at >= since)
        for r in session.execute(query):
            rows.append(ContactRow(int(r[0]), int(r[1] or 0), r[2], r[3], r[4], bool(r[5])))
            stored[int(r[0])] = StoredFlags(CrossFlags(bool(r[6]), bool(r[7])), r[8])
    return rows, stored


def flag_changes(flags: dict[int, CrossFlags], stored: dict[int, StoredFlags]) -> dict[int, CrossFlags]:
    return {cid: flag for cid, flag in flags.items() if (before := stored.get(cid)) is None or before.flags != flag}


def write_flags(session: Session, changes: dict[int, CrossFlags]) -> None:
    groups: dict[tuple[bool, bool], list[int]] = defaultdict(list)
    for cid, flag in changes.items():
        groups[(flag.repeat_contact, flag.false_containment)].append(cid)
    for (repeat, false_containment), ids in groups.items():
        for start in range(0, len(ids), 500):
            session.execute(
                update(ConversationOutcome)
                .where(ConversationOutcome.conversation_id.in_(ids[start : start + 500]))
                .values(repeat_contact=repeat, false_containment=false_containment)
                .execution_options(synchronize_session=False)
            )


# ---- daily rollups ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Needs:
    """What a report reads beyond the counts: the kinds of repeated facts, the durations."""

    kinds: bool = True
    durations: bool = True


def _fact_columns(needs: Needs) -> list[Any]:
    """An outcome row in rollup.CONVERSATION_COLUMNS order, NULL in place of what is not needed."""
    o = ConversationOutcome
    # Decoding JSON costs more than the rest of a row: only read the kinds where a fact was repeated.
    wanted = {
        "repeated_kinds": case((o.repeated_fact, o.repeated_kinds), else_=null()) if needs.kinds else null(),
        "commented": o.rating_comment.is_not(None),
        **{name: getattr(o, name) if needs.durations else null() for name in rollup.DURATIONS},
    }
    return [wanted[name] if name in wanted else getattr(o, name) for name in rollup.CONVERSATION_COLUMNS]


def _add_facts(session: Session, cube: rollup.Cube, where: ColumnElement[bool], needs: Needs) -> None:
    """Fold the outcome facts matching `where` into the cube, one read of each row."""
    # Plain rows: the ORM would add nothing here but time.
    cube.add_conversations(session.connection().execute(select(*_fact_columns(needs)).where(where)).all())


def _rollup_columns(needs: Needs) -> list[Any]:
    """A stored rollup row in rollup.ROLLUP_COLUMNS order, NULL in place of what is not needed."""
    r = OutcomeRollup
    wanted = {
        "repeated_kinds": case((r.repeated_fact > 0, r.repeated_kinds), else_=null()) if needs.kinds else null(),
        **{name: getattr(r, name) if needs.durations else null() for name in rollup.DURATIONS},
    }
    return [wanted.get(name, getattr(r, name)) for name in rollup.ROLLUP_COLUMNS]


def _day_ranges(days: Iterable[date]) -> list[tuple[datetime, datetime]]:
    """Consecutive days merged into [start, end) ranges of `started_at` (indexed; `started_day` is not)."""
    ranges: list[tuple[datetime, datetime]] = []
    for day in sorted(days):
        start = datetime.combine(day, time(), tzinfo=UTC)
        if ranges and ranges[-1][1] == start:
            ranges[-1] = (ranges[-1][0], start + timedelta(days=1))
        else:
            ranges.append((start, start + timedelta(days=1)))
    return ranges


def rebuild_rollups(session: Session, days: Iterable[date] | None) -> int:
    """Recompute the rollup rows of the given days (None: every day) from the outcome facts."""
    cube = rollup.Cube()
    if days is None:
        session.execute(delete(OutcomeRollup))
        _add_facts(session, cube, true(), Needs())
    else:
        days = sorted(set(days))
        for start in range(0, len(days), 500):
            session.execute(delete(OutcomeRollup).where(OutcomeRollup.started_day.in_(days[start : start + 500])))
        ranges = _day_ranges(days)
        for start in range(0, len(ranges), 50):
            within = or_(*(_window(since, until) for since, until in ranges[start : start + 50]))
            _add_facts(session, cube, within, Needs())
    rows = [{**dict(zip(rollup.DIMENSIONS, key, strict=True)), **tally.rollup_row()} for key, tally in cube.cells()]
    for start in range(0, len(rows), 1000):
        session.execute(insert(OutcomeRollup), rows[start : start + 1000])
    if days is None:
        session.execute(delete(OutcomeDayStamp))
    stamp_days(session, days if days is not None else {key[0] for key in cube.keys})
    return len(rows)


def stamp_days(session: Session, days: Iterable[date]) -> None:
    """Give these days a new stamp: their rollups and facts changed (see `cache`)."""
    days, stamp = sorted(set(days)), uuid.uuid4().hex
    for start in range(0, len(days), 500):
        session.execute(delete(OutcomeDayStamp).where(OutcomeDayStamp.started_day.in_(days[start : start + 500])))
    if days:
        session.execute(insert(OutcomeDayStamp), [{"started_day": day, "stamp": stamp} for day in days])


def cube_of(session: Session, conversation_ids: Iterable[int]) -> rollup.Cube:
    """The stored outcome facts of these conversations, as a cube (to take out of or put into rollups)."""
    cube = rollup.Cube()
    ids = sorted(set(conversation_ids))
    for start in range(0, len(ids), 500):
        _add_facts(session, cube, ConversationOutcome.conversation_id.in_(ids[start : start + 500]), Needs())
    return cube


def update_rollups(session: Session, before: Sequence[rollup.Cube], after: rollup.Cube) -> None:
    """Move some conversations' contribution to the rollups from their old facts to their new ones: only
    the cells they are in are read and written. A cell that does not hold the old facts (it should) has
    its whole day rebuilt."""
    keys = set(after.keys).union(*(cube.keys for cube in before))
    if not keys:
        return
    r = OutcomeRollup
    days = sorted({key[0] for key in keys})
    stored: dict[rollup.Key, tuple[int, rollup.Tally]] = {}
    for start in range(0, len(days), 500):
        query = select(r.id, *_rollup_columns(Needs())).where(r.started_day.in_(days[start : start + 500]))
        for row in session.connection().execute(query).all():
            key = tuple(row[1 : 1 + len(rollup.DIMENSIONS)])
            if key in keys:
                cell = rollup.Cube()
                cell.add_rollups([row[1:]])
                tally = cell.tally_of(key)
                assert tally is not None
                stored[key] = (int(row[0]), tally)
    broken: set[date] = set()
    replaced: list[int] = []
    rows: list[dict[str, Any]] = []
    for key in keys:
        row_id, current = stored.get(key, (None, None))
        old = [tally for cube in before if (tally := cube.tally_of(key)) is not None]
        new = rollup.changed(current, old, after.tally_of(key))
        if new is None:
            broken.add(key[0])
            continue
        if row_id is not None:
            replaced.append(row_id)
        if new.counts["conversations"] > 0:
            rows.append({**dict(zip(rollup.DIMENSIONS, key, strict=True)), **new.rollup_row()})
    for start in range(0, len(replaced), 500):
        session.execute(delete(r).where(r.id.in_(replaced[start : start + 500])))
    if rows:
        session.execute(insert(r), rows)
    stamp_days(session, days)
    if broken:
        log.warning("analytics.rollup_rebuilt", extra={"days": len(broken)})
        rebuild_rollups(session, broken)


def load_cube(session: Session, since: datetime, until: datetime, needs: Needs | None = None) -> rollup.Cube:
    """Every conversation that started in [since, until): whole days from the rollups, the part-days at
    either end summed from the outcome facts themselves.

    Both are kept in memory by the stamps of the days they come from (see `cache`), with everything a
    report may need: each whole day's rollups, the month they make, and each edge day's facts whole, cut to
    the window here. Asked again before a day changes, nothing is read but the stamps; after a change, only
    the days that changed. `needs` only narrows what is read of an edge day that has no stamp."""
    needs = needs or Needs()
    since, until = since.astimezone(UTC), until.astimezone(UTC)
    first = since.date() if since.timetz() == time(tzinfo=UTC) else since.date() + timedelta(days=1)
    last = until.date()  # the first day that is not whole
    stamps = _stamps(session, since.date(), last)
    where = str(session.get_bind().engine.url)
    if first < last:
        days = [first + timedelta(days=i) for i in range((last - first).days)]
        key = (where, "days", first, last, tuple(stamps.get(day) for day in days))
        read = partial(_whole_days, session, where, days, stamps)
        whole = cache.remembered(key, read) if all(key[-1]) else read()
        cube, edges = whole.copy(), _edge_days(since, until, first, last)
    else:
        cube, edges = rollup.Cube(), _days_touched(since, until)
    for day in sorted(edges):
        stamp = stamps.get(day)
        read_facts = partial(_day_facts, session, day, needs if stamp is None else Needs())
        facts = cache.remembered((where, "facts", day, stamp), read_facts) if stamp else read_facts()
        cube.add_facts(facts.select(_micros(since), _micros(until)))
    # As a read of only what is needed would give: no kinds, no durations.
    cube.with_kinds, cube.with_durations = needs.kinds, needs.durations
    return cube


def _stamps(session: Session, first: date, last: date) -> dict[date, str]:
    s = OutcomeDayStamp
    query = select(s.started_day, s.stamp).where(s.started_day >= first, s.started_day <= last)
    return {row.started_day: row.stamp for row in session.connection().execute(query)}


def _whole_days(session: Session, where: str, days: list[date], stamps: dict[date, str]) -> rollup.Cube:
    """The rollups of these days as one cube: the days read before (with the same stamp) from memory, the
    others in one query."""
    cubes: dict[date, rollup.Cube] = {}
    for day in days:
        found = cache.peek((where, "day", day, stamps[day])) if day in stamps else None
        if isinstance(found, rollup.Cube):
            cubes[day] = found
    missing = [day for day in days if day not in cubes]
    r = OutcomeRollup
    for start in range(0, len(missing), 500):
        chunk = missing[start : start + 500]
        rows: dict[date, list[Any]] = defaultdict(list)
        for row in session.connection().execute(select(*_rollup_columns(Needs())).where(r.started_day.in_(chunk))):
            rows[row[0]].append(row)
        for day in chunk:
            cubes[day] = rollup.Cube()
            cubes[day].add_rollups(rows[day])
            if day in stamps:
                cache.keep((where, "day", day, stamps[day]), cubes[day])
    return rollup.Cube.merged([cubes[day] for day in days])


def _day_facts(session: Session, day: date, needs: Needs) -> rollup.Facts:
    """Every outcome row of one day, with its start time (to cut the day at a window's edge)."""
    # The raw timestamp: converting 10,000 of them to UTC datetimes first would cost more than the read.
    started_at = type_coerce(ConversationOutcome.started_at, DateTime(timezone=True))
    query = select(*_fact_columns(needs), started_at).where(_window(_midnight(day), _midnight(day + timedelta(days=1))))
    rows = session.connection().execute(query).all()
    return rollup.Facts.of([row[:-1] for row in rows], [_micros(row[-1]) for row in rows])


def _edge_days(since: datetime, until: datetime, first: date, last: date) -> set[date]:
    """The days the window covers only in part, when it covers [first, last) whole."""
    edges = set()
    if since < _midnight(first):
        edges.add(since.date())
    if until > _midnight(last):
        edges.add(last)
    return edges


def _days_touched(since: datetime, until: datetime) -> set[date]:
    last = (until - timedelta(microseconds=1)).date()
    return {since.date() + timedelta(days=i) for i in range((last - since.date()).days + 1)}


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=UTC)


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _micros(moment: datetime) -> int:
    """Microseconds since the epoch (a moment without a zone is UTC, as SQLite hands them back)."""
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
    return (aware - _EPOCH) // timedelta(microseconds=1)


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


def rated_comment_count(session: Session, since: datetime, until: datetime) -> int:
    query = select(func.count()).where(_window(since, until), ConversationOutcome.rating_comment.is_not(None))
    return int(session.scalar(query) or 0)


def rating_comment_sample(session: Session, since: datetime, until: datetime, size: int) -> list[tuple[int, str]]:
    """(score, comment) of up to `size` rated conversations with a comment in the window: those with the
    smallest sample keys (a seeded random sample that stays the same while its members do)."""
    o = ConversationOutcome
    query = (
        select(o.rating_score, o.rating_comment)
        .where(o.rating_comment.is_not(None), _window(since, until))
        .order_by(o.rating_sample_key, o.conversation_id)
        .limit(size)
    )
    return [(int(score or 0), str(comment)) for score, comment in session.execute(query)]
