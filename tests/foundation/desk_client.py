"""A small client for driving the desk through its public HTTP API in tests."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from httpx import Response

from tandem.app import create_app
from tandem.conversations.pipeline import Pipeline
from tandem.kit.db import unit_of_work
from tandem.kit.settings import Settings
from tandem.users import service as user_service
from tandem.users.schemas import ApiKeyCreate, UserCreate

PASSWORD = "correct-horse-battery"


class DeskClient:
    def __init__(self, url: str, pipeline: Pipeline | None = None, **settings: Any) -> None:
        self.settings = Settings(database_url=url, **settings)
        self.app = create_app(self.settings, pipeline=pipeline)
        self.http = TestClient(self.app)
        self.desk = self.app.state.desk

    # --- set-up through services (what an admin does once) -----------------------------------------
    def make_user(
        self,
        email: str,
        role: str = "agent",
        queues: list[str] | None = None,
        presence: str = "offline",
        capacity: int = 3,
    ) -> int:
        with unit_of_work(self.desk.factory) as session:
            user = user_service.create_user(
                session,
                UserCreate(
                    email=email,
                    name=email.split("@")[0],
                    role=role,
                    password=PASSWORD,  # type: ignore[arg-type]
                    queues=queues or ["general"],
                    capacity=capacity,
                ),
                "test",
            )
            user.presence = presence
            return user.id

    def make_api_key(self, scopes: list[str]) -> str:
        with unit_of_work(self.desk.factory) as session:
            _, key = user_service.create_api_key(session, ApiKeyCreate(name="test", scopes=scopes), "test")
            return key

    # --- API calls -------------------------------------------------------------------------------
    def login(self, email: str) -> AgentSession:
        client = TestClient(self.app)
        response = client.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
        assert response.status_code == 200, response.text
        return AgentSession(client, response.json()["csrf_token"], response.json()["user"]["id"])

    def start(self, **body: Any) -> tuple[int, str]:
        response = self.http.post("/api/v1/conversations", json=body)
        assert response.status_code == 201, response.text
        return response.json()["id"], response.json()["customer_token"]

    def say(self, conversation_id: int, token: str, body: str, channel_message_id: str | None = None) -> Response:
        payload: dict[str, Any] = {"body": body}
        if channel_message_id is not None:
            payload["channel_message_id"] = channel_message_id
        return self.http.post(f"/api/v1/conversations/{conversation_id}/messages", json=payload, headers=bearer(token))

    def close(self) -> None:
        self.http.close()
        self.desk.close()


class AgentSession:
    """A signed-in console user: cookie plus the CSRF header on every change."""

    def __init__(self, client: TestClient, csrf: str, user_id: int) -> None:
        self.client, self.csrf, self.user_id = client, csrf, user_id

    def post(self, path: str, json: Any = None) -> Response:
        return self.client.post(
            f"/api/v1{path}", json=json if json is not None else {}, headers={"X-CSRF-Token": self.csrf}
        )

    def get(self, path: str, **params: Any) -> Response:
        return self.client.get(f"/api/v1{path}", params=params)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
