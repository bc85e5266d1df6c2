"""`tandem care` as an operator uses it: the same campaigns, from the command line."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta

import pytest
from typer.testing import CliRunner

from care.conftest import SUPERVISOR, Shop
from tandem.cli import app
from tandem.conversations.pipeline import basic_pipeline
from tandem.kit import clock
from tandem.kit.settings import get_settings

from foundation.desk_client import DeskClient

runner = CliRunner()
EXPLANATION = "A fire closed DPD's Midlands hub for two days, so parcels are running late"


@pytest.fixture
def cli_shop(sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Shop]:
    monkeypatch.setenv("TANDEM_DATABASE_URL", sqlite_url)
    get_settings.cache_clear()
    desk = DeskClient(sqlite_url, pipeline=basic_pipeline())
    desk.make_user(SUPERVISOR, role="supervisor")
    shop = Shop(desk)
    shop.customer("Amira Khan")
    shop.customer("Cleo Hart")
    today = clock.now().date()
    shop.order("Amira Khan", "A1001", "delayed", "DPD", today)
    shop.order("Cleo Hart", "A1004", "delivered", "DPD", today)
    yield shop
    desk.close()
    get_settings.cache_clear()


def _campaign(*extra: str) -> list[str]:
    expected = (clock.now().date() + timedelta(days=7)).isoformat()
    return [
        "--kind",
        "known-issue",
        "--order-status",
        "delayed",
        "--carrier",
        "DPD",
        "--explanation",
        EXPLANATION,
        "--expected",
        expected,
        *extra,
    ]


def test_preview_then_send_then_send_again(cli_shop: Shop):
    preview = runner.invoke(app, ["care", "preview", *_campaign(), "--json"])
    assert preview.exit_code == 0, preview.output
    assert json.loads(preview.stdout)["to_contact"] == 1

    table = runner.invoke(app, ["care", "preview", *_campaign()])
    assert table.exit_code == 0, table.output
    assert "1 would be contacted" in table.stdout and "Amira Khan" in table.stdout and "A1001" in table.stdout

    sent = runner.invoke(app, ["care", "send", *_campaign("--key", "dpd-delay-nov"), "--json"])
    assert sent.exit_code == 0, sent.output
    result = json.loads(sent.stdout)
    assert (result["replayed"], result["campaign"]["sent"], result["campaign"]["created_by"]) == (False, 1, "cli")

    again = runner.invoke(app, ["care", "send", *_campaign("--key", "dpd-delay-nov")])
    assert again.exit_code == 0, again.output
    assert "nobody contacted again" in again.stdout

    lead = cli_shop.desk.login(SUPERVISOR)
    [conversation] = lead.get("/conversations", customer_id=cli_shop.customers["Amira Khan"]).json()["items"]
    [message] = lead.get(f"/conversations/{conversation['id']}").json()["messages"]
    assert "A1001" in message["body"] and EXPLANATION in message["body"]

    listed = runner.invoke(app, ["care", "list"])
    assert listed.exit_code == 0 and "dpd-delay-nov" in listed.stdout and "1 sent of 1 matched" in listed.stdout


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (["--order-status", "lost"], "--order-status"),
        (["--placed-from", "2026-13-01"], "--placed-from"),
        (["--expected", "next week"], "--expected"),
        (["--kind", "newsletter"], "--kind"),
    ],
    ids=["unknown status", "bad date", "bad expected date", "unknown kind"],
)
def test_bad_input_is_refused_naming_the_option(cli_shop: Shop, args: list[str], named: str):
    result = runner.invoke(app, ["care", "send", *_campaign("--key", "k-bad"), *args])
    assert result.exit_code == 2
    assert named in result.stderr
    lead = cli_shop.desk.login(SUPERVISOR)
    assert lead.get("/care/campaigns").json()["items"] == []


def test_a_campaign_for_everyone_is_refused(cli_shop: Shop):
    result = runner.invoke(app, ["care", "preview", "--kind", "onboarding"])
    assert result.exit_code == 2
    assert "segment" in result.stderr


def test_a_segment_over_the_limit_is_refused_with_exit_1(cli_shop: Shop):
    result = runner.invoke(
        app, ["care", "send", "--kind", "onboarding", "--tier", "standard", "--key", "welcome", "--max-recipients", "1"]
    )
    assert result.exit_code == 1
    assert "more than max_recipients" in result.stderr
