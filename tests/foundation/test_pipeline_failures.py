"""A failure in any stage after storing never drops the customer's message: a human takes over."""

from __future__ import annotations

import pytest

from tandem.conversations.pipeline import (
    AcknowledgingReply,
    EmailOnlyPrivacy,
    HumanRequestOnlyPolicy,
    KeywordTriage,
    Pipeline,
    PlainNotice,
)

from foundation.desk_client import DeskClient, bearer


class Broken:
    """Stands in for any stage that crashes (a model file gone, a bug, a timeout)."""

    def __getattr__(self, _name: str):
        def explode(*_args, **_kwargs):
            raise RuntimeError("stage exploded while reading 'my card is 4111…'")

        return explode


def pipeline_broken_at(stage: str) -> Pipeline:
    parts = {
        "privacy": EmailOnlyPrivacy(),
        "triage": KeywordTriage(),
        "decision": HumanRequestOnlyPolicy(),
        "reply": AcknowledgingReply(),
        "notice": PlainNotice(),
    }
    parts[stage] = Broken()
    return Pipeline(**parts)


@pytest.mark.parametrize("stage", ["privacy", "triage", "decision", "reply"])
def test_a_failing_stage_keeps_the_message_and_hands_over(store_url: str, stage: str):
    desk = DeskClient(store_url, pipeline=pipeline_broken_at(stage))
    try:
        cid, token = desk.start()
        response = desk.say(cid, token, "where is my parcel?")
        assert response.status_code == 200
        turn = response.json()
        assert turn["message"]["body"] == "where is my parcel?"
        assert turn["owner"] == "queued"
        assert turn["handoff"]["reasons"] == ["ai_unavailable"]
        assert "team" in turn["replies"][0]["body"]
        key = desk.make_api_key(["conversations:read"])
        events = desk.http.get(f"/api/v1/conversations/{cid}", headers=bearer(key)).json()["events"]
        failed = [e for e in events if e["type"] == "pipeline.failed"]
        assert failed and failed[0]["payload"]["stage"] == stage
        # The failure is recorded by class, never with the message text the exception quoted.
        assert "4111" not in str(failed[0]["payload"])
    finally:
        desk.close()


def test_a_broken_notice_template_still_tells_the_customer(sqlite_url: str):
    desk = DeskClient(sqlite_url, pipeline=pipeline_broken_at("notice"))
    try:
        cid, token = desk.start()
        turn = desk.say(cid, token, "human please").json()
        assert turn["owner"] == "queued"
        assert turn["replies"] and turn["replies"][0]["author_kind"] == "system"
    finally:
        desk.close()
