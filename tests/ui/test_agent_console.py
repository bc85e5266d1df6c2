"""The agent console with a customer on the other side, both in real browsers against one desk."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import expect

from ui.helpers import JAMES, MARIA, Chat, Customer, Desk, Staff, sign_in, sign_in_quietly

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("ui")]


def waiting_conversation(desk: Desk, api: httpx.Client) -> Customer:
    customer = Customer(desk.url, api).start()
    turn = customer.say("I'd like to talk to a real person, please.")
    assert turn["owner"] == "queued", turn
    return customer


def has_brief_endpoint(desk: Desk, staff_member: Staff, conversation_id: int) -> bool:
    assert staff_member.client is not None
    response = staff_member.client.get(f"/api/v1/conversations/{conversation_id}/brief")
    return response.status_code == 200


class TestAgentJourney:
    def test_agent_takes_answers_and_resolves_and_the_customer_rates(
        self, new_page: Any, desk: Desk, staff: Any, screenshot_dir: Path
    ) -> None:
        agent = new_page(1400, 900)
        sign_in(agent, MARIA)
        expect(agent.locator("#live-status")).to_have_text("Live")

        chat = Chat.open(new_page())
        chat.send("This is ridiculous. I've waited three weeks for order A10023 and I'm absolutely furious.")
        expect(chat.notice).to_contain_text("A member of our team will join this chat.")
        conversation_id = chat.conversation_id()

        # The new conversation appears in the inbox without a reload, with why it is there.
        row = agent.locator(f"#inbox-rows tr[data-id='{conversation_id}']")
        expect(row).to_be_visible()
        expect(row).to_contain_text("Frustration")
        expect(row).to_contain_text("furious")
        row.get_by_role("button", name=f"Take conversation #{conversation_id}").click()
        agent.wait_for_url(f"**/console/conversations/{conversation_id}")
        expect(agent.locator("#conv-meta")).to_contain_text("with you")
        expect(agent.locator("#thread .tmsg[data-author='customer']")).to_contain_text("furious")

        editor = agent.get_by_label("Reply to the customer")
        if has_brief_endpoint(desk, staff(MARIA), conversation_id):
            expect(agent.locator("#brief section").first).to_be_visible()
            expect(editor).not_to_have_value("")  # the suggested reply, ready to edit
            editor.press("End")
            editor.type(" I'll stay with you until it's fixed.")
        else:
            expect(agent.locator("#brief [data-state='unavailable']")).to_be_visible()
            editor.fill("I'm so sorry about the wait. I'll stay with you until it's fixed.")
        agent.get_by_role("button", name="Send reply").click()
        expect(agent.locator("#thread .tmsg[data-author='agent']")).to_contain_text("until it's fixed")

        # The customer sees the person join and the reply arrive, live.
        expect(chat.notice).to_contain_text("Maria has joined the chat.")
        expect(chat.messages("agent")).to_contain_text("until it's fixed")
        expect(chat.messages("agent").locator(".msg-who")).to_contain_text("Maria")

        agent.get_by_role("button", name="Resolve").click()
        expect(agent.locator("#conv-meta")).to_contain_text("resolved")
        rating = chat.frame.locator("#rating")
        expect(rating).to_be_visible()
        chat.frame.get_by_label("5 out of 5").check()
        chat.frame.get_by_label("Anything you'd like to add? (optional)").fill("Maria was great.")
        chat.frame.get_by_role("button", name="Send rating").click()
        expect(chat.frame.get_by_text("Thank you for your feedback.")).to_be_visible()
        expect(rating).to_be_hidden()
        assert staff(MARIA).get(f"/conversations/{conversation_id}")["satisfaction"] == 5
        assert agent.script_errors == [] and chat.page.script_errors == []

    def test_notes_stay_internal_and_hand_back_returns_the_chat_to_the_ai(self, new_page: Any) -> None:
        chat = Chat.open(new_page())
        chat.frame.get_by_role("button", name="Talk to a person").click()
        expect(chat.notice).to_be_visible()
        conversation_id = chat.conversation_id()

        agent = new_page()
        sign_in_quietly(agent, MARIA)
        agent.goto(f"/console/conversations/{conversation_id}")
        agent.get_by_role("button", name="Take conversation").click()
        expect(chat.notice).to_contain_text("has joined the chat")
        agent.get_by_label("Reply to the customer").fill("Customer sounds calm now; checked the order.")
        agent.get_by_role("button", name="Add internal note").click()
        expect(agent.locator("#thread .tmsg[data-visibility='internal']")).to_contain_text("checked the order")

        agent.get_by_role("button", name="Hand back to AI").click()
        expect(agent.locator("#conv-meta")).to_contain_text("with the AI assistant")
        expect(chat.frame.get_by_role("button", name="Talk to a person")).to_be_enabled()
        expect(chat.notice).to_be_hidden()
        expect(chat.frame.get_by_text("checked the order")).to_have_count(0)


class TestTakingIsAtomic:
    def test_another_agent_cannot_take_a_conversation_already_taken(
        self, new_page: Any, desk: Desk, api: httpx.Client, staff: Any
    ) -> None:
        customer = waiting_conversation(desk, api)
        james = new_page()
        # James's inbox is not updated live here, so it still offers the conversation when Maria takes it.
        james.route("**/api/v1/console/inbox/live**", lambda route: route.abort())
        sign_in_quietly(james, JAMES)
        james.goto("/console")
        take = james.get_by_role("button", name=f"Take conversation #{customer.conversation_id}")
        expect(take).to_be_visible()

        maria = staff(MARIA)
        assert maria.post(f"/conversations/{customer.conversation_id}/assign").status_code == 200
        take.click()
        expect(james.get_by_role("alert")).to_contain_text(
            f"Couldn't take conversation #{customer.conversation_id}: Someone else has already taken this conversation."
        )
        assert james.url.endswith("/console")
        conversation = maria.get(f"/conversations/{customer.conversation_id}")
        assert (conversation["owner"], conversation["assigned_agent_id"]) == ("human", maria.user_id)
        # The row now shows it is someone else's, with no Take button.
        expect(take).to_have_count(0)


class TestInbox:
    def test_filters_by_reason_and_priority(self, new_page: Any, desk: Desk, api: httpx.Client) -> None:
        asked = waiting_conversation(desk, api)
        page = new_page()
        sign_in_quietly(page, MARIA)
        page.goto("/console")
        row = page.locator(f"#inbox-rows tr[data-id='{asked.conversation_id}']")
        expect(row).to_be_visible()
        page.get_by_label("Reason").select_option(label="Frustration")
        expect(row).to_have_count(0)
        page.get_by_label("Reason").select_option(label="Asked for a person")
        expect(row).to_be_visible()
        page.get_by_label("Priority").select_option("urgent")
        expect(row).to_have_count(0)
        page.get_by_label("Priority").select_option("")
        page.get_by_label("First response due").select_option("15")
        expect(row).to_be_visible()
        page.get_by_label("Owner").select_option("mine")
        expect(row).to_have_count(0)
        page.get_by_label("Owner").select_option("active")
        page.get_by_label("First response due").select_option("")

    def test_pages_need_a_signed_in_user(self, new_page: Any) -> None:
        page = new_page()
        page.goto("/console/supervisor")
        expect(page).to_have_url(re.compile(r"/console/login\?next=%2Fconsole%2Fsupervisor$"))
        page.get_by_label("Email").fill(MARIA)
        page.get_by_label("Password").fill("not her password")
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_role("alert")).to_contain_text("don't match")
        page.get_by_label("Password").fill("tandem-agent")
        page.get_by_label("Password").press("Enter")
        # An agent is not a supervisor: a plain explanation, not a broken page.
        expect(page.get_by_role("heading", name="This page isn't available to your role")).to_be_visible()
