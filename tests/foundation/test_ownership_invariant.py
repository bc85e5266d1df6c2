"""Property: no AI-authored customer-visible message is ever stored while a human owns the conversation.

Random sequences of customer messages and agent actions run through the public API. Afterwards we replay
the audit trail (owner changes) against the stored messages in time order and check every AI message was
written while the owner was `ai`. A ticking clock makes that order exact.
"""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tandem.conversations.pipeline import Pipeline, basic_pipeline
from tandem.kit import clock

from foundation.desk_client import DeskClient, bearer

CUSTOMER_SAYS = ["where is my order?", "human please", "thanks!", "BOOM", "can I talk to an agent", "ok"]
AGENT_ACTIONS = ["assign", "reply", "note", "hand-back", "resolve", "reopen"]
steps = st.lists(
    st.one_of(
        st.sampled_from(CUSTOMER_SAYS).map(lambda s: ("say", s)),
        st.sampled_from(AGENT_ACTIONS).map(lambda a: ("agent", a)),
    ),
    min_size=1,
    max_size=14,
)


class SometimesBrokenTriage:
    """A triage stage that crashes on one word, so failures appear mid-conversation."""

    def __init__(self) -> None:
        self.inner = basic_pipeline().triage

    def assess(self, text, context):
        if "BOOM" in text:
            raise RuntimeError("triage crashed")
        return self.inner.assess(text, context)


def _pipeline() -> Pipeline:
    pipeline = basic_pipeline()
    pipeline.triage = SometimesBrokenTriage()
    return pipeline


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(script=steps)
def test_the_ai_never_speaks_while_a_human_owns_the_conversation(sqlite_template: Path, tmp_path_factory, script):
    import shutil

    path = tmp_path_factory.mktemp("prop") / "t.db"
    shutil.copy(sqlite_template, path)
    ticks = itertools.count()
    start = datetime(2026, 1, 1, tzinfo=UTC)
    clock.set_clock(lambda: start + timedelta(milliseconds=next(ticks)))
    desk = DeskClient(f"sqlite:///{path}", pipeline=_pipeline())
    try:
        desk.make_user("prop@desk.example", queues=["general"])
        agent = desk.login("prop@desk.example")
        cid, token = desk.start()
        for kind, what in script:
            if kind == "say":
                assert desk.say(cid, token, what).status_code == 200
            else:
                body = {"body": "agent text"} if what in ("reply", "note") else {}
                path_ = {"note": "notes"}.get(what, what)
                assert agent.post(f"/conversations/{cid}/{path_}", body).status_code in (200, 201, 409)
        _assert_ai_spoke_only_while_owner(desk, cid)
    finally:
        desk.close()
        clock.reset_clock()


def _assert_ai_spoke_only_while_owner(desk: DeskClient, cid: int) -> None:
    key = desk.make_api_key(["conversations:read"])
    detail = desk.http.get(f"/api/v1/conversations/{cid}", headers=bearer(key)).json()
    timeline = [
        (e["created_at"], "owner", e["payload"]["after"])
        for e in detail["events"]
        if e["type"] == "conversation.owner_changed"
    ]
    timeline += [(m["created_at"], "message", m) for m in detail["messages"]]
    owner = "ai"
    for _, kind, item in sorted(timeline, key=lambda entry: entry[0]):
        if kind == "owner":
            owner = item
        elif item["author_kind"] == "ai" and item["visibility"] == "public":
            assert owner == "ai", f"AI message {item['body']!r} stored while owner was {owner}"
