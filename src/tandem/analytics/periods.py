"""Time windows: "30d", "12w", "24h" or a date, and the periods trends are counted in."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from tandem.kit.errors import ValidationFailed

_RELATIVE = re.compile(r"^\s*(\d{1,4})\s*([hdw])\s*$", re.I)
_UNITS = {"h": timedelta(hours=1), "d": timedelta(days=1), "w": timedelta(weeks=1)}


@dataclass(frozen=True)
class Window:
    since: datetime
    until: datetime

    @property
    def length(self) -> timedelta:
        return self.until - self.since


def parse_moment(text: str, now: datetime) -> datetime:
    """'30d' (30 days before now), '12w', '24h', '2026-01-31' or a full ISO timestamp (UTC if no zone)."""
    relative = _RELATIVE.match(text)
    if relative:
        return now - int(relative.group(1)) * _UNITS[relative.group(2).lower()]
    try:
        if len(text.strip()) == 10:
            return datetime.combine(date.fromisoformat(text.strip()), time(), tzinfo=UTC)
        moment = datetime.fromisoformat(text.strip())
    except ValueError as exc:
        raise ValidationFailed(f"{text!r} is not a period like 30d, 12w, 24h or a date like 2026-01-31.") from exc
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def window(since: str | None, until: str | None, now: datetime, default: str = "30d") -> Window:
    end = parse_moment(until, now) if until else now
    start = parse_moment(since or default, now)
    if start >= end:
        raise ValidationFailed("The window is empty: `since` must come before `until`.")
    return Window(start, end)


def split(win: Window, periods: int) -> list[Window]:
    """The window cut into equal consecutive periods, oldest first."""
    step = win.length / periods
    return [Window(win.since + i * step, win.since + (i + 1) * step) for i in range(periods)]


def baseline_and_current(win: Window, current: timedelta) -> tuple[Window, Window]:
    """The last `current` of the window, and everything before it as the baseline."""
    if current >= win.length:
        raise ValidationFailed("The current period must be shorter than the whole window.")
    cut = win.until - current
    return Window(win.since, cut), Window(cut, win.until)
