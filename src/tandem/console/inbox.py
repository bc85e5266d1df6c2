"""The agent's inbox: conversations with what an agent needs to pick one (why, how urgent, what was said).

A read model over the conversations list, the latest hand-over of each conversation and its last customer
message. The console's live inbox stream sends items of this same shape when a conversation changes.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Literal, cast

from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from tandem.conversations import repository as conversation_repository
from tandem.conversations.models import Conversation
from tandem.conversations.repository import ConversationFilter
from tandem.conversations.schemas import ConversationOut
from tandem.handoff.decision import Priority
from tandem.handoff.routing import DEFAULT_RESPONSE_TARGETS, first_response_target
from tandem.widget import reads

InboxView = Literal["active", "ai", "queued", "human", "resolved", "all"]
PREVIEW_CHARS = 160


class InboxItem(BaseModel):
    conversation: ConversationOut
    reasons: list[str] = Field(default_factory=list)
    primary_reason: str | None = None
    expected_wait_seconds: int | None = None
    preview: str = ""
    last_customer_message_at: datetime | None = None
    first_response_due_at: datetime | None = Field(
        default=None, description="When a person should have answered; none once someone has."
    )
    agent_name: str | None = None


class InboxPage(BaseModel):
    items: list[InboxItem]
    response_target_seconds: dict[str, int]
    cursor: str = Field(description="Open the inbox stream after this cursor to miss nothing read since.")


def response_targets() -> dict[str, int]:
    return {priority: int(target.total_seconds()) for priority, target in DEFAULT_RESPONSE_TARGETS.items()}


def first_response_due(conversation: Conversation) -> datetime | None:
    """From the hand-over, the priority's first-response target; none once a person has answered."""
    if conversation.handed_over_at is None or conversation.first_human_response_at is not None:
        return None
    if conversation.owner not in ("queued", "human"):
        return None
    return conversation.handed_over_at + target_for(conversation.priority)


def target_for(priority: str) -> timedelta:
    known = priority if priority in DEFAULT_RESPONSE_TARGETS else "normal"
    return first_response_target(cast(Priority, known))


def inbox(session: Session, view: InboxView, queue: str | None, limit: int) -> InboxPage:
    cursor = reads.last_event_id(session)  # first: whatever changes after this reaches the stream
    owners: list[str | None] = ["queued", "human"] if view == "active" else [None] if view == "all" else [view]
    found: dict[int, Conversation] = {}
    for owner in owners:
        for conversation in conversation_repository.find(session, ConversationFilter(owner, queue, limit=limit)):
            found[conversation.id] = conversation
    conversations = sorted(found.values(), key=lambda c: c.id, reverse=True)[:limit]
    return InboxPage(
        items=items(session, conversations), response_target_seconds=response_targets(), cursor=str(cursor)
    )


def items(session: Session, conversations: Sequence[Conversation]) -> list[InboxItem]:
    ids = [c.id for c in conversations]
    handoffs = reads.latest_handoffs(session, ids)
    last_messages = reads.last_customer_messages(session, ids)
    names = reads.agent_names(session, [c.assigned_agent_id for c in conversations])
    result = []
    for conversation in conversations:
        handoff = handoffs.get(conversation.id)
        message = last_messages.get(conversation.id)
        preview = message.body if message else conversation.subject
        result.append(
            InboxItem(
                conversation=ConversationOut.model_validate(conversation),
                reasons=list(handoff.reasons) if handoff else [],
                primary_reason=handoff.primary_reason if handoff else None,
                expected_wait_seconds=handoff.expected_wait_seconds if handoff else None,
                preview=preview[:PREVIEW_CHARS] + ("…" if len(preview) > PREVIEW_CHARS else ""),
                last_customer_message_at=message.created_at if message else None,
                first_response_due_at=first_response_due(conversation),
                agent_name=names.get(conversation.assigned_agent_id) if conversation.assigned_agent_id else None,
            )
        )
    return result


def items_for_ids(session: Session, conversation_ids: Sequence[int]) -> list[InboxItem]:
    conversations = [c for c in (reads.conversation(session, cid) for cid in conversation_ids) if c is not None]
    return items(session, conversations)
