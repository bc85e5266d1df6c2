"""Who is calling: a console user, an integration's API key, or a customer holding one conversation's token."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from tandem.kit.errors import Forbidden

# Each role can do everything the one before it can, and more.
_AGENT = frozenset({"customers:read", "conversations:read", "conversations:write", "messages:write", "agent:act"})
_SUPERVISOR = _AGENT | {
    "customers:write",
    "vulnerability:read",
    "exceptions:approve",
    "analytics:read",
    "analytics:write",
}
_ADMIN = _SUPERVISOR | {"users:write", "api_keys:write", "rules:write"}
ROLE_SCOPES: dict[str, frozenset[str]] = {"agent": _AGENT, "supervisor": _SUPERVISOR, "admin": _ADMIN}
API_KEY_SCOPES = frozenset(
    {
        "customers:read",
        "customers:write",
        "conversations:read",
        "conversations:write",
        "messages:write",
        "analytics:read",
    }
)
CUSTOMER_SCOPES = frozenset({"own_conversation"})


@dataclass(frozen=True)
class Principal:
    kind: Literal["user", "api_key", "customer"]
    id: int
    scopes: frozenset[str] = field(default_factory=frozenset)
    role: str | None = None
    conversation_id: int | None = None
    csrf_token: str | None = None

    @property
    def actor(self) -> str:
        return f"{self.kind}:{self.id}"

    @property
    def user_id(self) -> int | None:
        return self.id if self.kind == "user" else None

    def require(self, scope: str) -> None:
        if scope not in self.scopes:
            raise Forbidden(f"This credential lacks the {scope!r} permission.")

    def may_see_conversation(self, conversation_id: int) -> bool:
        if self.kind == "customer":
            return self.conversation_id == conversation_id
        return "conversations:read" in self.scopes

    def require_conversation(self, conversation_id: int, scope: str = "conversations:read") -> None:
        if self.kind == "customer":
            if self.conversation_id != conversation_id:
                # Same answer as an unknown id would give the wrong holder nothing to learn.
                raise Forbidden("This token is valid for its own conversation only.")
            return
        self.require(scope)
