"""Hand-over rules as YAML a supervisor can read and edit, checked on load with the line of each mistake.

A rules file has `thresholds` (named values that rules refer to), optional `queues` (the queues rules
may route to), optional `conditions` (named conditions, reused with `condition: name`) and `rules`.
The condition language is described in conditions.py and shown by example in default_rules.yaml.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any, NoReturn, get_args

import yaml
from yaml.constructor import SafeConstructor

from tandem.handoff.conditions import (
    FIELDS,
    NAMESPACES,
    OPERAND_SHAPES,
    AllOf,
    AnyOf,
    Compare,
    Condition,
    FactField,
    Facts,
    Flag,
    HasEvidence,
    Namespace,
    Not,
    all_labels,
    find_by_label,
    find_field,
    holds,
    operand_problem,
)
from tandem.handoff.decision import Priority, Reason
from tandem.handoff.state import departments_of
from tandem.triage.signals import Signals

DEFAULT_QUEUES = (
    "orders",
    "billing",
    "technical",
    "complaints",
    "vulnerable_customers",
    "retention",
    "sales",
    "general",
)
VULNERABLE_QUEUE = "vulnerable_customers"
PRIORITIES: tuple[Priority, ...] = get_args(Priority)
# The named condition that says which turns count as the AI failing to understand (see next_state).
MISUNDERSTOOD_TURN = "misunderstood_turn"
PLACEHOLDER = re.compile(r"\{([A-Za-z0-9_.]+)\}")
_IDENTIFIER = re.compile(r"^[a-z][a-z0-9_]*$")

_TOP_KEYS = {"version", "thresholds", "queues", "conditions", "rules"}
_RULE_KEYS = {
    "name",
    "reason",
    "when",
    "queue",
    "queue_by_department",
    "priority",
    "rank",
    "enabled",
    "description",
    "explain",
    "evidence",
}
_RULE_REQUIRED = {"name", "reason", "when", "queue", "priority", "rank", "description"}
_GROUPS = ("all", "any", "not", "flag", "evidence", "condition")
_CONDITION_HEADS = (*_GROUPS, *NAMESPACES)
_COMPARISON_KEYS = {"op", "value", "threshold"}


class RulesError(ValueError):
    """A rules file that cannot be used, saying where: `rules.yaml: line 12: unknown signal …`."""

    def __init__(self, message: str, *, source: str, line: int | None = None, column: int | None = None):
        self.source, self.line, self.column = source, line, column
        where = f"line {line}: " if line is not None else ""
        at_column = f" (column {column})" if column is not None else ""
        super().__init__(f"{source}: {where}{message}{at_column}")


@dataclass(frozen=True, eq=False)
class Rule:
    name: str
    reason: Reason
    when: Condition
    queue: str
    priority: Priority
    rank: int
    description: str
    enabled: bool = True
    explain: str = ""
    evidence: tuple[str, ...] = ()
    queue_by_department: Mapping[str, str] = field(default_factory=dict)
    line: int = 0
    order: int = 0  # position in the file: breaks ties between equal ranks

    def queue_for(self, signals: Signals) -> str:
        """The department-specific queue when one is configured for this message, else the rule's queue."""
        for department in departments_of(signals):
            if department in self.queue_by_department:
                return self.queue_by_department[department]
        return self.queue


@dataclass(frozen=True, eq=False)
class RuleSet:
    rules: tuple[Rule, ...]
    thresholds: Mapping[str, Any] = field(default_factory=dict)
    queues: tuple[str, ...] = DEFAULT_QUEUES
    conditions: Mapping[str, Condition] = field(default_factory=dict)
    source: str = "<rules>"

    @property
    def enabled(self) -> tuple[Rule, ...]:
        return tuple(rule for rule in self.rules if rule.enabled)

    def misunderstood(self, facts: Facts) -> bool:
        """Whether this turn counts as the AI failing to understand; False when the file doesn't say."""
        condition = self.conditions.get(MISUNDERSTOOD_TURN)
        return condition is not None and holds(condition, facts)


def parse_rules(text: str, source: str = "<rules>") -> RuleSet:
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else None
        raise RulesError(f"not valid YAML: {error.problem}", source=source, line=line) from error
    reader = _Reader(source)
    if root is None:
        raise RulesError("the rules file is empty", source=source, line=1)
    return _Parser(reader).rule_set(root)


def suggestion(word: str, known: Collection[str]) -> str:
    close = difflib.get_close_matches(word, list(known), n=1)
    return f"; did you mean '{close[0]}'?" if close else ""


class _Reader:
    """Reads YAML nodes, failing with the node's line and column."""

    def __init__(self, source: str) -> None:
        self.source = source
        self._constructor = SafeConstructor()

    def fail(self, node: yaml.Node, message: str) -> NoReturn:
        mark = node.start_mark
        raise RulesError(message, source=self.source, line=mark.line + 1, column=mark.column + 1)

    def value(self, node: yaml.Node) -> Any:
        return self._constructor.construct_object(node, deep=True)

    def mapping(self, node: yaml.Node, what: str, allowed: Collection[str]) -> dict[str, yaml.Node]:
        if not isinstance(node, yaml.MappingNode):
            self.fail(node, f"{what} must be a mapping of keys to values")
        entries: dict[str, yaml.Node] = {}
        for key_node, value_node in node.value:
            key = self.value(key_node)
            if not isinstance(key, str):
                self.fail(key_node, f"{key!r} is not a valid key in {what}")
            if key in entries:
                self.fail(key_node, f"'{key}' appears twice in {what}")
            if key not in allowed:
                self.fail(key_node, f"unknown key '{key}' in {what}{suggestion(key, allowed)}")
            entries[key] = value_node
        return entries

    def require(self, node: yaml.Node, entries: Mapping[str, yaml.Node], required: Collection[str]) -> None:
        missing = sorted(set(required) - entries.keys())
        if missing:
            self.fail(node, f"missing {', '.join(missing)}")

    def sequence(self, node: yaml.Node, what: str) -> list[yaml.Node]:
        if not isinstance(node, yaml.SequenceNode) or not node.value:
            self.fail(node, f"{what} must be a non-empty list")
        return list(node.value)

    def typed(self, node: yaml.Node, kind: type | tuple[type, ...], what: str) -> Any:
        value = self.value(node)
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            self.fail(node, f"{what} must be {_TYPE_WORDS.get(kind, 'something else')}, not {value!r}")
        return value

    def identifier(self, node: yaml.Node, what: str) -> str:
        name: str = self.typed(node, str, what)
        if not _IDENTIFIER.match(name):
            self.fail(node, f"{what} '{name}' must be lower_snake_case")
        return name


_TYPE_WORDS: dict[Any, str] = {str: "a text", int: "a whole number", bool: "true or false"}


class _Parser:
    def __init__(self, reader: _Reader) -> None:
        self.r = reader
        self.thresholds: dict[str, Any] = {}
        self.queues: tuple[str, ...] = DEFAULT_QUEUES
        self.conditions: dict[str, Condition] = {}
        self.rule_names: set[str] = set()

    def rule_set(self, root: yaml.Node) -> RuleSet:
        top = self.r.mapping(root, "the rules file", _TOP_KEYS)
        self.r.require(root, top, {"rules"})
        if "version" in top and self.r.value(top["version"]) != 1:
            self.r.fail(top["version"], "only version 1 of the rules format exists")
        if "thresholds" in top:
            self._thresholds(top["thresholds"])
        if "queues" in top:
            self.queues = tuple(self.r.identifier(node, "a queue") for node in self.r.sequence(top["queues"], "queues"))
        if "conditions" in top:
            self._named_conditions(top["conditions"])
        rules = tuple(self._rule(node, order) for order, node in enumerate(self.r.sequence(top["rules"], "rules")))
        return RuleSet(rules, self.thresholds, self.queues, self.conditions, self.r.source)

    # ---- sections -------------------------------------------------------------------------------

    def _thresholds(self, node: yaml.Node) -> None:
        if not isinstance(node, yaml.MappingNode):
            self.r.fail(node, "thresholds must be a mapping of names to values")
        for key_node, value_node in node.value:
            name = self.r.identifier(key_node, "a threshold name")
            if name in self.thresholds or find_by_label(name):
                self.r.fail(key_node, f"threshold '{name}' is defined twice or shares a signal's name")
            value = self.r.value(value_node)
            if not _is_plain(value):
                self.r.fail(value_node, f"threshold '{name}' must be a number, a text or a list of texts")
            self.thresholds[name] = value

    def _named_conditions(self, node: yaml.Node) -> None:
        if not isinstance(node, yaml.MappingNode):
            self.r.fail(node, "conditions must be a mapping of names to conditions")
        for key_node, value_node in node.value:
            name = self.r.identifier(key_node, "a condition name")
            if name in self.conditions:
                self.r.fail(key_node, f"condition '{name}' is defined twice")
            # Parsed in order, so a condition can only use those above it: no cycles possible.
            self.conditions[name] = self.condition(value_node)

    def _rule(self, node: yaml.Node, order: int) -> Rule:
        entries = self.r.mapping(node, "a rule", _RULE_KEYS)
        self.r.require(node, entries, _RULE_REQUIRED)
        reason = self._reason(entries["reason"])
        queue = self._queue(entries["queue"])
        by_department = self._queue_map(entries.get("queue_by_department"))
        if reason is Reason.VULNERABILITY and (queue != VULNERABLE_QUEUE or by_department):
            self.r.fail(entries["queue"], f"vulnerability rules always route to {VULNERABLE_QUEUE}")
        return Rule(
            name=self._rule_name(entries["name"]),
            reason=reason,
            when=self.condition(entries["when"]),
            queue=queue,
            priority=self._priority(entries["priority"]),
            rank=self._rank(entries["rank"]),
            description=self.r.typed(entries["description"], str, "description"),
            enabled=self.r.typed(entries["enabled"], bool, "enabled") if "enabled" in entries else True,
            explain=self._explain(entries.get("explain")),
            evidence=self._evidence_keys(entries.get("evidence")),
            queue_by_department=by_department,
            line=node.start_mark.line + 1,
            order=order,
        )

    # ---- rule fields ----------------------------------------------------------------------------

    def _rule_name(self, node: yaml.Node) -> str:
        name = self.r.identifier(node, "a rule name")
        if name in self.rule_names:
            self.r.fail(node, f"two rules are named '{name}'")
        self.rule_names.add(name)
        return name

    def _reason(self, node: yaml.Node) -> Reason:
        code = self.r.typed(node, str, "reason")
        codes = [reason.value for reason in Reason]
        if code not in codes:
            self.r.fail(node, f"unknown reason '{code}'{suggestion(code, codes)}")
        return Reason(code)

    def _queue(self, node: yaml.Node) -> str:
        queue = self.r.typed(node, str, "queue")
        if queue not in self.queues:
            self.r.fail(node, f"unknown queue '{queue}'{suggestion(queue, self.queues)}")
        return str(queue)

    def _queue_map(self, node: yaml.Node | None) -> dict[str, str]:
        if node is None:
            return {}
        if not isinstance(node, yaml.MappingNode):
            self.r.fail(node, "queue_by_department must map departments to queues")
        return {self.r.typed(key, str, "a department"): self._queue(value) for key, value in node.value}

    def _priority(self, node: yaml.Node) -> Priority:
        priority = self.r.typed(node, str, "priority")
        if priority not in PRIORITIES:
            self.r.fail(node, f"priority must be one of {', '.join(PRIORITIES)}, not '{priority}'")
        return priority  # type: ignore[no-any-return]

    def _rank(self, node: yaml.Node) -> int:
        rank: int = self.r.typed(node, int, "rank")
        if rank < 0:
            self.r.fail(node, "rank must be 0 or more (0 comes first)")
        return rank

    def _explain(self, node: yaml.Node | None) -> str:
        if node is None:
            return ""
        text: str = self.r.typed(node, str, "explain")
        for placeholder in PLACEHOLDER.findall(text):
            if placeholder not in self.thresholds and not find_by_label(placeholder):
                known = [*self.thresholds, *all_labels()]
                self.r.fail(node, f"explain mentions unknown '{{{placeholder}}}'{suggestion(placeholder, known)}")
        return text

    def _evidence_keys(self, node: yaml.Node | None) -> tuple[str, ...]:
        if node is None:
            return ()
        return tuple(self.r.typed(item, str, "an evidence detector") for item in self.r.sequence(node, "evidence"))

    # ---- conditions -----------------------------------------------------------------------------

    def condition(self, node: yaml.Node) -> Condition:
        entries = self.r.mapping(node, "a condition", {*_CONDITION_HEADS, *_COMPARISON_KEYS})
        heads = [key for key in entries if key in _CONDITION_HEADS]
        if len(heads) != 1:
            self.r.fail(node, f"a condition needs exactly one of {', '.join(_CONDITION_HEADS)}")
        head = heads[0]
        if head in NAMESPACES:
            return self._comparison(node, head, entries)
        if len(entries) > 1:
            self.r.fail(node, f"'{head}' takes no op, value or threshold")
        return self._group(head, entries[head])

    def _group(self, head: str, node: yaml.Node) -> Condition:
        if head in ("all", "any"):
            parts = tuple(self.condition(part) for part in self.r.sequence(node, f"'{head}'"))
            return AllOf(parts) if head == "all" else AnyOf(parts)
        if head == "not":
            return Not(self.condition(node))
        if head == "flag":
            return Flag(self._flag(node))
        if head == "evidence":
            return HasEvidence(self.r.typed(node, str, "an evidence detector"))
        return self._named(node)

    def _named(self, node: yaml.Node) -> Condition:
        name = self.r.typed(node, str, "a condition name")
        if name not in self.conditions:
            defined = ", ".join(self.conditions) or "none"
            self.r.fail(node, f"unknown condition '{name}' (conditions defined above it: {defined})")
        return self.conditions[name]

    def _flag(self, node: yaml.Node) -> FactField:
        label = self.r.typed(node, str, "a flag")
        fact = find_by_label(label)
        if fact is None:
            self.r.fail(node, f"unknown flag '{label}'{suggestion(label, all_labels())}")
        if fact.kind != "flag":
            self.r.fail(node, f"'{label}' is not a yes/no flag: compare it with op and value instead")
        return fact

    def _comparison(self, node: yaml.Node, namespace: Namespace, entries: Mapping[str, yaml.Node]) -> Compare:
        self.r.require(node, entries, {"op"})
        fact = self._field(namespace, entries[namespace])
        op = self.r.typed(entries["op"], str, "op")
        value_node, value, threshold = self._operand(node, entries)
        problem = operand_problem(fact, op, value)
        if problem:
            op_is_wrong = op not in OPERAND_SHAPES[fact.kind]
            self.r.fail(entries["op"] if op_is_wrong else value_node, problem)
        return Compare(fact, op, value, threshold)

    def _field(self, namespace: Namespace, node: yaml.Node) -> FactField:
        name = self.r.typed(node, str, f"a {namespace} name")
        fact = find_field(namespace, name)
        if fact is None:
            self.r.fail(node, f"unknown {namespace} '{name}'{suggestion(name, FIELDS[namespace])}")
        return fact

    def _operand(self, node: yaml.Node, entries: Mapping[str, yaml.Node]) -> tuple[yaml.Node, Any, str | None]:
        if ("value" in entries) == ("threshold" in entries):
            self.r.fail(node, "a comparison needs either a value or a threshold (by name)")
        if "value" in entries:
            return entries["value"], self.r.value(entries["value"]), None
        name = self.r.typed(entries["threshold"], str, "a threshold name")
        if name not in self.thresholds:
            self.r.fail(entries["threshold"], f"unknown threshold '{name}'{suggestion(name, self.thresholds)}")
        return entries["threshold"], self.thresholds[name], name


def _is_plain(value: Any) -> bool:
    if isinstance(value, list):
        return all(isinstance(item, str | int | float) for item in value)
    return isinstance(value, str | int | float)
