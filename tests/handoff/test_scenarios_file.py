"""The hand-over scenario suite (tests/scenarios/*.yaml) keeps the format its README describes."""

from __future__ import annotations

from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

from tandem.handoff.decision import SKILL_ONLY_REASONS, Reason

SCENARIOS = Path(__file__).parents[1] / "scenarios"
# The README's priority order, highest first: `reasons` lists them in this order.
PRIORITY = [
    "vulnerability",
    "human_requested",
    "legal_or_billing_dispute",
    "public_escalation_risk",
    "churn_risk_high_value",
    "frustration",
    "policy_exception",
    "repeated_misunderstanding",
    "multi_department",
    "low_confidence",
    "sales_opportunity",
]
STAY_WITH_AI_FILES = {"routine.yaml", "near_misses.yaml"}
CUSTOMER_FIELDS = {"tier", "lifetime_value", "lifetime_spend", "prior_exceptions", "customer_since"}
TIERS = {"standard", "silver", "gold", "platinum"}
MIN_CONVERSATIONS = 150
MIN_PER_REASON = 10
MAX_TURNS = 6


def _load() -> list[tuple[str, dict[str, Any]]]:
    found = []
    for path in sorted(SCENARIOS.glob("*.yaml")):
        content = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert isinstance(content, list), f"{path.name} must hold a list of conversations"
        found += [(path.name, scenario) for scenario in content]
    return found


ALL = _load()


def scenario_problems(scenario: Any, file: str) -> list[str]:
    """Everything wrong with one scenario, in words; empty when it is well formed."""
    if not isinstance(scenario, dict):
        return ["a scenario must be a mapping"]
    problems = []
    unknown = set(scenario) - {"id", "description", "customer", "turns", "expected"}
    if unknown:
        problems.append(f"unknown keys {sorted(unknown)}")
    if not isinstance(scenario.get("id"), str) or not scenario["id"]:
        problems.append("id must be a non-empty text")
    if not isinstance(scenario.get("description"), str) or not scenario["description"].strip():
        problems.append("description must be a non-empty text")
    problems += _customer_problems(scenario.get("customer"))
    turns = scenario.get("turns")
    if not isinstance(turns, list) or not 1 <= len(turns) <= MAX_TURNS:
        problems.append(f"turns must list 1 to {MAX_TURNS} customer messages")
        turns = []
    if any(not isinstance(t, str) or not t.strip() for t in turns):
        problems.append("every turn must be a non-empty text")
    problems += _expected_problems(scenario.get("expected"), len(turns), file)
    return problems


def _customer_problems(customer: Any) -> list[str]:
    if customer is None:
        return []
    if not isinstance(customer, dict):
        return ["customer must be a mapping"]
    problems = []
    if set(customer) - CUSTOMER_FIELDS:
        problems.append(f"unknown customer fields {sorted(set(customer) - CUSTOMER_FIELDS)}")
    if "tier" in customer and customer["tier"] not in TIERS:
        problems.append(f"tier {customer['tier']!r} is not one of {sorted(TIERS)}")
    for money in ("lifetime_value", "lifetime_spend"):
        value = customer.get(money, 0)
        if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            problems.append(f"{money} must be a number of 0 or more")
    prior = customer.get("prior_exceptions", 0)
    if isinstance(prior, bool) or not isinstance(prior, int) or prior < 0:
        problems.append("prior_exceptions must be a whole number of 0 or more")
    since = customer.get("customer_since")
    if since is not None:
        try:
            date.fromisoformat(str(since))
        except ValueError:
            problems.append(f"customer_since {since!r} is not a date (YYYY-MM-DD)")
    return problems


def _expected_problems(expected: Any, turns: int, file: str) -> list[str]:
    if not isinstance(expected, dict):
        return ["expected must be a mapping"]
    owner, reasons = expected.get("owner"), expected.get("reasons")
    if owner not in ("ai", "human"):
        return [f"expected.owner must be ai or human, not {owner!r}"]
    if not isinstance(reasons, list):
        return ["expected.reasons must be a list"]
    problems = []
    if set(expected) - {"owner", "reasons", "handover_turn"}:
        problems.append(f"unknown expected keys {sorted(set(expected) - {'owner', 'reasons', 'handover_turn'})}")
    if (owner == "ai") != (file in STAY_WITH_AI_FILES):
        problems.append(f"{file} holds conversations whose owner is {'ai' if file in STAY_WITH_AI_FILES else 'human'}")
    if owner == "ai":
        if reasons or "handover_turn" in expected:
            problems.append("a conversation the AI keeps has no reasons and no handover_turn")
        return problems
    unknown = [r for r in reasons if r not in PRIORITY]
    if not reasons or unknown:
        problems.append(f"a hand-over needs reasons from the README's list (unknown: {unknown})")
    elif [PRIORITY.index(r) for r in reasons] != sorted(PRIORITY.index(r) for r in reasons):
        problems.append(f"reasons must be in priority order: {reasons}")
    if len(set(reasons)) != len(reasons):
        problems.append("a reason is listed twice")
    turn = expected.get("handover_turn")
    if isinstance(turn, bool) or not isinstance(turn, int) or not 1 <= turn <= turns:
        problems.append(f"handover_turn must be a turn between 1 and {turns}, not {turn!r}")
    return problems


@pytest.mark.parametrize(("file", "scenario"), ALL, ids=[s.get("id", f"#{i}") for i, (_, s) in enumerate(ALL)])
def test_each_scenario_is_well_formed(file: str, scenario: dict[str, Any]) -> None:
    assert scenario_problems(scenario, file) == []


def test_ids_are_unique_across_files() -> None:
    counts = Counter(scenario["id"] for _, scenario in ALL)
    assert [name for name, count in counts.items() if count > 1] == []


def test_the_suite_is_large_enough_and_covers_every_reason() -> None:
    assert len(ALL) >= MIN_CONVERSATIONS
    per_reason = Counter(reason for _, s in ALL for reason in s["expected"]["reasons"])
    assert {reason: per_reason[reason] for reason in PRIORITY if per_reason[reason] < MIN_PER_REASON} == {}
    assert sum(1 for _, s in ALL if s["expected"]["owner"] == "ai") > 0


def test_the_readme_order_names_every_reason_the_code_knows_but_the_runtime_one() -> None:
    runtime = {Reason.AI_UNAVAILABLE, *SKILL_ONLY_REASONS}
    assert sorted(PRIORITY) == sorted(r.value for r in Reason if r not in runtime)


@pytest.mark.parametrize(
    ("scenario", "problem"),
    [
        ({"id": "x", "description": "d", "turns": ["hi"], "expected": {"owner": "bot", "reasons": []}}, "owner"),
        (
            {
                "id": "x",
                "description": "d",
                "turns": ["hi"],
                "expected": {"owner": "human", "reasons": ["frustration"]},
            },
            "handover_turn",
        ),
        (
            {
                "id": "x",
                "description": "d",
                "turns": ["hi", "there"],
                "expected": {"owner": "human", "reasons": ["frustration", "vulnerability"], "handover_turn": 2},
            },
            "priority order",
        ),
        (
            {
                "id": "x",
                "description": "d",
                "turns": ["hi"],
                "expected": {"owner": "human", "reasons": ["frustration"], "handover_turn": 3},
            },
            "handover_turn",
        ),
        (
            {
                "id": "x",
                "description": "d",
                "customer": {"tier": "diamond"},
                "turns": ["hi"],
                "expected": {"owner": "human", "reasons": ["frustration"], "handover_turn": 1},
            },
            "tier",
        ),
        ({"id": "x", "description": "d", "turns": [], "expected": {"owner": "human", "reasons": []}}, "turns"),
    ],
)
def test_the_checker_catches_malformed_scenarios(scenario: dict[str, Any], problem: str) -> None:
    assert any(problem in p for p in scenario_problems(scenario, "frustration.yaml"))
