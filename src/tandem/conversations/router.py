from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query

from tandem.conversations import intake, repository, service
from tandem.conversations.repository import ConversationFilter
from tandem.conversations.schemas import (
    AgentMessageIn,
    AssignIn,
    ConversationDetail,
    ConversationOut,
    ConversationPage,
    ConversationStart,
    ConversationStarted,
    CustomerMessageIn,
    CustomerTurnOut,
    MessageOut,
    OwnerName,
    PriorityName,
    RatingIn,
    ReasonIn,
)
from tandem.events import service as events
from tandem.events.schemas import EventOut
from tandem.kit.errors import Forbidden, ValidationFailed
from tandem.kit.web import DeskDep, PrincipalDep, optional_principal
from tandem.users.principal import Principal

router = APIRouter(prefix="/conversations", tags=["conversations"])
ConversationId = Annotated[int, Path(ge=1)]
GREETING = (
    "Hi, I'm the store's AI assistant. I can check orders, answer questions and sort out most things "
    "straight away, and I'll bring in a person whenever you'd like one, just ask."
)


@router.post("", status_code=201, operation_id="start_conversation")
def start_conversation(
    data: ConversationStart,
    desk: DeskDep,
    principal: Annotated[Principal | None, Depends(optional_principal)],
) -> ConversationStarted:
    caller = _starter(data, principal)
    with desk.transaction() as session:
        conversation, token = service.start(session, data, caller)
        greeting = service.add_message(session, conversation, "ai", GREETING, meta={"kind": "greeting"})
        return ConversationStarted(
            customer_token=token,
            greeting=MessageOut.model_validate(greeting),
            **ConversationOut.model_validate(conversation).model_dump(),
        )


def _starter(data: ConversationStart, principal: Principal | None) -> Principal:
    # Anyone may open an anonymous web chat; linking it to a known customer needs a credential.
    if principal is None or principal.kind == "customer":
        if data.customer_id is not None or data.customer_external_id is not None:
            raise Forbidden("Linking a conversation to a customer record needs an API key or a signed-in user.")
        return Principal("customer", 0)
    principal.require("conversations:write")
    return principal


@router.get("", operation_id="list_conversations")
def list_conversations(
    desk: DeskDep,
    principal: PrincipalDep,
    owner: OwnerName | None = None,
    queue: Annotated[str | None, Query(max_length=64)] = None,
    priority: PriorityName | None = None,
    customer_id: Annotated[int | None, Query(ge=1)] = None,
    assigned_agent_id: Annotated[int | None, Query(ge=1)] = None,
    updated_since: datetime | None = None,
    cursor: Annotated[str | None, Query(pattern=r"^\d+$", max_length=18)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> ConversationPage:
    principal.require("conversations:read")
    if updated_since is not None and updated_since.tzinfo is None:
        raise ValidationFailed("updated_since needs a timezone, e.g. 2026-11-01T09:00:00Z.")
    flt = ConversationFilter(
        owner, queue, priority, customer_id, assigned_agent_id, updated_since, int(cursor) if cursor else None, limit
    )
    with desk.transaction() as session:
        items = [ConversationOut.model_validate(c) for c in repository.find(session, flt)]
    next_cursor = str(items[-1].id) if len(items) == limit else None
    return ConversationPage(items=items, next_cursor=next_cursor)


@router.get("/{conversation_id}", operation_id="get_conversation")
def get_conversation(conversation_id: ConversationId, desk: DeskDep, principal: PrincipalDep) -> ConversationDetail:
    principal.require_conversation(conversation_id)
    as_customer = principal.kind == "customer"
    with desk.transaction() as session:
        conversation = service.get(session, conversation_id)
        messages = repository.messages(session, conversation_id, public_only=as_customer)
        trail = [] if as_customer else events.for_conversation(session, conversation_id)
        return ConversationDetail(
            messages=[MessageOut.model_validate(m) for m in messages],
            events=[EventOut.model_validate(e) for e in trail],
            **ConversationOut.model_validate(conversation).model_dump(),
        )


@router.post("/{conversation_id}/messages", operation_id="post_customer_message")
async def post_customer_message(
    conversation_id: ConversationId, data: CustomerMessageIn, desk: DeskDep, principal: PrincipalDep
) -> CustomerTurnOut:
    return await desk.run(
        intake.receive,
        desk.factory,
        desk.pipeline,
        principal,
        conversation_id,
        data.body,
        data.channel_message_id,
        desk.settings.max_message_chars,
    )


@router.post("/{conversation_id}/assign", operation_id="assign_conversation")
def assign_conversation(
    conversation_id: ConversationId, data: AssignIn, desk: DeskDep, principal: PrincipalDep
) -> ConversationOut:
    principal.require("agent:act")
    agent_id = data.agent_id or principal.user_id
    if agent_id is None:
        raise ValidationFailed("agent_id is required when the caller is not a signed-in agent.")
    if agent_id != principal.user_id and principal.role == "agent":
        raise Forbidden("Agents take conversations for themselves; supervisors can assign others.")
    with desk.transaction() as session:
        return ConversationOut.model_validate(service.assign(session, conversation_id, agent_id, principal))


@router.post("/{conversation_id}/reply", status_code=201, operation_id="agent_reply")
def agent_reply(
    conversation_id: ConversationId, data: AgentMessageIn, desk: DeskDep, principal: PrincipalDep
) -> MessageOut:
    principal.require("agent:act")
    service.check_length(data.body, desk.settings.max_message_chars)
    with desk.transaction() as session:
        return MessageOut.model_validate(service.agent_reply(session, conversation_id, data.body, principal))


@router.post("/{conversation_id}/notes", status_code=201, operation_id="add_internal_note")
def add_internal_note(
    conversation_id: ConversationId, data: AgentMessageIn, desk: DeskDep, principal: PrincipalDep
) -> MessageOut:
    principal.require("agent:act")
    service.check_length(data.body, desk.settings.max_message_chars)
    with desk.transaction() as session:
        return MessageOut.model_validate(service.add_note(session, conversation_id, data.body, principal))


@router.post("/{conversation_id}/hand-back", operation_id="hand_back_to_ai")
def hand_back_to_ai(
    conversation_id: ConversationId, data: ReasonIn, desk: DeskDep, principal: PrincipalDep
) -> ConversationOut:
    principal.require("agent:act")
    with desk.transaction() as session:
        return ConversationOut.model_validate(service.hand_back(session, conversation_id, principal, data.reason))


@router.post("/{conversation_id}/resolve", operation_id="resolve_conversation")
def resolve_conversation(
    conversation_id: ConversationId, data: ReasonIn, desk: DeskDep, principal: PrincipalDep
) -> ConversationOut:
    principal.require_conversation(conversation_id, "agent:act")
    with desk.transaction() as session:
        return ConversationOut.model_validate(service.resolve(session, conversation_id, principal, data.reason))


@router.post("/{conversation_id}/reopen", operation_id="reopen_conversation")
def reopen_conversation(
    conversation_id: ConversationId, data: ReasonIn, desk: DeskDep, principal: PrincipalDep
) -> ConversationOut:
    principal.require_conversation(conversation_id, "agent:act")
    with desk.transaction() as session:
        return ConversationOut.model_validate(service.reopen(session, conversation_id, principal, data.reason))


@router.post("/{conversation_id}/rating", operation_id="rate_conversation")
def rate_conversation(
    conversation_id: ConversationId, data: RatingIn, desk: DeskDep, principal: PrincipalDep
) -> ConversationOut:
    if principal.kind != "customer":
        raise Forbidden("Only the customer can rate their conversation.")
    principal.require_conversation(conversation_id)
    with desk.transaction() as session:
        return ConversationOut.model_validate(
            service.rate(session, conversation_id, data.score, data.comment, principal)
        )
