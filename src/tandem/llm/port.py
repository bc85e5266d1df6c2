"""The phrasing port: a skill's template reply goes in, the words sent to the customer come out.

The template is always correct and within policy; a phraser may only make it read better. The default
(`TemplatePhraser`) returns the draft unchanged, so nothing leaves the machine unless an LLM provider
is configured (`tandem.llm.factory.phraser_from_settings`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal, Protocol

Purpose = Literal["reply", "summary"]
Source = Literal["template", "llm"]


@dataclass(frozen=True)
class PhraseRequest:
    """What a phraser may work with.

    ``draft`` is the template reply (already correct and within policy); ``facts`` are the only
    knowledge-base and connector facts the wording may use; ``context`` is the customer's recent
    messages, already redacted by the caller (the provider redacts it again before sending).
    """

    draft: str
    facts: Mapping[str, str] = field(default_factory=dict)
    context: str = ""
    purpose: Purpose = "reply"


@dataclass(frozen=True)
class Phrased:
    """The text to use and where it came from; ``fallback_reason`` says why the template was kept
    (``"timeout"``, ``"http_503"``, ``"check:new_amount"``…) and is ``None`` when nothing failed."""

    text: str
    source: Source
    fallback_reason: str | None = None


class Phraser(Protocol):
    def phrase(self, request: PhraseRequest) -> Phrased: ...


class TemplatePhraser:
    """The default: the template is the reply. Nothing is sent anywhere."""

    def phrase(self, request: PhraseRequest) -> Phrased:
        return Phrased(text=request.draft, source="template", fallback_reason=None)
