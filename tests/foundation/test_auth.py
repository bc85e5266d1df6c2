"""Wrong or missing credentials: 401/403 with a JSON body, never another customer's data."""

from __future__ import annotations

from foundation.desk_client import PASSWORD, DeskClient, bearer


def test_no_credentials_is_401(desk: DeskClient):
    response = desk.http.get("/api/v1/conversations")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthenticated"


def test_an_unknown_bearer_token_is_401(desk: DeskClient):
    assert desk.http.get("/api/v1/conversations", headers=bearer("tk_made_up")).status_code == 401


def test_wrong_password_is_401_and_says_nothing_about_which_part(desk: DeskClient):
    desk.make_user("p@desk.example")
    wrong = desk.http.post("/api/v1/auth/login", json={"email": "p@desk.example", "password": "nope-nope"})
    unknown = desk.http.post("/api/v1/auth/login", json={"email": "q@desk.example", "password": PASSWORD})
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json()


def test_a_customer_token_opens_only_its_own_conversation(desk: DeskClient):
    mine, my_token = desk.start()
    theirs, their_token = desk.start()
    desk.say(theirs, their_token, "my address is 1 Secret Lane")
    assert desk.http.get(f"/api/v1/conversations/{theirs}", headers=bearer(my_token)).status_code == 403
    assert desk.say(theirs, my_token, "hi").status_code == 403
    assert desk.http.get("/api/v1/conversations", headers=bearer(my_token)).status_code == 403
    assert desk.http.get(f"/api/v1/conversations/{mine}", headers=bearer(my_token)).status_code == 200


def test_api_keys_are_limited_to_their_scopes(desk: DeskClient):
    reader = desk.make_api_key(["customers:read"])
    created = desk.http.post("/api/v1/customers", json={"name": "Ann"}, headers=bearer(reader))
    assert created.status_code == 403
    assert "customers:write" in created.json()["error"]["message"]


def test_revoked_api_key_stops_working(desk: DeskClient):
    desk.make_user("admin@desk.example", role="admin")
    admin = desk.login("admin@desk.example")
    made = admin.post("/api-keys", {"name": "crm sync", "scopes": ["customers:read"]}).json()
    assert desk.http.get("/api/v1/customers/1", headers=bearer(made["key"])).status_code in (200, 404)
    admin.client.delete(f"/api/v1/api-keys/{made['id']}", headers={"X-CSRF-Token": admin.csrf})
    assert desk.http.get("/api/v1/customers/1", headers=bearer(made["key"])).status_code == 401


def test_signed_in_changes_need_the_csrf_header(desk: DeskClient):
    desk.make_user("c@desk.example")
    cid, token = desk.start()
    desk.say(cid, token, "human please")
    agent = desk.login("c@desk.example")
    forged = agent.client.post(f"/api/v1/conversations/{cid}/assign", json={})
    assert forged.status_code == 403
    assert "X-CSRF-Token" in forged.json()["error"]["message"]
    assert agent.post(f"/conversations/{cid}/assign").status_code == 200


def test_logout_ends_the_session(desk: DeskClient):
    desk.make_user("out@desk.example")
    agent = desk.login("out@desk.example")
    assert agent.get("/auth/me").status_code == 200
    assert agent.post("/auth/logout").status_code == 204
    assert agent.get("/auth/me").status_code == 401


def test_agents_cannot_create_users_or_read_vulnerability(desk: DeskClient):
    desk.make_user("ag@desk.example")
    agent = desk.login("ag@desk.example")
    made = agent.post("/users", {"email": "n@desk.example", "name": "N", "password": "longenough1"})
    assert made.status_code == 403
    assert agent.get("/customers/1/vulnerability").status_code == 403


def test_supervisor_reads_vulnerability_records(desk: DeskClient):
    desk.make_user("sup@desk.example", role="supervisor")
    key = desk.make_api_key(["customers:write"])
    customer = desk.http.post("/api/v1/customers", json={"name": "V"}, headers=bearer(key)).json()
    supervisor = desk.login("sup@desk.example")
    assert supervisor.get(f"/customers/{customer['id']}/vulnerability").json() == []


def test_linking_a_chat_to_a_customer_needs_a_credential(desk: DeskClient):
    response = desk.http.post("/api/v1/conversations", json={"customer_external_id": "CUST-1"})
    assert response.status_code == 403
