from __future__ import annotations

from foundation.desk_client import DeskClient, bearer


def test_create_read_and_upsert_by_external_id(desk: DeskClient):
    key = desk.make_api_key(["customers:read", "customers:write", "conversations:write", "messages:write"])
    headers = bearer(key)
    created = desk.http.post(
        "/api/v1/customers",
        headers=headers,
        json={
            "external_id": "CRM-9",
            "name": "Zoë Ó Briain",
            "email": "zoe@mail.example",
            "tier": "gold",
            "lifetime_value": "5400.50",
            "lifetime_spend": "3100",
            "customer_since": "2019-04-01",
            "consents": {"marketing_email": False},
        },
    )
    assert created.status_code == 201, created.text
    customer = created.json()
    assert desk.http.get(f"/api/v1/customers/{customer['id']}", headers=headers).json()["name"] == "Zoë Ó Briain"
    updated = desk.http.put("/api/v1/customers/by-external-id/CRM-9", headers=headers, json={"tier": "platinum"})
    assert updated.status_code == 200
    assert (updated.json()["tier"], updated.json()["name"]) == ("platinum", "Zoë Ó Briain")
    fresh = desk.http.put("/api/v1/customers/by-external-id/CRM-10", headers=headers, json={"name": "New"})
    assert fresh.status_code == 201
    duplicate = desk.http.post("/api/v1/customers", headers=headers, json={"external_id": "CRM-9"})
    assert duplicate.status_code == 409


def test_a_conversation_can_be_linked_to_a_customer(desk: DeskClient):
    key = desk.make_api_key(["customers:write", "conversations:write", "conversations:read"])
    desk.http.post("/api/v1/customers", headers=bearer(key), json={"external_id": "C-1", "name": "Ann"})
    started = desk.http.post(
        "/api/v1/conversations", headers=bearer(key), json={"customer_external_id": "C-1", "channel": "email"}
    )
    assert started.status_code == 201
    listed = desk.http.get(
        "/api/v1/conversations", headers=bearer(key), params={"customer_id": started.json()["customer_id"]}
    ).json()["items"]
    assert [c["id"] for c in listed] == [started.json()["id"]]
    missing = desk.http.post("/api/v1/conversations", headers=bearer(key), json={"customer_external_id": "nope"})
    assert missing.status_code == 404
