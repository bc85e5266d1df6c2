"""The admin API (no browser): rules validation, dry-run, save with audit; knowledge, intents, users, queues."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from handoff.scripted import RealPrivacy, ScriptedTriage
from tandem.console import admin_api
from tandem.conversations.models import Conversation, Message
from tandem.conversations.pipeline import AcknowledgingReply, Pipeline
from tandem.events.models import Event
from tandem.handoff.models import Queue
from tandem.handoff.policy import DEFAULT_RULES_PATH
from tandem.handoff.stage import NoticeStage, PolicyStage

from foundation.desk_client import AgentSession, DeskClient

SCRIPT = {"speak to a person": {"human_requested": True, "evidence": {"human_request": ["speak to a person"]}}}


@pytest.fixture
def admin_desk(sqlite_url: str, tmp_path: Path) -> Iterator[DeskClient]:
    workspace = tmp_path / "var"
    # As tandem.stages builds it: the workspace rules file, once saved, is what the policy decides with.
    policy = PolicyStage(None, workspace / admin_api.RULES_FILE)
    pipeline = Pipeline(RealPrivacy(), ScriptedTriage(SCRIPT), policy, AcknowledgingReply(), NoticeStage())
    client = DeskClient(sqlite_url, pipeline=pipeline, workspace_dir=workspace)
    yield client
    client.close()


def _as(desk: DeskClient, email: str, role: str) -> AgentSession:
    desk.make_user(email, role=role)
    return desk.login(email)


def _put(session: AgentSession, path: str, body: Any) -> Any:
    return session.client.put(f"/api/v1{path}", json=body, headers={"X-CSRF-Token": session.csrf})


def _patch(session: AgentSession, path: str, body: Any) -> Any:
    return session.client.patch(f"/api/v1{path}", json=body, headers={"X-CSRF-Token": session.csrf})


def _counts(desk: DeskClient) -> tuple[int, int, int]:
    with desk.desk.transaction() as session:
        return (
            session.scalar(select(func.count()).select_from(Conversation)) or 0,
            session.scalar(select(func.count()).select_from(Message)) or 0,
            session.scalar(select(func.count()).select_from(Event)) or 0,
        )


def _without_human_request_rule() -> str:
    text = DEFAULT_RULES_PATH.read_text(encoding="utf-8")
    marker = "    when: {flag: human_requested}\n"
    assert marker in text
    return text.replace(marker, marker + "    enabled: false\n", 1)


class TestRules:
    def test_validation_names_the_line_of_the_mistake(self, admin_desk: DeskClient) -> None:
        admin = _as(admin_desk, "root@desk.example", "admin")
        text = DEFAULT_RULES_PATH.read_text(encoding="utf-8")
        lines = text.splitlines()
        number = next(i for i, line in enumerate(lines, 1) if "{flag: human_requested}" in line)
        lines[number - 1] = lines[number - 1].replace("human_requested", "human_requestd")
        result = admin.post("/admin/rules/validate", {"text": "\n".join(lines)}).json()
        assert result["valid"] is False
        assert result["errors"][0]["line"] == number
        assert "human_requestd" in result["errors"][0]["message"]
        assert admin.post("/admin/rules/validate", {"text": text}).json()["valid"] is True

    def test_saving_invalid_rules_is_refused_and_writes_no_file(self, admin_desk: DeskClient) -> None:
        admin = _as(admin_desk, "root@desk.example", "admin")
        response = _put(admin, "/admin/rules", {"text": "version: 1\nrules: [oops"})
        assert response.status_code == 422
        assert not admin_api.workspace_rules_path(admin_desk.settings).exists()

    def test_dry_run_reports_flips_and_writes_nothing(self, admin_desk: DeskClient) -> None:
        conversation, token = admin_desk.start(channel="web")
        assert admin_desk.say(conversation, token, "hello there").json()["owner"] == "ai"
        assert admin_desk.say(conversation, token, "can I speak to a person").json()["owner"] == "queued"
        admin = _as(admin_desk, "root@desk.example", "admin")
        before = _counts(admin_desk)
        report = admin.post("/admin/rules/dry-run", {"text": _without_human_request_rule(), "days": 7}).json()
        assert _counts(admin_desk) == before
        assert not admin_api.workspace_rules_path(admin_desk.settings).exists()
        assert report["check"]["valid"] is True
        assert report["reasons"]["human_requested"] == {"before": 1, "after": 0, "change": -1}
        assert report["owner_flips"] == {"to_human": 0, "to_ai": 1}
        assert [flip["conversation_id"] for flip in report["flips"]] == [conversation]

    def test_save_is_audited_and_used_by_the_desk_from_then_on(self, admin_desk: DeskClient) -> None:
        admin = _as(admin_desk, "root@desk.example", "admin")
        old = admin.get("/admin/rules").json()
        assert old["workspace"] is False
        new_text = _without_human_request_rule()
        saved = _put(admin, "/admin/rules", {"text": new_text})
        assert saved.status_code == 200, saved.text
        assert admin_api.workspace_rules_path(admin_desk.settings).read_text(encoding="utf-8") == new_text
        assert admin.get("/admin/rules").json()["workspace"] is True
        with admin_desk.desk.transaction() as session:
            event = session.scalars(select(Event).where(Event.type == "rules.updated")).one()
            assert event.actor == f"user:{admin.user_id}"
            assert event.payload["old_sha256"] == old["sha256"]
            assert event.payload["new_sha256"] == hashlib.sha256(new_text.encode()).hexdigest()
        conversation, token = admin_desk.start(channel="web")
        # The workspace file is what the desk decides with now: asking for a person no longer hands over.
        assert admin_desk.say(conversation, token, "can I speak to a person").json()["owner"] == "ai"

    @pytest.mark.parametrize(
        ("method", "path"),
        [
            ("get", "/admin/rules"),
            ("post", "/admin/rules/validate"),
            ("post", "/admin/rules/dry-run"),
            ("put", "/admin/rules"),
            ("get", "/admin/articles"),
            ("get", "/admin/intents"),
            ("post", "/admin/intents/retrain"),
            ("get", "/admin/users"),
            ("get", "/admin/queues"),
        ],
    )
    def test_supervisors_and_agents_are_refused(self, admin_desk: DeskClient, method: str, path: str) -> None:
        sessions = [_as(admin_desk, "sup@desk.example", "supervisor"), _as(admin_desk, "agent@desk.example", "agent")]
        before = _counts(admin_desk)
        for session in sessions:
            body = {"text": "version: 1"}
            response = session.client.request(
                method.upper(),
                f"/api/v1{path}",
                json=body if method != "get" else None,
                headers={"X-CSRF-Token": session.csrf},
            )
            assert response.status_code == 403, (path, response.text)
        assert _counts(admin_desk) == before
        assert not admin_api.workspace_rules_path(admin_desk.settings).exists()


class TestKnowledgeIntentsUsersQueues:
    def test_articles_are_created_listed_and_edited(self, admin_desk: DeskClient) -> None:
        admin = _as(admin_desk, "root@desk.example", "admin")
        body = {"title": "Returns", "body": "30 days.", "tags": ["returns"], "policy_clause": "R-1"}
        created = admin.post("/admin/articles", body)
        assert created.status_code == 201, created.text
        article = created.json()
        assert article["slug"] == "returns" and article["published"] is True
        again = admin.post("/admin/articles", body).json()
        assert again["slug"] == "returns-2"
        edited = _put(admin, f"/admin/articles/{article['id']}", {**body, "body": "60 days.", "published": False})
        assert edited.json()["body"] == "60 days." and edited.json()["published"] is False
        listed = admin.get("/admin/articles").json()
        assert {a["slug"] for a in listed} == {"returns", "returns-2"}
        assert _put(admin, "/admin/articles/999", body).status_code == 404

    def test_examples_are_added_to_a_workspace_pack_and_retrain_reports_done(
        self, admin_desk: DeskClient, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        admin = _as(admin_desk, "root@desk.example", "admin")
        before = {i["name"]: i["examples"] for i in admin.get("/admin/intents").json()["intents"]}
        added = admin.post("/admin/intents/cancel_order/examples", {"examples": ["scrap my order please"]})
        assert added.status_code == 200, added.text
        assert added.json()["examples"] == before["cancel_order"] + 1
        assert "scrap my order please" in admin_api.workspace_pack_path(admin_desk.settings).read_text()
        assert admin.post("/admin/intents/no_such/examples", {"examples": ["x"]}).status_code == 404

        trained: list[tuple[Path, Path]] = []

        def fake_trainer(pack: Path, models: Path) -> dict[str, Any]:
            trained.append((pack, models))
            return {"model": str(models / "intents" / "ecommerce")}

        monkeypatch.setattr(admin_api, "TRAINER", fake_trainer)
        assert admin.post("/admin/intents/retrain").json()["status"] == "running"
        admin_api.TRAINING.join(5)
        deadline = time.monotonic() + 5
        while admin.get("/admin/intents/training").json()["status"] == "running" and time.monotonic() < deadline:
            time.sleep(0.01)
        assert admin.get("/admin/intents/training").json()["status"] == "done"
        assert trained == [(admin_api.workspace_pack_path(admin_desk.settings), admin_desk.settings.models_dir)]

    def test_users_are_created_and_changed(self, admin_desk: DeskClient) -> None:
        admin = _as(admin_desk, "root@desk.example", "admin")
        created = admin.post(
            "/admin/users",
            {"email": "new@desk.example", "name": "New", "role": "agent", "password": "long-enough-1", "capacity": 4},
        )
        assert created.status_code == 201, created.text
        user_id = created.json()["id"]
        changed = _patch(admin, f"/admin/users/{user_id}", {"queues": ["billing"], "capacity": 2, "active": False})
        assert changed.json()["queues"] == ["billing"] and changed.json()["active"] is False
        assert {u["email"] for u in admin.get("/admin/users").json()} == {"root@desk.example", "new@desk.example"}
        assert _patch(admin, f"/admin/users/{admin.user_id}", {"active": False}).status_code == 422

    def test_queues_are_listed_and_edited(self, admin_desk: DeskClient) -> None:
        with admin_desk.desk.transaction() as session:
            if session.get(Queue, "billing") is None:
                session.add(Queue(name="billing", description="", skills=[], avg_handle_minutes=8))
        admin = _as(admin_desk, "root@desk.example", "admin")
        changed = _patch(admin, "/admin/queues/billing", {"description": "Charges", "avg_handle_minutes": 12})
        assert changed.json()["avg_handle_minutes"] == 12
        billing = next(q for q in admin.get("/admin/queues").json() if q["name"] == "billing")
        assert billing["description"] == "Charges"
        assert _patch(admin, "/admin/queues/nope", {"description": "x"}).status_code == 404
