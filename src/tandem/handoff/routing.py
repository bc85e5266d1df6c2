"""Honest routing: which agent takes a conversation, how soon someone should answer, how long the wait is.

Pure functions over snapshots; the store reads agents and queues, these decide.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from datetime import date, datetime, time, timedelta
from fractions import Fraction
from typing import Literal, Self
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from tandem.handoff.decision import Priority

Presence = Literal["online", "away", "offline"]
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
WEEKDAYS: tuple[Weekday, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

DEFAULT_RESPONSE_TARGETS: Mapping[Priority, timedelta] = {
    "urgent": timedelta(minutes=2),
    "high": timedelta(minutes=5),
    "normal": timedelta(minutes=15),
    "low": timedelta(minutes=60),
}
# Never promise less than this: an estimate of "0 minutes" is a promise nobody can keep.
WAIT_FLOOR = timedelta(minutes=1)
# How far ahead to look for an opening: a year covers any run of holidays a desk could configure.
OPENING_SEARCH_DAYS = 366
MIDNIGHT = time(0)


class Agent(BaseModel):
    """An agent as routing sees them at one moment."""

    model_config = ConfigDict(frozen=True)

    id: str
    queues: frozenset[str] = frozenset()
    capacity: int = Field(default=1, ge=0)
    active: int = Field(default=0, ge=0)
    presence: Presence = "offline"

    def can_take(self, queue: str) -> bool:
        return self.presence == "online" and queue in self.queues and self.active < self.capacity


def choose_agent(queue: str, agents: Iterable[Agent]) -> str | None:
    """The online agent with the skill and a free slot who is least loaded; ties go to the smallest id."""
    candidates = [agent for agent in agents if agent.can_take(queue)]
    if not candidates:
        return None
    chosen = min(candidates, key=lambda agent: (Fraction(agent.active, agent.capacity), agent.active, agent.id))
    return chosen.id


def first_response_target(priority: Priority, targets: Mapping[Priority, timedelta] | None = None) -> timedelta:
    """How soon a person should first answer a conversation of this priority."""
    return (targets or DEFAULT_RESPONSE_TARGETS)[priority]


def estimate_wait(
    queue_position: int,
    agents_online: int,
    avg_handle_minutes: float,
    *,
    floor: timedelta = WAIT_FLOOR,
) -> timedelta | None:
    """Expected wait for the customer at `queue_position` (1 = next), in whole minutes, never under `floor`.

    Agents free up at about `agents_online / avg_handle_minutes` per minute, so the customer at position
    p waits about `p * avg_handle_minutes / agents_online`. None when nobody is online: there is no
    honest number to give.
    """
    if queue_position < 0 or avg_handle_minutes < 0:
        raise ValueError("queue position and handling time cannot be negative")
    if agents_online <= 0:
        return None
    minutes = math.ceil(queue_position * avg_handle_minutes / agents_online)
    return max(timedelta(minutes=minutes), floor)


class OpeningSpan(BaseModel):
    """Open from `start` until `end` on one day; an `end` of 00:00 means until midnight."""

    model_config = ConfigDict(frozen=True)

    start: time
    end: time

    @model_validator(mode="after")
    def _ends_after_start(self) -> Self:
        if self.end != MIDNIGHT and self.end <= self.start:
            raise ValueError(f"an opening span must end after it starts ({self.start}-{self.end})")
        return self

    def contains(self, moment: time) -> bool:
        return self.start <= moment and (self.end == MIDNIGHT or moment < self.end)


class BusinessHours(BaseModel):
    """When people answer: opening spans per weekday, in the desk's time zone, minus holidays."""

    model_config = ConfigDict(frozen=True)

    timezone: str = "UTC"
    week: Mapping[Weekday, tuple[OpeningSpan, ...]] = Field(default_factory=dict)
    holidays: frozenset[date] = frozenset()

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise ValueError(f"unknown time zone {value!r}") from error
        return value

    @classmethod
    def always_open(cls, timezone: str = "UTC") -> BusinessHours:
        whole_day = (OpeningSpan(start=MIDNIGHT, end=MIDNIGHT),)
        return cls(timezone=timezone, week=dict.fromkeys(WEEKDAYS, whole_day))

    def is_open(self, now: datetime) -> bool:
        local = self._local(now)
        return local.date() not in self.holidays and any(
            span.contains(local.time()) for span in self._spans(local.date())
        )

    def next_opening(self, now: datetime) -> datetime | None:
        """`now` (in the desk's zone) when open, else the next start of a span; None if it never opens."""
        local = self._local(now)
        if self.is_open(local):
            return local
        for offset in range(OPENING_SEARCH_DAYS):
            day = local.date() + timedelta(days=offset)
            if day in self.holidays:
                continue
            for span in self._spans(day):
                opening = datetime.combine(day, span.start, tzinfo=local.tzinfo)
                if opening > local:
                    return opening
        return None

    def _spans(self, day: date) -> list[OpeningSpan]:
        return sorted(self.week.get(WEEKDAYS[day.weekday()], ()), key=lambda span: span.start)

    def _local(self, now: datetime) -> datetime:
        if now.tzinfo is None:
            raise ValueError("business hours need a timezone-aware time")
        return now.astimezone(ZoneInfo(self.timezone))
