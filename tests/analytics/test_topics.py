"""Topics in imported complaints: found, named, linked, followed over time, and filed under root causes
that people curate through the API."""

from __future__ import annotations

import io
import random
from datetime import timedelta

import pytest

from tandem.analytics.importer import import_complaints

from .conftest import START, Journeys
from foundation.desk_client import AgentSession

THEMES = {
    # theme: (product, openings, details, weeks present (0 = the current week), per week)
    "card": (
        "Debit card",
        ["My new card", "The replacement card", "My debit card"],
        ["never arrived in the post", "still has not been delivered", "was lost in the mail"],
        range(8),
        6,
    ),
    "refund": (
        "Returns",
        ["The refund for my return", "My refund", "Money for the returned jacket"],
        ["is weeks late", "has not reached my account", "is still pending after a month"],
        range(8),
        6,
    ),
    "app": (
        "Mobile app",
        ["The app", "Your mobile app", "The banking app"],
        [
            "crashes at login after the update",
            "freezes on the login screen since the update",
            "keeps crashing when I log in after updating",
        ],
        range(1),
        25,
    ),
}


def complaints_csv(seed: int = 7) -> bytes:
    rng = random.Random(seed)
    lines = ["id,received_at,customer_id,channel,text,product,category,outcome,satisfaction"]
    n = 0
    for theme, (product, openings, details, weeks, per_week) in THEMES.items():
        for week in weeks:
            for _ in range(per_week):
                n += 1
                when = START - timedelta(weeks=week, days=rng.uniform(0.05, 6.9))
                # A few card customers keep coming back about the same thing.
                customer = f"{theme}-{rng.randrange(4) if theme == 'card' else n}"
                text = f"{rng.choice(openings)} {rng.choice(details)}"
                lines.append(f"x{n},{when.isoformat()},{customer},web,{text},{product},{theme},,{rng.randint(1, 3)}")
    return ("\n".join(lines) + "\n").encode()


@pytest.fixture
def imported(journeys: Journeys) -> Journeys:
    report = import_complaints(journeys.desk.desk.factory, io.BytesIO(complaints_csv()), "generic")
    assert report.skipped == 0
    build = journeys.supervisor.post("/analytics/topics/build", {"source": "complaints", "since": "12w", "topics": 3})
    assert build.status_code == 200, build.text
    assert build.json()["embedder"] == "tfidf-svd" and build.json()["documents"] == report.imported
    return journeys


def topics_by_theme(j: Journeys) -> dict[str, dict]:
    found = {}
    for topic in j.get("/analytics/topics", source="complaints"):  # type: ignore[union-attr]
        product = topic["links"]["product"][0][0]
        theme = next(name for name, spec in THEMES.items() if spec[0] == product)
        found[theme] = topic
    return found


def test_topics_are_found_named_by_their_terms_and_linked_to_products(imported: Journeys):
    topics = topics_by_theme(imported)
    assert set(topics) == {"card", "refund", "app"}
    assert topics["app"]["size"] == 25 and topics["card"]["size"] == 48
    assert {"login"} & set(topics["app"]["terms"]) or {"crashes"} & set(topics["app"]["terms"])
    assert "refund" in " ".join(topics["refund"]["terms"])
    assert topics["card"]["links"]["product"][0] == ["Debit card", 1.0]
    assert all(len(t["examples"]) == 3 for t in topics.values())


def test_trends_flag_the_new_topic_as_a_spike_and_emerging(imported: Journeys):
    report = imported.get("/analytics/trends", source="complaints", since="8w", current="7d")
    topics = topics_by_theme(imported)
    by_id = {t["topic_id"]: t for t in report["trends"]}
    app = by_id[topics["app"]["id"]]
    assert app["spike"] and app["emerging"] and app["q_value"] < 0.001
    assert app["current"] == 25 and app["baseline"] == 0
    assert not by_id[topics["card"]["id"]]["spike"] and not by_id[topics["refund"]["id"]]["spike"]
    assert [t["topic_id"] for t in report["emerging"]] == [topics["app"]["id"]]
    assert "Poisson" in report["method"] and len(app["series"]) == 8
    recurring = {r["topic_id"]: r for r in report["recurring"]}
    card = recurring[topics["card"]["id"]]
    assert card["customers"] == 4 and card["returning_customers"] == 4 and card["periods_present"] == 8


def test_a_root_cause_taxonomy_people_can_edit(imported: Journeys):
    lead: AgentSession = imported.supervisor
    topics = topics_by_theme(imported)
    courier = lead.post("/analytics/root-causes", {"name": "Courier", "description": "Parcels lost or late"})
    payments = lead.post("/analytics/root-causes", {"name": "Payments"})
    assert courier.status_code == 201 and payments.status_code == 201
    courier_id, payments_id = courier.json()["id"], payments.json()["id"]
    assert lead.post("/analytics/root-causes", {"name": "courier"}).status_code == 409

    def file(topic: str, cause: int) -> None:
        response = lead.client.put(
            f"/api/v1/analytics/topics/{topics[topic]['id']}/cause",
            json={"cause_id": cause},
            headers={"X-CSRF-Token": lead.csrf},
        )
        assert response.status_code == 200, response.text

    file("card", courier_id)
    file("refund", payments_id)
    assert imported.get(f"/analytics/topics/{topics['card']['id']}")["cause_id"] == courier_id
    renamed = lead.client.patch(
        f"/api/v1/analytics/root-causes/{courier_id}",
        json={"name": "Delivery partner"},
        headers={"X-CSRF-Token": lead.csrf},
    )
    assert renamed.json()["name"] == "Delivery partner"

    merged = lead.post(f"/analytics/root-causes/{payments_id}/merge", {"into_id": courier_id})
    assert merged.status_code == 200 and sorted(merged.json()["topic_ids"]) == sorted(
        [topics["card"]["id"], topics["refund"]["id"]]
    )
    causes = imported.get("/analytics/root-causes")
    assert [c["name"] for c in causes] == ["Delivery partner"]  # type: ignore[index]
    again = lead.client.patch(
        f"/api/v1/analytics/root-causes/{payments_id}", json={"name": "X"}, headers={"X-CSRF-Token": lead.csrf}
    )
    assert again.status_code == 409

    report = imported.get("/analytics/root-causes/report", since="12w")
    by_name = {c["name"]: c for c in report["causes"]}
    assert by_name["Delivery partner"]["complaints"] == 96
    assert by_name["(not yet filed under a cause)"]["complaints"] == 25
    assert by_name["Delivery partner"]["top_products"][0][1] == 48


def test_a_renamed_topic_keeps_its_name_and_cause_when_topics_are_rebuilt(imported: Journeys):
    lead = imported.supervisor
    app_topic = topics_by_theme(imported)["app"]
    cause = lead.post("/analytics/root-causes", {"name": "App release"}).json()
    response = lead.client.patch(
        f"/api/v1/analytics/topics/{app_topic['id']}", json={"name": "Login crash"}, headers={"X-CSRF-Token": lead.csrf}
    )
    assert response.status_code == 200 and response.json()["named_by"].startswith("user:")
    lead.client.put(
        f"/api/v1/analytics/topics/{app_topic['id']}/cause",
        json={"cause_id": cause["id"]},
        headers={"X-CSRF-Token": lead.csrf},
    )
    assert (
        lead.post("/analytics/topics/build", {"source": "complaints", "since": "12w", "topics": 3}).status_code == 200
    )
    rebuilt = topics_by_theme(imported)["app"]
    assert rebuilt["id"] == app_topic["id"] and rebuilt["name"] == "Login crash" and rebuilt["cause_id"] == cause["id"]


def test_complaint_history_summary(imported: Journeys):
    summary = imported.get("/analytics/complaints", since="12w")
    assert summary["complaints"] == 121
    assert dict(summary["by_product"])["Mobile app"] == 25
    assert len(summary["by_week"]) >= 8 and summary["satisfaction_avg"] is not None
