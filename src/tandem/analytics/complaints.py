"""Reading one complaint row from a CSV file: column mapping per format, and validation. Pure.

A row either becomes a complete `ComplaintRow` or is rejected with a reason a person can act on; nothing
in between is ever stored.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

MAX_TEXT_CHARS = 20_000
OLDEST = datetime(1990, 1, 1, tzinfo=UTC)

GENERIC_COLUMNS = (
    "id",
    "received_at",
    "customer_id",
    "channel",
    "text",
    "product",
    "category",
    "outcome",
    "satisfaction",
)
GENERIC_REQUIRED = ("received_at", "text")
CFPB_DATE, CFPB_TEXT, CFPB_ID = "Date received", "Consumer complaint narrative", "Complaint ID"
CFPB_REQUIRED = (CFPB_DATE, CFPB_TEXT, CFPB_ID)
# CFPB columns that become first-class fields; every other column is kept as an attribute.
CFPB_FIELDS = {
    "Product": "product",
    "Issue": "category",
    "Submitted via": "channel",
    "Company response to consumer": "outcome",
}
_LIMITS = {"channel": 40, "product": 200, "category": 200, "outcome": 200, "customer_ref": 128}
_DATE_FORMATS = ("%m/%d/%Y", "%m/%d/%y")
_SURROGATE = re.compile("[\udc80-\udcff]")


class RowRejected(Exception):
    """This row cannot be imported; `reason` is a short code counted in the import report."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class ComplaintRow:
    source: str
    external_id: str
    received_at: datetime
    text: str
    customer_ref: str | None = None
    channel: str = ""
    product: str = ""
    category: str = ""
    outcome: str = ""
    satisfaction: int | None = None
    attributes: dict[str, Any] = field(default_factory=dict)

    def as_insert(self, imported_at: datetime) -> dict[str, Any]:
        return {**self.__dict__, "imported_at": imported_at}


def missing_columns(fmt: str, header: list[str]) -> list[str]:
    required = GENERIC_REQUIRED if fmt == "generic" else CFPB_REQUIRED
    present = {h.strip() for h in header}
    return [column for column in required if column not in present]


def parse_row(fmt: str, row: Mapping[str, str], now: datetime) -> ComplaintRow:
    if any(_has_bad_bytes(value) for value in row.values()):
        raise RowRejected("invalid_encoding")
    return _generic(row, now) if fmt == "generic" else _cfpb(row, now)


def _generic(row: Mapping[str, str], now: datetime) -> ComplaintRow:
    text = _text(row.get("text", ""))
    received = parse_date(row.get("received_at", ""), now)
    customer = _clean(row.get("customer_id", "")) or None
    external = _clean(row.get("id", "")) or _derived_id(received, customer, text)
    return _limited(
        ComplaintRow(
            source="generic",
            external_id=_external_id(external),
            received_at=received,
            text=text,
            customer_ref=customer,
            channel=_clean(row.get("channel", "")).lower(),
            product=_clean(row.get("product", "")),
            category=_clean(row.get("category", "")),
            outcome=_clean(row.get("outcome", "")),
            satisfaction=_satisfaction(row.get("satisfaction", "")),
        )
    )


def _cfpb(row: Mapping[str, str], now: datetime) -> ComplaintRow:
    text = _text(row.get(CFPB_TEXT, ""))
    received = parse_date(row.get(CFPB_DATE, ""), now)
    external = _clean(row.get(CFPB_ID, ""))
    if not external:
        raise RowRejected("missing_id")
    mapped = {name: _clean(row.get(column, "")) for column, name in CFPB_FIELDS.items()}
    attributes = {
        column: value.strip()
        for column, value in row.items()
        if column not in CFPB_FIELDS and column not in CFPB_REQUIRED and value and value.strip()
    }
    return _limited(
        ComplaintRow(
            source="cfpb",
            external_id=_external_id(external),
            received_at=received,
            text=text,
            channel=mapped["channel"].lower(),
            product=mapped["product"],
            category=mapped["category"],
            outcome=mapped["outcome"],
            attributes=attributes,
        )
    )


def parse_date(raw: str, now: datetime) -> datetime:
    """ISO dates and timestamps (UTC when no zone is given) and the CFPB's older MM/DD/YYYY."""
    value = raw.strip()
    if not value:
        raise RowRejected("bad_date")
    moment: datetime | None = None
    try:
        moment = (
            datetime.combine(date.fromisoformat(value), time(), tzinfo=UTC)
            if len(value) == 10 and value[4] == "-"
            else datetime.fromisoformat(value.replace("Z", "+00:00"))
        )
    except ValueError:
        for pattern in _DATE_FORMATS:
            try:
                moment = datetime.strptime(value, pattern).replace(tzinfo=UTC)
                break
            except ValueError:
                continue
    if moment is None:
        raise RowRejected("bad_date")
    moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    if not OLDEST <= moment <= now + timedelta(days=1):
        raise RowRejected("bad_date")
    return moment.astimezone(UTC)


def _text(raw: str) -> str:
    # PostgreSQL text cannot hold NUL characters; they carry nothing anyway.
    text = raw.replace("\x00", "").strip()
    if not text:
        raise RowRejected("empty_text")
    if len(text) > MAX_TEXT_CHARS:
        raise RowRejected("text_too_long")
    return text


def _satisfaction(raw: str) -> int | None:
    value = raw.strip()
    if not value:
        return None
    try:
        score = int(float(value))
    except ValueError:
        raise RowRejected("bad_satisfaction") from None
    if not 1 <= score <= 5 or float(value) != score:
        raise RowRejected("bad_satisfaction")
    return score


def _external_id(value: str) -> str:
    if len(value) > 128:
        raise RowRejected("bad_id")
    return value


def _derived_id(received: datetime, customer: str | None, text: str) -> str:
    # No id column: the same complaint (same moment, customer and words) imported twice is a duplicate.
    digest = hashlib.sha256(f"{received.isoformat()}|{customer or ''}|{text}".encode()).hexdigest()
    return f"sha256:{digest[:40]}"


def _limited(row: ComplaintRow) -> ComplaintRow:
    trimmed = {name: str(getattr(row, name) or "")[:limit] for name, limit in _LIMITS.items()}
    return ComplaintRow(
        **{**row.__dict__, **trimmed, "customer_ref": trimmed["customer_ref"] or None},
    )


def _clean(value: str | None) -> str:
    return " ".join((value or "").replace("\x00", "").split())


def _has_bad_bytes(value: str | None) -> bool:
    # Bytes that were not UTF-8 arrive as lone surrogates (decoded with surrogateescape).
    return value is not None and _SURROGATE.search(value) is not None
