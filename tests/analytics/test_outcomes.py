"""Outcome metrics from a crafted event trail: customers and agents play journeys through the API, then
the analytics endpoints must count them honestly."""

from __future__ import annotations

from tandem.customers import service as customer_service
from tandem.kit.db import unit_of_work

from .conftest import Journeys


def _ai_resolutions(report: dict) -> dict:
    return report["overall"]["ai_resolutions"]


def play_week(j: Journeys) -> dict[str, int]:
    """Seven conversations whose outcomes we know by construction (see each comment)."""
    ids: dict[str, int] = {}
    for name in ("alice", "bob", "carol", "dave", "erin"):
        j.customer(name)
    # A: the AI answers and the customer says it worked: a confirmed AI resolution.
    ids["a"], token = j.start("alice")
    j.say(ids["a"], token, "where is my order?")
    j.say(ids["a"], token, "That worked, thanks!")
    # B: the AI answers and the customer goes quiet: unconfirmed, never counted as success.
    ids["b"], token = j.start("bob")
    j.say(ids["b"], token, "where is my parcel?")
    # C: answered by the AI; Carol comes back three days later about the same order (see D).
    ids["c"], token = j.start("carol")
    j.say(ids["c"], token, "where is my order?")
    # E: angry from the first message: a person takes over before the AI says anything, and Dave has to
    # give his order number again.
    ids["e"], token = j.start("dave")
    j.say(ids["e"], token, "My order ORD-12345 arrived broken, this is ridiculous")
    j.clock.travel(minutes=5)
    j.take_and_reply(ids["e"])
    j.say(ids["e"], token, "As I said, the order is ORD-12345.")
    # F: the AI answers, Erin asks for a person anyway (came back), the person is slow, she rates 2.
    ids["f"], token = j.start("erin")
    j.say(ids["f"], token, "where is my order?")
    j.say(ids["f"], token, "I want to talk to a human")
    j.clock.travel(minutes=20)
    j.take_and_reply(ids["f"])
    j.resolve(ids["f"])
    j.rate(ids["f"], token, 2, "slow and the first answer was wrong")
    # G: anonymous; the AI only acknowledges, the customer closes it and rates 5: confirmed by rating.
    ids["g"], token = j.start()
    j.say(ids["g"], token, "I forgot my password")
    j.resolve(ids["g"], token)
    j.rate(ids["g"], token, 5, "quick and easy")
    return ids


def test_outcomes_from_a_crafted_week_are_counted_honestly(journeys: Journeys):
    play_week(journeys)
    before = journeys.get("/analytics/outcomes")
    assert before["overall"]["conversations"] == 6
    assert _ai_resolutions(before)["false_containment"] == 1  # only Erin so far

    # Three days on, Carol is back about the same order: her first "resolution" did not hold.
    journeys.clock.travel(days=3)
    cid, token = journeys.start("carol")
    journeys.say(cid, token, "my order still has not come")
    report = journeys.get("/analytics/outcomes", group_by="path")
    overall = report["overall"]

    assert overall["conversations"] == 7
    resolutions = _ai_resolutions(report)
    assert resolutions["total"] == 6  # A, B, C, the new D, F and G
    assert resolutions["confirmed"] == 2  # A said so, G rated 5
    assert resolutions["unconfirmed"] == 4
    assert resolutions["false_containment"] == 2  # C (came back in 3 days) and F (asked for a person)
    assert resolutions["confirmed_and_stayed"] == 2
    assert overall["claimed_containment_rate"] == round(6 / 7, 4)
    assert overall["honest_containment_rate"] == round(2 / 7, 4)
    assert overall["repeat_contact_rate"] == round(1 / 7, 4)
    assert overall["handed_over"] == 2
    assert overall["repeated_fact"] == 1 and overall["repeated_fact_rate"] == 0.5
    assert overall["satisfaction_avg"] == 3.5
    assert overall["time_to_human"]["measured"] == 2
    assert overall["time_to_human"]["within_target"] == 1  # 5 minutes in target, 20 minutes not
    assert overall["emotion"]["frustration_start_avg"] is not None
    paths = {g["key"]: g["conversations"] for g in report["groups"]}
    assert paths == {"ai_only": 5, "handed_over": 1, "human_only": 1}
    assert "never as success" in report["definitions"]["confirmed"]


def test_hand_overs_by_reason_and_what_was_repeated(journeys: Journeys):
    play_week(journeys)
    report = journeys.get("/analytics/handovers")
    reasons = {r["reason"]: r["count"] for r in report["by_reason"]}
    assert reasons == {"frustration": 1, "human_requested": 1}
    assert report["handover_rate"] == round(2 / 6, 4)
    assert report["repeated_fact_kinds"] == {"order_number": 1}


def test_breakdowns_by_day_channel_and_intent(journeys: Journeys):
    play_week(journeys)
    by_intent = {g["key"]: g["conversations"] for g in journeys.get("/analytics/outcomes", group_by="intent")["groups"]}
    assert by_intent == {"order_status": 5, "account_access": 1}
    by_day = journeys.get("/analytics/outcomes", group_by="day")["groups"]
    assert [g["key"] for g in by_day] == ["2026-03-02"]
    assert journeys.get("/analytics/outcomes", group_by="channel")["groups"][0]["key"] == "web"


def test_satisfaction_by_path_with_comment_themes(journeys: Journeys):
    play_week(journeys)
    report = journeys.get("/analytics/satisfaction")
    by_path = {p["path"]: p["average"] for p in report["by_path"]}
    assert by_path["handed_over"] == 2.0 and by_path["ai_only"] == 5.0
    assert report["comments"] == 2
    sentiments = [t["sentiment"] for t in report["themes"]]
    assert sentiments == sorted(sentiments)  # the most negative theme first


def test_vulnerable_outcomes_are_aggregate_and_small_groups_suppressed(journeys: Journeys):
    play_week(journeys)
    dave = journeys.customer("dave")
    with unit_of_work(journeys.desk.desk.factory) as session:
        customer_service.record_vulnerability(session, dave, ["bereavement"], "", "test")
    response = journeys.supervisor.get("/analytics/vulnerable")
    assert response.status_code == 200, response.text
    report = response.json()
    groups = {g["vulnerable"]: g for g in report["groups"]}
    assert groups[True]["suppressed"] is True and groups[True]["summary"] is None
    assert groups[False]["summary"]["conversations"] == 5
    assert "bereavement" not in str(report)
