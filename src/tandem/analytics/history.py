"""Imported complaint history at a glance: volume by product, issue, channel, outcome and week."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import func, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from tandem.analytics.metrics import week_start
from tandem.analytics.models import ComplaintRecord
from tandem.analytics.periods import Window
from tandem.analytics.schemas import ComplaintSummary, WindowOut

TOP = 15


def complaint_summary(session: Session, win: Window) -> ComplaintSummary:
    c = ComplaintRecord
    in_window = (c.received_at >= win.since, c.received_at < win.until)

    def top(column: InstrumentedAttribute[str]) -> list[tuple[str, int]]:
        query = select(column, func.count()).where(*in_window).group_by(column).order_by(func.count().desc()).limit(TOP)
        return [(str(value or "(blank)"), int(n)) for value, n in session.execute(query)]

    weeks: Counter[str] = Counter()
    for (received,) in session.execute(select(c.received_at).where(*in_window)):
        weeks[week_start(received.date()).isoformat()] += 1
    total = int(session.scalar(select(func.count()).select_from(c).where(*in_window)) or 0)
    average = session.scalar(select(func.avg(c.satisfaction)).where(*in_window))
    return ComplaintSummary(
        window=WindowOut(since=win.since, until=win.until),
        complaints=total,
        by_product=top(c.product),
        by_category=top(c.category),
        by_channel=top(c.channel),
        by_outcome=top(c.outcome),
        by_week=sorted(weeks.items()),
        satisfaction_avg=None if average is None else round(float(average), 3),
    )
