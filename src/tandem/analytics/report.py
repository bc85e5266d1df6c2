"""The manager's report: every analysis as titled tables (and a few charts). Building it only reads:
refresh the facts and rebuild topics first. `render` writes it out as HTML or CSV."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from tandem.analytics import history, service, stats, svg, taxonomy, themes, topic_service
from tandem.analytics.embedding import Embedder
from tandem.analytics.periods import Window
from tandem.analytics.schemas import OutcomeSummary, TrendReport
from tandem.analytics.settings import AnalyticsSettings
from tandem.kit import clock

BREAKDOWNS = ("channel", "queue", "intent", "path")


@dataclass(frozen=True)
class Column:
    name: str
    kind: str = "text"  # text | int | num | pct | secs | spark


@dataclass
class Table:
    slug: str
    title: str
    columns: list[Column]
    rows: list[list[Any]]
    note: str = ""


@dataclass
class Section:
    title: str
    intro: str = ""
    charts: list[str] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)


@dataclass
class Report:
    title: str
    generated_at: datetime
    window: Window
    sections: list[Section]

    @property
    def tables(self) -> list[Table]:
        return [t for s in self.sections for t in s.tables]


def build_report(
    session: Session,
    win: Window,
    settings: AnalyticsSettings,
    embedder: Embedder,
    current: timedelta = timedelta(days=7),
    with_vulnerable: bool = False,
) -> Report:
    current = current if current < win.length else win.length / 2
    sections = [_outcomes(session, win, settings), _handovers(session, win, settings)]
    sections.append(_satisfaction(session, win, settings, embedder))
    if with_vulnerable:
        sections.append(_vulnerable(session, win, settings))
    sections.append(_complaints(session, win))
    for source in ("complaints", "conversations"):
        topic_section = _topics(session, source, win, current)
        if topic_section is not None:
            sections.append(topic_section)
    sections.append(_causes(session, win))
    sections.append(_definitions())
    return Report("Support insight report", clock.now(), win, sections)


# ---- sections --------------------------------------------------------------------------------------


def _summary_rows(summary: OutcomeSummary) -> list[list[Any]]:
    ai = summary.ai_resolutions
    return [
        ["Conversations", summary.conversations, "int"],
        ["AI resolutions (claimed)", ai.total, "int"],
        ["  confirmed by the customer", ai.confirmed, "int"],
        ["  unconfirmed (silence is not success)", ai.unconfirmed, "int"],
        ["  false containment (came back within 7 days)", ai.false_containment, "int"],
        ["Claimed containment rate", summary.claimed_containment_rate, "pct"],
        ["Honest containment rate (confirmed, did not come back)", summary.honest_containment_rate, "pct"],
        ["Hand-over rate", summary.handover_rate, "pct"],
        ["Repeat contact rate (7 days)", summary.repeat_contact_rate, "pct"],
        ["Had to repeat themselves after a hand-over", summary.repeated_fact_rate, "pct"],
        ["Average satisfaction (1-5)", summary.satisfaction_avg, "num"],
        ["First response within target", summary.first_response.rate, "pct"],
        ["Time to a human within target", summary.time_to_human.rate, "pct"],
        ["Resolution within target", summary.resolution.rate, "pct"],
        ["Frustration at start (0-1)", summary.emotion.frustration_start_avg, "num"],
        ["Frustration at end (0-1)", summary.emotion.frustration_end_avg, "num"],
    ]


def _group_row(key: str | None, s: OutcomeSummary) -> list[Any]:
    ai = s.ai_resolutions
    return [
        key or "(none)",
        s.conversations,
        ai.total,
        ai.confirmed,
        ai.false_containment,
        s.honest_containment_rate,
        s.handover_rate,
        s.repeat_contact_rate,
        s.satisfaction_avg,
        s.first_response.rate,
        s.time_to_human.rate,
    ]


GROUP_COLUMNS = [
    Column("conversations", "int"),
    Column("AI resolutions", "int"),
    Column("confirmed", "int"),
    Column("false containment", "int"),
    Column("honest containment", "pct"),
    Column("hand-over rate", "pct"),
    Column("repeat contact", "pct"),
    Column("satisfaction", "num"),
    Column("first response in target", "pct"),
    Column("human in target", "pct"),
]


def _outcomes(session: Session, win: Window, settings: AnalyticsSettings) -> Section:
    weekly = service.outcomes(session, win, settings, group_by="week")
    overall = weekly.overall
    headline = Table(
        "headline",
        "Headline",
        [Column("measure"), Column("value", "mixed")],
        [[label, (value, kind)] for label, value, kind in _summary_rows(overall)],
    )
    targets = Table(
        "response_times",
        "Response times against targets",
        [
            Column("measure"),
            Column("target", "secs"),
            Column("measured", "int"),
            Column("within target", "pct"),
            Column("average", "secs"),
            Column("median", "secs"),
            Column("90th percentile", "secs"),
        ],
        [
            [name, m.target_s, m.measured, m.rate, m.average_s, m.p50_s, m.p90_s]
            for name, m in (
                ("First response", overall.first_response),
                ("Time to a human", overall.time_to_human),
                ("Resolution", overall.resolution),
            )
        ],
        note=f"{weekly.waiting_beyond_human_target} handed-over conversations are still waiting beyond the target.",
    )
    tables = [
        headline,
        targets,
        Table(
            "outcomes_by_week",
            "By week",
            [Column("week"), *GROUP_COLUMNS],
            [_group_row(g.key, g) for g in weekly.groups],
        ),
    ]
    for dimension in BREAKDOWNS:
        grouped = service.outcomes(session, win, settings, group_by=dimension)
        tables.append(
            Table(
                f"outcomes_by_{dimension}",
                f"By {dimension}",
                [Column(dimension), *GROUP_COLUMNS],
                [_group_row(g.key, g) for g in grouped.groups],
            )
        )
    labels = [g.key or "" for g in weekly.groups]
    chart = svg.lines(
        {
            "claimed containment": [g.claimed_containment_rate for g in weekly.groups],
            "honest containment": [g.honest_containment_rate for g in weekly.groups],
            "hand-over rate": [g.handover_rate for g in weekly.groups],
        },
        labels,
        "Containment and hand-over by week",
        fmt=svg.percent,
    )
    return Section("Outcomes", "What happened to customers, counted from the event trail.", [chart], tables)


def _handovers(session: Session, win: Window, settings: AnalyticsSettings) -> Section:
    report = service.handovers(session, win, settings)
    table = Table(
        "handover_reasons",
        "Hand-overs by reason",
        [
            Column("reason"),
            Column("count", "int"),
            Column("share of hand-overs", "pct"),
            Column("rate of all conversations", "pct"),
        ],
        [[r.reason, r.count, r.share_of_handovers, r.rate_of_conversations] for r in report.by_reason],
    )
    repeated = Table(
        "repeated_facts",
        "What customers had to repeat after a hand-over",
        [Column("fact"), Column("conversations", "int")],
        [[kind, n] for kind, n in report.repeated_fact_kinds.items()],
    )
    chart = svg.bars([(r.reason, r.count) for r in report.by_reason], "Hand-overs by reason")
    return Section("Hand-overs", "", [chart], [table, repeated])


def _satisfaction(session: Session, win: Window, settings: AnalyticsSettings, embedder: Embedder) -> Section:
    report = themes.satisfaction(session, win, settings, embedder)
    by_path = Table(
        "satisfaction_by_path",
        "Satisfaction by path",
        [Column("path"), Column("conversations", "int"), Column("rated", "int"), Column("average (1-5)", "num")],
        [[p.path, p.conversations, p.rated, p.average] for p in report.by_path],
    )
    theme_table = Table(
        "comment_themes",
        "Themes in satisfaction comments",
        [
            Column("theme"),
            Column("comments", "int"),
            Column("average rating", "num"),
            Column("sentiment", "num"),
            Column("negative share", "pct"),
            Column("example"),
        ],
        [
            [t.name, t.size, t.average_score, t.sentiment, t.negative_share, t.examples[0] if t.examples else ""]
            for t in report.themes
        ],
        note="Sentiment is VADER's compound score: -1 very negative, +1 very positive.",
    )
    emotion = service.outcomes(session, win, settings, group_by="path")
    emotion_table = Table(
        "emotion_by_path",
        "Frustration at the start and end of conversations",
        [
            Column("path"),
            Column("measured", "int"),
            Column("start", "num"),
            Column("end", "num"),
            Column("eased", "int"),
            Column("rose", "int"),
        ],
        [
            [
                g.key,
                g.emotion.measured,
                g.emotion.frustration_start_avg,
                g.emotion.frustration_end_avg,
                g.emotion.eased,
                g.emotion.rose,
            ]
            for g in emotion.groups
        ],
    )
    return Section("Satisfaction and emotion", "", [], [by_path, theme_table, emotion_table])


def _vulnerable(session: Session, win: Window, settings: AnalyticsSettings) -> Section:
    report = service.vulnerable_outcomes(session, win, settings)
    rows: list[list[Any]] = []
    for group in report.groups:
        label = "customers with a vulnerability" if group.vulnerable else "all other customers"
        if group.summary is None:
            rows.append([label, "suppressed", None, None, None, None])
            continue
        s = group.summary
        rows.append(
            [
                label,
                s.conversations,
                s.honest_containment_rate,
                s.handover_rate,
                s.satisfaction_avg,
                s.time_to_human.rate,
            ]
        )
    table = Table(
        "vulnerable_outcomes",
        "Outcomes for customers in vulnerable circumstances (aggregate)",
        [
            Column("group"),
            Column("conversations", "mixed_int"),
            Column("honest containment", "pct"),
            Column("hand-over rate", "pct"),
            Column("satisfaction", "num"),
            Column("human in target", "pct"),
        ],
        rows,
        note=f"Groups under {report.min_group_size} conversations are suppressed.",
    )
    return Section("Vulnerable customers", "Special-category data: aggregate only.", [], [table])


def _complaints(session: Session, win: Window) -> Section:
    summary = history.complaint_summary(session, win)

    def counted(slug: str, title: str, name: str, items: Sequence[tuple[str, int]]) -> Table:
        return Table(slug, title, [Column(name), Column("complaints", "int")], [list(i) for i in items])

    tables = [
        counted("complaints_by_product", "Imported complaints by product", "product", summary.by_product),
        counted("complaints_by_category", "By issue", "issue", summary.by_category),
        counted("complaints_by_outcome", "By outcome", "outcome", summary.by_outcome),
        counted("complaints_by_channel", "By channel", "channel", summary.by_channel),
    ]
    chart = svg.columns([(week, n) for week, n in summary.by_week], "Imported complaints per week")
    intro = f"{summary.complaints:,} complaints received in the window."
    return Section("Complaint history", intro, [chart] if chart else [], tables)


def _topics(session: Session, source: str, win: Window, current: timedelta) -> Section | None:
    listed = topic_service.list_topics(session, source)
    if not listed:
        return None
    trend = topic_service.trends(session, source, win, current)
    table = Table(
        f"topics_{source}",
        "Topics",
        [
            Column("id", "int"),
            Column("topic"),
            Column("texts", "int"),
            Column("distinctive terms"),
            Column("linked to"),
            Column("example"),
        ],
        [
            [t.id, t.name, t.size, ", ".join(t.terms), _links(t.links), t.examples[0] if t.examples else ""]
            for t in listed
        ],
    )
    return Section(
        f"Topics in {source}",
        f"Current period {trend.current.since:%Y-%m-%d} to {trend.current.until:%Y-%m-%d} against the rest of the "
        "window. " + trend.method,
        [],
        [table, *_trend_tables(source, trend)],
    )


def _trend_tables(source: str, trend: TrendReport) -> list[Table]:
    columns = [
        Column("topic"),
        Column("now", "int"),
        Column("before", "int"),
        Column("share now", "pct"),
        Column("share before", "pct"),
        Column("ratio", "num"),
        Column("p-value", "p"),
        Column("q-value", "p"),
        Column("trend", "spark"),
    ]

    def rows(items: Sequence[Any]) -> list[list[Any]]:
        return [
            [
                t.name,
                t.current,
                t.baseline,
                t.current_share,
                t.baseline_share,
                t.rate_ratio,
                t.p_value,
                t.q_value,
                t.series,
            ]
            for t in items
        ]

    recurring = Table(
        f"recurring_{source}",
        "Recurring issues",
        [
            Column("topic"),
            Column("contacts", "int"),
            Column("customers", "int"),
            Column("came back", "int"),
            Column("share who came back", "pct"),
            Column("periods present", "int"),
            Column("periods", "int"),
        ],
        [
            [r.name, r.contacts, r.customers, r.returning_customers, r.returning_share, r.periods_present, r.periods]
            for r in trend.recurring[:20]
        ],
    )
    return [
        Table(f"spikes_{source}", "Spikes", columns, rows(trend.spikes), note="" if trend.spikes else "No spikes."),
        Table(
            f"emerging_{source}",
            "Emerging topics",
            columns,
            rows(trend.emerging),
            note="" if trend.emerging else "Nothing new this period.",
        ),
        Table(f"trends_{source}", "All topic trends", columns, rows(trend.trends[:40])),
        recurring,
    ]


def _causes(session: Session, win: Window) -> Section:
    report = taxonomy.cause_report(session, win)
    table = Table(
        "root_causes",
        "Root causes",
        [
            Column("cause"),
            Column("complaints", "int"),
            Column("conversations", "int"),
            Column("share", "pct"),
            Column("previous window", "int"),
            Column("change", "pct"),
            Column("satisfaction", "num"),
            Column("false containment", "int"),
            Column("top products"),
            Column("top outcomes"),
        ],
        [
            [
                c.name,
                c.complaints,
                c.conversations,
                c.share,
                c.previous,
                c.change,
                c.satisfaction_avg,
                c.false_containment,
                _pairs(c.top_products),
                _pairs(c.top_outcomes),
            ]
            for c in report.causes
        ],
    )
    chart = svg.bars([(c.name, c.complaints + c.conversations) for c in report.causes[:15]], "Volume by root cause")
    return Section("Root causes", "Topics filed under the root-cause taxonomy your team curates.", [chart], [table])


def _definitions() -> Section:
    rows = [[name.replace("_", " "), text] for name, text in service.DEFINITIONS.items()]
    rows.append(["spike / emerging", stats.method()])
    return Section(
        "How these are counted",
        "",
        [],
        [Table("definitions", "Definitions", [Column("term"), Column("meaning")], rows)],
    )


def _links(links: dict[str, list[tuple[str, float]]]) -> str:
    return "; ".join(
        f"{name}: " + ", ".join(f"{v} ({s:.0%})" for v, s in pairs) for name, pairs in links.items() if pairs
    )


def _pairs(items: Sequence[tuple[str, int]]) -> str:
    return ", ".join(f"{name} ({n})" for name, n in items)
