"""Proactive care through the HTTP API, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from care.conftest import AGENT, Shop, known_issue
from tandem.events.models import Event
from tandem.kit import clock
from tandem.kit.db import unit_of_work

from foundation.desk_client import AgentSession, bearer

TODAY = date(2026, 11, 2)


@pytest.fixture
def delayed_dpd(shop: Shop) -> Shop:
    """Amira and Ben have a DPD order stuck; Cleo's DPD order arrived; Dev's delay is with Evri; Esme was erased."""
    shop.customer("Amira Khan")
    shop.customer("Ben Okafor")
    shop.customer("Cleo Hart")
    shop.customer("Dev Shah")
    shop.customer("Esme Lowe", erased=True)
    shop.order("Amira Khan", "A1001", "delayed", "DPD", TODAY)
    shop.order("Amira Khan", "A1002", "delayed", "DPD", TODAY)
    shop.order("Ben Okafor", "A1003", "delayed", "DPD", TODAY - timedelta(days=20))
    shop.order("Cleo Hart", "A1004", "delivered", "DPD", TODAY)
    shop.order("Dev Shah", "A1005", "delayed", "Evri", TODAY)
    shop.order("Esme Lowe", "A1006", "delayed", "DPD", TODAY)
    return shop


def conversations_of(lead: AgentSession, customer_id: int) -> list[dict]:
    response = lead.get("/conversations", customer_id=customer_id)
    assert response.status_code == 200, response.text
    return response.json()["items"]


class TestPreview:
    def test_counts_the_affected_customers_and_samples_them_without_writing(self, delayed_dpd: Shop, lead):
        response = lead.post("/care/campaigns/preview", known_issue(key=None))
        assert response.status_code == 200, response.text
        preview = response.json()
        assert preview["matched"] == 3
        assert preview["to_contact"] == 2
        assert preview["skipped"] == {"erased": 1, "opted_out": 0, "already_contacted": 0}
        assert [(s["name"], s["order_numbers"]) for s in preview["sample"]] == [
            ("Amira Khan", ["A1001", "A1002"]),
            ("Ben Okafor", ["A1003"]),
        ]
        assert "A1001 and A1002" in preview["example_message"]
        assert conversations_of(lead, delayed_dpd.customers["Amira Khan"]) == []
        assert lead.get("/care/campaigns").json()["items"] == []

    def test_order_filters_narrow_by_date_and_number(self, delayed_dpd: Shop, lead):
        by_date = known_issue(key=None, segment={"orders": {"statuses": ["delayed"], "placed_from": str(TODAY)}})
        assert lead.post("/care/campaigns/preview", by_date).json()["to_contact"] == 2  # Amira and Dev
        by_number = known_issue(key=None, segment={"orders": {"numbers": ["#a1003"]}})
        assert [s["name"] for s in lead.post("/care/campaigns/preview", by_number).json()["sample"]] == ["Ben Okafor"]

    def test_new_customers_and_tiers_select_onboarding_recipients(self, shop: Shop, lead):
        shop.customer("Fay New", since_days=3, tier="gold")
        shop.customer("Gus New", since_days=10)
        shop.customer("Hal Old", since_days=90, tier="gold")
        recent = {"kind": "onboarding", "segment": {"new_customers": {"within_days": 14}}}
        assert [s["name"] for s in lead.post("/care/campaigns/preview", recent).json()["sample"]] == [
            "Fay New",
            "Gus New",
        ]
        recent_gold = {"kind": "onboarding", "segment": {"new_customers": {"within_days": 14}, "tiers": ["gold"]}}
        assert lead.post("/care/campaigns/preview", recent_gold).json()["to_contact"] == 1

    def test_a_segment_larger_than_the_limit_is_flagged(self, delayed_dpd: Shop, lead):
        preview = lead.post("/care/campaigns/preview", known_issue(key=None, max_recipients=1)).json()
        assert preview["within_limit"] is False


class TestSend:
    def test_each_customer_gets_a_new_ai_conversation_with_one_message(self, delayed_dpd: Shop, lead):
        response = lead.post("/care/campaigns", known_issue())
        assert response.status_code == 201, response.text
        assert response.json()["replayed"] is False
        campaign = response.json()["campaign"]
        assert (campaign["sent"], campaign["matched"]) == (2, 3)
        [conversation] = conversations_of(lead, delayed_dpd.customers["Amira Khan"])
        assert (conversation["channel"], conversation["owner"]) == ("proactive", "ai")
        detail = lead.get(f"/conversations/{conversation['id']}").json()
        [message] = detail["messages"]
        assert (message["author_kind"], message["visibility"]) == ("ai", "public")
        body = message["body"]
        assert body.startswith("Hi Amira,")
        assert "AI assistant" in body and "A1001 and A1002" in body
        assert "A fire closed DPD's Midlands hub" in body
        expected = clock.now().date() + timedelta(days=7)
        assert f"{expected.day} {expected:%B %Y}" in body
        assert "nothing at all" in body and "bring in a person" in body
        assert "care.message_sent" in [e["type"] for e in detail["events"]]

    def test_only_the_affected_are_contacted(self, delayed_dpd: Shop, lead):
        lead.post("/care/campaigns", known_issue())
        for untouched in ("Cleo Hart", "Dev Shah", "Esme Lowe"):
            assert conversations_of(lead, delayed_dpd.customers[untouched]) == [], untouched

    def test_one_event_records_the_campaign_with_its_counts(self, delayed_dpd: Shop, lead):
        lead.post("/care/campaigns", known_issue())
        with unit_of_work(delayed_dpd.desk.desk.factory) as session:
            [event] = session.scalars(select(Event).where(Event.type == "care.campaign_sent")).all()
            assert (event.payload["sent"], event.payload["matched"], event.payload["skipped"]["erased"]) == (2, 3, 1)
            assert event.actor == f"user:{lead.user_id}"

    def test_sending_the_same_key_twice_contacts_nobody_twice(self, delayed_dpd: Shop, lead):
        first = lead.post("/care/campaigns", known_issue())
        again = lead.post("/care/campaigns", known_issue())
        assert again.status_code == 200, again.text
        assert again.json()["replayed"] is True
        assert again.json()["campaign"]["id"] == first.json()["campaign"]["id"]
        assert len(conversations_of(lead, delayed_dpd.customers["Amira Khan"])) == 1
        assert len(lead.get("/care/campaigns").json()["items"]) == 1

    def test_reusing_a_key_for_a_different_campaign_is_refused(self, delayed_dpd: Shop, lead):
        lead.post("/care/campaigns", known_issue())
        other = lead.post("/care/campaigns", known_issue(explanation="Something else entirely went wrong"))
        assert other.status_code == 409, other.text

    def test_a_customer_already_told_about_the_issue_is_skipped(self, delayed_dpd: Shop, lead):
        lead.post("/care/campaigns", known_issue())
        delayed_dpd.customer("Ivo Late")
        delayed_dpd.order("Ivo Late", "A1007", "delayed", "DPD", TODAY)
        wave_two = lead.post("/care/campaigns", known_issue(key="dpd-delay-nov-2", issue="dpd-delay-nov"))
        assert wave_two.status_code == 201, wave_two.text
        campaign = wave_two.json()["campaign"]
        assert (campaign["sent"], campaign["skipped"]["already_contacted"]) == (1, 2)
        assert len(conversations_of(lead, delayed_dpd.customers["Amira Khan"])) == 1
        assert len(conversations_of(lead, delayed_dpd.customers["Ivo Late"])) == 1

    def test_onboarding_welcomes_once_and_respects_an_opt_out(self, shop: Shop, lead):
        shop.customer("Jo Fresh", since_days=2)
        shop.customer("Kit Quiet", since_days=2, consents={"service_messages": False})
        shop.customer("Lu Gone", since_days=2, erased=True)
        body = {"kind": "onboarding", "segment": {"new_customers": {"within_days": 7}}, "key": "welcome-w45"}
        campaign = lead.post("/care/campaigns", body).json()["campaign"]
        assert (campaign["sent"], campaign["skipped"]) == (1, {"erased": 1, "opted_out": 1, "already_contacted": 0})
        [conversation] = conversations_of(lead, shop.customers["Jo Fresh"])
        [message] = lead.get(f"/conversations/{conversation['id']}").json()["messages"]
        assert message["body"].startswith("Hi Jo,") and "Thank you for choosing" in message["body"]
        later = lead.post("/care/campaigns", {**body, "key": "welcome-w46"}).json()["campaign"]
        assert (later["sent"], later["skipped"]["already_contacted"]) == (0, 1)

    def test_a_segment_over_the_limit_is_refused_and_nobody_is_contacted(self, delayed_dpd: Shop, lead):
        response = lead.post("/care/campaigns", known_issue(max_recipients=1))
        assert response.status_code == 422, response.text
        assert response.json()["error"]["details"]["field"] == "max_recipients"
        assert conversations_of(lead, delayed_dpd.customers["Amira Khan"]) == []
        assert lead.get("/care/campaigns").json()["items"] == []

    def test_the_list_shows_each_campaign_with_its_counts(self, delayed_dpd: Shop, lead):
        lead.post("/care/campaigns", known_issue())
        [item] = lead.get("/care/campaigns").json()["items"]
        assert (item["key"], item["kind"], item["sent"], item["matched"]) == ("dpd-delay-nov", "known_issue", 2, 3)
        assert item["skipped"]["erased"] == 1


class TestAccess:
    def test_an_agent_may_not_preview_send_or_list(self, delayed_dpd: Shop):
        agent = delayed_dpd.desk.login(AGENT)
        assert agent.post("/care/campaigns/preview", known_issue(key=None)).status_code == 403
        assert agent.post("/care/campaigns", known_issue()).status_code == 403
        assert agent.get("/care/campaigns").status_code == 403
        assert conversations_of(delayed_dpd.desk.login("lead@desk.example"), delayed_dpd.customers["Amira Khan"]) == []

    def test_an_api_key_may_not_send(self, delayed_dpd: Shop):
        key = delayed_dpd.desk.make_api_key(["customers:write", "conversations:write", "conversations:read"])
        response = delayed_dpd.desk.http.post("/api/v1/care/campaigns", json=known_issue(), headers=bearer(key))
        assert response.status_code == 403

    def test_nobody_signed_in_is_refused(self, delayed_dpd: Shop):
        assert delayed_dpd.desk.http.get("/api/v1/care/campaigns").status_code == 401
