"""Entities a support agent needs at a glance: order ids, emails, phones, money, dates and products.

``extract_entities(text, catalogue)`` returns them in text order; products are matched fuzzily against
the catalogue (typos, case) on whole words only. The detector's ``Hit.labels`` are the entity types found.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from tandem.privacy.finders import find_emails, find_phones
from tandem.privacy.scan import DEFAULT_REGION
from tandem.triage.detector import Detector, Hit
from tandem.triage.signals import Entity

PRODUCT_THRESHOLD = 85.0

_ORDER_PATTERNS = (
    re.compile(r"#\s?([A-Za-z]{0,3}-?\d{3,}[A-Za-z0-9-]*)"),
    re.compile(r"(?<![\w-])((?i:ord|order|inv|ref|po|rma|tkt)[-_]?\d[\w-]*|[A-Z]{2,5}-\d{4,}(?:-\d+)*)(?![\w-])"),
    re.compile(
        r"\border\s*(?:number|no\.?|num|id|ref(?:erence)?)?\s*[:#]?\s*(?:is\s+)?([A-Za-z]{0,3}-?\d{4,}[\w-]*)",
        re.I,
    ),
)
_AMOUNT = r"\d{1,3}(?:,\d{3})+(?:\.\d{1,2})?|\d+(?:\.\d{1,2})?"
_MONEY = re.compile(
    rf"[£$€¥]\s?(?:{_AMOUNT})(?:\s?(?:k|m|bn)\b)?"
    rf"|\b(?:GBP|USD|EUR|CAD|AUD)\s?(?:{_AMOUNT})"
    rf"|\b(?:{_AMOUNT})\s?(?:GBP|USD|EUR|CAD|AUD|pounds?|quid|dollars?|euros?|bucks|pence|cents?|p)\b",
    re.I,
)
_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_WEEKDAY = r"(?:mon|tues|wednes|thurs|fri|satur|sun)day"
_DATE = re.compile(
    rf"\b(?:the\s+)?day\s+(?:after\s+tomorrow|before\s+yesterday)\b|\b(?:today|tomorrow|yesterday|tonight)\b"
    rf"|\b(?:last|next|this|coming)\s+(?:{_WEEKDAY}|week|weekend|month|year)\b|\b{_WEEKDAY}\b"
    rf"|\b\d+\s+(?:days?|weeks?|months?)\s+ago\b"
    rf"|\b\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH}\b(?:,?\s+\d{{4}})?"
    rf"|\b{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?\b(?:,?\s+\d{{4}})?"
    rf"|\b\d{{4}}-\d{{2}}-\d{{2}}\b|\b\d{{1,2}}[/.]\d{{1,2}}[/.]\d{{2,4}}\b",
    re.I,
)
_WORD = re.compile(r"\w+")
# Overlapping finds keep the more specific kind: an email beats the phone-looking digits inside it.
_PRIORITY = ("email", "order_id", "money", "date", "phone", "product")


@dataclass(frozen=True)
class Found:
    type: str
    value: str
    start: int
    end: int


def find_order_ids(text: str) -> list[Found]:
    return [Found("order_id", m.group(1), m.start(1), m.end(1)) for p in _ORDER_PATTERNS for m in p.finditer(text)]


def find_money(text: str) -> list[Found]:
    return [Found("money", " ".join(m.group(0).split()), m.start(), m.end()) for m in _MONEY.finditer(text)]


def find_dates(text: str) -> list[Found]:
    return [Found("date", " ".join(m.group(0).split()), m.start(), m.end()) for m in _DATE.finditer(text)]


def find_contacts(text: str, region: str) -> list[Found]:
    spans = find_emails(text) + find_phones(text, region)
    return [Found(s.type, text[s.start : s.end], s.start, s.end) for s in spans]


def _normalise(name: str) -> str:
    return " ".join(_WORD.findall(name.lower()))


def find_products(text: str, catalogue: Sequence[str], threshold: float = PRODUCT_THRESHOLD) -> list[Found]:
    """Each catalogue name against every run of whole words of about its length, scored by edit ratio."""
    words = list(_WORD.finditer(text))
    found = []
    for name in catalogue:
        target = _normalise(name)
        size = len(target.split())
        windows = _word_windows(text, words, range(max(1, size - 1), size + 2))
        best = process.extractOne(target, list(windows), scorer=fuzz.ratio, score_cutoff=threshold)
        if best is not None and target:
            start, end = windows[best[0]]
            found.append(Found("product", name, start, end))
    return found


def _word_windows(text: str, words: list[re.Match[str]], sizes: range) -> dict[str, tuple[int, int]]:
    """Normalised phrase -> its first span in the text, for every run of ``sizes`` consecutive words."""
    windows: dict[str, tuple[int, int]] = {}
    for size in sizes:
        for i in range(len(words) - size + 1):
            run = words[i : i + size]
            phrase = " ".join(w.group(0).lower() for w in run)
            windows.setdefault(phrase, (run[0].start(), run[-1].end()))
    return windows


def resolve_overlaps(found: list[Found]) -> list[Found]:
    kept: list[Found] = []
    for f in sorted(found, key=lambda f: (_PRIORITY.index(f.type), f.start, f.start - f.end)):
        if all(f.end <= k.start or f.start >= k.end for k in kept):
            kept.append(f)
    return sorted(kept, key=lambda f: f.start)


def extract_entities(
    text: str, catalogue: Sequence[str] = (), region: str = DEFAULT_REGION, threshold: float = PRODUCT_THRESHOLD
) -> list[Entity]:
    found = [
        *find_contacts(text, region),
        *find_order_ids(text),
        *find_money(text),
        *find_dates(text),
        *find_products(text, catalogue, threshold),
    ]
    return [Entity(type=f.type, value=f.value) for f in resolve_overlaps(found)]


class EntityDetector:
    """Fires when a message names anything worth extracting; bind a catalogue to match products."""

    name = "entities"

    def __init__(self, catalogue: Sequence[str] = (), region: str = DEFAULT_REGION) -> None:
        self.catalogue = tuple(catalogue)
        self.region = region

    def detect(self, text: str) -> Hit:
        entities = extract_entities(text, self.catalogue, self.region)
        if not entities:
            return Hit.none()
        labels = tuple(dict.fromkeys(e.type for e in entities))
        return Hit(fired=True, evidence=tuple(e.value for e in entities), labels=labels, score=1.0)


detector: Detector = EntityDetector()
