"""The outcome facts are kept current incrementally: every event is folded in exactly once, whatever order
events become visible in, and the daily rollups agree with counting every conversation one by one."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
import pytest
from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.orm import Session, sessionmaker

from tandem.analytics import repository, rollup, service
from tandem.analytics.models import AnalyticsWatermark, ConversationOutcome, OutcomeRollup
from tandem.analytics.settings import get_analytics_settings
from tandem.conversations.models import Conversation
from tandem.events.models import Event
from tandem.kit.db import make_engine, make_sessionmaker, unit_of_work

from .conftest import Journeys
from .test_outcomes import play_week

WINDOWS = (
    {"since": "2026-03-01", "until": "2026-03-12"},  # whole days: read from the rollups
    {"since": "2026-03-02T09:00:02", "until": "2026-03-05T09:10:00"},  # part-days at both ends
)
REPORTS = (
    ("/analytics/outcomes", {}),
    ("/analytics/outcomes", {"group_by": "path"}),
    ("/analytics/outcomes", {"group_by": "day"}),
    ("/analytics/outcomes", {"group_by": "intent"}),
    ("/analytics/handovers", {}),
    ("/analytics/satisfaction", {}),
)


def _reports(j: Journeys) -> list[dict[str, Any]]:
    return [j.get(path, **params, **win) for win in WINDOWS for path, params in REPORTS]


def _stored(factory: sessionmaker[Session]) -> tuple[dict[int, dict[str, Any]], dict[tuple[Any, ...], Any]]:
    """Every outcome row (less its refresh time) and every rollup cell, durations sorted."""
    with unit_of_work(factory) as session:
        facts = {
            row.conversation_id: {k: v for k, v in row._asdict().items() if k != "refreshed_at"}
            for row in session.execute(select(*ConversationOutcome.__table__.columns))
        }
        cells = {}
        for row in session.execute(select(*OutcomeRollup.__table__.columns)):
            data = row._asdict()
            key = tuple(data.pop(d) for d in rollup.DIMENSIONS)
            assert key not in cells, f"two rollup rows for {key}"
            data.pop("id")
            for name in rollup.DURATIONS:
                data[name] = sorted(rollup.decode(data[name]).tolist())
            for name in rollup.SUMS:  # kept up to date by adding and taking out: equal to rounding error
                data[name] = round(data[name], 9)
            cells[key] = data
    return facts, cells


def _rebuild_from_scratch(factory: sessionmaker[Session]) -> None:
    with unit_of_work(factory) as session:
        session.execute(delete(OutcomeRollup))
        session.execute(delete(ConversationOutcome))
        session.execute(update(AnalyticsWatermark).values(last_event_id=0, pending_ids=[]))
    with unit_of_work(factory) as session:
        service.refresh(session)


def _refresh(factory: sessionmaker[Session]) -> service.RefreshResult:
    with unit_of_work(factory) as session:
        return service.refresh(session)


class TestIncrementalRefresh:
    def test_refreshing_after_every_step_gives_what_a_rebuild_from_scratch_gives(self, journeys: Journeys):
        factory = journeys.desk.desk.factory
        for name in ("say", "take_and_reply", "resolve", "rate"):
            step = getattr(journeys, name)

            def then_refresh(*args: Any, _step: Any = step, **kwargs: Any) -> Any:
                done = _step(*args, **kwargs)
                journeys.get("/analytics/outcomes")  # a refresh in between every step
                return done

            setattr(journeys, name, then_refresh)
        play_week(journeys)
        # Days later Carol is back: her earlier conversation, on an earlier day, becomes a false containment.
        journeys.clock.travel(days=3)
        cid, token = journeys.start("carol")
        journeys.say(cid, token, "my order still has not come")
        incremental, reports = _stored(factory), _reports(journeys)

        _rebuild_from_scratch(factory)

        assert _stored(factory) == incremental
        assert _reports(journeys) == reports
        first_day = reports[0]  # the whole-day window
        assert first_day["overall"]["conversations"] == 7
        assert first_day["overall"]["ai_resolutions"]["false_containment"] == 2

    def test_an_event_that_becomes_visible_late_is_read_then_and_only_then(self, journeys: Journeys):
        factory = journeys.desk.desk.factory
        ids = play_week(journeys)
        _refresh(factory)
        with unit_of_work(factory) as session:
            top = int(session.scalar(select(func.max(Event.id))) or 0)
        rated = {"type": "conversation.rated", "actor": "customer", "created_at": datetime(2026, 3, 2, 10, tzinfo=UTC)}
        # Id top + 2 commits first; top + 1 belongs to a transaction that is still open (or rolled back).
        with unit_of_work(factory) as session:
            session.execute(
                insert(Event),
                [{**rated, "id": top + 2, "conversation_id": ids["a"], "payload": {"score": 5, "comment": "great"}}],
            )
        assert _refresh(factory).conversations == 1
        with unit_of_work(factory) as session:
            assert session.get(AnalyticsWatermark, repository.OUTCOMES_MARK).pending_ids == [top + 1]  # type: ignore[union-attr]
        assert _refresh(factory).conversations == 0  # nothing new: nothing read again

        with unit_of_work(factory) as session:
            session.execute(
                insert(Event),
                [{**rated, "id": top + 1, "conversation_id": ids["b"], "payload": {"score": 1, "comment": "late"}}],
            )
        assert _refresh(factory).conversations == 1  # only B, now that its event is visible
        with unit_of_work(factory) as session:
            assert session.get(AnalyticsWatermark, repository.OUTCOMES_MARK).pending_ids == []  # type: ignore[union-attr]
            assert session.get(ConversationOutcome, ids["b"]).rating_comment == "late"  # type: ignore[union-attr]
        assert _refresh(factory).conversations == 0
        incremental = _stored(factory)

        _rebuild_from_scratch(factory)

        assert _stored(factory) == incremental

    def test_a_new_event_rereads_only_its_own_conversation(self, journeys: Journeys):
        play_week(journeys)
        factory = journeys.desk.desk.factory
        _refresh(factory)
        cid, token = journeys.start("alice")
        journeys.say(cid, token, "where is my parcel?")
        assert _refresh(factory).conversations == 1


# ---- rollups against counting every conversation --------------------------------------------------------

START = datetime(2026, 3, 2, tzinfo=UTC)


def _random_outcomes(url: str, n: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    engine = make_engine(url)
    conversations, outcomes = [], []
    for cid in range(1, n + 1):
        started = START + timedelta(hours=rng.uniform(0, 24 * 9))
        handed = rng.random() < 0.3
        resolved = rng.random() < 0.6
        start_f = rng.random() if rng.random() < 0.8 else None
        conversations.append(
            {
                "id": cid,
                "channel": "web",
                "owner": "resolved",
                "priority": "normal",
                "subject": "",
                "state": {},
                "created_at": started,
                "updated_at": started,
            }
        )
        outcomes.append(
            {
                "conversation_id": cid,
                "started_at": started,
                "started_day": started.date(),
                "started_week": started.date() - timedelta(days=started.weekday()),
                "channel": rng.choice(["web", "email"]),
                "queue": rng.choice([None, "general", "billing"]),
                "intent": rng.choice([None, "refund", "order_status"]),
                "path": rng.choice(["ai_only", "handed_over", "human_only"]),
                "complaint": rng.random() < 0.2,
                "customer_messages": 1,
                "ai_resolved": resolved,
                "confirmed": resolved and rng.random() < 0.5,
                "came_back": False,
                "false_containment": resolved and rng.random() < 0.2,
                "repeat_contact": rng.random() < 0.1,
                "handed_over": handed,
                "handed_over_at": started if handed else None,
                "handover_reason": rng.choice(["frustration", "human_requested"]) if handed else None,
                "first_response_s": rng.expovariate(1 / 40) if rng.random() < 0.9 else None,
                "time_to_human_s": rng.expovariate(1 / 600) if handed and rng.random() < 0.8 else None,
                "resolution_s": rng.expovariate(1 / 9000) if resolved else None,
                "satisfaction": rng.choice([None, None, 1, 3, 5]),
                "frustration_start": start_f,
                "frustration_end": rng.random() if start_f is not None else None,
                "repeated_fact": handed and rng.random() < 0.3,
                "repeated_kinds": ["order_number"] if handed else [],
                "refreshed_at": started,
            }
        )
    with engine.begin() as conn:
        conn.execute(Conversation.__table__.insert(), conversations)
        conn.execute(ConversationOutcome.__table__.insert(), outcomes)
    engine.dispose()


@pytest.mark.parametrize(
    ("since", "until"),
    [
        (START, START + timedelta(days=9)),  # whole days only
        (START + timedelta(hours=5.5), START + timedelta(days=6, hours=13)),  # part-days at both ends
        (START + timedelta(hours=2), START + timedelta(hours=20)),  # inside one day
        (START + timedelta(days=3), START + timedelta(days=3, hours=7)),  # a day's start to its middle
    ],
)
def test_rollups_give_the_same_numbers_as_every_conversation(store_url: str, since: datetime, until: datetime):
    _random_outcomes(store_url, 600)
    factory = make_sessionmaker(make_engine(store_url))
    with unit_of_work(factory) as session:
        repository.rebuild_rollups(session, None)
    with unit_of_work(factory) as session:
        agrees_with_every_conversation(session, repository.load_cube(session, since, until), since, until)


GROUPS = (None, "day", "week", "channel", "queue", "intent", "path", "handover_reason")


def agrees_with_every_conversation(session: Session, cube: rollup.Cube, since: datetime, until: datetime) -> None:
    """The cube's numbers, overall and per grouping, and its percentiles, equal SQL over every row."""
    goals = service.targets(get_analytics_settings())
    for group_by in GROUPS:
        expected = repository.aggregate(session, since, until, goals, group_by=group_by)
        found = [cube.total().summary(goals)] if group_by is None else []
        for key, tally in cube.by(group_by) if group_by else []:
            found.append({"group": key, **tally.summary(goals)})
        if group_by is not None:
            expected = sorted(expected, key=lambda r: (r["group"] is None, r["group"] or ""))
        assert len(found) == len(expected), group_by
        for mine, theirs in zip(found, expected, strict=True):
            for name, value in theirs.items():
                if name == "group" or value is None or isinstance(value, int):
                    assert mine[name] == value, (group_by, name)
                else:  # averages: PostgreSQL adds them up in its own order (and as numeric for integers)
                    assert mine[name] == pytest.approx(float(value), rel=1e-12), (group_by, name)
    durations = session.execute(
        select(ConversationOutcome.first_response_s, ConversationOutcome.resolution_s).where(
            ConversationOutcome.started_at >= since, ConversationOutcome.started_at < until
        )
    ).all()
    percentiles = cube.total().percentiles()
    for index, name in ((0, "first_response"), (1, "resolution")):
        values = [row[index] for row in durations if row[index] is not None]
        found_pair = percentiles[name]
        assert found_pair is not None
        assert found_pair == pytest.approx(tuple(np.percentile(values, [50, 90])))
