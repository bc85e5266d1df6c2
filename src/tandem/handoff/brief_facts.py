"""The pieces of a brief read straight from what the customer wrote: summary, facts, amounts, articles.

Pure functions over redacted text and triage entities, table-tested. Personal data that the privacy
scan found (emails, phones, card numbers) is only ever shown masked.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

SUMMARY_SENTENCES = 3
SUMMARY_CHARS = 320
# Words that carry the problem: a sentence with them says more about the issue than "hi there".
ISSUE_WORDS = frozenset(
    """
    not never no still wrong broken faulty damaged missing late delayed lost charged twice refund refunded
    return cancel cancelled complaint problem issue error declined failed stuck waiting overcharged
    arrived delivered delivery parcel order payment bill invoice account password locked wrong item
    replacement exchange compensation voucher fee warranty
    """.split()
)
FILLER = frozenset(
    "hi hello hey there thanks thank you ok okay cheers yes no please sure great fine bye morning afternoon".split()
)
_SENTENCE = re.compile(r"[^.!?\n]+[.!?]*")
_WORD = re.compile(r"[a-z']+")
# Triage entity types worth keeping as facts, and how an agent reads them.
FACT_KINDS = {
    "order_id": "order number",
    "money": "amount",
    "date": "date",
    "product": "product",
    "email": "email",
    "phone": "phone",
}
# Personal data from the privacy scan: never shown in full.
MASKED_KINDS = {"email", "phone", "card", "iban", "national_id", "dob"}
_MONEY = re.compile(
    r"(?<![\w.])(?P<amount>\d{1,3}(?:,\d{3})+(?:\.\d{1,2})?|\d+(?:\.\d{1,2})?)\s?(?P<scale>k|m|bn)?\b", re.I
)
_SCALES = {"k": Decimal(1000), "m": Decimal(1_000_000), "bn": Decimal(1_000_000_000)}


@dataclass(frozen=True)
class Sentence:
    text: str
    turn: int
    position: int
    score: float


def summarise(customer_texts: Sequence[str], mentions: Sequence[str] = ()) -> str:
    """A few of the customer's own sentences that state the issue, in the order they said them.

    Extractive on purpose: the agent reads the customer's words, not a model's paraphrase. `mentions`
    are entity values (order numbers, amounts, dates): a sentence holding one is worth reading.
    """
    sentences = [s for turn, text in enumerate(customer_texts) for s in _sentences(text, turn, mentions)]
    if not sentences:
        return ""
    chosen = sorted(sentences, key=lambda s: (-s.score, s.turn, s.position))[:SUMMARY_SENTENCES]
    picked: list[str] = []
    for sentence in sorted(chosen, key=lambda s: (s.turn, s.position)):
        if len(" ".join([*picked, sentence.text])) > SUMMARY_CHARS and picked:
            break
        picked.append(sentence.text)
    return shorten(" ".join(picked), SUMMARY_CHARS)


def _sentences(text: str, turn: int, mentions: Sequence[str]) -> list[Sentence]:
    found = []
    for position, match in enumerate(_SENTENCE.finditer(text)):
        sentence = " ".join(match.group(0).split())
        sentence = sentence if sentence[-1:] in ".!?" else f"{sentence}."
        words = _WORD.findall(sentence.lower())
        if not words or all(word in FILLER for word in words):
            continue
        score = sum(1.0 for word in words if word in ISSUE_WORDS)
        score += 2.0 * sum(1 for value in mentions if value and value.lower() in sentence.lower())
        score += 1.5 if turn == 0 else 0.0  # the first message usually says what it is about
        score += 0.5 if len(words) >= 5 else -1.0
        found.append(Sentence(sentence, turn, position, score))
    return found


def shorten(text: str, limit: int) -> str:
    """At most `limit` characters, cut at a word, with an ellipsis when cut."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:-")
    return f"{cut}…"


def mask(kind: str, value: str) -> str:
    """Enough to recognise, never enough to use: `j•••@example.com`, `•••• 4321`."""
    value = value.strip()
    if kind == "email" and "@" in value:
        local, _, domain = value.partition("@")
        return f"{local[:1]}•••@{domain}"
    digits = re.sub(r"\D", "", value)
    if kind in ("phone", "card", "iban") and len(digits) >= 4:
        return f"•••• {digits[-3:] if kind == 'phone' else digits[-4:]}"
    return "(given, hidden)"


def parse_money(text: str) -> Decimal | None:
    """`£45.99` → 45.99, `£1,200` → 1200, `2.5k pounds` → 2500; None when there is no amount."""
    match = _MONEY.search(text.replace("£", " ").replace("$", " ").replace("€", " "))
    if match is None:
        return None
    try:
        amount = Decimal(match.group("amount").replace(",", ""))
    except InvalidOperation:
        return None
    scale = (match.group("scale") or "").lower()
    return amount * _SCALES.get(scale, Decimal(1))


def same_value(kind: str, value: str) -> str:
    """The key under which two mentions of one fact count once (`#A10234` and `a10234` are one order)."""
    cleaned = " ".join(value.lower().split())
    if kind == "order_id":
        return cleaned.lstrip("#").strip()
    if kind in ("phone", "card"):
        return re.sub(r"\D", "", cleaned)
    return cleaned


def keyword_hits(texts: Iterable[str], keywords: Iterable[str]) -> list[str]:
    """The keywords (single words or phrases) that occur in the texts as whole words, in keyword order."""
    haystack = " " + " ".join(_WORD.findall(" ".join(texts).lower())) + " "
    hits = []
    for keyword in keywords:
        phrase = " ".join(_WORD.findall(keyword.lower()))
        if phrase and f" {phrase} " in haystack:
            hits.append(keyword)
    return list(dict.fromkeys(hits))
