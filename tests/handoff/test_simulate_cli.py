"""`tandem policy simulate` (what a rules change would do, writing nothing) and `tandem policy check`."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
import typer
from typer.testing import CliRunner

from handoff.scripted import make_customer, scripted_pipeline, start_for_customer
from tandem.handoff.cli import register
from tandem.handoff.policy import DEFAULT_RULES_PATH, load_rules
from tandem.handoff.simulate import Outcome, replay_policy
from tandem.handoff.state import CustomerProfile
from tandem.kit.settings import get_settings
from tandem.triage.signals import Signals

from foundation.desk_client import DeskClient

runner = CliRunner()
SCRIPT = {
    "a person please": {"human_requested": True},
    "fed up": {"emotion": {"frustration": 0.75, "frustrated": True}},
    "refund my order": {"intent": {"name": "refund", "confidence": 0.65, "department": "orders"}},
    "the thing from before": {"out_of_scope": True},
}
DEFAULT_RULES = DEFAULT_RULES_PATH.read_text(encoding="utf-8")


# ---- the pure replay, from a table ------------------------------------------------------------------


def _signals(**fields: Any) -> Signals:
    return Signals.model_validate(fields)


CALM = _signals()
ANGRY = _signals(emotion={"frustration": 0.9, "frustrated": True})
ASKS = _signals(human_requested=True)
RISING = _signals(emotion={"frustration": 0.55, "trajectory": "rising"})


@pytest.mark.parametrize(
    ("name", "turns", "outcome"),
    [
        ("calm all along", [CALM, CALM], Outcome("ai")),
        ("asks on the second turn", [CALM, ASKS, CALM], Outcome("human", ("human_requested",), 2)),
        (
            "the first hand-over counts; later turns are the person's",
            [ANGRY, ASKS],
            Outcome("human", ("frustration",), 1),
        ),
        (
            "rising frustration counts from the third turn",
            [RISING, RISING, RISING],
            Outcome("human", ("frustration",), 3),
        ),
        (
            "a second unclear message in a row hands over (low confidence)",
            [_signals(out_of_scope=True), _signals(out_of_scope=True)],
            Outcome("human", ("low_confidence",), 2),
        ),
    ],
)
def test_replaying_the_policy_turn_by_turn(name: str, turns: list[Signals], outcome: Outcome) -> None:
    assert replay_policy(turns, CustomerProfile(), load_rules()) == outcome


# ---- the commands -----------------------------------------------------------------------------------


@pytest.fixture
def cli() -> Iterator[typer.Typer]:
    get_settings.cache_clear()
    app = typer.Typer()
    register(app)
    yield app
    get_settings.cache_clear()


@pytest.fixture
def history(sqlite_url: str) -> dict[str, int]:
    """Three past conversations: one asked for a person, one fed up (0.75), and one a refund the AI
    half-understood after an unclear opening message."""
    desk = DeskClient(sqlite_url, pipeline=scripted_pipeline(SCRIPT))
    ids = {}
    conversations = (
        ("asked", "hello", "a person please"),
        ("fed_up", "hello", "I'm fed up"),
        ("refund", "the thing from before", "refund my order"),
    )
    for name, opening, text in conversations:
        conversation, token = start_for_customer(desk, make_customer(desk, tier="standard", lifetime_value="100"))
        desk.say(conversation, token, opening)
        desk.say(conversation, token, text)
        ids[name] = conversation
    desk.close()
    return ids


def _row_counts(url: str) -> dict[str, int]:
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        tables = sa.inspect(conn).get_table_names()
        counts = {t: conn.execute(sa.text(f'SELECT COUNT(*) FROM "{t}"')).scalar_one() for t in tables}
    engine.dispose()
    return counts


def _line_of(text: str) -> int:
    return DEFAULT_RULES[: DEFAULT_RULES.index(text)].count("\n") + 1


def _rules(tmp_path: Path, *changes: tuple[str, str]) -> Path:
    text = DEFAULT_RULES
    for old, new in changes:
        assert old in text
        text = text.replace(old, new)
    path = tmp_path / "candidate.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_simulate_reports_flips_and_reason_counts_and_writes_nothing(
    cli: typer.Typer, sqlite_url: str, history: dict[str, int], tmp_path: Path
) -> None:
    # Raise the frustration bar (the fed-up customer would stay with the AI) and
    # demand more confidence (the half-understood refund would go to a person).
    candidate = _rules(
        tmp_path, ("frustration_high: 0.7", "frustration_high: 0.8"), ("low_confidence: 0.6", "low_confidence: 0.7")
    )
    before = _row_counts(sqlite_url)
    result = runner.invoke(
        cli, ["policy", "simulate", "--rules", str(candidate), "--since", "1d", "--database", sqlite_url, "--json"]
    )
    assert result.exit_code == 0, result.output
    assert _row_counts(sqlite_url) == before
    report = json.loads(result.stdout)
    assert report["conversations"] == 3 and report["turns"] == 6
    assert report["handed_over"] == {"before": 2, "after": 2}
    assert report["reasons"]["frustration"] == {"before": 1, "after": 0, "change": -1}
    assert report["reasons"]["low_confidence"] == {"before": 0, "after": 1, "change": 1}
    assert report["reasons"]["human_requested"] == {"before": 1, "after": 1, "change": 0}
    flips = {f["conversation_id"]: (f["before"]["owner"], f["after"]["owner"]) for f in report["flips"]}
    assert flips == {history["fed_up"]: ("human", "ai"), history["refund"]: ("ai", "human")}
    assert report["owner_flips"] == {"to_human": 1, "to_ai": 1}


def test_the_same_rules_change_nothing(cli: typer.Typer, sqlite_url: str, history: dict[str, int]) -> None:
    args = ["policy", "simulate", "--rules", str(DEFAULT_RULES_PATH), "--database", sqlite_url, "--json"]
    report = json.loads(runner.invoke(cli, args).stdout)
    assert report["flips"] == [] and report["other_changes"] == []
    assert report["handed_over"] == {"before": 2, "after": 2}


def test_the_text_report_names_the_flipped_conversations(
    cli: typer.Typer, sqlite_url: str, history: dict[str, int], tmp_path: Path
) -> None:
    candidate = _rules(tmp_path, ("frustration_high: 0.7", "frustration_high: 0.8"))
    result = runner.invoke(cli, ["policy", "simulate", "--rules", str(candidate), "--database", sqlite_url])
    assert result.exit_code == 0, result.output
    assert f"conversation {history['fed_up']}: human ['frustration'] → ai []" in result.stdout
    assert "handed over: 2 → 1" in result.stdout


@pytest.mark.parametrize("since", ["thirty days", "30", "-3d", "2y"])
def test_a_window_that_makes_no_sense_is_refused(cli: typer.Typer, sqlite_url: str, since: str) -> None:
    args = ["policy", "simulate", "--rules", str(DEFAULT_RULES_PATH), "--since", since, "--database", sqlite_url]
    result = runner.invoke(cli, args)
    assert result.exit_code == 2 and "--since" in result.output


def test_check_accepts_the_shipped_rules(cli: typer.Typer) -> None:
    result = runner.invoke(cli, ["policy", "check", str(DEFAULT_RULES_PATH)])
    assert result.exit_code == 0
    assert result.stdout.startswith("ok: default_rules.yaml:")


@pytest.mark.parametrize(
    ("change", "line", "words"),
    [
        (
            ("when: {flag: human_requested}", "when: {flag: human_requestd}"),
            f"line {_line_of('when: {flag: human_requested}')}:",
            "unknown flag 'human_requestd'",
        ),
        (("priority: urgent", "priority: asap"), f"line {_line_of('priority: urgent')}:", "priority must be one of"),
        (("frustration_high: 0.7 ", "frustration_high: [0.7 "), "line", "not valid YAML"),
    ],
)
def test_check_names_the_line_of_each_mistake(
    cli: typer.Typer, tmp_path: Path, change: tuple[str, str], line: str, words: str
) -> None:
    result = runner.invoke(cli, ["policy", "check", str(_rules(tmp_path, change))])
    assert result.exit_code == 2
    assert line in result.output and words in result.output


def test_check_refuses_a_missing_file(cli: typer.Typer, tmp_path: Path) -> None:
    result = runner.invoke(cli, ["policy", "check", str(tmp_path / "nope.yaml")])
    assert result.exit_code == 2 and "cannot read" in result.output
