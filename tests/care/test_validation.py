"""Bad campaign requests get a 422 that names the field (SQLite only: validation happens before the store)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from care.conftest import SUPERVISOR, known_issue
from tandem.conversations.pipeline import basic_pipeline

from foundation.desk_client import AgentSession, DeskClient


@pytest.fixture
def lead(sqlite_url: str) -> Iterator[AgentSession]:
    desk = DeskClient(sqlite_url, pipeline=basic_pipeline())
    desk.make_user(SUPERVISOR, role="supervisor")
    yield desk.login(SUPERVISOR)
    desk.close()


ONBOARDING = {"kind": "onboarding", "segment": {"new_customers": {"within_days": 30}}, "key": "welcome"}
ORDERS = {"statuses": ["delayed"]}

BAD: list[tuple[str, dict[str, Any], str]] = [
    ("unknown status", known_issue(segment={"orders": {"statuses": ["lost"]}}), "segment.orders.statuses.0"),
    (
        "bad date",
        known_issue(segment={"orders": {**ORDERS, "placed_from": "2026-13-01"}}),
        "segment.orders.placed_from",
    ),
    (
        "backwards dates",
        known_issue(segment={"orders": {"placed_from": "2026-11-10", "placed_to": "2026-11-01"}}),
        "segment.orders.placed_to",
    ),
    ("empty order filter", known_issue(segment={"orders": {}}), "segment.orders"),
    ("no segment at all", known_issue(segment={}), "segment"),
    ("unknown tier", {**ONBOARDING, "segment": {"tiers": ["diamond"]}}, "segment.tiers.0"),
    (
        "zero days",
        {**ONBOARDING, "segment": {"new_customers": {"within_days": 0}}},
        "segment.new_customers.within_days",
    ),
    ("unknown kind", {**ONBOARDING, "kind": "newsletter"}, "kind"),
    ("known issue without an explanation", known_issue(explanation=None), "explanation"),
    ("onboarding with an explanation", {**ONBOARDING, "explanation": "Something happened to parcels"}, "explanation"),
    ("expected date in the past", known_issue(expected="2020-01-01"), "expected"),
    ("expected date not a date", known_issue(expected="soon"), "expected"),
    ("send without a key", known_issue(key=None), "key"),
    ("key with spaces", known_issue(key="dpd delay"), "key"),
    ("limit above the ceiling", known_issue(max_recipients=1_000_000), "max_recipients"),
    ("unknown field", {**ONBOARDING, "audience": "everyone"}, "audience"),
]


@pytest.mark.parametrize(("name", "body", "field"), BAD, ids=[b[0] for b in BAD])
def test_a_bad_campaign_is_refused_naming_the_field(lead: AgentSession, name: str, body: dict[str, Any], field: str):
    response = lead.post("/care/campaigns", body)
    assert response.status_code == 422, response.text
    assert field in [f["field"] for f in response.json()["error"]["details"]["fields"]], response.text


def test_preview_checks_the_same_rules(lead: AgentSession):
    response = lead.post("/care/campaigns/preview", known_issue(key=None, segment={"orders": {"statuses": ["lost"]}}))
    assert response.status_code == 422
    assert response.json()["error"]["details"]["fields"][0]["field"] == "segment.orders.statuses.0"
