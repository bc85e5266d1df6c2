"""Fixtures for insight tests: a desk whose pipeline is scripted (so every journey is predictable), a clock
we can move, and helpers that play customers and agents through the public API."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tandem.analytics.settings import get_analytics_settings
from tandem.conversations.pipeline import AiReply, EmailOnlyPrivacy, Pipeline, PlainNotice, Turn
from tandem.handoff.decision import Decision, FiredReason
from tandem.kit import clock
from tandem.triage.signals import EmotionSignal, IntentSignal, Signals, TriageContext

from foundation.desk_client import AgentSession, DeskClient, bearer

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday
_HUMAN = re.compile(r"\b(human|real person|agent)\b", re.I)
_INTENTS = (("refund", "refund"), ("password", "account_access"), ("order", "order_status"), ("parcel", "order_status"))


class ScriptedTriage:
    def assess(self, redacted_text: str, context: TriageContext) -> Signals:
        lower = redacted_text.lower()
        intent = next((name for word, name in _INTENTS if word in lower), None)
        angry = bool(re.search(r"ridiculous|furious|unacceptable", lower))
        return Signals(
            text_redacted=redacted_text,
            intent=IntentSignal(name=intent, confidence=0.9 if intent else 0.2),
            emotion=EmotionSignal(frustration=0.9 if angry else 0.1, frustrated=angry),
            complaint=angry or "complain" in lower,
            human_requested=bool(_HUMAN.search(redacted_text)),
        )


class ScriptedPolicy:
    def decide(self, signals: Signals, turn: Turn) -> Decision:
        if signals.human_requested:
            reason = FiredReason(code="human_requested", rule="asks", rank=1)
        elif signals.emotion.frustration > 0.8:
            reason = FiredReason(code="frustration", rule="angry", rank=2)
        else:
            return Decision(owner="ai")
        return Decision(owner="human", reasons=[reason], queue="general", priority="normal")


class ScriptedReply:
    """The AI 'resolves' order-status questions and refunds; anything else it only acknowledges."""

    def respond(self, signals: Signals, turn: Turn, tools: object = None) -> AiReply:
        resolved = signals.intent.name in ("order_status", "refund")
        return AiReply("Here is what I found for you.", skill="faq", resolved=resolved)


def scripted_pipeline() -> Pipeline:
    return Pipeline(EmailOnlyPrivacy(), ScriptedTriage(), ScriptedPolicy(), ScriptedReply(), PlainNotice())


class MovableClock:
    """Ticks a millisecond per reading (so events keep their order) and jumps when told to."""

    def __init__(self, start: datetime) -> None:
        self.current = start

    def __call__(self) -> datetime:
        self.current += timedelta(milliseconds=1)
        return self.current

    def travel(self, **delta: float) -> None:
        self.current += timedelta(**delta)


class Journeys:
    """Customers and agents acting through the public HTTP API."""

    def __init__(self, desk: DeskClient, moving: MovableClock) -> None:
        self.desk, self.clock = desk, moving
        self.key = desk.make_api_key(["customers:write", "conversations:write", "conversations:read", "analytics:read"])
        desk.make_user("lead@desk.example", role="supervisor", queues=["general"])
        self.supervisor: AgentSession = desk.login("lead@desk.example")

    def customer(self, external_id: str) -> int:
        response = self.desk.http.put(
            f"/api/v1/customers/by-external-id/{external_id}", json={"name": external_id}, headers=bearer(self.key)
        )
        assert response.status_code in (200, 201), response.text
        return int(response.json()["id"])

    def start(self, customer: str | None = None) -> tuple[int, str]:
        body: dict[str, Any] = {"customer_external_id": customer} if customer else {}
        response = self.desk.http.post("/api/v1/conversations", json=body, headers=bearer(self.key))
        assert response.status_code == 201, response.text
        return int(response.json()["id"]), str(response.json()["customer_token"])

    def say(self, cid: int, token: str, text: str) -> dict[str, Any]:
        response = self.desk.say(cid, token, text)
        assert response.status_code == 200, response.text
        turn: dict[str, Any] = response.json()
        return turn

    def take_and_reply(self, cid: int, text: str = "Hello, I'm Sam and I'll sort this out.") -> None:
        assert self.supervisor.post(f"/conversations/{cid}/assign").status_code == 200
        assert self.supervisor.post(f"/conversations/{cid}/reply", {"body": text}).status_code == 201

    def resolve(self, cid: int, token: str | None = None) -> None:
        if token is None:
            response = self.supervisor.post(f"/conversations/{cid}/resolve", {"reason": "done"})
        else:
            response = self.desk.http.post(
                f"/api/v1/conversations/{cid}/resolve", json={"reason": "sorted"}, headers=bearer(token)
            )
        assert response.status_code == 200, response.text

    def rate(self, cid: int, token: str, score: int, comment: str = "") -> None:
        response = self.desk.http.post(
            f"/api/v1/conversations/{cid}/rating", json={"score": score, "comment": comment}, headers=bearer(token)
        )
        assert response.status_code == 200, response.text

    def get(self, path: str, **params: Any) -> dict[str, Any]:
        response = self.desk.http.get(f"/api/v1{path}", params=params, headers=bearer(self.key))
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body


@pytest.fixture(autouse=True)
def _fast_embedder(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    # TF-IDF + SVD in tests: deterministic, no model files, milliseconds. MiniLM has its own test.
    monkeypatch.setenv("TANDEM_ANALYTICS_EMBEDDER", "tfidf")
    get_analytics_settings.cache_clear()
    yield
    get_analytics_settings.cache_clear()


@pytest.fixture
def moving_clock() -> Iterator[MovableClock]:
    moving = MovableClock(START)
    clock.set_clock(moving)
    yield moving
    clock.reset_clock()


@pytest.fixture
def insight_desk(store_url: str) -> Iterator[DeskClient]:
    client = DeskClient(store_url, pipeline=scripted_pipeline())
    yield client
    client.close()


@pytest.fixture
def journeys(insight_desk: DeskClient, moving_clock: MovableClock) -> Journeys:
    return Journeys(insight_desk, moving_clock)
