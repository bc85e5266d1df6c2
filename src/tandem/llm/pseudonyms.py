"""Numbered stand-ins for personal data in the draft and facts, so the provider never sees the values.

The draft may legitimately hold the customer's email ("we'll write to ann@example.com"). The provider
gets "[EMAIL_1]", is told to keep such markers as they are, and the desk puts the value back afterwards.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from tandem.privacy import DEFAULT_REGION, scan


@dataclass(frozen=True)
class Pseudonymised:
    draft: str
    facts: dict[str, str]
    values: dict[str, str]  # marker → the original value

    def restore(self, text: str) -> str:
        for marker, value in self.values.items():
            text = text.replace(marker, value)
        return text


def pseudonymise(draft: str, facts: Mapping[str, str], region: str = DEFAULT_REGION) -> Pseudonymised:
    markers: dict[tuple[str, str], str] = {}

    def replace(text: str) -> str:
        found = scan(text, region)
        pieces, cursor = [], 0
        for span in found.spans:
            value = text[span.start : span.end]
            kind = span.type.upper()
            count = sum(1 for k, _ in markers if k == span.type)
            marker = markers.setdefault((span.type, value), f"[{kind}_{count + 1}]")
            pieces += [text[cursor : span.start], marker]
            cursor = span.end
        pieces.append(text[cursor:])
        return "".join(pieces)

    new_draft = replace(draft)
    new_facts = {key: replace(value) for key, value in facts.items()}
    return Pseudonymised(new_draft, new_facts, {marker: value for (_, value), marker in markers.items()})
