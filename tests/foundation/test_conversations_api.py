"""The customer's and the agent's journey through the public API, on SQLite and PostgreSQL."""

from __future__ import annotations

from foundation.desk_client import DeskClient, bearer


class TestCustomerMessages:
    def test_the_ai_greets_as_an_ai_and_answers(self, desk: DeskClient):
        cid, token = desk.start(channel="web")
        detail = desk.http.get(f"/api/v1/conversations/{cid}", headers=bearer(token)).json()
        assert "AI assistant" in detail["messages"][0]["body"]
        turn = desk.say(cid, token, "where is my order A10023?").json()
        assert turn["owner"] == "ai"
        assert turn["message"]["author_kind"] == "customer"
        assert [r["author_kind"] for r in turn["replies"]] == ["ai"]

    def test_asking_for_a_person_hands_over_with_a_notice(self, desk: DeskClient):
        cid, token = desk.start()
        turn = desk.say(cid, token, "can I speak to a real person please").json()
        assert turn["owner"] == "queued"
        assert turn["handoff"]["reasons"] == ["human_requested"]
        assert turn["handoff"]["expected_wait_seconds"] > 0
        assert turn["replies"][0]["author_kind"] == "system"
        assert "won't need to repeat" in turn["replies"][0]["body"]

    def test_an_online_agent_with_capacity_gets_it_at_once(self, desk: DeskClient):
        agent = desk.make_user("online@desk.example", queues=["general"], presence="online")
        cid, token = desk.start()
        turn = desk.say(cid, token, "human please").json()
        assert turn["owner"] == "human"
        assert turn["handoff"]["assigned_agent_id"] == agent

    def test_same_channel_message_id_twice_stores_once_and_returns_the_first_result(self, desk: DeskClient):
        cid, token = desk.start()
        first = desk.say(cid, token, "hello", channel_message_id="wa-1").json()
        again = desk.say(cid, token, "hello", channel_message_id="wa-1").json()
        assert again["duplicate"] is True
        assert again["message"]["id"] == first["message"]["id"]
        assert again["replies"] == first["replies"]
        detail = desk.http.get(f"/api/v1/conversations/{cid}", headers=bearer(token)).json()
        assert [m["body"] for m in detail["messages"] if m["author_kind"] == "customer"] == ["hello"]

    def test_while_a_human_owns_it_the_ai_stays_silent(self, desk: DeskClient):
        desk.make_user("a@desk.example", presence="online")
        cid, token = desk.start()
        desk.say(cid, token, "agent please")
        turn = desk.say(cid, token, "are you there? my order is late").json()
        assert turn["owner"] == "human"
        assert turn["replies"] == []


class TestAgentActions:
    def test_take_reply_resolve_and_rate(self, desk: DeskClient):
        desk.make_user("maria@desk.example")
        cid, token = desk.start()
        desk.say(cid, token, "talk to a human")
        maria = desk.login("maria@desk.example")
        assert maria.post(f"/conversations/{cid}/assign").json()["owner"] == "human"
        assert maria.post(f"/conversations/{cid}/reply", {"body": "Hi, I'm Maria."}).status_code == 201
        assert maria.post(f"/conversations/{cid}/resolve", {"reason": "answered"}).json()["owner"] == "resolved"
        rated = desk.http.post(
            f"/api/v1/conversations/{cid}/rating", json={"score": 5, "comment": "lovely"}, headers=bearer(token)
        )
        assert rated.json()["satisfaction"] == 5
        types = [e["type"] for e in maria.get(f"/conversations/{cid}").json()["events"]]
        for expected in (
            "conversation.started",
            "message.received",
            "decision.made",
            "handoff.created",
            "conversation.assigned",
            "message.agent_replied",
            "conversation.rated",
        ):
            assert expected in types

    def test_a_second_agent_cannot_take_a_taken_conversation(self, desk: DeskClient):
        desk.make_user("one@desk.example")
        desk.make_user("two@desk.example")
        cid, token = desk.start()
        desk.say(cid, token, "human")
        one, two = desk.login("one@desk.example"), desk.login("two@desk.example")
        assert one.post(f"/conversations/{cid}/assign").status_code == 200
        refused = two.post(f"/conversations/{cid}/assign")
        assert refused.status_code == 409
        assert "already taken" in refused.json()["error"]["message"]

    def test_internal_notes_are_hidden_from_the_customer(self, desk: DeskClient):
        desk.make_user("n@desk.example")
        cid, token = desk.start()
        desk.say(cid, token, "human")
        agent = desk.login("n@desk.example")
        agent.post(f"/conversations/{cid}/assign")
        agent.post(f"/conversations/{cid}/notes", {"body": "customer sounds upset, go gently"})
        seen_by_customer = desk.http.get(f"/api/v1/conversations/{cid}", headers=bearer(token)).json()
        assert all("go gently" not in m["body"] for m in seen_by_customer["messages"])
        assert seen_by_customer["events"] == []
        seen_by_agent = agent.get(f"/conversations/{cid}").json()
        assert any(m["visibility"] == "internal" for m in seen_by_agent["messages"])

    def test_hand_back_lets_the_ai_speak_again(self, desk: DeskClient):
        desk.make_user("h@desk.example")
        cid, token = desk.start()
        desk.say(cid, token, "human")
        agent = desk.login("h@desk.example")
        agent.post(f"/conversations/{cid}/assign")
        assert agent.post(f"/conversations/{cid}/hand-back", {"reason": "routine now"}).json()["owner"] == "ai"
        turn = desk.say(cid, token, "thanks, and when do you open tomorrow?").json()
        assert turn["owner"] == "ai" and turn["replies"][0]["author_kind"] == "ai"

    def test_customer_writing_after_resolution_reopens(self, desk: DeskClient):
        desk.make_user("r@desk.example")
        cid, token = desk.start()
        desk.say(cid, token, "human")
        agent = desk.login("r@desk.example")
        agent.post(f"/conversations/{cid}/assign")
        agent.post(f"/conversations/{cid}/resolve")
        turn = desk.say(cid, token, "actually one more thing").json()
        assert turn["owner"] == "ai"

    def test_agent_reopens_a_resolved_conversation_to_themselves(self, desk: DeskClient):
        agent_id = desk.make_user("o@desk.example")
        cid, token = desk.start()
        desk.say(cid, token, "human")
        agent = desk.login("o@desk.example")
        agent.post(f"/conversations/{cid}/assign")
        agent.post(f"/conversations/{cid}/resolve")
        reopened = agent.post(f"/conversations/{cid}/reopen", {"reason": "forgot to send the label"}).json()
        assert (reopened["owner"], reopened["assigned_agent_id"]) == ("human", agent_id)

    def test_replying_without_taking_the_conversation_is_refused(self, desk: DeskClient):
        desk.make_user("x@desk.example")
        cid, token = desk.start()
        desk.say(cid, token, "human")
        response = desk.login("x@desk.example").post(f"/conversations/{cid}/reply", {"body": "hi"})
        assert response.status_code == 409


class TestListing:
    def test_filters_and_cursor(self, desk: DeskClient):
        desk.make_user("l@desk.example")
        for text in ("hi", "human please", "hello", "agent"):
            cid, token = desk.start()
            desk.say(cid, token, text)
        agent = desk.login("l@desk.example")
        queued = agent.get("/conversations", owner="queued").json()["items"]
        assert len(queued) == 2 and all(c["owner"] == "queued" for c in queued)
        page = agent.get("/conversations", limit=3).json()
        rest = agent.get("/conversations", limit=3, cursor=page["next_cursor"]).json()
        assert len(page["items"]) == 3 and len(rest["items"]) == 1
        assert agent.get("/conversations", queue="general", priority="normal").json()["items"]
        later = agent.get("/conversations", updated_since="2999-01-01T00:00:00Z").json()["items"]
        assert later == []


class TestOutOfHours:
    def test_the_customer_is_told_when_people_are_back_not_a_wait(self, store_url: str):
        from tandem.conversations.pipeline import basic_pipeline
        from tandem.handoff.stage import NoticeStage
        from tandem.kit import clock
        from tandem.kit.db import unit_of_work
        from tandem.workspace import service as workspace

        pipeline = basic_pipeline()
        pipeline.notice = NoticeStage()
        desk = DeskClient(store_url, pipeline=pipeline)

        today = clock.now().date().isoformat()
        hours = {"timezone": "Europe/London", "weekly": {"mon": ["09:00", "17:00"]}, "holidays": [today]}
        with unit_of_work(desk.desk.factory) as session:
            workspace.put(session, "business_hours", hours)
        cid, token = desk.start()
        turn = desk.say(cid, token, "human please").json()
        desk.close()
        assert turn["owner"] == "queued"
        assert turn["handoff"]["expected_wait_seconds"] is None
        assert turn["handoff"]["people_back_at"] is not None
        assert "Monday" in turn["replies"][0]["body"]

    def test_a_person_who_takes_it_out_of_hours_is_not_called_away(self, store_url: str):
        from tandem.conversations.pipeline import basic_pipeline
        from tandem.handoff.stage import NoticeStage
        from tandem.kit import clock
        from tandem.kit.db import unit_of_work
        from tandem.workspace import service as workspace

        pipeline = basic_pipeline()
        pipeline.notice = NoticeStage()
        desk = DeskClient(store_url, pipeline=pipeline)
        hours = {
            "timezone": "Europe/London",
            "weekly": {"mon": ["09:00", "17:00"]},
            "holidays": [clock.now().date().isoformat()],
        }
        with unit_of_work(desk.desk.factory) as session:
            workspace.put(session, "business_hours", hours)
        desk.make_user("late@desk.example", queues=["general"], presence="online")
        cid, token = desk.start()
        turn = desk.say(cid, token, "human please").json()
        desk.close()
        assert turn["owner"] == "human"
        assert turn["handoff"]["people_back_at"] is None
        assert "away" not in turn["replies"][0]["body"]
