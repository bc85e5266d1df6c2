"""A person decides a policy exception (make-good): within their limit, or with a supervisor's approval.

The decision joins the customer's exception history, so the next recommendation weighs it.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy.orm import Session

from tandem.conversations import service as conversation_service
from tandem.customers import service as customer_service
from tandem.customers.models import CustomerException
from tandem.events import service as events
from tandem.handoff import brief_service
from tandem.handoff.schemas import ExceptionDecisionIn
from tandem.kit import clock
from tandem.kit.errors import Conflict, Forbidden, ValidationFailed
from tandem.users import service as user_service
from tandem.users.principal import Principal

APPROVE_ANY_SCOPE = "exceptions:approve"
CENT = Decimal("0.01")


class SupervisorApprovalRequired(Forbidden):
    code = "supervisor_approval_required"


@dataclass(frozen=True)
class ApprovalRequested:
    """The amount is above the agent's limit: a supervisor has been asked, nothing was granted."""

    amount: Decimal
    limit: int

    def error(self) -> SupervisorApprovalRequired:
        return SupervisorApprovalRequired(
            f"{self.amount} is above your exception limit of {self.limit}: this needs a supervisor's approval. "
            "A supervisor has been asked; nothing has been granted yet.",
            amount=str(self.amount),
            limit=self.limit,
        )


def decide_exception(
    session: Session, conversation_id: int, data: ExceptionDecisionIn, actor: Principal
) -> CustomerException | ApprovalRequested:
    """Record the decision, or (above the agent's limit) record a request for a supervisor's approval."""
    if actor.kind != "user":
        raise Forbidden("Only a signed-in agent or supervisor can decide an exception.")
    actor.require("agent:act")
    conversation = conversation_service.get(session, conversation_id)
    if conversation.customer_id is None:
        raise Conflict("This conversation is not linked to a customer record; link it before deciding an exception.")
    amount = _amount(data)
    user = user_service.get_user(session, actor.id)
    above_limit = amount > user.exception_limit
    brief = brief_service.current_brief(session, conversation_id)
    advice = brief.exception
    recommended = advice.recommendation.outcome if advice and advice.recommendation else None
    if above_limit and APPROVE_ANY_SCOPE not in actor.scopes:
        events.record(
            session,
            "exception.approval_requested",
            actor.actor,
            conversation_id,
            customer_id=conversation.customer_id,
            outcome=data.outcome,
            amount=str(amount),
            limit=user.exception_limit,
            recommended=recommended,
        )
        return ApprovalRequested(amount, user.exception_limit)
    decided = customer_service.record_exception(
        session,
        conversation.customer_id,
        conversation_id=conversation_id,
        request=advice.requested if advice else "",
        outcome=data.outcome,
        amount=amount,
        recommended=recommended,
        approval_level="supervisor" if APPROVE_ANY_SCOPE in actor.scopes else "agent",
        decided_by=actor.id,
        decided_at=clock.now(),
        note=data.note,
    )
    events.record(
        session,
        "exception.decided",
        actor.actor,
        conversation_id,
        customer_id=conversation.customer_id,
        exception_id=decided.id,
        outcome=data.outcome,
        amount=str(amount),
        recommended=recommended,
        approval_level=decided.approval_level,
    )
    # The customer card in the brief lists exceptions: keep it current.
    brief_service.refresh_brief(session, conversation_id)
    return decided


def _amount(data: ExceptionDecisionIn) -> Decimal:
    if data.outcome == "declined":
        if data.amount:
            raise ValidationFailed("A declined exception grants nothing: leave the amount out or give 0.")
        return Decimal(0).quantize(CENT)
    if data.amount <= 0:
        raise ValidationFailed(f"An {data.outcome} exception needs the amount granted (above 0).")
    return data.amount.quantize(CENT)
