"""Hand-over API: the co-pilot brief, the decisions behind a hand-over, exception decisions and the queues."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from tandem.handoff import brief_service, exception_service, review
from tandem.handoff.brief import Brief
from tandem.handoff.policy import active_rules_path, load_rules
from tandem.handoff.schemas import DecisionOut, ExceptionDecisionIn, ExceptionDecisionOut, QueuesOut
from tandem.kit import clock
from tandem.kit.web import DeskDep, PrincipalDep

router = APIRouter(tags=["handoff"])
ConversationId = Annotated[int, Path(ge=1)]


@router.get("/conversations/{conversation_id}/brief", operation_id="get_conversation_brief")
def get_brief(conversation_id: ConversationId, desk: DeskDep, principal: PrincipalDep) -> Brief:
    principal.require("conversations:read")
    with desk.transaction() as session:
        return brief_service.brief_for_viewer(session, conversation_id, principal)


@router.get("/conversations/{conversation_id}/decisions", operation_id="list_conversation_decisions")
def list_decisions(conversation_id: ConversationId, desk: DeskDep, principal: PrincipalDep) -> list[DecisionOut]:
    principal.require("conversations:read")
    with desk.transaction() as session:
        return review.decisions_for(session, conversation_id)


@router.post(
    "/conversations/{conversation_id}/exception-decision", status_code=201, operation_id="decide_policy_exception"
)
def decide_exception(
    conversation_id: ConversationId, data: ExceptionDecisionIn, desk: DeskDep, principal: PrincipalDep
) -> ExceptionDecisionOut:
    with desk.transaction() as session:
        result = exception_service.decide_exception(session, conversation_id, data, principal)
        if not isinstance(result, exception_service.ApprovalRequested):
            return ExceptionDecisionOut.model_validate(result)
    # Refused only after the approval request is committed: a supervisor must be able to see it.
    raise result.error()


@router.get("/queues", operation_id="list_queues")
def list_queues(desk: DeskDep, principal: PrincipalDep) -> QueuesOut:
    principal.require("conversations:read")
    rules = load_rules(active_rules_path(desk.settings.workspace_dir, desk.settings.handoff_rules))
    with desk.transaction() as session:
        return review.queue_overview(
            session,
            clock.now(),
            rules.queues,
        )
