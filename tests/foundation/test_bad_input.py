"""Bad input gets a clear error and loses nothing."""

from __future__ import annotations

import pytest

from foundation.desk_client import DeskClient, bearer


def test_an_oversized_message_gets_413_and_stores_nothing(desk: DeskClient):
    cid, token = desk.start()
    response = desk.say(cid, token, "x" * 20_001)
    assert response.status_code == 413
    assert "20000" in response.json()["error"]["message"]
    messages = desk.http.get(f"/api/v1/conversations/{cid}", headers=bearer(token)).json()["messages"]
    assert all(m["author_kind"] != "customer" for m in messages)


def test_a_huge_request_body_is_refused_before_it_is_read(desk: DeskClient):
    cid, token = desk.start()
    response = desk.http.post(
        f"/api/v1/conversations/{cid}/messages",
        content=b"{" + b" " * 300_000 + b"}",
        headers={**bearer(token), "content-type": "application/json"},
    )
    assert response.status_code == 413


def test_malformed_json_is_422(desk: DeskClient):
    cid, token = desk.start()
    response = desk.http.post(
        f"/api/v1/conversations/{cid}/messages",
        content=b'{"body": "hi"',
        headers={**bearer(token), "content-type": "application/json"},
    )
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "validation_failed"


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({}, "body"),
        ({"body": 42}, "body"),
        ({"body": "   "}, "body"),
        ({"body": "hi", "colour": "red"}, "colour"),
        ({"body": "hi", "channel_message_id": ""}, "channel_message_id"),
    ],
)
def test_wrong_types_are_422_naming_the_field(desk: DeskClient, payload, field):
    cid, token = desk.start()
    response = desk.http.post(f"/api/v1/conversations/{cid}/messages", json=payload, headers=bearer(token))
    assert response.status_code == 422
    assert field in [f["field"] for f in response.json()["error"]["details"]["fields"]]


def test_customer_with_a_bad_email_names_the_field(desk: DeskClient):
    key = desk.make_api_key(["customers:write"])
    response = desk.http.post("/api/v1/customers", json={"name": "A", "email": "not-an-email"}, headers=bearer(key))
    assert response.status_code == 422
    assert response.json()["error"]["details"]["fields"][0]["field"] == "email"


@pytest.mark.parametrize("path", ["/api/v1/conversations/999999", "/api/v1/customers/999999", "/api/v1/nowhere"])
def test_unknown_ids_are_404_with_a_json_body(desk: DeskClient, path):
    key = desk.make_api_key(["customers:read", "conversations:read"])
    response = desk.http.get(path, headers=bearer(key))
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_posting_to_an_unknown_conversation_is_404(desk: DeskClient):
    key = desk.make_api_key(["messages:write"])
    assert desk.say(999_999, key, "hello").status_code == 404


@pytest.mark.parametrize(
    "text",
    [
        "Ça coûte 30 € — pourquoi ? 🤔🎉",
        "注文はどこですか",
        "مرحبا، أين طلبي؟",
        "Zażółć gęślą jaźń 👩🏽‍💻",
        "'; DROP TABLE message; --",
        "<script>alert('x')</script><b>bold</b>",
        "emoji only 🙂🙃👍🏿",
    ],
)
def test_unicode_emoji_sql_and_html_survive_as_text(desk: DeskClient, text):
    cid, token = desk.start()
    stored = desk.say(cid, token, text).json()["message"]
    assert stored["body"] == text
    listed = desk.http.get(f"/api/v1/conversations/{cid}", headers=bearer(token)).json()["messages"]
    assert text in [m["body"] for m in listed]


def test_rating_out_of_range_is_422(desk: DeskClient):
    cid, token = desk.start()
    response = desk.http.post(f"/api/v1/conversations/{cid}/rating", json={"score": 9}, headers=bearer(token))
    assert response.status_code == 422


def test_list_filters_are_validated(desk: DeskClient):
    key = desk.make_api_key(["conversations:read"])
    response = desk.http.get("/api/v1/conversations", params={"owner": "robot"}, headers=bearer(key))
    assert response.status_code == 422 and "owner" in response.text
