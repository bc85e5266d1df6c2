"""`tandem replay`: conversations through the full pipeline in a throwaway database, one JSON line each."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from handoff.scripted import scripted_pipeline
from tandem.conversations.pipeline import Pipeline
from tandem.handoff.cli import register
from tandem.kit.settings import Settings, get_settings

runner = CliRunner()
SCRIPT = {
    "talk to a real person": {"human_requested": True, "evidence": {"human_request": ["talk to a real person"]}},
    "where is my parcel": {
        "intent": {"name": "order_status", "confidence": 0.9, "skill": "order_status", "department": "orders"},
        "entities": [{"type": "order_id", "value": "A10234"}],
    },
    "late return": {"exception_requested": True, "entities": [{"type": "money", "value": "£30"}]},
}


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> typer.Typer:
    """The hand-over commands on a CLI of their own, with triage scripted (see handoff/scripted.py)."""

    def build_pipeline(settings: Settings) -> Pipeline:
        assert settings.database_url != configured_url, "replay must not use the configured database"
        return scripted_pipeline(SCRIPT)

    configured_url = f"sqlite:///{tmp_path / 'configured.db'}"
    monkeypatch.setenv("TANDEM_DATABASE_URL", configured_url)
    get_settings.cache_clear()
    monkeypatch.setattr("tandem.stages.build_pipeline", build_pipeline)
    app = typer.Typer()
    register(app)
    yield app
    get_settings.cache_clear()


def _replay(cli: typer.Typer, tmp_path: Path, lines: list[Any], *args: str) -> list[dict[str, Any]]:
    source = tmp_path / "conversations.jsonl"
    source.write_text("\n".join(line if isinstance(line, str) else json.dumps(line) for line in lines) + "\n")
    result = runner.invoke(cli, ["replay", str(source), "--json", *args])
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.stdout.splitlines()]


HUMAN_REQUEST = {
    "id": "asks-for-a-person",
    "customer": {"tier": "silver", "lifetime_value": 900, "lifetime_spend": 1200, "customer_since": "2020-01-05"},
    "turns": ["hi, where is my parcel? order A10234", "can I talk to a real person please", "hello? anyone there?"],
}


def test_after_the_hand_over_the_ai_falls_silent(cli: typer.Typer, tmp_path: Path) -> None:
    [result] = _replay(cli, tmp_path, [HUMAN_REQUEST])
    first, second, third = result["turns"]
    assert first["owner"] == "ai" and first["reply"] and first["reasons"] == []
    assert second["owner"] == "human" and second["reasons"] == ["human_requested"]
    assert second["reply"] is None and second["notice"]
    assert third["owner"] == "human" and third["reply"] is None and third["notice"] is None
    assert result["final"] == {
        "owner": "human",
        "desk_owner": "queued",
        "reasons": ["human_requested"],
        "queue": "general",
        "priority": "normal",
        "handover_turn": 2,
    }
    assert result["brief"]["why"][0]["evidence"] == ["talk to a real person"]
    assert result["brief"]["customer"]["tier"] == "silver"
    # The turn after the hand-over is still decided (what it reveals joins the hand-over), silently.
    assert len(result["timings"]["decide_ms"]) == 3


def test_a_conversation_the_ai_keeps_has_no_brief(cli: typer.Typer, tmp_path: Path) -> None:
    [result] = _replay(cli, tmp_path, [{"id": "routine", "turns": ["where is my parcel? A10234"]}])
    assert result["final"]["owner"] == "ai" and result["final"]["reasons"] == []
    assert result["brief"] is None
    assert result["turns"][0]["reply"]


def test_prior_exceptions_become_the_customers_history(cli: typer.Typer, tmp_path: Path) -> None:
    line = {
        "id": "late-return",
        "customer": {"tier": "standard", "lifetime_value": 200, "prior_exceptions": 2},
        "turns": ["can you accept a late return? it's £30"],
    }
    [result] = _replay(cli, tmp_path, [line])
    assert result["final"]["reasons"] == ["policy_exception"]
    assert len(result["brief"]["customer"]["exceptions"]) == 2
    factors = {f["name"]: f for f in result["brief"]["exception"]["recommendation"]["factors"]}
    assert factors["prior_exceptions"]["value"] == "2"


def test_bad_lines_get_an_error_and_the_rest_still_run(cli: typer.Typer, tmp_path: Path) -> None:
    results = _replay(
        cli,
        tmp_path,
        [
            "{not json",
            {"id": "no-turns", "turns": []},
            {"id": "bad-tier", "customer": {"tier": "diamond"}, "turns": ["hi"]},
            HUMAN_REQUEST,
            {"turns": ["no id"]},
        ],
    )
    assert [r.get("line") for r in results] == [1, 2, 3, None, 5]
    assert "not valid JSON" in results[0]["error"]
    assert results[1]["id"] == "no-turns" and "turns" in results[1]["error"]
    assert "customer.tier" in results[2]["error"]
    assert results[3]["final"]["owner"] == "human"
    assert "id" in results[4]["error"]


def test_the_configured_database_is_never_touched(cli: typer.Typer, tmp_path: Path) -> None:
    _replay(cli, tmp_path, [HUMAN_REQUEST])
    assert not (tmp_path / "configured.db").exists()


def test_an_unmigrated_database_is_refused(cli: typer.Typer, tmp_path: Path) -> None:
    source = tmp_path / "one.jsonl"
    source.write_text(json.dumps(HUMAN_REQUEST) + "\n")
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    result = runner.invoke(cli, ["replay", str(source), "--json", "--database", url])
    assert result.exit_code == 2
    assert "tandem db upgrade" in result.output


def test_without_json_it_prints_a_line_a_person_can_read(cli: typer.Typer, tmp_path: Path) -> None:
    source = tmp_path / "one.jsonl"
    source.write_text(json.dumps(HUMAN_REQUEST) + "\n")
    result = runner.invoke(cli, ["replay", str(source)])
    assert result.exit_code == 0
    assert "asks-for-a-person: handed over at turn 2 to general (human_requested)" in result.stdout
