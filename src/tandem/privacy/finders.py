"""One finder per kind of personal data; each returns spans in the text it was given."""

from __future__ import annotations

import re
from collections.abc import Iterator

import phonenumbers

from tandem.privacy.checksums import card_number_valid, iban_valid, nino_prefix_valid, ssn_valid
from tandem.triage.signals import PiiSpan

# Digit groups joined by single spaces or dashes; "/", "." and "," end a run so dates and amounts split.
_DIGIT_RUN = re.compile(r"(?<![\w./,-])\d+(?:[ -]\d+)*(?![\w/-]|[.,]\d)")
_GROUP = re.compile(r"\d+")
_IBAN_RUN = re.compile(r"(?<![A-Za-z0-9])[A-Za-z]{2}\d{2}(?: ?[A-Za-z0-9]){11,34}")
# Unicode letters are allowed on both sides: internationalised addresses exist ("ann@例え.jp").
EMAIL = re.compile(r"(?<![\w.+-])[\w.%+-]+@[\w-]+(?:\.[\w-]+)*\.[^\W\d_]{2,}(?![\w-])")
_SSN = re.compile(r"(?<![\w-])(\d{3})([- ])(\d{2})\2(\d{4})(?![\w-])")
_SSN_LABELLED = re.compile(r"\b(?:ssn|social security(?: number| no\.?)?)\s*(?:is|:|#)?\s*(\d{9})\b", re.I)
_NINO = re.compile(r"(?<!\w)([A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z]) ?(\d{2}) ?(\d{2}) ?(\d{2}) ?([A-D])(?!\w)", re.I)
_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
_DATE = (
    rf"\d{{1,2}}[/.-]\d{{1,2}}[/.-]\d{{2,4}}|\d{{4}}-\d{{2}}-\d{{2}}"
    rf"|\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH},?\s+\d{{4}}|{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}"
)
_DOB = re.compile(
    rf"\b(?:date of birth|birth ?date|d\.?o\.?b\.?|born on|birthday is)\s*(?:is|was|:|-)?\s*({_DATE})", re.I
)
# A number right after these words is a reference, not somebody's phone ("order 02079460958").
_REFERENCE_BEFORE = re.compile(
    r"(?:order|ref|reference|invoice|tracking|parcel|consignment|transaction|account|acct|policy|booking|"
    r"ticket|case)\s*(?:no\.?|number|num|id|#)?\s*(?:is\s*)?[:#]?\s*$|[#£$€]\s*$",
    re.I,
)
_MIN_PHONE_DIGITS = 7
_LOOKBEHIND_CHARS = 30


def find_cards(text: str) -> list[PiiSpan]:
    spans = []
    for run in _DIGIT_RUN.finditer(text):
        span = _longest_card_in_run(run)
        if span is not None:
            spans.append(span)
    return spans


def _longest_card_in_run(run: re.Match[str]) -> PiiSpan | None:
    """The longest stretch of whole groups in a run that is a valid card: "4111 1111 1111 1111 123" keeps
    the card and leaves the security code."""
    groups = list(_GROUP.finditer(run.group(0)))
    best: tuple[int, int] | None = None
    for first in range(len(groups)):
        for last in range(len(groups) - 1, first - 1, -1):
            digits = "".join(g.group(0) for g in groups[first : last + 1])
            if card_number_valid(digits):
                start, end = groups[first].start(), groups[last].end()
                if best is None or end - start > best[1] - best[0]:
                    best = (start, end)
                break
    if best is None:
        return None
    return PiiSpan(type="card", start=run.start() + best[0], end=run.start() + best[1])


def find_ibans(text: str) -> list[PiiSpan]:
    spans = []
    for run in _IBAN_RUN.finditer(text):
        end = _iban_end(run.group(0))
        if end is not None:
            spans.append(PiiSpan(type="iban", start=run.start(), end=run.start() + end))
    return spans


def _iban_end(candidate: str) -> int | None:
    """Where the longest valid IBAN at the start of ``candidate`` ends; the run may have swallowed a
    following word ("... 7654 32 THANKS")."""
    for end in range(len(candidate), 0, -1):
        if end < len(candidate) and candidate[end] != " ":
            continue
        if iban_valid(candidate[:end].replace(" ", "")):
            return end
    return None


def find_emails(text: str) -> list[PiiSpan]:
    return [PiiSpan(type="email", start=m.start(), end=m.end()) for m in EMAIL.finditer(text)]


def find_national_ids(text: str) -> list[PiiSpan]:
    spans = [PiiSpan(type="national_id", start=m.start(), end=m.end()) for m in _valid_ssns(text)]
    spans += [
        PiiSpan(type="national_id", start=m.start(1), end=m.end(1))
        for m in _SSN_LABELLED.finditer(text)
        if ssn_valid(m.group(1)[:3], m.group(1)[3:5], m.group(1)[5:])
    ]
    spans += [
        PiiSpan(type="national_id", start=m.start(), end=m.end())
        for m in _NINO.finditer(text)
        if nino_prefix_valid(m.group(1))
    ]
    return spans


def _valid_ssns(text: str) -> Iterator[re.Match[str]]:
    return (m for m in _SSN.finditer(text) if ssn_valid(m.group(1), m.group(3), m.group(4)))


def find_dates_of_birth(text: str) -> list[PiiSpan]:
    return [PiiSpan(type="dob", start=m.start(1), end=m.end(1)) for m in _DOB.finditer(text)]


def find_phones(text: str, region: str) -> list[PiiSpan]:
    # The matcher is the slowest step; most messages have too few digits to hold a phone number at all.
    if sum(ch.isdigit() for ch in text) < _MIN_PHONE_DIGITS:
        return []
    return [
        PiiSpan(type="phone", start=m.start, end=m.end)
        for m in phonenumbers.PhoneNumberMatcher(text, region)
        if not _REFERENCE_BEFORE.search(text[max(0, m.start - _LOOKBEHIND_CHARS) : m.start])
    ]
