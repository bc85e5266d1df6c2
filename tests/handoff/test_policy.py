"""The hand-over policy against the shipped rules, from the table in policy_cases.yaml."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from tandem.handoff.decision import SKILL_ONLY_REASONS, Decision, Reason
from tandem.handoff.policy import DEFAULT_RULES_PATH, decide, load_rules
from tandem.handoff.rules import RuleSet
from tandem.handoff.state import ConversationState, CustomerProfile
from tandem.triage.signals import Signals

CASES_FILE = Path(__file__).with_name("policy_cases.yaml")


@dataclass(frozen=True)
class PolicyCase:
    name: str
    signals: Signals
    state: ConversationState
    profile: CustomerProfile
    failed_stage: str | None
    expect: dict[str, Any]


def load_cases() -> list[PolicyCase]:
    raw = yaml.safe_load(CASES_FILE.read_text(encoding="utf-8"))
    return [
        PolicyCase(
            name=case["name"],
            signals=Signals.model_validate(case.get("signals") or {}),
            state=ConversationState.model_validate(case.get("state") or {}),
            profile=CustomerProfile.model_validate(case.get("profile") or {}),
            failed_stage=case.get("failed_stage"),
            expect=case["expect"],
        )
        for case in raw
    ]


CASES = load_cases()


@pytest.fixture(scope="module")
def rules() -> RuleSet:
    return load_rules()


def decide_case(case: PolicyCase, rules: RuleSet) -> Decision:
    return decide(case.signals, case.state, case.profile, rules, failed_stage=case.failed_stage)


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_decide(case: PolicyCase, rules: RuleSet) -> None:
    decision = decide_case(case, rules)
    expect = case.expect
    assert decision.owner == expect["owner"]
    assert decision.reason_codes == expect["reasons"]
    for key in ("queue", "priority", "turn_misunderstood"):
        if key in expect:
            assert getattr(decision, key) == expect[key], key
    if "explanation" in expect:
        assert expect["explanation"] in decision.reasons[0].explanation
    for phrase in expect.get("evidence", []):
        assert phrase in decision.reasons[0].evidence


def test_the_table_covers_every_reason_code() -> None:
    covered = {code for case in CASES for code in case.expect["reasons"]}
    # Skill-only reasons come from the assistant, not the policy table (tests/assistant covers them).
    assert covered == {reason.value for reason in Reason if reason not in SKILL_ONLY_REASONS}


def test_the_table_has_near_misses_that_stay_with_the_ai() -> None:
    assert sum(1 for case in CASES if case.expect["owner"] == "ai") >= 10


class TestWhatADecisionRecords:
    def test_signal_values_and_named_thresholds_behind_a_reason(self, rules: RuleSet) -> None:
        signals = Signals.model_validate({"emotion": {"frustration": 0.82}})
        decision = decide(signals, ConversationState(), CustomerProfile(), rules)
        frustration = decision.reasons[0]
        assert frustration.rule == "high_frustration"
        assert frustration.signals == {"emotion.frustration": 0.82}
        assert frustration.thresholds == {"frustration_high": 0.7}

    def test_literal_values_are_recorded_by_field_and_op(self, rules: RuleSet) -> None:
        signals = Signals.model_validate({"emotion": {"frustration": 0.5, "trajectory": "rising"}})
        state = ConversationState(customer_turns=3)
        rising = decide(signals, state, CustomerProfile(), rules).reasons[0]
        assert rising.thresholds["state.customer_turns >="] == 2
        assert rising.thresholds["emotion.trajectory =="] == "rising"
        assert rising.signals["state.customer_turns"] == 3

    def test_each_reason_carries_its_own_queue_and_priority(self, rules: RuleSet) -> None:
        signals = Signals(human_requested=True, dispute=True)
        decision = decide(signals, ConversationState(), CustomerProfile(), rules)
        assert [(r.queue, r.priority) for r in decision.reasons] == [
            ("general", "normal"),
            ("billing", "high"),
        ]

    def test_a_decision_is_json_for_the_store(self, rules: RuleSet) -> None:
        profile = CustomerProfile(tier="gold", lifetime_value=7000)
        signals = Signals.model_validate({"intent": {"name": "cancel", "confidence": 0.9}})
        decision = decide(signals, ConversationState(), profile, rules)
        stored = json.loads(decision.model_dump_json())
        assert stored["reasons"][0]["signals"]["profile.lifetime_value"] == 7000.0
        assert Decision.model_validate(stored) == decision


class TestLoadRules:
    def test_the_default_rules_are_read_once(self) -> None:
        assert load_rules() is load_rules()
        assert load_rules(DEFAULT_RULES_PATH) is load_rules()

    def test_an_edited_file_is_read_again(self, tmp_path: Path) -> None:
        path = tmp_path / "rules.yaml"
        text = DEFAULT_RULES_PATH.read_text(encoding="utf-8")
        path.write_text(text, encoding="utf-8")
        first = load_rules(path)
        path.write_text(text.replace("frustration_high: 0.7", "frustration_high: 0.9"), encoding="utf-8")
        # Make sure the modification time moves even on coarse-grained file systems.
        stat = path.stat()
        os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
        assert load_rules(path).thresholds["frustration_high"] == 0.9
        assert first.thresholds["frustration_high"] == 0.7
