"""Who in a segment is contacted: pure rules, no store."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# A customer who turned this off gets no onboarding message. Known-issue notices still reach them: they
# are about an order they placed, not marketing, and leaving them out would leave them in the dark.
SERVICE_MESSAGES_CONSENT = "service_messages"
NAME_LIMIT = 40  # a "first name" longer than this is more likely a pasted paragraph than a name


@dataclass(frozen=True)
class Candidate:
    customer_id: int
    name: str
    consents: dict[str, Any] = field(default_factory=dict)
    erased: bool = False


def skip_reason(candidate: Candidate, kind: str, already_contacted: bool) -> str | None:
    """Why this customer gets no message, or None when they should get one."""
    if candidate.erased:
        return "erased"
    if already_contacted:
        return "already_contacted"
    if kind == "onboarding" and candidate.consents.get(SERVICE_MESSAGES_CONSENT) is False:
        return "opted_out"
    return None


def first_name(name: str) -> str | None:
    words = name.split()
    if not words or len(words[0]) > NAME_LIMIT:
        return None
    return words[0]
