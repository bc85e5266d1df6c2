"""Who may speak to the customer: the ownership state machine, pure and table-tested.

ai ──hand_over──▶ queued ──assign──▶ human ──resolve──▶ resolved
 ▲                                      │                   │
 └──────────── hand_back ───────────────┘   ◀── reopen ─────┘
"""

from __future__ import annotations

from typing import Literal

from tandem.kit.errors import InvalidTransition

Owner = Literal["ai", "queued", "human", "resolved"]
Action = Literal["hand_over", "assign", "hand_back", "resolve", "reopen_to_ai", "reopen_to_human"]

TRANSITIONS: dict[Action, dict[str, Owner]] = {
    "hand_over": {"ai": "queued"},
    "assign": {"queued": "human", "ai": "human"},
    "hand_back": {"queued": "ai", "human": "ai"},
    "resolve": {"ai": "resolved", "queued": "resolved", "human": "resolved"},
    "reopen_to_ai": {"resolved": "ai"},
    "reopen_to_human": {"resolved": "human"},
}


def next_owner(action: Action, current: str) -> Owner:
    allowed = TRANSITIONS[action]
    if current not in allowed:
        raise InvalidTransition(
            f"Cannot {action.replace('_', ' ')} a conversation whose owner is {current!r}.",
            action=action,
            owner=current,
            allowed_from=sorted(allowed),
        )
    return allowed[current]


def ai_may_speak(owner: str) -> bool:
    """The AI talks to the customer only while it owns the conversation; otherwise it assists the human."""
    return owner == "ai"
