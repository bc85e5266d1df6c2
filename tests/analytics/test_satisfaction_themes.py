"""Comment themes are remembered for the comments they came from, and found again when a comment arrives."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tandem.analytics import themes, topics

from .conftest import Journeys

COMMENTS = [
    (5, "quick and easy, thanks"),
    (1, "the bot did not understand me"),
    (5, "great help from the agent"),
    (2, "too slow, I waited ages"),
    (1, "I had to repeat my order number three times"),
]


@pytest.fixture
def clustering_runs(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    themes.clear_cache()
    runs: list[int] = []
    discover = topics.discover

    def counted(texts: Any, *args: Any, **kwargs: Any) -> topics.Discovery:
        runs.append(len(texts))
        return discover(texts, *args, **kwargs)

    monkeypatch.setattr(topics, "discover", counted)
    yield runs
    themes.clear_cache()


def rated_conversation(j: Journeys, score: int, comment: str) -> None:
    cid, token = j.start()
    j.say(cid, token, "where is my order?")
    j.resolve(cid, token)
    j.rate(cid, token, score, comment)


def test_asking_again_does_not_cluster_again(journeys: Journeys, clustering_runs: list[int]):
    for score, comment in COMMENTS:
        rated_conversation(journeys, score, comment)
    first = journeys.get("/analytics/satisfaction")
    again = journeys.get("/analytics/satisfaction")

    assert clustering_runs == [5]
    assert again["themes"] == first["themes"] and again["comments"] == 5


def test_a_new_comment_is_in_the_next_answer(journeys: Journeys, clustering_runs: list[int]):
    for score, comment in COMMENTS:
        rated_conversation(journeys, score, comment)
    before = journeys.get("/analytics/satisfaction")
    rated_conversation(journeys, 1, "the refund never arrived, useless")
    after = journeys.get("/analytics/satisfaction")

    assert clustering_runs == [5, 6]
    assert after["comments"] == 6 and sum(t["size"] for t in after["themes"]) == 6
    assert sum(t["size"] for t in before["themes"]) == 5


def test_a_comment_that_leaves_the_window_leaves_the_themes(journeys: Journeys, clustering_runs: list[int]):
    for score, comment in COMMENTS:
        rated_conversation(journeys, score, comment)
    journeys.clock.travel(days=2)
    rated_conversation(journeys, 4, "fine in the end, the agent was kind")
    everything = journeys.get("/analytics/satisfaction", since="7d")
    last_day = journeys.get("/analytics/satisfaction", since="1d")

    assert (everything["comments"], last_day["comments"]) == (6, 1)
    assert sum(t["size"] for t in last_day["themes"]) == 1
    assert clustering_runs == [6]  # one comment alone is named without clustering
