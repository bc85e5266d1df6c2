"""Outcome metrics: keep the per-conversation facts current, then answer questions with aggregates.

Services flush; the request, command or task that calls them commits.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from tandem.analytics import metrics, repository
from tandem.analytics.periods import Window
from tandem.analytics.schemas import (
    AiResolutions,
    EmotionStat,
    HandoverReport,
    OutcomeGroup,
    OutcomeReport,
    OutcomeSummary,
    PathSatisfaction,
    ReasonCount,
    TargetMetric,
    VulnerableGroup,
    VulnerableReport,
    WindowOut,
)
from tandem.analytics.settings import AnalyticsSettings
from tandem.kit import clock

log = logging.getLogger("tandem.analytics")
REFRESH_BATCH = 400
# On PostgreSQL an event id can become visible after a larger one (transactions commit out of order). Ids
# missing below the mark are kept as pending and read when they appear; one this far behind the newest
# event is taken to have been rolled back (no transaction stays open across so many events).
PENDING_HORIZON_IDS = 2000

DEFINITIONS = {
    "ai_resolution": "Resolved while the AI owned the conversation, or the AI marked its reply as resolving, "
    "before any person was involved.",
    "confirmed": "After an AI resolution the customer said it worked, or rated an AI-only conversation 4-5. "
    "Silence is counted as unconfirmed, never as success.",
    "false_containment": "An AI resolution after which the customer came back within 7 days on the same issue "
    "(wrote again in the conversation, or opened another one with the same intent).",
    "repeat_contact": "The same customer had another conversation in the 7 days before this one.",
    "repeated_fact": "After a hand-over the customer re-stated an order number, email address or amount that "
    "was already in the conversation.",
    "path": "ai_only: no person involved; handed_over: the AI answered, then a person took over; human_only: "
    "a person was involved before the AI answered.",
}


@dataclass(frozen=True)
class RefreshResult:
    conversations: int
    up_to_event_id: int


def refresh(session: Session) -> RefreshResult:
    """Bring the outcome facts and their daily rollups up to date with the event trail, incrementally.

    Each event is folded in once: the watermark holds the highest id read and the ids below it that were
    not visible yet, and a refresh reads only the events above the mark and those pending ids.
    """
    mark = repository.lock_watermark(session)
    top = repository.max_event_id(session)
    pending = [i for i in mark.pending_ids or [] if i > top - PENDING_HORIZON_IDS]
    if top == mark.last_event_id and not pending:
        return RefreshResult(0, top)
    seen = repository.events_since(session, mark.last_event_id, top, pending)
    if top == mark.last_event_id and not seen:
        return RefreshResult(0, top)  # still waiting for the same pending ids: nothing to write
    changed = sorted({cid for _, cid in seen if cid is not None})
    everything = mark.last_event_id == 0 and not mark.pending_ids  # a first run: build every rollup
    # What the changed conversations counted for until now, to take out of the rollups.
    before = [] if everything else [repository.cube_of(session, changed)]
    customers: set[int] = set()
    earliest: datetime | None = None
    for start in range(0, len(changed), REFRESH_BATCH):
        facts = [
            metrics.derive_facts(conversation, events, messages)
            for conversation, events, messages in repository.load_trails(
                session, changed[start : start + REFRESH_BATCH]
            )
        ]
        repository.replace_outcomes(session, facts)
        for fact in facts:
            if fact.customer_id is not None:
                customers.add(fact.customer_id)
                earliest = fact.started_at if earliest is None else min(earliest, fact.started_at)
    touched = set(changed)
    if customers and earliest is not None:
        # A new contact can make an earlier AI resolution a false containment: look back one window too.
        since = earliest - 2 * metrics.RETURN_WINDOW
        rows, stored = repository.contact_rows(session, customers, since)
        flags = repository.flag_changes(metrics.cross_conversation_flags(rows), stored)
        if not everything:
            before.append(repository.cube_of(session, set(flags) - touched))
        repository.write_flags(session, flags)
        touched |= set(flags)
    if everything:
        repository.rebuild_rollups(session, None)
    else:
        repository.update_rollups(session, before, repository.cube_of(session, touched))
    mark.pending_ids = _still_pending(pending, mark.last_event_id, top, {event_id for event_id, _ in seen})
    mark.last_event_id, mark.refreshed_at = top, clock.now()
    session.flush()
    log.info("analytics.refreshed", extra={"conversations": len(changed), "event_id": top})
    return RefreshResult(len(changed), top)


def _still_pending(pending: list[int], after_id: int, top: int, seen: set[int]) -> list[int]:
    """Ids not visible to this refresh that a later one must still read (see PENDING_HORIZON_IDS)."""
    horizon = max(after_id, top - PENDING_HORIZON_IDS)
    missing = [i for i in range(horizon + 1, top + 1) if i not in seen]
    return sorted({i for i in pending if i not in seen} | set(missing))


def targets(settings: AnalyticsSettings) -> dict[str, float]:
    return {
        "first_response": settings.first_response_target_s,
        "human_response": settings.human_response_target_s,
        "resolution": settings.resolution_target_s,
    }


def outcomes(session: Session, win: Window, settings: AnalyticsSettings, group_by: str | None = None) -> OutcomeReport:
    goals = targets(settings)
    cube = repository.load_cube(session, win.since, win.until, repository.Needs(kinds=False))
    total = cube.total()
    overall = summarise(total.summary(goals), settings)
    _add_percentiles(overall, total.percentiles())
    groups = [
        OutcomeGroup(key=None if key is None else str(key), **summarise(tally.summary(goals), settings).model_dump())
        for key, tally in (cube.by(group_by) if group_by is not None else [])
    ]
    late = clock.now() - timedelta(seconds=settings.human_response_target_s)
    return OutcomeReport(
        window=window_out(win),
        group_by=group_by,
        overall=overall,
        groups=groups,
        waiting_beyond_human_target=repository.waiting_for_human(session, win.since, win.until, late),
        definitions=DEFINITIONS,
    )


def handovers(session: Session, win: Window, settings: AnalyticsSettings) -> HandoverReport:
    cube = repository.load_cube(session, win.since, win.until, repository.Needs(durations=False))
    total = cube.total()
    conversations, handed_over = total.counts["conversations"], total.counts["handed_over"]
    by_reason = [(str(reason), tally.counts["handed_over"]) for reason, tally in cube.by("handover_reason")]
    by_reason = sorted((pair for pair in by_reason if pair[1]), key=lambda pair: (-pair[1], pair[0]))
    return HandoverReport(
        window=window_out(win),
        conversations=conversations,
        handed_over=handed_over,
        handover_rate=ratio(handed_over, conversations),
        by_reason=[
            ReasonCount(
                reason=reason,
                count=count,
                share_of_handovers=ratio(count, handed_over),
                rate_of_conversations=ratio(count, conversations),
            )
            for reason, count in by_reason
        ],
        repeated_fact_kinds=dict(total.repeated_kinds.most_common()),
    )


def satisfaction_by_path(session: Session, win: Window, settings: AnalyticsSettings) -> list[PathSatisfaction]:
    return satisfaction_counts(session, win, settings)[0]


def satisfaction_counts(
    session: Session, win: Window, settings: AnalyticsSettings
) -> tuple[list[PathSatisfaction], int]:
    """Satisfaction by path, and how many ratings in the window came with a comment."""
    cube = repository.load_cube(session, win.since, win.until, repository.Needs(kinds=False, durations=False))
    by_path = [
        PathSatisfaction(
            path=str(path),
            conversations=tally.counts["conversations"],
            rated=tally.counts["rated"],
            average=_round(tally.summary(targets(settings))["satisfaction_avg"]),
        )
        for path, tally in cube.by("path")
    ]
    return by_path, cube.total().counts["commented"]


def vulnerable_outcomes(session: Session, win: Window, settings: AnalyticsSettings) -> VulnerableReport:
    """Outcomes for customers with a current vulnerability record against everyone else: aggregates only,
    and any group smaller than the minimum size is suppressed so no one can be singled out."""
    rows = {
        bool(row.pop("vulnerable")): row
        for row in repository.aggregate(session, win.since, win.until, targets(settings), vulnerable_split=True)
    }
    groups = []
    for vulnerable in (True, False):
        row = rows.get(vulnerable)
        small = row is None or int(row["conversations"]) < settings.min_group_size
        groups.append(
            VulnerableGroup(
                vulnerable=vulnerable, suppressed=small, summary=None if small else summarise(row or {}, settings)
            )
        )
    return VulnerableReport(window=window_out(win), min_group_size=settings.min_group_size, groups=groups)


def summarise(row: dict[str, Any], settings: AnalyticsSettings) -> OutcomeSummary:
    n = int(row.get("conversations") or 0)

    def count(key: str) -> int:
        return int(row.get(key) or 0)

    resolved, confirmed, false_containment = count("ai_resolved"), count("confirmed"), count("false_containment")
    return OutcomeSummary(
        conversations=n,
        ai_resolutions=AiResolutions(
            total=resolved,
            confirmed=confirmed,
            unconfirmed=resolved - confirmed,
            confirmed_rate=ratio(confirmed, resolved),
            false_containment=false_containment,
            false_containment_rate=ratio(false_containment, resolved),
            confirmed_and_stayed=count("confirmed_and_stayed"),
        ),
        claimed_containment_rate=ratio(resolved, n),
        honest_containment_rate=ratio(count("confirmed_and_stayed"), n),
        handover_rate=ratio(count("handed_over"), n),
        repeat_contact_rate=ratio(count("repeat_contact"), n),
        complaints=count("complaints"),
        handed_over=count("handed_over"),
        repeated_fact=count("repeated_fact"),
        repeated_fact_rate=ratio(count("repeated_fact"), count("handed_over")),
        rated=count("rated"),
        satisfaction_avg=_round(row.get("satisfaction_avg")),
        first_response=_target(row, "first_response", settings.first_response_target_s),
        time_to_human=_target(row, "time_to_human", settings.human_response_target_s),
        resolution=_target(row, "resolution", settings.resolution_target_s),
        emotion=EmotionStat(
            measured=count("emotion_n"),
            frustration_start_avg=_round(row.get("frustration_start_avg")),
            frustration_end_avg=_round(row.get("frustration_end_avg")),
            eased=count("frustration_eased"),
            rose=count("frustration_rose"),
        ),
    )


def _target(row: dict[str, Any], name: str, target: float) -> TargetMetric:
    measured = int(row.get(f"{name}_n") or 0)
    met = int(row.get(f"{name}_met") or 0)
    return TargetMetric(
        target_s=target,
        measured=measured,
        within_target=met,
        rate=ratio(met, measured),
        average_s=_round(row.get(f"{name}_avg")),
    )


def _add_percentiles(summary: OutcomeSummary, found: dict[str, tuple[float, float] | None]) -> None:
    for name, metric in (
        ("first_response", summary.first_response),
        ("time_to_human", summary.time_to_human),
        ("resolution", summary.resolution),
    ):
        pair = found.get(name)
        if pair is not None:
            metric.p50_s, metric.p90_s = round(pair[0], 2), round(pair[1], 2)


def window_out(win: Window) -> WindowOut:
    return WindowOut(since=win.since, until=win.until)


def ratio(part: int | float, whole: int | float) -> float | None:
    return round(part / whole, 4) if whole else None


def _round(value: Any) -> float | None:
    return None if value is None else round(float(value), 3)
