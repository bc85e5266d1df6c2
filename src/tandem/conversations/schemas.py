"""API shapes for conversations, messages and agent actions."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from tandem.events.schemas import EventOut

Channel = Literal["web", "email", "api", "phone", "social"]
OwnerName = Literal["ai", "queued", "human", "resolved"]
PriorityName = Literal["low", "normal", "high", "urgent"]
ChannelMessageId = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
# Length is checked by the service so that an oversized body gets 413, not 422.
Body = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


class ConversationStart(BaseModel):
    model_config = ConfigDict(extra="forbid")
    customer_id: int | None = Field(default=None, ge=1)
    customer_external_id: Annotated[str, StringConstraints(min_length=1, max_length=128)] | None = None
    channel: Channel = "web"
    subject: Annotated[str, StringConstraints(max_length=300)] = ""


class CustomerMessageIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    body: Body
    channel_message_id: ChannelMessageId | None = None


class AgentMessageIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    body: Body


class AssignIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    agent_id: int | None = Field(default=None, ge=1, description="Defaults to the calling agent.")


class ReasonIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: Annotated[str, StringConstraints(max_length=500)] = ""


class RatingIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    score: int = Field(ge=1, le=5)
    comment: Annotated[str, StringConstraints(max_length=2000)] = ""


class MessageOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    conversation_id: int
    author_kind: str
    author_id: int | None
    body: str
    visibility: str
    channel: str
    channel_message_id: str | None
    reply_to_id: int | None
    created_at: datetime


class ConversationOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    channel: str
    customer_id: int | None
    owner: str
    assigned_agent_id: int | None
    queue: str | None
    priority: str
    subject: str
    created_at: datetime
    updated_at: datetime
    handed_over_at: datetime | None
    first_human_response_at: datetime | None
    resolved_at: datetime | None
    satisfaction: int | None


class ConversationDetail(ConversationOut):
    messages: list[MessageOut]
    events: list[EventOut] = Field(default_factory=list)


class ConversationStarted(ConversationOut):
    customer_token: str = Field(description="Gives the customer's widget access to this conversation only.")
    greeting: MessageOut | None = None


class ConversationPage(BaseModel):
    items: list[ConversationOut]
    next_cursor: str | None


class HandoffOut(BaseModel):
    reasons: list[str]
    primary_reason: str
    queue: str
    priority: str
    expected_wait_seconds: int | None = Field(description="None when nobody is in: see people_back_at.")
    people_back_at: datetime | None = Field(default=None, description="Set outside business hours.")
    assigned_agent_id: int | None


class CustomerTurnOut(BaseModel):
    """What the customer sees next after posting a message."""

    message: MessageOut
    duplicate: bool = False
    owner: str
    replies: list[MessageOut]
    handoff: HandoffOut | None = None
    pipeline: dict[str, Any] = Field(default_factory=dict)
