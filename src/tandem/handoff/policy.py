"""The hand-over decision: a pure function of the signals, the conversation, the customer and the rules.

Every reason that fired is returned, ranked, with the values, thresholds and customer phrases behind
it, so a supervisor can see why and the store can keep the decision with what produced it.
"""

from __future__ import annotations

import functools
from decimal import Decimal
from pathlib import Path
from typing import Any

from tandem.handoff.conditions import (
    FIELDS,
    Facts,
    Flag,
    HasEvidence,
    PipelineStatus,
    fields_read,
    find_by_label,
    holds,
    leaves,
    thresholds_used,
)
from tandem.handoff.decision import Decision, FiredReason, Priority, Reason
from tandem.handoff.rules import PLACEHOLDER, PRIORITIES, VULNERABLE_QUEUE, Rule, RuleSet, parse_rules
from tandem.handoff.state import ConversationState, CustomerProfile
from tandem.triage.signals import Signals

DEFAULT_RULES_PATH = Path(__file__).with_name("default_rules.yaml")
QUOTED_EVIDENCE = 2  # phrases quoted in the one-line explanation; all are kept in `evidence`

DEFAULT_EXPLANATIONS: dict[Reason, str] = {
    Reason.HUMAN_REQUESTED: "Customer asked for a person",
    Reason.FRUSTRATION: "Customer is frustrated",
    Reason.VULNERABILITY: "Customer may be in a vulnerable situation",
    Reason.LEGAL_OR_BILLING_DISPUTE: "Customer disputes a charge or raises a legal matter",
    Reason.POLICY_EXCEPTION: "Customer asks for an exception to policy",
    Reason.REPEATED_MISUNDERSTANDING: "The AI misunderstood the customer repeatedly",
    Reason.LOW_CONFIDENCE: "The AI is unsure of a consequential request",
    Reason.CHURN_RISK_HIGH_VALUE: "A high-value customer may leave",
    Reason.PUBLIC_ESCALATION_RISK: "Customer may take this public",
    Reason.MULTI_DEPARTMENT: "The request spans several departments",
    Reason.SALES_OPPORTUNITY: "A sales opportunity worth a person",
    Reason.AI_UNAVAILABLE: "A stage of the AI failed: {pipeline.failed_stage}",
    Reason.NEEDS_A_PERSON: "The request needs a person to act; the AI collected the facts",
}

# A failed stage means the AI cannot answer, whatever the rules file says: a person must take over.
_AI_UNAVAILABLE_SAFETY_NET = Rule(
    name="builtin_ai_unavailable",
    reason=Reason.AI_UNAVAILABLE,
    when=Flag(FIELDS["pipeline"]["stage_failed"]),
    queue="general",
    priority="high",
    rank=10**6,
    description="A stage failed and no enabled rule handed the conversation over.",
)


def decide(
    signals: Signals,
    state: ConversationState,
    profile: CustomerProfile,
    rules: RuleSet,
    *,
    failed_stage: str | None = None,
) -> Decision:
    """Who owns the conversation next and why. `failed_stage` names a pipeline stage that failed."""
    facts = Facts(signals, state, profile, PipelineStatus.for_stage(failed_stage))
    fired = _one_rule_per_reason(_with_safety_net(_fired(rules, facts), facts))
    return Decision(
        owner="human" if fired or state.human_owns else "ai",
        reasons=[_fired_reason(rule, facts, rules) for rule in fired],
        queue=_queue(fired, facts),
        priority=_priority(fired),
        turn_misunderstood=rules.misunderstood(facts),
    )


WORKSPACE_RULES_FILE = "handoff_rules.yaml"


def active_rules_path(workspace_dir: Path, configured: Path | None) -> Path:
    """The rules an admin saved in the workspace first, then TANDEM_HANDOFF_RULES, then the shipped defaults."""
    saved = workspace_dir / WORKSPACE_RULES_FILE
    if saved.exists():
        return saved
    return configured or DEFAULT_RULES_PATH


def load_rules(path: str | Path | None = None) -> RuleSet:
    """The rules in `path` (the shipped defaults when None), re-read only when the file changes."""
    resolved = Path(path).resolve() if path else DEFAULT_RULES_PATH
    return _load(resolved, resolved.stat().st_mtime_ns)


@functools.lru_cache(maxsize=8)
def _load(path: Path, modified_ns: int) -> RuleSet:
    # `modified_ns` is only part of the cache key: a supervisor's edit is picked up on the next call.
    return parse_rules(path.read_text(encoding="utf-8"), source=path.name)


def _fired(rules: RuleSet, facts: Facts) -> list[Rule]:
    matched = [rule for rule in rules.enabled if holds(rule.when, facts)]
    return sorted(matched, key=lambda rule: (rule.rank, rule.order))


def _with_safety_net(fired: list[Rule], facts: Facts) -> list[Rule]:
    if facts.pipeline.stage_failed and all(rule.reason is not Reason.AI_UNAVAILABLE for rule in fired):
        return [*fired, _AI_UNAVAILABLE_SAFETY_NET]
    return fired


def _one_rule_per_reason(fired: list[Rule]) -> list[Rule]:
    """The best-ranked rule for each reason: two rules may share one (billing vs legal dispute)."""
    best: dict[Reason, Rule] = {}
    for rule in fired:
        best.setdefault(rule.reason, rule)
    return list(best.values())


def _queue(fired: list[Rule], facts: Facts) -> str | None:
    if not fired:
        return facts.state.queue if facts.state.human_owns else None
    # A customer who may be vulnerable goes to the people trained for it, whatever else fired.
    if any(rule.reason is Reason.VULNERABILITY for rule in fired):
        return VULNERABLE_QUEUE
    return fired[0].queue_for(facts.signals)


def _priority(fired: list[Rule]) -> Priority:
    priorities = [rule.priority for rule in fired]
    if any(rule.reason is Reason.VULNERABILITY for rule in fired):
        priorities.append("high")
    return max(priorities, key=PRIORITIES.index, default="normal")


def _fired_reason(rule: Rule, facts: Facts, rules: RuleSet) -> FiredReason:
    evidence = _evidence(rule, facts.signals)
    return FiredReason(
        code=rule.reason.value,
        rule=rule.name,
        rank=rule.rank,
        signals={fact.label: _plain(facts.read(fact)) for fact in fields_read(rule.when)},
        thresholds={name: _plain(value) for name, value in thresholds_used(rule.when).items()},
        evidence=evidence,
        explanation=_explanation(rule, facts, rules, evidence),
        queue=rule.queue_for(facts.signals),
        priority=rule.priority,
    )


def _evidence(rule: Rule, signals: Signals) -> list[str]:
    """The customer's phrases behind the rule: from the detectors named after what the rule reads."""
    detectors = list(rule.evidence)
    phrases: list[str] = []
    for leaf in leaves(rule.when):
        if isinstance(leaf, HasEvidence):
            detectors.append(leaf.detector)
        elif leaf.field.namespace == "signal":
            detectors += [leaf.field.attributes[0], leaf.field.name]
            phrases += _own_evidence(signals, leaf.field.attributes[0])
    for detector in detectors:
        phrases += signals.evidence.get(detector, [])
    return list(dict.fromkeys(phrases))


def _own_evidence(signals: Signals, attribute: str) -> list[str]:
    """Some signals carry their own evidence (vulnerability does)."""
    own = getattr(getattr(signals, attribute), "evidence", None)
    return [phrase for phrase in own if isinstance(phrase, str)] if isinstance(own, list) else []


def _explanation(rule: Rule, facts: Facts, rules: RuleSet, evidence: list[str]) -> str:
    template = rule.explain or DEFAULT_EXPLANATIONS[rule.reason]
    text = PLACEHOLDER.sub(lambda match: _placeholder_value(match.group(1), facts, rules), template)
    text = text.rstrip(". ")
    if not evidence:
        return text
    return f"{text}: " + ", ".join(f"'{phrase}'" for phrase in evidence[:QUOTED_EVIDENCE])


def _placeholder_value(name: str, facts: Facts, rules: RuleSet) -> str:
    if name in rules.thresholds:
        return _shown(rules.thresholds[name])
    fact = find_by_label(name)
    return _shown(facts.read(fact)) if fact else f"{{{name}}}"


def _shown(value: Any) -> str:
    if isinstance(value, float | Decimal):
        return f"{round(float(value), 2):g}"
    if isinstance(value, list | tuple):
        return ", ".join(_shown(item) for item in value)
    return "unknown" if value is None else str(value)


def _plain(value: Any) -> Any:
    """JSON-friendly: the decision is stored as JSON next to the conversation."""
    if isinstance(value, tuple):
        return [_plain(item) for item in value]
    if isinstance(value, Decimal):
        return float(value)
    return value
