"""Who may read insight, who may see outcomes for vulnerable customers, and who may curate the taxonomy."""

from __future__ import annotations

import pytest

from foundation.desk_client import DeskClient, bearer

READS = [
    "/analytics/outcomes",
    "/analytics/handovers",
    "/analytics/satisfaction",
    "/analytics/complaints",
    "/analytics/topics",
    "/analytics/trends",
    "/analytics/root-causes",
    "/analytics/root-causes/report",
]


@pytest.fixture
def people(insight_desk: DeskClient) -> DeskClient:
    insight_desk.make_user("agent@desk.example", role="agent")
    insight_desk.make_user("lead@desk.example", role="supervisor")
    return insight_desk


def test_reading_insight_needs_the_analytics_permission(people: DeskClient):
    agent, lead = people.login("agent@desk.example"), people.login("lead@desk.example")
    reader = people.make_api_key(["analytics:read"])
    for path in READS:
        assert people.http.get(f"/api/v1{path}").status_code == 401, path
        assert agent.get(path).status_code == 403, path
        assert people.http.get(f"/api/v1{path}", headers=bearer(reader)).status_code == 200, path
        assert lead.get(path).status_code == 200, path


def test_vulnerable_outcomes_need_the_vulnerability_permission_too(people: DeskClient):
    reader = people.make_api_key(["analytics:read"])
    response = people.http.get("/api/v1/analytics/vulnerable", headers=bearer(reader))
    assert response.status_code == 403 and "vulnerability:read" in response.json()["error"]["message"]
    assert people.login("lead@desk.example").get("/analytics/vulnerable").status_code == 200


def test_a_customer_token_reads_no_insight(people: DeskClient):
    _, token = people.start()
    assert people.http.get("/api/v1/analytics/outcomes", headers=bearer(token)).status_code == 403


def test_only_supervisors_and_admins_curate_the_taxonomy(people: DeskClient):
    reader = people.make_api_key(["analytics:read"])
    denied = people.http.post("/api/v1/analytics/root-causes", json={"name": "Courier"}, headers=bearer(reader))
    assert denied.status_code == 403
    assert people.login("agent@desk.example").post("/analytics/root-causes", {"name": "Courier"}).status_code == 403
    assert people.login("lead@desk.example").post("/analytics/root-causes", {"name": "Courier"}).status_code == 201
    assert (
        people.http.post(
            "/api/v1/analytics/topics/build", json={"source": "complaints"}, headers=bearer(reader)
        ).status_code
        == 403
    )


def test_a_bad_window_is_a_validation_error(people: DeskClient):
    reader = people.make_api_key(["analytics:read"])
    response = people.http.get("/api/v1/analytics/outcomes", params={"since": "yesterday"}, headers=bearer(reader))
    assert response.status_code == 422 and "30d" in response.json()["error"]["message"]
