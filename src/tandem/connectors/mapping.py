"""Reading a merchant's JSON into the desk's records: which fields each record has, and how values parse.

A mapping says, for each desk field, where it sits in the merchant's reply as a dotted path
(`shipment.carrier`, `items.0.sku`). A field with no mapping is read from a key of its own name.
Errors say which field and path failed and why, never the value: replies may hold customer data.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, Literal

Kind = Literal["text", "integer", "count", "money", "datetime", "object", "list", "record"]


@dataclass(frozen=True)
class FieldSpec:
    name: str
    kind: Kind
    required: bool = False


def _fields(*specs: FieldSpec) -> dict[str, FieldSpec]:
    return {spec.name: spec for spec in specs}


# The desk's records as the HTTP connectors read them (see ports.py). `list` and `record` fields hold
# nested records (an order's lines, a booking's slot) that are read with their own mapping.
RECORDS: dict[str, dict[str, FieldSpec]] = {
    "order": _fields(
        FieldSpec("number", "text", required=True),
        FieldSpec("status", "text", required=True),
        FieldSpec("placed_at", "datetime", required=True),
        FieldSpec("total", "money", required=True),
        FieldSpec("currency", "text"),
        FieldSpec("lines", "list"),
        FieldSpec("carrier", "text"),
        FieldSpec("tracking_number", "text"),
        FieldSpec("estimated_delivery", "datetime"),
        FieldSpec("delivered_at", "datetime"),
        FieldSpec("refunded_amount", "money"),
        FieldSpec("customer_external_id", "text"),
    ),
    "order_line": _fields(
        FieldSpec("sku", "text", required=True),
        FieldSpec("name", "text", required=True),
        FieldSpec("quantity", "integer"),
        FieldSpec("price", "money", required=True),
        FieldSpec("category", "text"),
    ),
    "refund": _fields(
        FieldSpec("reference", "text", required=True),
        FieldSpec("amount", "money"),
        FieldSpec("currency", "text"),
    ),
    "product": _fields(
        FieldSpec("sku", "text", required=True),
        FieldSpec("name", "text", required=True),
        FieldSpec("category", "text"),
        FieldSpec("price", "money", required=True),
        FieldSpec("description", "text"),
        FieldSpec("in_stock", "count"),
        FieldSpec("attributes", "object"),
    ),
    "slot": _fields(
        FieldSpec("id", "text", required=True),
        FieldSpec("resource", "text"),
        FieldSpec("kind", "text"),
        FieldSpec("starts_at", "datetime", required=True),
        FieldSpec("ends_at", "datetime", required=True),
    ),
    "booking": _fields(
        FieldSpec("id", "text", required=True),
        FieldSpec("slot", "record", required=True),
    ),
    "lead": _fields(FieldSpec("reference", "text", required=True)),
}


class MappingError(Exception):
    """A reply that does not fit the mapping. The message names fields and paths, never values."""


class _Unreadable(Exception):
    """Why one value could not be read, in words that never quote the value."""


MISSING = object()
_WHOLE_NUMBER = re.compile(r"-?[0-9]+")
_INDEX = re.compile(r"[0-9]+")


def lookup(document: Any, path: str) -> Any:
    """The value at a dotted path (`""` is the document itself); `MISSING` when any step is absent."""
    value = document
    for step in path.split(".") if path else ():
        if isinstance(value, Mapping):
            value = value.get(step, MISSING)
        elif isinstance(value, list) and _INDEX.fullmatch(step) and int(step) < len(value):
            value = value[int(step)]
        else:
            return MISSING
        if value is MISSING:
            return MISSING
    return value


def read_record(record: str, document: Any, mapping: Mapping[str, str]) -> dict[str, Any]:
    """The record's fields from `document`: parsed values, None for absent optional fields.

    `list` fields come back as a list of raw documents and `record` fields as one raw document, for
    the caller to read with the nested record's mapping.
    """
    if not isinstance(document, Mapping):
        raise MappingError(f"each {record} must be a JSON object")
    values: dict[str, Any] = {}
    for spec in RECORDS[record].values():
        path = mapping.get(spec.name, spec.name)
        raw = lookup(document, path)
        where = f"{record}.{spec.name} (from '{path or '.'}')"
        if raw is MISSING or raw is None:
            if spec.required:
                raise MappingError(f"{where} is missing")
            values[spec.name] = None
            continue
        try:
            values[spec.name] = _parse(spec.kind, raw)
        except _Unreadable as problem:
            raise MappingError(f"{where} {problem}") from None
        except (ValueError, TypeError, ArithmeticError):
            # Not our own words: the exception's text might quote the value.
            raise MappingError(f"{where} could not be read") from None
    return values


def _parse(kind: Kind, raw: Any) -> Any:
    if kind == "text":
        return as_text(raw)
    if kind == "integer":
        return as_integer(raw)
    if kind == "count":
        # A stock level may be a count or just "available: true".
        return int(raw) if isinstance(raw, bool) else as_integer(raw)
    if kind == "money":
        return as_money(raw)
    if kind == "datetime":
        return as_datetime(raw)
    if kind == "object":
        if not isinstance(raw, Mapping):
            raise _Unreadable("is not a JSON object")
        return dict(raw)
    if kind == "list":
        if not isinstance(raw, list):
            raise _Unreadable("is not a JSON list")
        return raw
    if not isinstance(raw, Mapping):
        raise _Unreadable("is not a JSON object")
    return raw


def as_text(raw: Any) -> str:
    if isinstance(raw, bool) or not isinstance(raw, str | int):
        raise _Unreadable("is not text")
    return str(raw)


def as_integer(raw: Any) -> int:
    if isinstance(raw, bool):
        raise _Unreadable("is not a whole number")
    if isinstance(raw, int):
        return raw
    if isinstance(raw, Decimal) and raw.is_finite() and raw == raw.to_integral_value():
        return int(raw)
    if isinstance(raw, str) and _WHOLE_NUMBER.fullmatch(raw.strip()):
        return int(raw.strip())
    raise _Unreadable("is not a whole number")


def as_money(raw: Any) -> Decimal:
    # Replies are parsed with parse_float=Decimal, so 19.99 arrives exactly, never as a float.
    if isinstance(raw, bool) or not isinstance(raw, str | int | Decimal):
        raise _Unreadable("is not an amount")
    try:
        amount = Decimal(raw.strip()) if isinstance(raw, str) else Decimal(raw)
    except InvalidOperation:
        raise _Unreadable("is not an amount") from None
    if not amount.is_finite():
        raise _Unreadable("is not an amount")
    return amount


def as_datetime(raw: Any) -> datetime:
    """An ISO 8601 date or timestamp, as an aware UTC datetime. A timestamp without an offset is UTC."""
    if not isinstance(raw, str):
        raise _Unreadable("is not an ISO 8601 date")
    try:
        parsed = datetime.fromisoformat(raw.strip())
    except ValueError:
        raise _Unreadable("is not an ISO 8601 date") from None
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)
