"""The hand-over API as agents and supervisors use it, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from handoff.scripted import make_customer, record_vulnerability, scripted_pipeline, start_for_customer

from foundation.desk_client import AgentSession, DeskClient, bearer

SCRIPT = {
    "speak to a person": {"human_requested": True, "evidence": {"human_request": ["speak to a person"]}},
    "refund the £80": {
        "exception_requested": True,
        "entities": [{"type": "money", "value": "£80"}],
        "evidence": {"exception_request": ["refund the £80 even though it's late"]},
    },
    "furious": {"emotion": {"frustration": 0.9, "frustrated": True}},
    "husband died": {
        "vulnerability": {"flagged": True, "drivers": ["life_event"], "evidence": ["my husband died"]},
    },
    "not what I asked": {"misunderstanding": True, "evidence": {"correction": ["not what I asked"]}},
}


@pytest.fixture
def desk(store_url: str) -> Iterator[DeskClient]:
    client = DeskClient(store_url, pipeline=scripted_pipeline(SCRIPT))
    yield client
    client.close()


def _handed_over(desk: DeskClient, text: str = "can I speak to a person please") -> tuple[int, str]:
    customer_id = make_customer(desk, tier="standard", lifetime_value="300")
    conversation, token = start_for_customer(desk, customer_id)
    assert desk.say(conversation, token, "hello, a question about my order").json()["owner"] == "ai"
    assert desk.say(conversation, token, text).json()["owner"] == "queued"
    return conversation, token


def _login(desk: DeskClient, email: str, role: str = "agent") -> AgentSession:
    desk.make_user(email, role=role)
    return desk.login(email)


class TestBrief:
    def test_vulnerability_is_hidden_from_agents_and_shown_to_supervisors(self, desk: DeskClient) -> None:
        conversation, _ = _handed_over(desk)
        with desk.desk.transaction() as session:
            from tandem.conversations import service

            customer_id = service.get(session, conversation).customer_id
        assert customer_id is not None
        record_vulnerability(desk, customer_id, ["bereavement"], "Partner died in March; prefers email.")
        agent_view = _login(desk, "agent@desk.example").get(f"/conversations/{conversation}/brief")
        supervisor_view = _login(desk, "lead@desk.example", "supervisor").get(f"/conversations/{conversation}/brief")
        assert agent_view.status_code == supervisor_view.status_code == 200
        assert agent_view.json()["customer"]["vulnerability"] is None
        assert agent_view.json()["customer"]["vulnerability_visible"] is False
        assert "Partner died" not in agent_view.text and "bereavement" not in agent_view.text
        notes = supervisor_view.json()["customer"]["vulnerability"]
        assert supervisor_view.json()["customer"]["vulnerability_visible"] is True
        assert notes[0]["drivers"] == ["bereavement"] and "Partner died" in notes[0]["notes"]

    def test_the_brief_says_why_with_the_customers_words(self, desk: DeskClient) -> None:
        conversation, _ = _handed_over(desk)
        brief = _login(desk, "agent@desk.example").get(f"/conversations/{conversation}/brief").json()
        assert brief["primary_reason"] == "human_requested"
        assert brief["why"][0]["evidence"] == ["speak to a person"]
        assert brief["suggested_reply"].startswith("Hi Sam, you're talking to a person now.")

    def test_customers_and_strangers_cannot_read_the_brief(self, desk: DeskClient) -> None:
        conversation, token = _handed_over(desk)
        assert desk.http.get(f"/api/v1/conversations/{conversation}/brief", headers=bearer(token)).status_code == 403
        assert desk.http.get(f"/api/v1/conversations/{conversation}/brief").status_code == 401
        agent = _login(desk, "agent@desk.example")
        assert agent.get("/conversations/999999/brief").status_code == 404


class TestDecisions:
    def test_every_decision_is_listed_with_reasons_values_and_thresholds(self, desk: DeskClient) -> None:
        conversation, _ = _handed_over(desk, "I am furious about this")
        decisions = _login(desk, "agent@desk.example").get(f"/conversations/{conversation}/decisions").json()
        assert [d["owner"] for d in decisions] == ["ai", "human"]
        assert decisions[0]["reasons"] == []
        fired = decisions[1]["reasons"][0]
        assert decisions[1]["primary_reason"] == "frustration"
        assert fired["signals"]["emotion.frustration"] == 0.9
        assert fired["thresholds"] == {"frustration_high": 0.7}
        assert decisions[1]["message_id"] is not None


class TestExceptionDecision:
    def _refund_request(self, desk: DeskClient) -> int:
        conversation, _ = _handed_over(desk, "please refund the £80 even though it's late")
        return conversation

    def test_an_agent_above_their_limit_is_told_a_supervisor_must_approve(self, desk: DeskClient) -> None:
        conversation = self._refund_request(desk)
        agent = _login(desk, "agent@desk.example")
        refused = agent.post(f"/conversations/{conversation}/exception-decision", {"outcome": "approved", "amount": 80})
        assert refused.status_code == 403
        assert refused.json()["error"]["code"] == "supervisor_approval_required"
        assert "supervisor" in refused.json()["error"]["message"]
        trail = agent.get(f"/conversations/{conversation}").json()["events"]
        asked = [e for e in trail if e["type"] == "exception.approval_requested"]
        assert len(asked) == 1 and asked[0]["payload"]["amount"] == "80.00"
        brief = agent.get(f"/conversations/{conversation}/brief").json()
        assert brief["customer"]["exceptions"] == []  # nothing was granted

    def test_within_the_limit_the_agent_decides_and_it_joins_the_history(self, desk: DeskClient) -> None:
        conversation = self._refund_request(desk)
        agent = _login(desk, "agent@desk.example")
        decided = agent.post(
            f"/conversations/{conversation}/exception-decision",
            {"outcome": "partial", "amount": "40.00", "note": "half as goodwill"},
        )
        assert decided.status_code == 201, decided.text
        assert decided.json()["approval_level"] == "agent"
        assert decided.json()["recommended"] in ("approve", "partial", "decline")
        history = agent.get(f"/conversations/{conversation}/brief").json()["customer"]["exceptions"]
        assert [(e["outcome"], e["amount"]) for e in history] == [("partial", "40.00")]
        trail = agent.get(f"/conversations/{conversation}").json()["events"]
        assert any(e["type"] == "exception.decided" for e in trail)

    def test_a_supervisor_can_approve_any_amount(self, desk: DeskClient) -> None:
        conversation = self._refund_request(desk)
        supervisor = _login(desk, "lead@desk.example", "supervisor")
        decided = supervisor.post(
            f"/conversations/{conversation}/exception-decision", {"outcome": "approved", "amount": 500}
        )
        assert decided.status_code == 201, decided.text
        assert decided.json()["approval_level"] == "supervisor"
        assert decided.json()["decided_by"] == supervisor.user_id

    @pytest.mark.parametrize(
        ("body", "status"),
        [
            ({"outcome": "declined", "amount": 10}, 422),
            ({"outcome": "approved", "amount": 0}, 422),
            ({"outcome": "maybe"}, 422),
            ({"outcome": "approved", "amount": -5}, 422),
        ],
    )
    def test_decisions_that_make_no_sense_are_refused(self, desk: DeskClient, body: dict, status: int) -> None:
        conversation = self._refund_request(desk)
        agent = _login(desk, "agent@desk.example")
        assert agent.post(f"/conversations/{conversation}/exception-decision", body).status_code == status

    def test_an_anonymous_chat_must_be_linked_to_a_customer_first(self, desk: DeskClient) -> None:
        conversation, token = desk.start()
        desk.say(conversation, token, "please refund the £80 even though it's late")
        agent = _login(desk, "agent@desk.example")
        refused = agent.post(f"/conversations/{conversation}/exception-decision", {"outcome": "partial", "amount": 5})
        assert refused.status_code == 409 and "customer record" in refused.json()["error"]["message"]

    def test_only_signed_in_people_decide(self, desk: DeskClient) -> None:
        conversation = self._refund_request(desk)
        key = desk.make_api_key(["conversations:write", "conversations:read"])
        path = f"/api/v1/conversations/{conversation}/exception-decision"
        refused = desk.http.post(path, json={"outcome": "declined"}, headers=bearer(key))
        assert refused.status_code == 403

    def test_a_decline_needs_no_approval(self, desk: DeskClient) -> None:
        conversation = self._refund_request(desk)
        agent = _login(desk, "agent@desk.example")
        declined = agent.post(f"/conversations/{conversation}/exception-decision", {"outcome": "declined"})
        assert declined.status_code == 201 and declined.json()["amount"] == "0.00"


class TestQueues:
    def test_queues_show_live_counts_waits_and_targets(self, desk: DeskClient) -> None:
        _handed_over(desk)
        _handed_over(desk, "I am furious about this")
        queues = {q["name"]: q for q in _login(desk, "agent@desk.example").get("/queues").json()["queues"]}
        general = queues["general"]
        assert general["waiting"] == 2
        assert general["waiting_by_priority"]["high"] == 1 and general["waiting_by_priority"]["normal"] == 1
        assert general["oldest_wait_seconds"] is not None and general["oldest_wait_seconds"] >= 0
        assert general["first_response_target_seconds"] == {"low": 3600, "normal": 900, "high": 300, "urgent": 120}
        assert general["estimated_wait_seconds"]["normal"] > 0
        assert queues["billing"]["waiting"] == 0

    def test_customers_cannot_see_the_queues(self, desk: DeskClient) -> None:
        _, token = _handed_over(desk)
        assert desk.http.get("/api/v1/queues", headers=bearer(token)).status_code == 403


class TestWhileAPersonIsNeeded:
    """The AI is silent once a person is needed, but what the customer says next still counts."""

    def test_what_a_waiting_customer_reveals_joins_the_hand_over_and_moves_it(self, desk: DeskClient) -> None:
        conversation, token = _handed_over(desk)
        turn = desk.say(conversation, token, "sorry, my husband died last month and I can't face all this")
        assert turn.status_code == 200, turn.text
        assert turn.json()["owner"] == "queued" and turn.json()["replies"] == []
        agent = _login(desk, "agent@desk.example")
        brief = agent.get(f"/conversations/{conversation}/brief").json()
        assert brief["primary_reason"] == "vulnerability"
        assert [why["code"] for why in brief["why"]] == ["vulnerability", "human_requested"]
        queues = {q["name"]: q for q in agent.get("/queues").json()["queues"]}
        assert queues["vulnerable_customers"]["waiting_by_priority"]["high"] == 1
        assert queues["general"]["waiting"] == 0

    def test_saying_it_again_adds_nothing_and_never_lowers_the_priority(self, desk: DeskClient) -> None:
        conversation, token = _handed_over(desk, "I am furious about this")
        desk.say(conversation, token, "can I speak to a person please")
        desk.say(conversation, token, "I am still furious")
        brief = _login(desk, "agent@desk.example").get(f"/conversations/{conversation}/brief").json()
        assert [why["code"] for why in brief["why"]] == ["human_requested", "frustration"]
        queues = {q["name"]: q for q in _login(desk, "lead@desk.example").get("/queues").json()["queues"]}
        assert queues["general"]["waiting_by_priority"]["high"] == 1

    def test_a_correction_said_to_the_person_is_not_the_ai_misunderstanding(self, desk: DeskClient) -> None:
        conversation, token = _handed_over(desk)
        for _ in range(3):
            desk.say(conversation, token, "no, that's not what I asked")
        brief = _login(desk, "agent@desk.example").get(f"/conversations/{conversation}/brief").json()
        assert [why["code"] for why in brief["why"]] == ["human_requested"]
