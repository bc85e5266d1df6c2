"""Care API under /api/v1/care: supervisors and admins preview and send campaigns, and list what was sent."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from tandem.care import service
from tandem.care.schemas import CampaignDraft, CampaignIn, CampaignList, PreviewOut, SendOut
from tandem.kit.errors import Forbidden
from tandem.kit.web import DeskDep, PrincipalDep
from tandem.users.principal import Principal

router = APIRouter(prefix="/care", tags=["care"])
SENDER_ROLES = frozenset({"supervisor", "admin"})


def require_sender(principal: Principal) -> None:
    """Messaging a segment of customers is a supervisor's or admin's call, made signed in."""
    if principal.kind != "user" or principal.role not in SENDER_ROLES:
        raise Forbidden("Proactive campaigns are previewed and sent by a signed-in supervisor or admin.")


@router.post("/campaigns/preview", operation_id="care_preview_campaign")
def preview_campaign(data: CampaignDraft, desk: DeskDep, principal: PrincipalDep) -> PreviewOut:
    require_sender(principal)
    with desk.transaction() as session:
        return service.preview(session, data)


@router.post("/campaigns", status_code=201, operation_id="care_send_campaign")
def send_campaign(data: CampaignIn, desk: DeskDep, principal: PrincipalDep, response: Response) -> SendOut:
    require_sender(principal)
    with desk.transaction() as session:
        sent = service.send(session, data, principal)
    if sent.replayed:
        response.status_code = 200
    return sent


@router.get("/campaigns", operation_id="care_list_campaigns")
def list_campaigns(
    desk: DeskDep, principal: PrincipalDep, limit: Annotated[int, Query(ge=1, le=200)] = 50
) -> CampaignList:
    require_sender(principal)
    with desk.transaction() as session:
        return CampaignList(items=service.recent(session, limit))
