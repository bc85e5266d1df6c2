"""Rules files: the condition language, validation that names the line, and rules a supervisor edits."""

from __future__ import annotations

import textwrap
from typing import Any

import pytest

from tandem.handoff.conditions import Facts, holds
from tandem.handoff.decision import SKILL_ONLY_REASONS, Reason
from tandem.handoff.policy import DEFAULT_RULES_PATH, decide, load_rules
from tandem.handoff.rules import RulesError, RuleSet, parse_rules
from tandem.handoff.state import ConversationState, CustomerProfile
from tandem.triage.signals import Signals

ONE_RULE = """\
thresholds:
  frustration_high: 0.7
rules:
  - name: high_frustration
    reason: frustration
    description: Frustration at or above the threshold.
    when: {signal: emotion.frustration, op: ">=", threshold: frustration_high}
    queue: general
    priority: high
    rank: 1
"""


def rules_from(text: str) -> RuleSet:
    return parse_rules(textwrap.dedent(text), source="test.yaml")


def with_condition(condition: str) -> RuleSet:
    return rules_from(
        ONE_RULE.replace('{signal: emotion.frustration, op: ">=", threshold: frustration_high}', condition)
    )


def facts(
    signals: dict[str, Any] | None = None,
    state: dict[str, Any] | None = None,
    profile: dict[str, Any] | None = None,
) -> Facts:
    return Facts(
        Signals.model_validate(signals or {}),
        ConversationState.model_validate(state or {}),
        CustomerProfile.model_validate(profile or {}),
    )


# ---- the condition language ---------------------------------------------------------------------

CONDITIONS: list[tuple[str, str, Facts, bool]] = [
    ("flag true", "{flag: human_requested}", facts({"human_requested": True}), True),
    ("flag false", "{flag: human_requested}", facts(), False),
    ("nested flag", "{flag: vulnerability.flagged}", facts({"vulnerability": {"flagged": True}}), True),
    ("profile flag", "{flag: profile.vulnerable}", facts(profile={"vulnerable": True}), True),
    (
        "number >=",
        '{signal: emotion.frustration, op: ">=", value: 0.5}',
        facts({"emotion": {"frustration": 0.5}}),
        True,
    ),
    (
        "number <",
        '{signal: intent.confidence, op: "<", value: 0.5}',
        facts({"intent": {"confidence": 0.5}}),
        False,
    ),
    (
        "text ==",
        '{signal: emotion.trajectory, op: "==", value: rising}',
        facts({"emotion": {"trajectory": "rising"}}),
        True,
    ),
    (
        "text in",
        "{signal: intent.name, op: in, value: [refund, cancel]}",
        facts({"intent": {"name": "cancel"}}),
        True,
    ),
    (
        "text not_in",
        "{signal: intent.name, op: not_in, value: [refund]}",
        facts({"intent": {"name": "faq"}}),
        True,
    ),
    ("missing never matches", "{signal: intent.name, op: not_in, value: [refund]}", facts(), False),
    (
        "list contains",
        "{signal: departments, op: contains, value: legal}",
        facts({"departments": ["legal"]}),
        True,
    ),
    (
        "list not_contains",
        "{signal: departments, op: not_contains, value: legal}",
        facts({"departments": []}),
        True,
    ),
    (
        "list contains_any",
        "{signal: departments, op: contains_any, value: [a, b]}",
        facts({"departments": ["b"]}),
        True,
    ),
    (
        "list count",
        '{signal: departments.count, op: ">=", value: 2}',
        facts({"departments": ["a", "b"]}),
        True,
    ),
    (
        "state number",
        '{state: consecutive_misunderstandings, op: ">=", value: 2}',
        facts(state={"consecutive_misunderstandings": 2}),
        True,
    ),
    (
        "state history max",
        '{state: frustration_history.max, op: ">", value: 0.8}',
        facts(state={"frustration_history": [0.9, 0.1]}),
        True,
    ),
    (
        "state history last",
        '{state: frustration_history.last, op: ">", value: 0.8}',
        facts(state={"frustration_history": [0.9, 0.1]}),
        False,
    ),
    ("empty history", '{state: frustration_history.max, op: ">", value: 0}', facts(), False),
    (
        "profile tier in",
        "{profile: tier, op: in, value: [gold, platinum]}",
        facts(profile={"tier": "gold"}),
        True,
    ),
    (
        "profile money",
        '{profile: lifetime_value, op: ">=", value: 5000}',
        facts(profile={"lifetime_value": "5000.00"}),
        True,
    ),
    ("evidence present", "{evidence: legal}", facts({"evidence": {"legal": ["my lawyer"]}}), True),
    ("evidence absent", "{evidence: legal}", facts({"evidence": {"legal": []}}), False),
    ("all", "{all: [{flag: dispute}, {flag: complaint}]}", facts({"dispute": True}), False),
    ("any", "{any: [{flag: dispute}, {flag: complaint}]}", facts({"dispute": True}), True),
    ("not", "{not: {flag: dispute}}", facts(), True),
    ("pipeline", "{flag: pipeline.stage_failed}", facts(), False),
]


@pytest.mark.parametrize(("name", "condition", "given", "expected"), CONDITIONS, ids=[c[0] for c in CONDITIONS])
def test_condition(name: str, condition: str, given: Facts, expected: bool) -> None:
    rule = with_condition(condition).rules[0]
    assert holds(rule.when, given) is expected


def test_named_conditions_are_reused() -> None:
    rules = rules_from(
        ONE_RULE.replace("rules:\n", "conditions:\n  upset: {flag: emotion.frustrated}\nrules:\n").replace(
            '{signal: emotion.frustration, op: ">=", threshold: frustration_high}', "{condition: upset}"
        )
    )
    assert holds(rules.rules[0].when, facts({"emotion": {"frustrated": True}}))


# ---- validation names the line --------------------------------------------------------------------

ERRORS: list[tuple[str, str, str, int, str]] = [
    (
        "unknown signal",
        "{signal: emotion.frustation, op: '>=', value: 0.7}",
        "",
        7,
        "did you mean 'emotion.frustration'",
    ),
    ("unknown op", "{signal: emotion.frustration, op: '=>', value: 0.7}", "", 7, "unknown op '=>'"),
    ("op for another kind", "{signal: emotion.frustration, op: in, value: [1]}", "", 7, "does not apply"),
    ("wrong value type", "{signal: emotion.frustration, op: '>=', value: high}", "", 7, "needs a number"),
    ("value out of choices", "{profile: tier, op: in, value: [gold, diamond]}", "", 7, "'diamond'"),
    (
        "unknown threshold",
        "{signal: emotion.frustration, op: '>=', threshold: frustration_hi}",
        "",
        7,
        "did you mean 'frustration_high'",
    ),
    (
        "value and threshold",
        "{signal: emotion.frustration, op: '>=', value: 1, threshold: frustration_high}",
        "",
        7,
        "either a value or a threshold",
    ),
    ("no op", "{signal: emotion.frustration, value: 1}", "", 7, "missing op"),
    ("not a flag", "{flag: emotion.frustration}", "", 7, "not a yes/no flag"),
    ("unknown flag", "{flag: human_request}", "", 7, "did you mean 'human_requested'"),
    ("two heads", "{flag: dispute, any: [{flag: complaint}]}", "", 7, "exactly one of"),
    ("empty all", "{all: []}", "", 7, "non-empty list"),
    ("unknown named condition", "{condition: upset}", "", 7, "unknown condition 'upset'"),
    (
        "unknown state field",
        "{state: misunderstandings, op: '>=', value: 2}",
        "",
        7,
        "unknown state 'misunderstandings'",
    ),
    ("unknown reason", "", "reason: frustrated", 5, "did you mean 'frustration'"),
    ("unknown queue", "", "queue: biling", 8, "unknown queue 'biling'"),
    ("unknown priority", "", "priority: critical", 9, "priority must be one of"),
    ("negative rank", "", "rank: -1", 10, "rank must be 0 or more"),
    ("unknown key", "", "rank: 1\n    colour: red", 11, "unknown key 'colour'"),
    (
        "bad placeholder",
        "",
        "rank: 1\n    explain: 'at {emotion.frustation}'",
        11,
        "unknown '{emotion.frustation}'",
    ),
]


@pytest.mark.parametrize(("name", "condition", "rule_line", "line", "message"), ERRORS, ids=[e[0] for e in ERRORS])
def test_a_mistake_is_reported_with_its_line(
    name: str, condition: str, rule_line: str, line: int, message: str
) -> None:
    text = ONE_RULE
    if condition:
        text = text.replace('{signal: emotion.frustration, op: ">=", threshold: frustration_high}', condition)
    if rule_line:
        key = rule_line.split(":")[0]
        original = next(row for row in text.splitlines() if row.strip().startswith(f"{key}:"))
        text = text.replace(original, f"    {rule_line}")
    with pytest.raises(RulesError) as raised:
        rules_from(text)
    assert f"line {line}:" in str(raised.value)
    assert message in str(raised.value)
    assert raised.value.line == line


FILE_ERRORS: list[tuple[str, str, int, str]] = [
    ("empty file", "", 1, "empty"),
    ("broken yaml", "rules: [\n", 2, "not valid YAML"),
    ("no rules", "thresholds: {a: 1}\n", 1, "missing rules"),
    ("unknown section", "rulez: []\n", 1, "did you mean 'rules'"),
    (
        "threshold shadows a signal",
        ONE_RULE.replace("frustration_high: 0.7", "dispute: 0.7"),
        2,
        "signal's name",
    ),
    ("duplicate rule name", ONE_RULE + ONE_RULE.split("rules:\n")[1], 11, "two rules are named"),
    (
        "vulnerability elsewhere",
        ONE_RULE.replace("reason: frustration", "reason: vulnerability"),
        8,
        "vulnerable_customers",
    ),
    (
        "undeclared queue",
        "queues: [general]\n" + ONE_RULE.replace("queue: general", "queue: billing"),
        9,
        "unknown queue",
    ),
]


@pytest.mark.parametrize(("name", "text", "line", "message"), FILE_ERRORS, ids=[e[0] for e in FILE_ERRORS])
def test_a_broken_file_is_reported_with_its_line(name: str, text: str, line: int, message: str) -> None:
    with pytest.raises(RulesError, match=f"line {line}:") as raised:
        parse_rules(text, source="test.yaml")
    assert message in str(raised.value)
    assert str(raised.value).startswith("test.yaml: ")


# ---- rules a supervisor edits ---------------------------------------------------------------------


def default_text() -> str:
    return DEFAULT_RULES_PATH.read_text(encoding="utf-8")


def test_the_default_rules_implement_every_reason() -> None:
    assert {rule.reason for rule in load_rules().rules} == set(Reason) - SKILL_ONLY_REASONS


def test_a_disabled_rule_does_not_fire() -> None:
    text = default_text().replace("    rank: 4\n", "    rank: 4\n    enabled: false\n")
    rules = parse_rules(text)
    decision = decide(Signals(human_requested=True), ConversationState(), CustomerProfile(), rules)
    assert decision.owner == "ai"
    assert decide(Signals(human_requested=True), ConversationState(), CustomerProfile(), load_rules()).owner == "human"


@pytest.mark.parametrize(
    ("threshold", "frustration", "owner"),
    [("0.7", 0.75, "human"), ("0.8", 0.75, "ai"), ("0.6", 0.65, "human"), ("0.9", 0.89, "ai")],
)
def test_thresholds_from_the_file_change_the_outcome(threshold: str, frustration: float, owner: str) -> None:
    rules = parse_rules(default_text().replace("frustration_high: 0.7", f"frustration_high: {threshold}"))
    signals = Signals.model_validate({"emotion": {"frustration": frustration}})
    assert decide(signals, ConversationState(), CustomerProfile(), rules).owner == owner


def test_consequential_intents_are_listed_in_the_file() -> None:
    rules = parse_rules(default_text().replace("    - refund\n", "    - refund\n    - reset_password\n"))
    signals = Signals.model_validate({"intent": {"name": "reset_password", "confidence": 0.5}})
    after_an_unclear_message = ConversationState(consecutive_misunderstandings=1)
    assert decide(signals, after_an_unclear_message, CustomerProfile(), rules).reason_codes == ["low_confidence"]
    assert decide(signals, after_an_unclear_message, CustomerProfile(), load_rules()).owner == "ai"


def test_rank_decides_the_primary_reason() -> None:
    text = default_text().replace("    rank: 4\n", "    rank: 99\n")  # asks_for_a_person
    rules = parse_rules(text)
    signals = Signals(human_requested=True, dispute=True)
    assert decide(signals, ConversationState(), CustomerProfile(), rules).reason_codes == [
        "legal_or_billing_dispute",
        "human_requested",
    ]


def test_a_failed_stage_hands_over_even_when_its_rule_is_disabled() -> None:
    text = default_text().replace("    rank: 14\n", "    rank: 14\n    enabled: false\n")
    decision = decide(Signals(), ConversationState(), CustomerProfile(), parse_rules(text), failed_stage="triage")
    assert decision.owner == "human"
    assert decision.reason_codes == ["ai_unavailable"]


def test_a_key_written_twice_is_reported() -> None:
    with pytest.raises(RulesError, match="line 11: 'rank' appears twice"):
        rules_from(ONE_RULE + "    rank: 2\n")
