"""Dashboard reads are kept in memory per day and data version (see analytics/cache.py): asked again they
read nothing, after a change they read the days that changed, and they never answer from changed data."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from tandem.analytics import cache, repository, rollup
from tandem.analytics.models import ConversationOutcome
from tandem.kit.db import make_engine, make_sessionmaker, unit_of_work

from .conftest import Journeys
from .test_incremental import START, _random_outcomes, agrees_with_every_conversation
from .test_outcomes import play_week

WINDOW = {"since": "2026-03-01T09:00:02", "until": "2026-03-06T09:10:00"}
# Fixed (the test clock moves at every reading), with part-days at both ends and today inside.
SPAN = {"since": "2026-02-20T10:00:00", "until": "2026-03-20T10:00:00"}


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[tuple[Any, ...]]]:
    """What was read from the store rather than from memory: ("day", day) for a day's rollups and
    ("facts", day) for an edge day's facts."""
    cache.clear()
    found: list[tuple[Any, ...]] = []
    read_facts, keep = repository._day_facts, cache.keep

    def counted_facts(session: Session, day: Any, needs: repository.Needs) -> rollup.Facts:
        found.append(("facts", day))
        return read_facts(session, day, needs)

    def kept(key: Any, value: object) -> None:
        if key[1] == "day":
            found.append(("day", key[2]))
        keep(key, value)

    monkeypatch.setattr(repository, "_day_facts", counted_facts)
    monkeypatch.setattr(cache, "keep", kept)
    yield found
    cache.clear()


def _fresh(j: Journeys, path: str, **params: Any) -> dict[str, Any]:
    cache.clear()
    return j.get(path, **params)


class TestDashboardCache:
    def test_asking_again_reads_nothing_again(self, journeys: Journeys, reads: list[tuple[Any, ...]]):
        play_week(journeys)
        first = journeys.get("/analytics/outcomes", **WINDOW)
        read_first = list(reads)
        by_day = journeys.get("/analytics/outcomes", group_by="day", **WINDOW)
        handovers = journeys.get("/analytics/handovers", **WINDOW)

        # Days without data have no stamp and are read each time (they hold nothing); the others once.
        assert ("day", START.date()) in read_first
        assert all(kind == "facts" for kind, _ in reads[len(read_first) :])  # the empty edge days, each time
        assert journeys.get("/analytics/outcomes", **WINDOW) == first
        assert by_day["overall"] == first["overall"] and handovers["conversations"] == first["overall"]["conversations"]

    def test_a_change_is_in_the_next_answer(self, journeys: Journeys, reads: list[tuple[Any, ...]]):
        play_week(journeys)
        reports = [
            ("/analytics/outcomes", SPAN),
            ("/analytics/outcomes", {"group_by": "path", **SPAN}),
            ("/analytics/handovers", SPAN),
            ("/analytics/satisfaction", SPAN),
        ]
        before = [journeys.get(path, **params) for path, params in reports]
        # A new conversation that is handed over, answered by a person, resolved and rated with a comment.
        cid, token = journeys.start()
        journeys.say(cid, token, "I want to talk to a human")
        journeys.take_and_reply(cid)
        journeys.resolve(cid)
        journeys.rate(cid, token, 1, "far too slow")
        after = [journeys.get(path, **params) for path, params in reports]
        fresh = [_fresh(journeys, path, **params) for path, params in reports]

        assert after == fresh
        assert after[0]["overall"]["conversations"] == before[0]["overall"]["conversations"] + 1
        assert after[2]["handed_over"] == before[2]["handed_over"] + 1
        assert after[3]["comments"] == before[3]["comments"] + 1

    def test_an_edge_day_that_changes_is_read_again(self, journeys: Journeys, reads: list[tuple[Any, ...]]):
        play_week(journeys)
        window = {"since": "1d"}  # today in part: read from the day's facts, not the rollups
        before = journeys.get("/analytics/outcomes", **window)
        cid, token = journeys.start()
        journeys.say(cid, token, "where is my order?")
        after = journeys.get("/analytics/outcomes", **window)

        fresh = _fresh(journeys, "/analytics/outcomes", **window)
        assert {**after, "window": None} == {**fresh, "window": None}
        assert after["overall"]["conversations"] == before["overall"]["conversations"] + 1


def _agrees_with_every_conversation(session: Session, cube: rollup.Cube, since: datetime, until: datetime) -> None:
    agrees_with_every_conversation(session, cube, since, until)
    assert cube.total().counts["commented"] == repository.rated_comment_count(session, since, until)


# Windows over the same whole days with different edges: a request must never change what another reuses.
WINDOWS = [
    (START, START + timedelta(days=9)),
    (START + timedelta(hours=5.5), START + timedelta(days=6, hours=13)),
    (START + timedelta(hours=2), START + timedelta(days=6, hours=20)),
    (START + timedelta(hours=2), START + timedelta(hours=20)),
    (START + timedelta(hours=20), START + timedelta(days=1, hours=3)),
]


def test_cached_reads_agree_with_every_conversation_before_and_after_a_change(
    store_url: str, reads: list[tuple[Any, ...]]
):
    _random_outcomes(store_url, 600)
    factory = make_sessionmaker(make_engine(store_url))
    with unit_of_work(factory) as session:
        repository.rebuild_rollups(session, None)
    for _ in range(2):  # the second time from memory
        for since, until in WINDOWS:
            with unit_of_work(factory) as session:
                _agrees_with_every_conversation(session, repository.load_cube(session, since, until), since, until)
    read_before = len(reads)
    # Some facts change on some days and their rollups are rebuilt (which stamps those days).
    with unit_of_work(factory) as session:
        o = ConversationOutcome
        changed = (o.conversation_id % 7 == 0) & (o.started_at >= START + timedelta(days=1))
        session.execute(
            update(o)
            .where(changed)
            .values(handed_over=True, handover_reason="frustration", rating_comment="too slow", first_response_s=5.0)
        )
        days = set(session.scalars(select(o.started_day).where(changed)))
        repository.rebuild_rollups(session, days)
    for since, until in WINDOWS:
        with unit_of_work(factory) as session:
            _agrees_with_every_conversation(session, repository.load_cube(session, since, until), since, until)
    reread = {day for kind, day in reads[read_before:] if kind == "day"}
    assert reread and reread <= days  # the days that did not change come from memory


def test_a_change_to_one_day_rereads_that_day_only(store_url: str, reads: list[tuple[Any, ...]]):
    _random_outcomes(store_url, 300)
    factory = make_sessionmaker(make_engine(store_url))
    since, until = START + timedelta(hours=3), START + timedelta(days=8, hours=3)
    with unit_of_work(factory) as session:
        repository.rebuild_rollups(session, None)
    with unit_of_work(factory) as session:
        repository.load_cube(session, since, until)
    read_once = len(reads)
    with unit_of_work(factory) as session:
        repository.load_cube(session, since, until)
    assert len(reads) == read_once > 0
    read_before = len(reads)
    changed_day = (START + timedelta(days=4)).date()
    with unit_of_work(factory) as session:
        session.execute(
            update(ConversationOutcome).where(ConversationOutcome.started_day == changed_day).values(complaint=True)
        )
        repository.rebuild_rollups(session, [changed_day])
    with unit_of_work(factory) as session:
        cube = repository.load_cube(session, since, until)
        _agrees_with_every_conversation(session, cube, since, until)
    assert reads[read_before:] == [("day", changed_day)]
