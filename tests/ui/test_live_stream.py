"""The live streams over HTTP, against the running desk: what a client gets, and what it gets after reconnecting."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from ui.helpers import MARIA, Customer, Desk, Staff

pytestmark = pytest.mark.xdist_group("ui")


@dataclass
class Frame:
    event: str
    id: str | None
    data: dict[str, Any]


def frames(response: httpx.Response) -> Iterator[Frame]:
    event, frame_id, data = "message", None, ""
    for line in response.iter_lines():
        if line == "":
            if data:
                yield Frame(event, frame_id, json.loads(data))
            event, frame_id, data = "message", None, ""
        elif line.startswith("event: "):
            event = line.removeprefix("event: ")
        elif line.startswith("id: "):
            frame_id = line.removeprefix("id: ")
        elif line.startswith("data: "):
            data = line.removeprefix("data: ")


def read_until(response: httpx.Response, done: Any) -> list[Frame]:
    """Frames until `done(frames_so_far)` says so (the stream itself never ends on its own)."""
    seen: list[Frame] = []
    for frame in frames(response):
        seen.append(frame)
        if done(seen):
            return seen
    raise AssertionError(f"the stream ended early after {seen}")


def message_ids(seen: list[Frame]) -> list[int]:
    return [f.data["id"] for f in seen if f.event == "message"]


@pytest.fixture
def client() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=httpx.Timeout(10, read=10)) as http:
        yield http


class TestConversationStream:
    def test_reconnecting_with_the_last_event_id_neither_loses_nor_repeats_messages(
        self, desk: Desk, client: httpx.Client
    ) -> None:
        customer = Customer(desk.url, client).start()
        customer.say("Where is my order A10023?")
        url = f"{desk.url}/api/v1/conversations/{customer.conversation_id}/live"
        auth = {"Authorization": f"Bearer {customer.token}"}
        with client.stream("GET", url, headers=auth) as response:
            assert response.headers["content-type"].startswith("text/event-stream")
            first = read_until(response, lambda seen: len(message_ids(seen)) == 3)
        assert first[0].event == "state" and first[0].data["conversation"]["owner"] == "ai"
        assert [f.data["author_kind"] for f in first if f.event == "message"] == ["ai", "customer", "ai"]
        last_id = first[-1].id
        assert last_id is not None

        # While disconnected the customer writes again (through another channel of the same API).
        customer.say("And can I change the delivery address?")
        with client.stream("GET", url, headers={**auth, "Last-Event-ID": last_id}) as response:
            again = read_until(response, lambda seen: len(message_ids(seen)) == 2)
        assert min(message_ids(again)) > max(message_ids(first))
        assert len(set(message_ids(first + again))) == 5

    def test_customers_never_see_internal_notes_and_staff_do(self, desk: Desk, client: httpx.Client) -> None:
        customer = Customer(desk.url, client).start()
        customer.say("I'd like to talk to a real person, please.")
        maria = Staff(desk.url, MARIA).sign_in()
        try:
            assert maria.post(f"/conversations/{customer.conversation_id}/assign").status_code == 200
            assert maria.post(f"/conversations/{customer.conversation_id}/notes", {"body": "NOTE-X"}).status_code == 201
            assert maria.post(f"/conversations/{customer.conversation_id}/reply", {"body": "Hello!"}).status_code == 201
            url = f"{desk.url}/api/v1/conversations/{customer.conversation_id}/live"
            with client.stream("GET", url, headers={"Authorization": f"Bearer {customer.token}"}) as response:
                seen = read_until(response, lambda s: any(f.data.get("body") == "Hello!" for f in s))
            bodies = [f.data["body"] for f in seen if f.event == "message"]
            assert "NOTE-X" not in bodies
            state = next(f.data for f in seen if f.event == "state")
            assert state["agent_name"] == "Maria"  # first name only for the customer
            assert maria.client is not None
            with maria.client.stream("GET", f"/api/v1/conversations/{customer.conversation_id}/live") as response:
                staff_seen = read_until(response, lambda s: any(f.data.get("body") == "Hello!" for f in s))
            assert "NOTE-X" in [f.data["body"] for f in staff_seen if f.event == "message"]
        finally:
            maria.close()

    def test_a_token_opens_its_own_conversation_only(self, desk: Desk, client: httpx.Client) -> None:
        mine, other = Customer(desk.url, client).start(), Customer(desk.url, client).start()
        url = f"{desk.url}/api/v1/conversations/{other.conversation_id}/live"
        assert client.get(url).status_code == 401
        assert client.get(url, headers={"Authorization": f"Bearer {mine.token}"}).status_code == 403
        bad_cursor = client.get(url, headers={"Authorization": f"Bearer {other.token}", "Last-Event-ID": "x"})
        assert bad_cursor.status_code == 422


class TestInboxStream:
    def test_a_new_hand_over_reaches_an_open_inbox(self, desk: Desk, client: httpx.Client) -> None:
        maria = Staff(desk.url, MARIA).sign_in()
        try:
            page = maria.get("/console/inbox?view=queued")
            assert maria.client is not None
            with maria.client.stream("GET", f"/api/v1/console/inbox/live?after={page['cursor']}") as response:
                customer = Customer(desk.url, client).start()
                customer.say("I'd like to talk to a real person, please.")
                seen = read_until(
                    response,
                    lambda s: any(
                        f.event == "conversation"
                        and f.data["conversation"]["id"] == customer.conversation_id
                        and f.data["conversation"]["owner"] == "queued"
                        for f in s
                    ),
                )
            assert seen[0].event == "ready"
            item = next(f.data for f in reversed(seen) if f.event == "conversation")
            assert item["reasons"] == ["human_requested"]
            assert item["preview"].startswith("I'd like to talk to a real person")
            assert item["first_response_due_at"] is not None
        finally:
            maria.close()

    def test_the_inbox_stream_is_for_staff(self, desk: Desk, client: httpx.Client) -> None:
        customer = Customer(desk.url, client).start()
        response = client.get(
            f"{desk.url}/api/v1/console/inbox/live", headers={"Authorization": f"Bearer {customer.token}"}
        )
        assert response.status_code == 403
