"""Find personal data in a message and replace it with typed placeholders before anything stores it."""

from __future__ import annotations

from dataclasses import dataclass, field

from tandem.privacy.finders import (
    find_cards,
    find_dates_of_birth,
    find_emails,
    find_ibans,
    find_national_ids,
    find_phones,
)
from tandem.triage.signals import PiiSpan

DEFAULT_REGION = "GB"
# When two finds overlap, the stronger evidence wins: checksummed numbers first, the phone matcher last
# because it is the most permissive.
PRIORITY = ("card", "iban", "national_id", "email", "dob", "phone")


@dataclass(frozen=True)
class PrivacyScan:
    """The redacted text and where each piece of personal data sat in the original."""

    redacted: str
    spans: list[PiiSpan] = field(default_factory=list)

    @property
    def types(self) -> list[str]:
        return list(dict.fromkeys(s.type for s in self.spans))


def placeholder(kind: str) -> str:
    return f"[{kind.upper()}]"


def find_all(text: str, region: str) -> list[PiiSpan]:
    return [
        *find_cards(text),
        *find_ibans(text),
        *find_national_ids(text),
        *find_emails(text),
        *find_dates_of_birth(text),
        *find_phones(text, region),
    ]


def resolve_overlaps(spans: list[PiiSpan]) -> list[PiiSpan]:
    """Keep the highest-priority span wherever finds overlap, then order by position."""
    kept: list[PiiSpan] = []
    for span in sorted(spans, key=lambda s: (PRIORITY.index(s.type), s.start)):
        if all(span.end <= k.start or span.start >= k.end for k in kept):
            kept.append(span)
    return sorted(kept, key=lambda s: s.start)


def apply_redaction(text: str, spans: list[PiiSpan]) -> str:
    pieces, cursor = [], 0
    for span in spans:
        pieces += [text[cursor : span.start], placeholder(span.type)]
        cursor = span.end
    pieces.append(text[cursor:])
    return "".join(pieces)


def scan(text: str, region: str = DEFAULT_REGION) -> PrivacyScan:
    """Find cards, IBANs, national ids, emails, labelled dates of birth and phone numbers.

    ``region`` is the ISO country whose national phone formats apply (international "+" numbers are found
    whatever it is).
    """
    spans = resolve_overlaps(find_all(text, region))
    return PrivacyScan(redacted=apply_redaction(text, spans), spans=spans)


def redact(text: str, region: str = DEFAULT_REGION) -> str:
    return scan(text, region).redacted


class PrivacyScanner:
    """A scanner bound to one phone region, for callers that configure it once."""

    def __init__(self, region: str = DEFAULT_REGION) -> None:
        self.region = region

    def scan(self, text: str) -> PrivacyScan:
        return scan(text, self.region)

    def redact(self, text: str) -> str:
        return redact(text, self.region)
