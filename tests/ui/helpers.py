"""What the browser tests say in the product's words: open the chat, send, sign in, take a conversation."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx
from playwright.sync_api import expect

from tandem.demo.seed import demo_logins


@dataclass(frozen=True)
class Desk:
    """The desk under test: its address, and its store (to set a scene no API offers, such as the past)."""

    url: str
    database_url: str


FRAME = "iframe[title='Customer support chat']"
MARIA = "maria.agent@northwind.example"
JAMES = "james.agent@northwind.example"
SAM = "sam.supervisor@northwind.example"


def password_for(email: str) -> str:
    return next(password for address, _role, password in demo_logins() if address == email)


@dataclass
class Chat:
    """The customer's widget on the demo shop page."""

    page: Any

    @classmethod
    def open(cls, page: Any) -> Chat:
        page.goto("/")
        page.get_by_role("button", name="Chat with us").click()
        chat = cls(page)
        expect(chat.messages("ai").first).to_be_visible()  # the greeting
        return chat

    @property
    def frame(self) -> Any:
        return self.page.frame_locator(FRAME)

    def messages(self, author: str | None = None) -> Any:
        selector = ".msg[data-id]" if author is None else f".msg[data-id][data-author='{author}']"
        return self.frame.locator(selector)

    @property
    def input(self) -> Any:
        return self.frame.get_by_label("Your message")

    def send(self, text: str) -> None:
        self.input.fill(text)
        self.input.press("Enter")

    @property
    def notice(self) -> Any:
        return self.frame.locator("#notice")

    def conversation_id(self) -> int:
        frame = next(f for f in self.page.frames if f.url.endswith("/widget/frame"))
        value = frame.evaluate("() => JSON.parse(sessionStorage.getItem('tandem.chat') || 'null')")
        assert value is not None, "the widget has not started a conversation"
        return int(value["id"])


def sign_in(page: Any, email: str, next_path: str = "/console") -> None:
    """Through the sign-in page, as a person would."""
    page.goto(f"/console/login?next={next_path}")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password_for(email))
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"**{next_path}")


def sign_in_quietly(page: Any, email: str) -> None:
    """Through the API in the page's own context (shares its cookies): for tests about something else."""
    response = page.context.request.post("/api/v1/auth/login", data={"email": email, "password": password_for(email)})
    assert response.ok, response.text()


@dataclass
class Customer:
    """A customer talking through the API (to set a scene quickly)."""

    base: str
    client: httpx.Client
    conversation_id: int = 0
    token: str = ""

    def start(self) -> Customer:
        started = self.client.post(f"{self.base}/api/v1/conversations", json={"channel": "web"})
        started.raise_for_status()
        self.conversation_id, self.token = started.json()["id"], started.json()["customer_token"]
        return self

    def say(self, body: str) -> dict[str, Any]:
        response = self.client.post(
            f"{self.base}/api/v1/conversations/{self.conversation_id}/messages",
            json={"body": body},
            headers={"Authorization": f"Bearer {self.token}"},
        )
        response.raise_for_status()
        result: dict[str, Any] = response.json()
        return result


@dataclass
class Staff:
    """A console user through the API: cookie plus CSRF header, as the console sends them."""

    base: str
    email: str
    client: httpx.Client | None = None
    csrf: str = ""
    user_id: int = 0

    def sign_in(self) -> Staff:
        self.client = httpx.Client(base_url=self.base, timeout=15)
        response = self.client.post(
            "/api/v1/auth/login", json={"email": self.email, "password": password_for(self.email)}
        )
        response.raise_for_status()
        self.csrf, self.user_id = response.json()["csrf_token"], response.json()["user"]["id"]
        return self

    def post(self, path: str, body: dict[str, Any] | None = None) -> httpx.Response:
        assert self.client is not None
        return self.client.post(f"/api/v1{path}", json=body or {}, headers={"X-CSRF-Token": self.csrf})

    def start_for(self, customer_external_id: str, client: httpx.Client) -> Customer:
        """A conversation linked to a customer record (what a signed-in integration can do), and its token."""
        response = self.post("/conversations", {"customer_external_id": customer_external_id})
        response.raise_for_status()
        started = response.json()
        return Customer(self.base, client, started["id"], started["customer_token"])

    def get(self, path: str) -> dict[str, Any]:
        assert self.client is not None
        response = self.client.get(f"/api/v1{path}")
        response.raise_for_status()
        result: dict[str, Any] = response.json()
        return result

    def close(self) -> None:
        if self.client is not None:
            self.client.close()
