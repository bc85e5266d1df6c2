"""Checks on an LLM's wording before a customer sees it: pure functions, one named failure each.

The template draft is correct and within policy, and the facts are all the wording may draw on. So the
output may rephrase, but may not bring in personal data, amounts, percentages, dates, numbers, links or
commitments that neither holds, may not claim to be a person, and must be non-empty and short enough.
A failure's ``name`` goes to the audit (as ``check:<name>``); its ``detail`` never quotes the text,
which may hold personal data.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import cached_property

from tandem.privacy import DEFAULT_REGION, scan


@dataclass(frozen=True)
class CheckFailure:
    name: str
    detail: str = ""


@dataclass(frozen=True)
class Grounds:
    """What the wording may stand on: the draft, the facts, and the length limit."""

    draft: str
    facts: Mapping[str, str] = field(default_factory=dict)
    max_chars: int = 1200
    region: str = DEFAULT_REGION

    @cached_property
    def text(self) -> str:
        return "\n".join([self.draft, *self.facts.values()])

    @cached_property
    def numbers(self) -> frozenset[str]:
        found = {_number_key(m.group(0)) for m in _NUMBER.finditer(self.text)}
        # "12 March 2025" may be written "12/03/2025": a date's parts are numbers the wording may use.
        for month, day, year in _dates(self.text):
            found |= {str(month), str(day)} | ({str(year)} if year else set())
        return frozenset(found)

    @cached_property
    def digit_runs(self) -> frozenset[str]:
        return frozenset(re.sub(r"\D", "", m.group(0)) for m in _DIGIT_RUN.finditer(self.text))

    @cached_property
    def bare_fact_numbers(self) -> frozenset[str]:
        # Connectors give amounts as plain values ("total": "49.99"); the wording may add the currency sign.
        return frozenset(_number_key(v.strip()) for v in self.facts.values() if _BARE_NUMBER.fullmatch(v.strip()))


Check = Callable[[str, Grounds], CheckFailure | None]


def _normalise(text: str) -> str:
    return text.replace("\u2019", "'").replace("\u2018", "'").casefold()


def _compact(text: str) -> str:
    return re.sub(r"[\W_]", "", text).upper()


# --- numbers ------------------------------------------------------------------------------------------

_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_DIGIT_RUN = re.compile(r"\+?\d[\d ().-]*\d")
_BARE_NUMBER = re.compile(r"-?\d[\d,]*(?:\.\d+)?")
_THOUSANDS = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?")


def _number_key(raw: str) -> str:
    """One spelling per value: "1,200.00", "1200" and "1200.0" are the same number."""
    raw = raw.lstrip("-")
    if _THOUSANDS.fullmatch(raw):
        raw = raw.replace(",", "")
    elif re.fullmatch(r"\d+,\d{1,2}", raw):  # a decimal comma: "12,50"
        raw = raw.replace(",", ".")
    try:
        return format(Decimal(raw).normalize(), "f")
    except InvalidOperation:
        return raw


_NUMBER_WORDS = {
    "two": "2", "three": "3", "four": "4", "five": "5", "six": "6", "seven": "7", "eight": "8", "nine": "9",
    "ten": "10", "eleven": "11", "twelve": "12", "fourteen": "14", "fifteen": "15", "twenty": "20",
    "thirty": "30", "forty": "40", "fifty": "50", "sixty": "60", "ninety": "90", "hundred": "100",
}  # fmt: skip
# "one" is left out: "one moment", "the one you ordered" are not quantities.
_NUMBER_WORD = re.compile(r"\b(" + "|".join(_NUMBER_WORDS) + r")\b")


def no_new_number(text: str, grounds: Grounds) -> CheckFailure | None:
    allowed = grounds.numbers | set(_NUMBER_WORD.findall(_normalise(grounds.text)))
    for match in _NUMBER.finditer(text):
        if _number_key(match.group(0)) not in allowed:
            return CheckFailure("new_number")
    for word in _NUMBER_WORD.findall(_normalise(text)):
        if word not in allowed and _NUMBER_WORDS[word] not in allowed:
            return CheckFailure("new_number", "in words")
    return None


# --- money and percentages ---------------------------------------------------------------------------

_VALUE = r"(\d[\d,]*(?:\.\d+)?)"
_AMOUNT = re.compile(
    rf"(?:[£$€]|\b(?:GBP|USD|EUR|CAD|AUD)\s?)\s?{_VALUE}"
    rf"|{_VALUE}\s?(?:GBP|USD|EUR|CAD|AUD|pounds?|dollars?|euros?|pence|p)\b",
    re.I,
)
_PERCENT = re.compile(rf"{_VALUE}\s?(?:%|per ?cent\b)", re.I)


def _values(pattern: re.Pattern[str], text: str) -> set[str]:
    return {_number_key(m.group(1) or m.group(2)) for m in pattern.finditer(text)}


def no_new_amount(text: str, grounds: Grounds) -> CheckFailure | None:
    allowed = _values(_AMOUNT, grounds.text) | grounds.bare_fact_numbers
    if _values(_AMOUNT, text) - allowed:
        return CheckFailure("new_amount")
    return None


def no_new_percentage(text: str, grounds: Grounds) -> CheckFailure | None:
    allowed = {_number_key(m.group(1)) for m in _PERCENT.finditer(grounds.text)} | grounds.bare_fact_numbers
    if {_number_key(m.group(1)) for m in _PERCENT.finditer(text)} - allowed:
        return CheckFailure("new_percentage")
    return None


# --- dates -------------------------------------------------------------------------------------------

_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_MONTH = (
    r"(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?"
    r"|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_ORDINAL = r"(?:st|nd|rd|th)?"
_ISO_DATE = re.compile(r"\b(\d{4})-(\d{1,2})-(\d{1,2})")
# Day first, as in the desk's default region; the year is required so "12.50" stays an amount.
_NUMERIC_DATE = re.compile(r"\b(\d{1,2})([/.-])(\d{1,2})\2(\d{2}|\d{4})\b")
_DAY_MONTH = re.compile(rf"\b(\d{{1,2}}){_ORDINAL}\s+(?:of\s+)?{_MONTH}\b(?:,?\s+(\d{{4}}))?", re.I)
_MONTH_DAY = re.compile(rf"\b{_MONTH}\s+(\d{{1,2}}){_ORDINAL}\b(?:,?\s+(\d{{4}}))?", re.I)
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_DAY_WORD = re.compile(r"\b(" + "|".join(_WEEKDAYS) + r"|tomorrow)\b")

DateKey = tuple[int, int, int | None]  # month, day, year when given


def _year(raw: str | None) -> int | None:
    if raw is None:
        return None
    return int(raw) + 2000 if len(raw) == 2 else int(raw)


def _dates(text: str) -> set[DateKey]:
    found: set[DateKey] = set()
    for m in _ISO_DATE.finditer(text):
        found.add((int(m.group(2)), int(m.group(3)), int(m.group(1))))
    for m in _NUMERIC_DATE.finditer(text):
        found.add((int(m.group(3)), int(m.group(1)), _year(m.group(4))))
    for m in _DAY_MONTH.finditer(text):
        found.add((_MONTHS.index(m.group(2)[:3].lower()) + 1, int(m.group(1)), _year(m.group(3))))
    for m in _MONTH_DAY.finditer(text):
        found.add((_MONTHS.index(m.group(1)[:3].lower()) + 1, int(m.group(2)), _year(m.group(3))))
    return found


def _weekday(key: DateKey) -> str | None:
    month, day, year = key
    if year is None:
        return None
    try:
        return _WEEKDAYS[date(year, month, day).weekday()]
    except ValueError:
        return None


def no_new_date(text: str, grounds: Grounds) -> CheckFailure | None:
    allowed = _dates(grounds.text)
    for month, day, year in _dates(text):
        if not any(m == month and d == day and (year is None or y in (None, year)) for m, d, y in allowed):
            return CheckFailure("new_date")
    # A weekday is allowed when the grounds name it or hold a full date that falls on it.
    allowed_words = set(_DAY_WORD.findall(_normalise(grounds.text)))
    allowed_words |= {day for day in map(_weekday, allowed) if day is not None}
    if set(_DAY_WORD.findall(_normalise(text))) - allowed_words:
        return CheckFailure("new_date", "day word")
    return None


# --- personal data, references and links -------------------------------------------------------------


def _pii_key(kind: str, value: str) -> str:
    if kind == "email":
        return value.casefold()
    if kind == "phone":
        return re.sub(r"\D", "", value)[-9:]  # "+44 20 7946 0958" and "020 7946 0958" are one number
    return _compact(value)


def no_new_personal_data(text: str, grounds: Grounds) -> CheckFailure | None:
    found = scan(text, grounds.region)
    if not found.spans:
        return None
    spans = scan(grounds.text, grounds.region).spans
    allowed = {(s.type, _pii_key(s.type, grounds.text[s.start : s.end])) for s in spans}
    compact = _compact(grounds.text)
    for span in found.spans:
        key = _pii_key(span.type, text[span.start : span.end])
        if (span.type, key) in allowed:
            continue
        if span.type == "email" and key in grounds.text.casefold():
            continue
        if span.type == "phone" and any(key in run for run in grounds.digit_runs):
            continue
        if span.type not in ("email", "phone") and key in compact:
            continue
        return CheckFailure(f"new_{span.type}")
    return None


# Shop references: "A10001", "ORD-12345", "#40012".
_ORDER_NUMBER = re.compile(r"\b[A-Z]{1,4}-?\d{4,}\b|#\s?\d{3,}\b")


def no_new_order_number(text: str, grounds: Grounds) -> CheckFailure | None:
    compact = _compact(grounds.text)
    for match in _ORDER_NUMBER.finditer(text):
        if _compact(match.group(0)) not in compact:
            return CheckFailure("new_order_number")
    return None


_LINK = re.compile(r"\bhttps?://[^\s<>\"')\]]+|\bwww\.[^\s<>\"')\]]+", re.I)


def no_new_link(text: str, grounds: Grounds) -> CheckFailure | None:
    allowed = grounds.text.casefold()
    for match in _LINK.finditer(text):
        if match.group(0).rstrip(".,;:!?").casefold() not in allowed:
            return CheckFailure("new_link")
    return None


_PLACEHOLDER = re.compile(r"\[(?:CARD|IBAN|NATIONAL_ID|EMAIL|DOB|PHONE)(?:_\d+)?\]", re.I)


def no_placeholder(text: str, grounds: Grounds) -> CheckFailure | None:
    """A redaction marker in the output means the model copied from the redacted context."""
    if set(_PLACEHOLDER.findall(text)) - set(_PLACEHOLDER.findall(grounds.text)):
        return CheckFailure("placeholder")
    return None


# --- commitments and identity ------------------------------------------------------------------------

# A commitment the draft does not make is outside policy: only the template decides what we promise.
COMMITMENTS: Mapping[str, re.Pattern[str]] = {
    name: re.compile(pattern)
    for name, pattern in {
        "guarantee": r"\bguarantee[sd]?\b|\bguaranteeing\b",
        "promise": r"\bpromis(?:e|es|ed|ing)\b",
        "refund": (
            r"\b(?:we|i)\s*(?:will|'ll|shall|can|are going to|am going to|'re going to|'m going to)\s+"
            r"(?:\w+\s+){0,2}refund\b|\brefund(?:ed|ing)? you\b|\b(?:issue|issued|issuing|process|processed)"
            r" (?:you )?(?:a|your) (?:full |partial )?refund\b"
        ),
        "compensation": r"\bcompensat(?:e|ed|es|ing|ion)\b",
        "free_of_charge": (
            r"\bfree of charge\b|\bfor free\b|\bat no (?:extra |additional )?cost\b|\bno charge\b"
            r"|\bfree (?:replacement|delivery|shipping|return|upgrade)s?\b"
        ),
        "approval": r"\b(?:i|we)\s*(?:'ve|have)\s+(?:\w+\s+)?approved\b|\bapproved your\b",
        "waive": r"\bwaiv(?:e|ed|es|ing)\b",
        "credit": r"\bvouchers?\b|\bstore credit\b|\bgift cards?\b|\bcredit (?:to )?your account\b|\bgoodwill\b",
        "discount": r"\bdiscount(?:s|ed)?\b",
        "replacement": (
            r"\b(?:we|i)\s*(?:will|'ll|can)\s+(?:\w+\s+){0,2}(?:send|ship|post)\s+(?:you\s+)?"
            r"(?:a|an) (?:new|replacement)\b"
        ),
        "exception": r"\b(?:make|made|making) an exception\b",
    }.items()
}


def no_new_commitment(text: str, grounds: Grounds) -> CheckFailure | None:
    said, drafted = _normalise(text), _normalise(grounds.draft)
    for name, pattern in COMMITMENTS.items():
        if pattern.search(said) and not pattern.search(drafted):
            return CheckFailure("new_commitment", name)
    return None


_HUMAN_CLAIM = re.compile(
    r"\bi\s*(?:'m|am)\s+(?:a\s+)?(?:real\s+)?(?:person|human(?: being)?)\b"
    r"|\bas a (?:real )?(?:person|human)\b"
    r"|\bi\s*(?:'m|am)\s+not\s+(?:a\s+|an\s+)?(?:bot|robot|ai|machine|chatbot|computer)\b"
    r"|\b(?:real|actual) (?:person|human) here\b"
)


def no_human_claim(text: str, grounds: Grounds) -> CheckFailure | None:
    if _HUMAN_CLAIM.search(_normalise(text)):
        return CheckFailure("claims_human")
    return None


# --- shape -------------------------------------------------------------------------------------------


def not_empty(text: str, grounds: Grounds) -> CheckFailure | None:
    return CheckFailure("empty") if not text.strip() else None


def within_length(text: str, grounds: Grounds) -> CheckFailure | None:
    return CheckFailure("too_long", f"{len(text)}>{grounds.max_chars}") if len(text) > grounds.max_chars else None


# Shape first, then what would leak personal data, then what would change the meaning.
CHECKS: Sequence[Check] = (
    not_empty,
    within_length,
    no_human_claim,
    no_placeholder,
    no_new_personal_data,
    no_new_order_number,
    no_new_link,
    no_new_amount,
    no_new_percentage,
    no_new_date,
    no_new_number,
    no_new_commitment,
)


def check_phrasing(text: str, grounds: Grounds, checks: Sequence[Check] = CHECKS) -> list[CheckFailure]:
    """Every failed check, in order; an empty list means the wording may be used."""
    return [failure for check in checks if (failure := check(text, grounds)) is not None]
