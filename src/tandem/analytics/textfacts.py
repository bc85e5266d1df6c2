"""What a message says, read with plain patterns: did the customer confirm the fix, which facts did they give.

Pure functions, tested from tables. Facts are compared as (kind, normalised value) pairs and only their
kinds ever leave this module: analytics stores that a customer repeated an order number, never which one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

Fact = tuple[str, str]

_NEGATION = re.compile(r"\b(not|no|never|still|didn'?t|doesn'?t|isn'?t|wasn'?t|won'?t|can'?t|cannot|nothing)\b", re.I)
_CONFIRMS = re.compile(
    r"\b("
    r"(that|this|it) (worked|works|helped|did it|did the trick|fixed it|solved it|sorted it|answers? it)"
    r"|(it'?s|it is|all|that'?s|that is|everything'?s|everything is|problem'?s?|issue'?s?) "
    r"(now )?(sorted|fixed|resolved|solved|working( now)?|done|fine now|all good)"
    r"|works now|working now|problem solved|issue (resolved|solved)|all sorted|all good now|got it,? thanks?"
    r"|perfect,? thanks?|perfect,? thank you|great,? thanks?|great,? thank you|brilliant,? thanks?"
    r"|that'?s (all|everything|perfect|great|brilliant)|you'?ve (fixed|sorted|solved) it"
    r")\b",
    re.I,
)
_GRATITUDE_ONLY = re.compile(
    r"^\W*(ok(ay)?|great|perfect|cool|lovely|brilliant|cheers|thanks?( you)?( (so|very) much)?|thx|ty|"
    r"many thanks|thank you( (so|very) much)?|bye|good ?bye)([\s,!.]+(ok(ay)?|great|perfect|thanks?( you)?|"
    r"cheers|bye|again|a lot|so much|very much))*\W*$",
    re.I,
)

_EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")
_ORDER_AFTER_WORD = re.compile(
    r"\b(?:order|ord|reference|ref|booking|invoice|case|ticket)\s*(?:no\.?|number|num|id|#)?\s*[:#]?\s*"
    r"([A-Z]{0,4}-?\d{4,12})\b",
    re.I,
)
_ORDER_CODE = re.compile(r"(?:#(\d{4,12})\b|\b([A-Z]{1,4}-\d{3,12})\b)")
_AMOUNT_SYMBOL = re.compile(r"[£$€]\s?(\d{1,3}(?:,\d{3})+(?:\.\d{1,2})?|\d+(?:\.\d{1,2})?)")
_AMOUNT_WORD = re.compile(r"\b(\d+(?:\.\d{1,2})?)\s?(?:dollars|pounds|euros|usd|gbp|eur|bucks|quid)\b", re.I)
# Entity types triage may emit, folded into the kinds analytics compares.
_ENTITY_KINDS = {
    "order_id": "order_number",
    "order_number": "order_number",
    "order": "order_number",
    "email": "email",
    "amount": "amount",
    "money": "amount",
}


def confirms_resolution(text: str) -> bool:
    """The customer says the problem is solved ("that worked, thanks"), not "that still hasn't worked"."""
    match = _CONFIRMS.search(text)
    if match is None:
        return False
    # "it's not fixed", "still not working": a negation in the same sentence cancels the confirmation.
    sentence = _sentence_around(text, match.start(), match.end())
    return _NEGATION.search(sentence) is None


def is_gratitude_only(text: str) -> bool:
    """A closing pleasantry ("thanks!", "ok great, bye") carries no new request."""
    return bool(_GRATITUDE_ONLY.match(text.strip()))


def extract_facts(text: str) -> set[Fact]:
    """Order numbers, email addresses and money amounts in a message, normalised for comparison."""
    facts: set[Fact] = {("email", m.group(0).lower()) for m in _EMAIL.finditer(text)}
    without_emails = _EMAIL.sub(" ", text)
    for match in _ORDER_AFTER_WORD.finditer(without_emails):
        facts.add(("order_number", _normalise_code(match.group(1))))
    for match in _ORDER_CODE.finditer(without_emails):
        facts.add(("order_number", _normalise_code(match.group(1) or match.group(2))))
    for match in _AMOUNT_SYMBOL.finditer(without_emails):
        facts.add(("amount", _normalise_amount(match.group(1))))
    for match in _AMOUNT_WORD.finditer(without_emails):
        facts.add(("amount", _normalise_amount(match.group(1))))
    return facts


def entity_facts(entities: Iterable[Mapping[str, Any]]) -> set[Fact]:
    """Facts from triage's entities (signals.entities), where it found any."""
    facts: set[Fact] = set()
    for entity in entities:
        kind = _ENTITY_KINDS.get(str(entity.get("type", "")).lower())
        value = str(entity.get("value", "")).strip()
        if kind is None or not value:
            continue
        if kind == "order_number":
            value = _normalise_code(value)
        elif kind == "amount":
            value = _normalise_amount(re.sub(r"[^\d.,]", "", value) or "0")
        else:
            value = value.lower()
        facts.add((kind, value))
    return facts


def _normalise_code(code: str) -> str:
    return re.sub(r"[^A-Z0-9]", "", code.upper()).lstrip("0") or "0"


def _normalise_amount(raw: str) -> str:
    try:
        return f"{float(raw.replace(',', '')):.2f}"
    except ValueError:
        return raw


def _sentence_around(text: str, start: int, end: int) -> str:
    left = max(text.rfind(mark, 0, start) for mark in ".!?\n")
    rights = [i for i in (text.find(mark, end) for mark in ".!?\n") if i != -1]
    return text[left + 1 : min(rights) if rights else len(text)]
