"""The supervisor's view, and the screenshots that show the product."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import expect

from tandem.conversations.models import Conversation
from tandem.kit import clock
from tandem.kit.db import make_engine, make_sessionmaker, unit_of_work
from ui.helpers import MARIA, SAM, Chat, Customer, Desk, Staff, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("ui")]


def rated_conversation(desk: Desk, api: httpx.Client, resolver: Staff, score: int, hand_over: bool) -> None:
    customer = Customer(desk.url, api).start()
    customer.say("I'd like to talk to a real person, please." if hand_over else "Where is my order A10023?")
    if hand_over:
        assert resolver.post(f"/conversations/{customer.conversation_id}/assign").status_code == 200
        assert resolver.post(f"/conversations/{customer.conversation_id}/reply", {"body": "Done."}).status_code == 201
    assert resolver.post(f"/conversations/{customer.conversation_id}/resolve").status_code == 200
    rating = api.post(
        f"{desk.url}/api/v1/conversations/{customer.conversation_id}/rating",
        json={"score": score},
        headers={"Authorization": f"Bearer {customer.token}"},
    )
    assert rating.status_code == 200, rating.text


def handed_over_minutes_ago(desk: Desk, conversation_id: int, minutes: int) -> None:
    # Waiting 20 minutes is not something a test should sit through: move the hand-over back in the store.
    engine = make_engine(desk.database_url)
    with unit_of_work(make_sessionmaker(engine)) as session:
        conversation = session.get(Conversation, conversation_id)
        assert conversation is not None and conversation.handed_over_at is not None
        conversation.handed_over_at = clock.now() - timedelta(minutes=minutes)
    engine.dispose()


class TestSupervisorView:
    def test_queues_risks_reasons_and_satisfaction_update_live(
        self, new_page: Any, desk: Desk, api: httpx.Client, screenshot_dir: Path
    ) -> None:
        maria = Staff(desk.url, MARIA).sign_in()
        try:
            rated_conversation(desk, api, maria, 5, hand_over=False)
            rated_conversation(desk, api, maria, 4, hand_over=True)
        finally:
            maria.close()
        overdue = Customer(desk.url, api).start()
        overdue.say("I'd like to talk to a real person, please.")
        handed_over_minutes_ago(desk, overdue.conversation_id, 20)
        page = new_page(1400, 1000)
        sign_in(page, SAM, "/console/supervisor")
        risk = page.locator("#at-risk li", has_text=f"#{overdue.conversation_id}")
        expect(risk).to_contain_text("overdue")
        expect(risk.get_by_role("link")).to_have_attribute("href", f"/console/conversations/{overdue.conversation_id}")
        expect(page.locator("#live-status")).to_have_text("Live")

        satisfaction = page.locator("#satisfaction-chart").get_by_role("img")
        expect(satisfaction).to_contain_text("AI only")
        expect(satisfaction).to_contain_text("Handed over")
        expect(satisfaction).to_contain_text("Human only")

        # A customer asks for a person while the supervisor watches: the queue and the reasons move.
        waiting_before = int(page.locator("#queue-table tr", has_text="general").locator("td").first.inner_text())
        chat = Chat.open(new_page())
        chat.frame.get_by_role("button", name="Talk to a person").click()
        expect(chat.notice).to_be_visible()
        expect(page.locator("#queue-table tr", has_text="general").locator("td").first).to_have_text(
            str(waiting_before + 1)
        )
        expect(page.locator("#queue-chart").get_by_role("img")).to_contain_text("waiting")
        expect(page.locator("#reason-chart").get_by_role("img")).to_contain_text("Asked for a person")
        page.screenshot(path=str(screenshot_dir / "supervisor.png"), full_page=True)
        chat.page.screenshot(path=str(screenshot_dir / "widget.png"))
        assert page.script_errors == []
