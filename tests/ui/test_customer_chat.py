"""The customer's chat widget on the demo shop, in a real browser against a real desk."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from ui.helpers import Chat

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("ui")]

# A wait in minutes while the team is in, else when they are back (the tests may run at any hour).
WAIT = re.compile(r"Expected wait: about \d+ minutes?\.|as soon as someone is free|A person will reply from \w+")


class TestTheAiAnswers:
    def test_a_customer_asking_where_their_order_is_gets_an_answer_from_the_ai(self, new_page: Any) -> None:
        chat = Chat.open(new_page())
        expect(chat.frame.get_by_text("You're chatting with an AI assistant")).to_be_visible()
        chat.send("Where is my order A10023?")
        expect(chat.messages("customer")).to_have_count(1)
        expect(chat.messages("customer").first).to_contain_text("A10023")
        # The AI's answer comes after the question, and nobody is brought in.
        expect(chat.messages("ai")).to_have_count(2)
        authors = chat.messages().evaluate_all("items => items.map(item => item.dataset.author)")
        assert authors == ["ai", "customer", "ai"]
        expect(chat.notice).to_be_hidden()
        expect(chat.frame.get_by_role("button", name="Talk to a person")).to_be_enabled()
        expect(chat.frame.locator("#typing")).to_be_hidden()

    def test_the_typing_indicator_shows_while_the_ai_works(self, new_page: Any) -> None:
        page = new_page()
        held: list[Any] = []
        # Hold the customer's message on its way to the desk: the AI is "working" until we let it through.
        page.context.route("**/api/v1/conversations/*/messages", lambda route: held.append(route))
        chat = Chat.open(page)
        typing = chat.frame.get_by_role("status").filter(has_text="The assistant is typing")
        expect(typing).to_be_hidden()
        chat.send("Do you sell headphones?")
        expect(typing).to_be_visible()
        expect(chat.messages("customer")).to_have_count(0)  # not stored yet: shown as pending only
        assert len(held) == 1
        held[0].continue_()
        expect(chat.messages("customer")).to_have_count(1)
        expect(chat.messages("ai")).to_have_count(2)
        expect(typing).to_be_hidden()

    def test_a_reload_reconnects_to_the_same_conversation(self, new_page: Any) -> None:
        page = new_page()
        chat = Chat.open(page)
        chat.send("Do you have stores in Manchester?")
        expect(chat.messages("ai")).to_have_count(2)
        before = chat.conversation_id()
        page.reload()
        # The chat was open, so it reopens by itself, and rebuilds the thread from the live stream.
        expect(chat.messages()).to_have_count(3)
        expect(chat.messages("customer").first).to_contain_text("Manchester")
        assert chat.conversation_id() == before
        chat.send("Thanks!")
        expect(chat.messages("customer")).to_have_count(2)


class TestHandOver:
    def test_asking_for_a_person_hands_over_and_shows_the_expected_wait(self, new_page: Any) -> None:
        chat = Chat.open(new_page())
        chat.frame.get_by_role("button", name="Talk to a person").click()
        expect(chat.messages("customer").first).to_contain_text("person")
        expect(chat.messages("system")).to_have_count(1)  # the hand-over notice, in the thread
        expect(chat.notice).to_be_visible()
        expect(chat.notice).to_contain_text("A member of our team will join this chat.")
        expect(chat.notice).to_contain_text(WAIT)
        expect(chat.frame.get_by_role("button", name="A person is on the way")).to_be_disabled()

    def test_the_wait_stays_on_screen_when_the_live_update_arrives_before_the_reply(self, new_page: Any) -> None:
        # The live stream and the reply to the customer's post race; whichever lands last must still
        # say how long the wait is (or when people are back), never leave the notice without it.
        page = new_page()
        replies: list[tuple[Any, Any]] = []
        page.context.route("**/api/v1/conversations/*/messages", lambda route: replies.append((route, route.fetch())))
        chat = Chat.open(page)
        chat.frame.get_by_role("button", name="Talk to a person").click()
        expect(chat.notice).to_contain_text(WAIT)  # from the live stream: the reply is still held back
        for _ in range(100):
            if replies:
                break
            page.wait_for_timeout(50)
        route, response = replies[0]
        frame = next(f for f in page.frames if f.url.endswith("/widget/frame"))
        # Count the notice's redraws, so we look at it right after the reply has redrawn it.
        frame.evaluate(
            """() => { window.noticeDraws = 0;
                new MutationObserver(() => { window.noticeDraws += 1; })
                  .observe(document.getElementById('notice'), { childList: true }); }"""
        )
        route.fulfill(response=response)
        frame.wait_for_function("() => window.noticeDraws > 0")
        notice = chat.notice.inner_text()
        assert "A member of our team will join this chat." in notice
        assert WAIT.search(notice), notice

    def test_an_angry_customer_is_handed_over(self, new_page: Any) -> None:
        chat = Chat.open(new_page())
        chat.send("This is ridiculous. I've waited three weeks, nobody answers and I'm absolutely furious.")
        expect(chat.messages("system")).to_have_count(1)
        expect(chat.notice).to_contain_text("A member of our team will join this chat.")
        # While a person is coming the AI says nothing more.
        chat.send("Hello??")
        expect(chat.messages("customer")).to_have_count(2)
        expect(chat.messages("ai")).to_have_count(1)  # the greeting only


class TestAccessibleAndSafe:
    def test_labels_live_region_and_keyboard(self, new_page: Any) -> None:
        page = new_page()
        page.goto("/")
        launcher = page.get_by_role("button", name="Chat with us")
        expect(launcher).to_have_attribute("aria-expanded", "false")
        launcher.focus()
        page.keyboard.press("Enter")
        expect(page.get_by_role("button", name="Close chat")).to_have_attribute("aria-expanded", "true")
        chat = Chat(page)
        expect(chat.messages("ai").first).to_be_visible()
        expect(chat.frame.get_by_role("log", name="Conversation")).to_have_attribute("aria-live", "polite")
        expect(chat.frame.get_by_role("button", name="Send")).to_be_visible()
        expect(chat.frame.get_by_role("button", name="Close chat")).to_be_visible()
        # Focus went into the chat: typing goes straight to the message box.
        expect(chat.input).to_be_focused()
        page.keyboard.type("first line")
        page.keyboard.press("Shift+Enter")
        page.keyboard.type("second line")
        expect(chat.messages("customer")).to_have_count(0)
        page.keyboard.press("Enter")
        expect(chat.messages("customer")).to_have_count(1)
        expect(chat.messages("customer").first.locator(".msg-body")).to_have_text("first line\nsecond line")
        # Escape closes the chat and gives focus back to the launcher.
        page.keyboard.press("Escape")
        expect(page.get_by_role("button", name="Chat with us")).to_be_focused()
        assert page.script_errors == []

    def test_files_are_refused_with_a_clear_message(self, new_page: Any) -> None:
        chat = Chat.open(new_page())
        frame = next(f for f in chat.page.frames if f.url.endswith("/widget/frame"))
        frame.evaluate(
            """() => {
                const data = new DataTransfer();
                data.items.add(new File(["%PDF"], "receipt.pdf", { type: "application/pdf" }));
                const target = document.getElementById("message");
                const init = { dataTransfer: data, bubbles: true, cancelable: true };
                target.dispatchEvent(new DragEvent("dragover", init));
                target.dispatchEvent(new DragEvent("drop", init));
            }"""
        )
        alert = chat.frame.get_by_role("alert")
        expect(alert).to_contain_text("Files can't be sent in this chat, so receipt.pdf wasn't sent.")
        expect(chat.messages("customer")).to_have_count(0)

    def test_the_chat_fits_a_phone(self, new_page: Any, screenshot_dir: Path) -> None:
        page = new_page(375, 740)
        chat = Chat.open(page)
        panel = page.locator("#tandem-chat-panel").bounding_box()
        assert panel is not None and panel["width"] == 375 and panel["x"] == 0
        chat.send("Where is my order A10023?")
        expect(chat.messages("ai")).to_have_count(2)
        frame = next(f for f in page.frames if f.url.endswith("/widget/frame"))
        overflow = frame.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, "the chat scrolls sideways on a phone"
        send = chat.frame.get_by_role("button", name="Send").bounding_box()
        assert send is not None and send["x"] + send["width"] <= 375
        page.screenshot(path=str(screenshot_dir / "widget-phone.png"))
