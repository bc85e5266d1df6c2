"""Choosing an agent, response targets, honest waits and business hours."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError

from tandem.handoff.decision import Priority
from tandem.handoff.routing import (
    Agent,
    BusinessHours,
    OpeningSpan,
    choose_agent,
    estimate_wait,
    first_response_target,
)

LONDON = ZoneInfo("Europe/London")


def agent(id: str, active: int = 0, capacity: int = 3, presence: str = "online", queues: Any = ("billing",)) -> Agent:
    return Agent.model_validate(
        {"id": id, "active": active, "capacity": capacity, "presence": presence, "queues": frozenset(queues)}
    )


CHOICES: list[tuple[str, list[Agent], str | None]] = [
    ("nobody there", [], None),
    ("the only one free", [agent("a")], "a"),
    ("away agents are skipped", [agent("a", presence="away"), agent("b", active=2)], "b"),
    ("offline agents are skipped", [agent("a", presence="offline")], None),
    ("agents without the skill are skipped", [agent("a", queues=["orders"]), agent("b", active=1)], "b"),
    ("full agents are skipped", [agent("a", active=3), agent("b", active=2)], "b"),
    ("everyone full", [agent("a", active=3), agent("b", active=1, capacity=1)], None),
    ("least loaded wins", [agent("a", active=2), agent("b", active=1)], "b"),
    (
        "load is relative to capacity",
        [agent("a", active=2, capacity=8), agent("b", active=1, capacity=2)],
        "a",
    ),
    ("ties go to the smallest id", [agent("b"), agent("a"), agent("c")], "a"),
    ("zero capacity never takes one", [agent("a", capacity=0)], None),
]


@pytest.mark.parametrize(("name", "agents", "chosen"), CHOICES, ids=[c[0] for c in CHOICES])
def test_choose_agent(name: str, agents: list[Agent], chosen: str | None) -> None:
    assert choose_agent("billing", agents) == chosen


def test_choice_does_not_depend_on_list_order() -> None:
    agents = [agent("c", active=1), agent("a", active=1), agent("b", active=1)]
    assert choose_agent("billing", agents) == choose_agent("billing", list(reversed(agents))) == "a"


@pytest.mark.parametrize(("priority", "minutes"), [("urgent", 2), ("high", 5), ("normal", 15), ("low", 60)])
def test_first_response_target(priority: Priority, minutes: int) -> None:
    assert first_response_target(priority) == timedelta(minutes=minutes)


def test_first_response_targets_are_configurable() -> None:
    targets: dict[Priority, timedelta] = {
        "urgent": timedelta(minutes=1),
        "high": timedelta(minutes=3),
        "normal": timedelta(minutes=10),
        "low": timedelta(hours=4),
    }
    assert first_response_target("low", targets) == timedelta(hours=4)


WAITS: list[tuple[int, int, float, timedelta | None]] = [
    (1, 1, 6.0, timedelta(minutes=6)),
    (4, 2, 6.0, timedelta(minutes=12)),
    (1, 3, 6.0, timedelta(minutes=2)),
    (1, 4, 5.0, timedelta(minutes=2)),  # 1.25 minutes is rounded up, never down
    (0, 5, 6.0, timedelta(minutes=1)),  # the floor: never "0 minutes"
    (3, 0, 6.0, None),  # nobody online: no honest number
]


@pytest.mark.parametrize(("position", "online", "handle", "expected"), WAITS)
def test_estimate_wait(position: int, online: int, handle: float, expected: timedelta | None) -> None:
    assert estimate_wait(position, online, handle) == expected


def test_estimate_wait_floor_is_configurable() -> None:
    assert estimate_wait(0, 5, 6.0, floor=timedelta(minutes=3)) == timedelta(minutes=3)


def test_estimate_wait_rejects_a_negative_position() -> None:
    with pytest.raises(ValueError, match="negative"):
        estimate_wait(-1, 1, 5.0)


# ---- business hours --------------------------------------------------------------------------------

WEEKDAYS_NINE_TO_FIVE = {day: [{"start": "09:00", "end": "17:00"}] for day in ("mon", "tue", "wed", "thu", "fri")}
HOURS = BusinessHours.model_validate(
    {
        "timezone": "Europe/London",
        "week": {
            **WEEKDAYS_NINE_TO_FIVE,
            "sat": [{"start": "10:00", "end": "12:00"}, {"start": "13:00", "end": "15:00"}],
        },
        "holidays": ["2025-12-25", "2025-12-26"],
    }
)


def london(year: int, month: int, day: int, hour: int, minute: int) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=LONDON)


OPENINGS: list[tuple[str, datetime, bool, datetime]] = [
    ("weekday morning", london(2025, 6, 2, 10, 0), True, london(2025, 6, 2, 10, 0)),
    ("at opening time", london(2025, 6, 2, 9, 0), True, london(2025, 6, 2, 9, 0)),
    ("at closing time", london(2025, 6, 2, 17, 0), False, london(2025, 6, 3, 9, 0)),
    ("before opening", london(2025, 6, 2, 7, 30), False, london(2025, 6, 2, 9, 0)),
    ("friday evening to saturday", london(2025, 6, 6, 18, 0), False, london(2025, 6, 7, 10, 0)),
    ("saturday lunch break", london(2025, 6, 7, 12, 30), False, london(2025, 6, 7, 13, 0)),
    ("saturday evening to monday", london(2025, 6, 7, 16, 0), False, london(2025, 6, 9, 9, 0)),
    ("christmas is skipped", london(2025, 12, 24, 18, 0), False, london(2025, 12, 27, 10, 0)),
    ("utc input in summer time", datetime(2025, 6, 2, 8, 30, tzinfo=UTC), True, london(2025, 6, 2, 9, 30)),
    ("utc input in winter", datetime(2025, 1, 6, 8, 30, tzinfo=UTC), False, london(2025, 1, 6, 9, 0)),
]


@pytest.mark.parametrize(("name", "now", "is_open", "opening"), OPENINGS, ids=[o[0] for o in OPENINGS])
def test_business_hours(name: str, now: datetime, is_open: bool, opening: datetime) -> None:
    assert HOURS.is_open(now) is is_open
    assert HOURS.next_opening(now) == opening


def test_next_opening_is_in_the_desks_time_zone() -> None:
    opening = HOURS.next_opening(datetime(2025, 6, 2, 20, 0, tzinfo=UTC))
    assert opening is not None
    assert opening.tzinfo == LONDON
    assert opening.hour == 9


def test_always_open_is_open_at_midnight() -> None:
    hours = BusinessHours.always_open()
    assert hours.is_open(datetime(2025, 6, 2, 0, 0, tzinfo=UTC))
    assert hours.is_open(datetime(2025, 6, 2, 23, 59, tzinfo=UTC))


def test_a_desk_that_never_opens_has_no_next_opening() -> None:
    assert BusinessHours().next_opening(datetime(2025, 6, 2, tzinfo=UTC)) is None


def test_holidays_close_a_normal_day() -> None:
    hours = HOURS.model_copy(update={"holidays": frozenset({date(2025, 6, 2)})})
    assert not hours.is_open(london(2025, 6, 2, 10, 0))


def test_naive_times_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        HOURS.is_open(datetime(2025, 6, 2, 10, 0))


@pytest.mark.parametrize(
    "config",
    [
        {"timezone": "Mars/Olympus"},
        {"week": {"mon": [{"start": "17:00", "end": "09:00"}]}},
        {"week": {"funday": []}},
    ],
)
def test_bad_business_hours_are_refused(config: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        BusinessHours.model_validate(config)


def test_a_span_can_run_to_midnight() -> None:
    span = OpeningSpan.model_validate({"start": "18:00", "end": "00:00"})
    assert span.contains(datetime(2025, 1, 1, 23, 59).time())
    assert not span.contains(datetime(2025, 1, 1, 17, 59).time())
