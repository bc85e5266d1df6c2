"""The co-pilot brief in the console: from the real endpoint, and from a fixed brief of the same contract
(validated through the handoff domain's own `Brief` model, so a contract change fails here)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import expect

from tandem.handoff.brief import Brief
from ui.helpers import MARIA, SAM, Customer, Desk, sign_in_quietly

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("ui")]

ANGRY = "This is ridiculous. I've waited three weeks for order A10023 and I'm absolutely furious."
EXCEPTION_REQUEST = (
    "My headphones arrived broken. I know it's past the 30 days, but could you make an exception and refund £{}?"
)
SAMPLE: dict[str, Any] = {
    "conversation_id": 1,
    "built_at": "2026-11-20T10:02:30Z",
    "last_message_id": 4,
    "owner": "human",
    "queue": "orders",
    "priority": "high",
    "primary_reason": "frustration",
    "why": [
        {
            "code": "frustration",
            "rule": "high_frustration",
            "explanation": "Frustration 0.85 reached 0.7",
            "evidence": ["absolutely furious", "three weeks"],
        }
    ],
    "summary": "Order A10023 is three weeks late and nobody has answered.",
    "facts": [{"kind": "order_id", "label": "order number", "value": "A10023", "turn": 1}],
    "identity": [{"check": "order_owner", "passed": True, "detail": "Order A10023 is on this customer's account."}],
    "ai_actions": [],
    "emotion": [
        {
            "turn": 1,
            "message_id": 2,
            "frustration": 0.3,
            "frustrated": False,
            "label": "annoyed",
            "trajectory": "steady",
        },
        {"turn": 2, "message_id": 4, "frustration": 0.85, "frustrated": True, "label": "angry", "trajectory": "rising"},
    ],
    "emotion_trend": "rising: 0.30 → 0.85 over 2 messages",
    "departments": ["orders", "shipping"],
    "customer": {
        "customer_id": 7,
        "name": "Amelia Smith",
        "tier": "gold",
        "lifetime_value": "3120.50",
        "lifetime_spend": "2890.00",
        "customer_since": "2021-04-01",
        "tenure": "5 years 7 months",
        "open_cases": 1,
        "past_complaints": 0,
        "exceptions": [],
        "vulnerability": None,
        "vulnerability_visible": False,
    },
    "orders": [
        {
            "number": "A10023",
            "status": "delayed",
            "placed_at": "2026-10-30T09:00:00Z",
            "total": "89.99",
            "currency": "GBP",
            "items": ["Aria Wireless Headphones"],
            "carrier": "DPD",
            "tracking_number": "TRK1234567890",
            "estimated_delivery": None,
            "delivered_at": None,
            "refunded_amount": "0.00",
            "mentioned": True,
        }
    ],
    "knowledge": [{"slug": "late-deliveries", "title": "Late deliveries", "policy_clause": "D2", "matched": ["late"]}],
    "next_best_actions": ["Apologise once, then give a delivery date."],
    "suggested_reply": "I'm so sorry your order is late. I've checked A10023 and I'm sorting it out now.",
    "exception": {
        "requested": "refund the delivery",
        "resolution_cost": "30.00",
        "cost_basis": "the amount the customer mentioned (£30)",
        "recommendation": {
            "outcome": "approve",
            "score": 78,
            "amount": "30.00",
            "approval": "agent",
            "factors": [{"name": "tier", "value": "gold", "points": 10, "note": "loyalty tier"}],
        },
    },
}


def brief_json(**changes: Any) -> dict[str, Any]:
    return Brief.model_validate({**SAMPLE, **changes}).model_dump(mode="json")


def open_taken(page: Any, email: str, conversation_id: int) -> None:
    sign_in_quietly(page, email)
    page.goto(f"/console/conversations/{conversation_id}")
    page.get_by_role("button", name="Take conversation").click()
    expect(page.locator("#conv-meta")).to_contain_text("with you")


def serve_briefs(page: Any, conversation_id: int, *briefs: dict[str, Any]) -> None:
    """The brief endpoint answers `briefs` in turn, then keeps answering the last one."""
    served: list[int] = []

    def answer(route: Any) -> None:
        brief = briefs[min(len(served), len(briefs) - 1)]
        served.append(1)
        route.fulfill(json={**brief, "conversation_id": conversation_id})

    page.route(f"**/api/v1/conversations/{conversation_id}/brief", answer)


class TestTheBriefAsShown:
    def test_the_brief_sits_beside_the_thread_with_the_suggested_reply_in_the_editor(
        self, new_page: Any, desk: Desk, api: httpx.Client, screenshot_dir: Path
    ) -> None:
        customer = Customer(desk.url, api).start()
        customer.say(ANGRY)
        page = new_page(1440, 1800)
        serve_briefs(page, customer.conversation_id, brief_json())
        open_taken(page, MARIA, customer.conversation_id)
        brief = page.locator("#brief")
        expect(brief.get_by_role("region", name="Why it's here")).to_contain_text("Frustration")
        expect(brief.get_by_role("region", name="Why it's here").locator("q")).to_have_text(
            ["absolutely furious", "three weeks"]
        )
        expect(brief.get_by_role("region", name="Summary")).to_contain_text("three weeks late")
        expect(brief.get_by_role("region", name="Already known")).to_contain_text("A10023")
        expect(brief.get_by_role("region", name="Emotion").get_by_role("img")).to_contain_text("Message 2 (angry): 85%")
        expect(brief.get_by_role("region", name="Customer")).to_contain_text("Amelia Smith")
        expect(brief.locator(".vulnerable")).to_have_count(0)
        expect(brief.get_by_role("region", name="Orders")).to_contain_text("delayed")
        expect(brief.get_by_role("region", name="Knowledge base")).to_contain_text("Late deliveries")
        expect(brief.get_by_role("region", name="Next best actions")).to_contain_text("delivery date")
        expect(page.get_by_label("Reply to the customer")).to_have_value(SAMPLE["suggested_reply"])
        exception = brief.get_by_role("region", name="Exception recommendation")
        expect(exception.get_by_role("button")).to_have_text(["Approve £30.00", "Partial £15.00", "Decline"])
        page.locator("#toast").evaluate("toast => { toast.hidden = true; }")
        page.screenshot(path=str(screenshot_dir / "console-brief.png"))

    def test_a_vulnerability_in_the_brief_is_shown(self, new_page: Any, desk: Desk, api: httpx.Client) -> None:
        customer = Customer(desk.url, api).start()
        customer.say(ANGRY)
        note = {
            "drivers": ["bereavement"],
            "notes": "Prefers email.",
            "source": "agent",
            "recorded_at": "2026-01-02T00:00:00Z",
        }
        page = new_page()
        serve_briefs(
            page,
            customer.conversation_id,
            brief_json(customer={**SAMPLE["customer"], "vulnerability": [note], "vulnerability_visible": True}),
        )
        open_taken(page, MARIA, customer.conversation_id)
        expect(page.locator("#brief .vulnerable")).to_contain_text("bereavement — Prefers email.")

    def test_suggestions_refresh_as_the_customer_writes_without_overwriting_the_agent(
        self, new_page: Any, desk: Desk, api: httpx.Client
    ) -> None:
        customer = Customer(desk.url, api).start()
        customer.say(ANGRY)
        first, later = SAMPLE["suggested_reply"], "Thanks for the photo. I've booked a courier for tomorrow."
        page = new_page()
        serve_briefs(
            page,
            customer.conversation_id,
            brief_json(),
            brief_json(suggested_reply=later),
            brief_json(suggested_reply="I've refunded the delivery charge as well."),
        )
        open_taken(page, MARIA, customer.conversation_id)
        editor = page.get_by_label("Reply to the customer")
        expect(editor).to_have_value(first)
        customer.say("I can send a photo of the box if that helps.")
        expect(page.locator("#thread .tmsg[data-author='customer']")).to_have_count(2)
        expect(editor).to_have_value(later)  # untouched by the agent: replaced by the fresher suggestion
        editor.fill("My own words, half written")
        customer.say("Also, can you refund the delivery charge?")
        expect(page.locator("#brief").get_by_role("region", name="Suggested reply")).to_contain_text("refunded")
        expect(page.locator("#suggestion-state")).to_have_text("A new suggested reply is in the brief.")
        expect(editor).to_have_value("My own words, half written")


class TestWithTheRealBrief:
    def test_an_exception_within_the_agents_limit_is_decided_in_the_console(
        self, new_page: Any, desk: Desk, api: httpx.Client, staff: Any
    ) -> None:
        customer = staff(MARIA).start_for("CUST-00031", api)
        customer.say(EXCEPTION_REQUEST.format(30))
        page = new_page(1400, 1200)
        open_taken(page, MARIA, customer.conversation_id)
        exception = page.locator("#brief").get_by_role("region", name="Exception recommendation")
        expect(exception).to_contain_text("£30.00")
        expect(page.get_by_label("Reply to the customer")).not_to_have_value("")  # the suggested reply
        exception.get_by_role("button", name="Approve £30.00").click()
        expect(page.locator("#toast")).to_have_text("Exception approved: 30.00.")
        customer_card = page.locator("#brief").get_by_role("region", name="Customer")
        expect(customer_card).to_contain_text("1 granted of 1 asked")

    def test_above_the_limit_the_agent_asks_a_supervisor(
        self, new_page: Any, desk: Desk, api: httpx.Client, staff: Any
    ) -> None:
        maria = staff(MARIA)
        customer = maria.start_for("CUST-00032", api)
        customer.say(EXCEPTION_REQUEST.format(120))
        page = new_page(1400, 1200)
        open_taken(page, MARIA, customer.conversation_id)
        exception = page.locator("#brief").get_by_role("region", name="Exception recommendation")
        expect(exception).to_contain_text("above your limit of £50.00")
        expect(exception.get_by_role("button", name=re.compile(r"^Approve"))).to_have_count(0)
        exception.get_by_role("button", name="Request supervisor approval").click()
        expect(page.locator("#toast")).to_contain_text("Sent to a supervisor for approval.")
        events = maria.get(f"/conversations/{customer.conversation_id}")["events"]
        assert "exception.approval_requested" in [event["type"] for event in events]

    def test_vulnerability_is_shown_to_supervisors_and_not_to_agents(
        self, new_page: Any, desk: Desk, api: httpx.Client, staff: Any
    ) -> None:
        customer = staff(SAM).start_for("CUST-00015", api)  # the demo data records a vulnerability for them
        customer.say("I'd like to talk to a real person, please.")
        supervisor = new_page()
        open_taken(supervisor, SAM, customer.conversation_id)
        expect(supervisor.locator("#brief .vulnerable")).to_contain_text("capability")
        agent = new_page()
        sign_in_quietly(agent, MARIA)
        agent.goto(f"/console/conversations/{customer.conversation_id}")
        expect(agent.locator("#brief").get_by_role("region", name="Customer")).to_be_visible()
        expect(agent.locator("#brief .vulnerable")).to_have_count(0)
