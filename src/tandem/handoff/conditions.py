"""The condition language of hand-over rules: a small tree of checks over named facts, never `eval`.

Conditions read four namespaces: `signal` (what triage read in this message), `state` (the
conversation so far), `profile` (the customer's record) and `pipeline` (whether a stage failed).
Field names are read off the models themselves, so a field added to Signals is usable in rules at once.
Lists also offer `.count`, and lists of numbers `.max` and `.last`.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from types import NoneType, UnionType
from typing import Any, Literal, TypeAlias, Union, assert_never, get_args, get_origin

from pydantic import BaseModel

from tandem.handoff.state import ConversationState, CustomerProfile
from tandem.triage.signals import Signals

Namespace = Literal["signal", "state", "profile", "pipeline"]
NAMESPACES: tuple[Namespace, ...] = ("signal", "state", "profile", "pipeline")
FieldKind = Literal["number", "flag", "text", "texts", "numbers"]
Aggregate = Literal["count", "max", "last"]


class PipelineStatus(BaseModel):
    """Set by the pipeline, not triage: whether a stage failed on this message."""

    stage_failed: bool = False
    failed_stage: str | None = None

    @classmethod
    def for_stage(cls, failed_stage: str | None) -> PipelineStatus:
        return cls(stage_failed=failed_stage is not None, failed_stage=failed_stage)


@dataclass(frozen=True)
class FactField:
    """One readable fact, e.g. `emotion.frustration` or `state.customer_turns`."""

    namespace: Namespace
    name: str
    attributes: tuple[str, ...]
    kind: FieldKind
    choices: tuple[str, ...] = ()
    aggregate: Aggregate | None = None

    @property
    def label(self) -> str:
        """The name as written in rules: signals bare, the other namespaces prefixed."""
        return self.name if self.namespace == "signal" else f"{self.namespace}.{self.name}"


# ---- the condition tree -------------------------------------------------------------------------


@dataclass(frozen=True)
class AllOf:
    parts: tuple[Condition, ...]


@dataclass(frozen=True)
class AnyOf:
    parts: tuple[Condition, ...]


@dataclass(frozen=True)
class Not:
    part: Condition


@dataclass(frozen=True)
class Flag:
    field: FactField


@dataclass(frozen=True)
class Compare:
    field: FactField
    op: str
    value: Any
    threshold: str | None = None  # the named threshold the value came from, for the explanation


@dataclass(frozen=True)
class HasEvidence:
    detector: str


Condition: TypeAlias = AllOf | AnyOf | Not | Flag | Compare | HasEvidence


@dataclass(frozen=True)
class Facts:
    """Everything a condition may read for one decision."""

    signals: Signals
    state: ConversationState
    profile: CustomerProfile
    pipeline: PipelineStatus = field(default_factory=PipelineStatus)

    def read(self, fact: FactField) -> Any:
        value: Any = {
            "signal": self.signals,
            "state": self.state,
            "profile": self.profile,
            "pipeline": self.pipeline,
        }[fact.namespace]
        for attribute in fact.attributes:
            value = getattr(value, attribute)
        return _aggregated(value, fact.aggregate)


def holds(condition: Condition, facts: Facts) -> bool:
    match condition:
        case AllOf(parts):
            return all(holds(part, facts) for part in parts)
        case AnyOf(parts):
            return any(holds(part, facts) for part in parts)
        case Not(part):
            return not holds(part, facts)
        case Flag(fact):
            return facts.read(fact) is True
        case HasEvidence(detector):
            return bool(facts.signals.evidence.get(detector))
        case Compare(fact, op, value):
            return compare(op, facts.read(fact), value)
        case _:
            assert_never(condition)


def compare(op: str, actual: Any, expected: Any) -> bool:
    # A missing value (no intent yet, an empty history) never matches: silence is not evidence.
    if actual is None:
        return False
    return bool(OPERATORS[op](actual, expected))


def leaves(condition: Condition) -> Iterator[Flag | Compare | HasEvidence]:
    """The checks at the tips of the tree, left to right."""
    match condition:
        case AllOf(parts) | AnyOf(parts):
            for part in parts:
                yield from leaves(part)
        case Not(part):
            yield from leaves(part)
        case _:
            yield condition


def fields_read(condition: Condition) -> list[FactField]:
    found = [leaf.field for leaf in leaves(condition) if not isinstance(leaf, HasEvidence)]
    return list(dict.fromkeys(found))


def thresholds_used(condition: Condition) -> dict[str, Any]:
    """Named thresholds by name; literal values by `field op`."""
    used: dict[str, Any] = {}
    for leaf in leaves(condition):
        if isinstance(leaf, Compare):
            used[leaf.threshold or f"{leaf.field.label} {leaf.op}"] = leaf.value
    return used


# ---- operators and what they apply to -----------------------------------------------------------

OPERATORS: dict[str, Callable[[Any, Any], bool]] = {
    "==": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
    "in": lambda actual, expected: actual in expected,
    "not_in": lambda actual, expected: actual not in expected,
    "contains": lambda actual, expected: expected in actual,
    "not_contains": lambda actual, expected: expected not in actual,
    "contains_any": lambda actual, expected: any(item in actual for item in expected),
}

Shape = Literal["number", "flag", "text", "texts"]
_ORDERING: dict[str, Shape] = dict.fromkeys(("==", "!=", "<", "<=", ">", ">="), "number")
# For each kind of field, the ops that apply and the shape of value each op needs.
OPERAND_SHAPES: dict[FieldKind, dict[str, Shape]] = {
    "number": _ORDERING,
    "flag": {"==": "flag", "!=": "flag"},
    "text": {"==": "text", "!=": "text", "in": "texts", "not_in": "texts"},
    "texts": {"contains": "text", "not_contains": "text", "contains_any": "texts"},
    "numbers": {},
}
KIND_WORDS: dict[FieldKind, str] = {
    "number": "a number",
    "flag": "a yes/no flag",
    "text": "a text",
    "texts": "a list of texts",
    "numbers": "a list of numbers: use .count, .max or .last",
}
SHAPE_WORDS: dict[Shape, str] = {
    "number": "a number",
    "flag": "true or false",
    "text": "a text",
    "texts": "a list of texts",
}


def operand_problem(fact: FactField, op: str, value: Any) -> str | None:
    """Why `fact op value` cannot be checked, in words a supervisor can act on; None when it can."""
    if op not in OPERATORS:
        return f"unknown op '{op}'; ops are {', '.join(OPERATORS)}"
    shapes = OPERAND_SHAPES[fact.kind]
    if op not in shapes:
        usable = ", ".join(shapes) or "none"
        return f"op '{op}' does not apply to {fact.label} ({KIND_WORDS[fact.kind]}); usable ops: {usable}"
    if not _has_shape(value, shapes[op]):
        return f"{fact.label} {op} needs {SHAPE_WORDS[shapes[op]]}, not {value!r}"
    return _choice_problem(fact, value)


def _has_shape(value: Any, shape: Shape) -> bool:
    if shape == "number":
        return isinstance(value, int | float | Decimal) and not isinstance(value, bool)
    if shape == "flag":
        return isinstance(value, bool)
    if shape == "text":
        return isinstance(value, str)
    return isinstance(value, list | tuple) and all(isinstance(item, str) for item in value)


def _choice_problem(fact: FactField, value: Any) -> str | None:
    if not fact.choices:
        return None
    unknown = [item for item in ([value] if isinstance(value, str) else value) if item not in fact.choices]
    if unknown:
        return f"{fact.label} is never {', '.join(map(repr, unknown))}; it is one of {', '.join(fact.choices)}"
    return None


def _aggregated(value: Any, aggregate: Aggregate | None) -> Any:
    if aggregate is None:
        return value
    if aggregate == "count":
        return len(value)
    if not value:
        return None
    return max(value) if aggregate == "max" else value[-1]


# ---- the fields, read off the models ------------------------------------------------------------

_SCALAR_KINDS: dict[Any, FieldKind] = {
    bool: "flag",
    int: "number",
    float: "number",
    Decimal: "number",
    str: "text",
}
_LIST_KINDS: dict[FieldKind, FieldKind] = {"text": "texts", "number": "numbers"}


def _fields_of(namespace: Namespace, model: type[BaseModel], prefix: tuple[str, ...] = ()) -> Iterator[FactField]:
    for attribute, info in model.model_fields.items():
        path = (*prefix, attribute)
        annotation = _without_none(info.annotation)
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            yield from _fields_of(namespace, annotation, path)
        else:
            yield from _leaf_fields(namespace, path, annotation)


def _leaf_fields(namespace: Namespace, path: tuple[str, ...], annotation: Any) -> Iterator[FactField]:
    kind, choices = _kind_of(annotation)
    if kind is None:
        return  # dicts, dates and lists of models are not conditions' business
    name = ".".join(path)
    yield FactField(namespace, name, path, kind, choices)
    if kind in ("texts", "numbers"):
        yield FactField(namespace, f"{name}.count", path, "number", aggregate="count")
    if kind == "numbers":
        yield FactField(namespace, f"{name}.max", path, "number", aggregate="max")
        yield FactField(namespace, f"{name}.last", path, "number", aggregate="last")


def _kind_of(annotation: Any) -> tuple[FieldKind | None, tuple[str, ...]]:
    origin = get_origin(annotation)
    if origin is Literal:
        choices = get_args(annotation)
        return ("text", tuple(choices)) if all(isinstance(c, str) for c in choices) else (None, ())
    if origin in (list, tuple):
        item_kind, _ = _kind_of(get_args(annotation)[0])
        return (_LIST_KINDS.get(item_kind) if item_kind else None), ()
    return _SCALAR_KINDS.get(annotation), ()


def _without_none(annotation: Any) -> Any:
    if get_origin(annotation) in (Union, UnionType):
        remaining = [arg for arg in get_args(annotation) if arg is not NoneType]
        return remaining[0] if len(remaining) == 1 else annotation
    return annotation


_MODELS: dict[Namespace, type[BaseModel]] = {
    "signal": Signals,
    "state": ConversationState,
    "profile": CustomerProfile,
    "pipeline": PipelineStatus,
}
FIELDS: dict[Namespace, dict[str, FactField]] = {
    namespace: {fact.name: fact for fact in _fields_of(namespace, model)} for namespace, model in _MODELS.items()
}


def find_field(namespace: Namespace, name: str) -> FactField | None:
    return FIELDS[namespace].get(name)


def find_by_label(label: str) -> FactField | None:
    """`emotion.frustration` (a signal) or `state.customer_turns`, `profile.tier`, `pipeline.stage_failed`."""
    head, _, rest = label.partition(".")
    for namespace in NAMESPACES[1:]:
        if head == namespace:
            return find_field(namespace, rest)
    return find_field("signal", label)


def all_labels() -> list[str]:
    return [fact.label for facts in FIELDS.values() for fact in facts.values()]
