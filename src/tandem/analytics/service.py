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
# Far more events than are ever written while one transaction is open, so none is skipped.
OVERLAP_IDS = 2000

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
    """Bring the outcome facts up to date with the event trail, incrementally.

    On PostgreSQL an event id can become visible after a larger one (transactions commit out of order), so
    each refresh re-reads the last OVERLAP_IDS events before its mark too; recomputing a conversation
    gives the same facts. SQLite commits one writer at a time, in id order: no overlap needed there.
    """
    mark = repository.lock_watermark(session)
    top = repository.max_event_id(session)
    if top == mark.last_event_id:
        return RefreshResult(0, top)
    overlap = 0 if session.get_bind().dialect.name == "sqlite" else OVERLAP_IDS
    changed = repository.conversations_with_events(session, max(0, mark.last_event_id - overlap), top)
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
    if customers and earliest is not None:
        # A new contact can make an earlier AI resolution a false containment: look back one window too.
        since = earliest - 2 * metrics.RETURN_WINDOW
        rows = repository.contact_rows(session, customers, since)
        flags = metrics.cross_conversation_flags(rows)
        repository.update_flags(session, flags)
    mark.last_event_id, mark.refreshed_at = top, clock.now()
    session.flush()
    log.info("analytics.refreshed", extra={"conversations": len(changed), "event_id": top})
    return RefreshResult(len(changed), top)


def targets(settings: AnalyticsSettings) -> dict[str, float]:
    return {
        "first_response": settings.first_response_target_s,
        "human_response": settings.human_response_target_s,
        "resolution": settings.resolution_target_s,
    }


def outcomes(session: Session, win: Window, settings: AnalyticsSettings, group_by: str | None = None) -> OutcomeReport:
    goals = targets(settings)
    overall_row = repository.aggregate(session, win.since, win.until, goals)[0]
    overall = summarise(overall_row, settings)
    _add_percentiles(overall, repository.duration_percentiles(session, win.since, win.until))
    groups = []
    if group_by is not None:
        for row in repository.aggregate(session, win.since, win.until, goals, group_by=group_by):
            key = row.pop("group")
            groups.append(OutcomeGroup(key=None if key is None else str(key), **summarise(row, settings).model_dump()))
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
    row = repository.aggregate(session, win.since, win.until, targets(settings))[0]
    conversations, handed_over = int(row["conversations"]), int(row["handed_over"] or 0)
    kinds = repository.repeated_kind_counts(session, win.since, win.until)
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
            for reason, count in repository.handover_counts(session, win.since, win.until)
        ],
        repeated_fact_kinds=dict(kinds.most_common()),
    )


def satisfaction_by_path(session: Session, win: Window, settings: AnalyticsSettings) -> list[PathSatisfaction]:
    rows = repository.aggregate(session, win.since, win.until, targets(settings), group_by="path")
    return [
        PathSatisfaction(
            path=str(row["group"]),
            conversations=int(row["conversations"]),
            rated=int(row["rated"] or 0),
            average=_round(row["satisfaction_avg"]),
        )
        for row in rows
    ]


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
