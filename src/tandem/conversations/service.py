"""Conversation logic that touches the store. Services flush; the request or task boundary commits."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tandem.conversations import ownership, repository
from tandem.conversations.models import Conversation, ConversationToken, Message
from tandem.conversations.schemas import ConversationStart
from tandem.customers import repository as customer_repository
from tandem.events import service as events
from tandem.kit import clock
from tandem.kit.errors import Conflict, Forbidden, InvalidTransition, NotFound, PayloadTooLarge, ValidationFailed
from tandem.users.principal import Principal
from tandem.users.security import new_token, token_hash


class OwnershipViolation(InvalidTransition):
    """The AI tried to speak to a customer in a conversation a human owns. Never allowed."""


def get(session: Session, conversation_id: int, for_update: bool = False) -> Conversation:
    loader = repository.get_for_update if for_update else repository.get
    conversation = loader(session, conversation_id)
    if conversation is None:
        raise NotFound(f"No conversation with id {conversation_id}.")
    return conversation


def start(session: Session, data: ConversationStart, actor: Principal) -> tuple[Conversation, str]:
    customer_id = _resolve_customer(session, data)
    conversation = Conversation(
        channel=data.channel,
        customer_id=customer_id,
        subject=data.subject,
        owner="ai",
        created_at=clock.now(),
        updated_at=clock.now(),
    )
    session.add(conversation)
    session.flush()
    token = new_token("tc")
    session.add(ConversationToken(token_hash=token_hash(token), conversation_id=conversation.id))
    events.record(session, "conversation.started", actor.actor, conversation.id, channel=data.channel)
    return conversation, token


def _resolve_customer(session: Session, data: ConversationStart) -> int | None:
    if data.customer_id is not None:
        if customer_repository.get(session, data.customer_id) is None:
            raise NotFound(f"No customer with id {data.customer_id}.")
        return data.customer_id
    if data.customer_external_id is not None:
        customer = customer_repository.by_external_id(session, data.customer_external_id)
        if customer is None:
            raise NotFound(f"No customer with external id {data.customer_external_id!r}.")
        return customer.id
    return None


def check_length(body: str, max_chars: int) -> None:
    """Oversized messages are refused with 413 (not 422), whoever writes them."""
    if len(body) > max_chars:
        raise PayloadTooLarge(f"A message may hold at most {max_chars} characters; this one has {len(body)}.")


def add_message(
    session: Session,
    conversation: Conversation,
    author_kind: str,
    body: str,
    *,
    visibility: str = "public",
    author_id: int | None = None,
    channel_message_id: str | None = None,
    reply_to_id: int | None = None,
    meta: dict[str, Any] | None = None,
) -> Message:
    """The one way a message enters the store; it guards the ownership invariant."""
    if author_kind == "ai" and visibility == "public" and not ownership.ai_may_speak(conversation.owner):
        raise OwnershipViolation(f"The AI may not speak to the customer while the owner is {conversation.owner!r}.")
    message = Message(
        conversation_id=conversation.id,
        author_kind=author_kind,
        author_id=author_id,
        body=body,
        visibility=visibility,
        channel=conversation.channel,
        channel_message_id=channel_message_id,
        reply_to_id=reply_to_id,
        meta=meta or {},
        created_at=clock.now(),
    )
    session.add(message)
    conversation.updated_at = message.created_at
    session.flush()
    return message


def transition(
    session: Session, conversation: Conversation, action: ownership.Action, actor: str, reason: str = ""
) -> None:
    before = conversation.owner
    conversation.owner = ownership.next_owner(action, before)
    conversation.updated_at = clock.now()
    if conversation.owner == "ai":
        conversation.assigned_agent_id = None
    if conversation.owner == "resolved":
        conversation.resolved_at = clock.now()
    events.record(
        session,
        "conversation.owner_changed",
        actor,
        conversation.id,
        action=action,
        before=before,
        after=conversation.owner,
        reason=reason,
    )


def assign(session: Session, conversation_id: int, agent_id: int, actor: Principal) -> Conversation:
    """Atomic: when two agents take the same conversation at once, exactly one succeeds."""
    conversation = get(session, conversation_id)
    before = conversation.owner
    if not repository.claim(session, conversation_id, agent_id, from_owners=("queued", "ai")):
        session.refresh(conversation)
        if conversation.assigned_agent_id == agent_id and conversation.owner == "human":
            return conversation
        raise Conflict(
            "Someone else has already taken this conversation."
            if conversation.assigned_agent_id
            else f"A conversation whose owner is {conversation.owner!r} cannot be assigned.",
            owner=conversation.owner,
            assigned_agent_id=conversation.assigned_agent_id,
        )
    session.refresh(conversation)
    conversation.updated_at = clock.now()
    events.record(
        session,
        "conversation.owner_changed",
        actor.actor,
        conversation_id,
        action="assign",
        before=before,
        after="human",
        agent_id=agent_id,
    )
    events.record(session, "conversation.assigned", actor.actor, conversation_id, agent_id=agent_id)
    return conversation


def _require_owning_agent(conversation: Conversation, actor: Principal) -> None:
    if actor.kind != "user":
        raise Forbidden("Only a signed-in agent can act on a conversation.")
    if conversation.owner != "human" or conversation.assigned_agent_id is None:
        raise InvalidTransition("Take the conversation before replying.", owner=conversation.owner)
    if conversation.assigned_agent_id != actor.id and actor.role == "agent":
        raise Forbidden("This conversation is assigned to another agent.")


def agent_reply(session: Session, conversation_id: int, body: str, actor: Principal) -> Message:
    conversation = get(session, conversation_id, for_update=True)
    _require_owning_agent(conversation, actor)
    message = add_message(session, conversation, "agent", body, author_id=actor.user_id)
    if conversation.first_human_response_at is None:
        conversation.first_human_response_at = message.created_at
    events.record(session, "message.agent_replied", actor.actor, conversation_id, message_id=message.id)
    return message


def add_note(session: Session, conversation_id: int, body: str, actor: Principal) -> Message:
    conversation = get(session, conversation_id, for_update=True)
    if actor.kind != "user":
        raise Forbidden("Only a signed-in agent can write internal notes.")
    message = add_message(session, conversation, "agent", body, visibility="internal", author_id=actor.user_id)
    events.record(session, "message.note_added", actor.actor, conversation_id, message_id=message.id)
    return message


def hand_back(session: Session, conversation_id: int, actor: Principal, reason: str) -> Conversation:
    conversation = get(session, conversation_id, for_update=True)
    transition(session, conversation, "hand_back", actor.actor, reason or "agent handed back to the AI")
    state = dict(conversation.state)
    state.update(consecutive_misunderstandings=0, owner="ai", queue=None)
    conversation.state = state
    return conversation


def resolve(session: Session, conversation_id: int, actor: Principal, reason: str) -> Conversation:
    conversation = get(session, conversation_id, for_update=True)
    transition(session, conversation, "resolve", actor.actor, reason or "resolved")
    return conversation


def reopen(session: Session, conversation_id: int, actor: Principal, reason: str) -> Conversation:
    conversation = get(session, conversation_id, for_update=True)
    if actor.kind == "user":
        transition(session, conversation, "reopen_to_human", actor.actor, reason or "reopened by an agent")
        conversation.assigned_agent_id = actor.id
    else:
        transition(session, conversation, "reopen_to_ai", actor.actor, reason or "reopened")
    conversation.resolved_at = None
    return conversation


def rate(session: Session, conversation_id: int, score: int, comment: str, actor: Principal) -> Conversation:
    conversation = get(session, conversation_id, for_update=True)
    if conversation.owner != "resolved":
        raise InvalidTransition("A conversation can be rated once it is resolved.", owner=conversation.owner)
    if not 1 <= score <= 5:
        raise ValidationFailed("The rating must be between 1 and 5.")
    conversation.satisfaction = score
    events.record(session, "conversation.rated", actor.actor, conversation_id, score=score, comment=comment)
    return conversation


def claim_for(session: Session, conversation: Conversation, agent_id: int, from_owners: tuple[str, ...]) -> bool:
    if not repository.claim(session, conversation.id, agent_id, from_owners):
        return False
    session.refresh(conversation)
    return True


def active_load_by_agent(session: Session) -> dict[int, int]:
    """How many conversations each agent holds right now."""
    rows = session.execute(
        select(Conversation.assigned_agent_id, func.count())
        .where(Conversation.owner == "human", Conversation.assigned_agent_id.is_not(None))
        .group_by(Conversation.assigned_agent_id)
    ).all()
    return {int(agent_id or 0): int(count) for agent_id, count in rows}


def queued_priorities(session: Session, queue: str) -> list[str]:
    query = select(Conversation.priority).where(Conversation.owner == "queued", Conversation.queue == queue)
    return list(session.scalars(query))
