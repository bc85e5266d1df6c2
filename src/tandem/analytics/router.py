"""Analytics API under /api/v1/analytics. Reading needs `analytics:read`; vulnerable-customer outcomes
also need `vulnerability:read`; curating topics and root causes needs an editor (see `require_editor`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response

from tandem.analytics import history, service, taxonomy, themes, topic_service
from tandem.analytics.embedding import load_embedder
from tandem.analytics.periods import Window, parse_moment, window
from tandem.analytics.schemas import (
    CauseEdit,
    CauseIn,
    CauseMerge,
    CauseOut,
    CauseReport,
    ComplaintSummary,
    GroupBy,
    HandoverReport,
    OutcomeReport,
    SatisfactionReport,
    TopicBuildIn,
    TopicBuildOut,
    TopicCauseIn,
    TopicOut,
    TopicRename,
    TopicSource,
    TrendReport,
    VulnerableReport,
)
from tandem.analytics.settings import get_analytics_settings
from tandem.kit import clock
from tandem.kit.desk import Desk
from tandem.kit.errors import Forbidden
from tandem.kit.web import DeskDep, PrincipalDep
from tandem.users.principal import Principal

router = APIRouter(prefix="/analytics", tags=["analytics"])
READ = "analytics:read"
WRITE = "analytics:write"
EDITOR_ROLES = frozenset({"supervisor", "admin"})
Since = Annotated[str | None, Query(max_length=40, description="30d, 12w, 24h or a date; default 30d.")]
Until = Annotated[str | None, Query(max_length=40, description="Default: now.")]
TopicId = Annotated[int, Path(ge=1)]
CauseId = Annotated[int, Path(ge=1)]


def require_editor(principal: Principal) -> None:
    """Curating the taxonomy: `analytics:write` where roles grant it, else a signed-in supervisor or admin."""
    principal.require(READ)
    if WRITE in principal.scopes or (principal.kind == "user" and principal.role in EDITOR_ROLES):
        return
    raise Forbidden("Editing topics and root causes needs a supervisor or admin (or the analytics:write scope).")


def _window(since: str | None, until: str | None) -> Window:
    return window(since, until, clock.now())


@router.get("/outcomes", operation_id="analytics_outcomes")
def outcomes(
    desk: DeskDep, principal: PrincipalDep, since: Since = None, until: Until = None, group_by: GroupBy | None = None
) -> OutcomeReport:
    principal.require(READ)
    with desk.transaction() as session:
        service.refresh(session)
        return service.outcomes(session, _window(since, until), get_analytics_settings(), group_by)


@router.get("/handovers", operation_id="analytics_handovers")
def handovers(desk: DeskDep, principal: PrincipalDep, since: Since = None, until: Until = None) -> HandoverReport:
    principal.require(READ)
    with desk.transaction() as session:
        service.refresh(session)
        return service.handovers(session, _window(since, until), get_analytics_settings())


@router.get("/satisfaction", operation_id="analytics_satisfaction")
def satisfaction(
    desk: DeskDep, principal: PrincipalDep, since: Since = None, until: Until = None
) -> SatisfactionReport:
    principal.require(READ)
    settings = get_analytics_settings()
    with desk.transaction() as session:
        service.refresh(session)
        return themes.satisfaction(session, _window(since, until), settings, load_embedder(settings))


@router.get("/vulnerable", operation_id="analytics_vulnerable")
def vulnerable(desk: DeskDep, principal: PrincipalDep, since: Since = None, until: Until = None) -> VulnerableReport:
    # Special-category data, even in aggregate: both permissions.
    principal.require(READ)
    principal.require("vulnerability:read")
    with desk.transaction() as session:
        service.refresh(session)
        return service.vulnerable_outcomes(session, _window(since, until), get_analytics_settings())


@router.get("/complaints", operation_id="analytics_complaints")
def complaints(desk: DeskDep, principal: PrincipalDep, since: Since = None, until: Until = None) -> ComplaintSummary:
    principal.require(READ)
    with desk.transaction() as session:
        return history.complaint_summary(session, _window(since, until))


@router.get("/topics", operation_id="analytics_topics")
def list_topics(
    desk: DeskDep, principal: PrincipalDep, source: TopicSource | None = None, include_inactive: bool = False
) -> list[TopicOut]:
    principal.require(READ)
    with desk.transaction() as session:
        return topic_service.list_topics(session, source, include_inactive)


@router.get("/topics/{topic_id}", operation_id="analytics_topic")
def get_topic(topic_id: TopicId, desk: DeskDep, principal: PrincipalDep) -> TopicOut:
    principal.require(READ)
    with desk.transaction() as session:
        return topic_service.topic_out(session, topic_id)


@router.post("/topics/build", operation_id="analytics_build_topics")
async def build_topics(data: TopicBuildIn, desk: DeskDep, principal: PrincipalDep) -> TopicBuildOut:
    require_editor(principal)
    return await desk.run(_build, desk, data)


def _build(desk: Desk, data: TopicBuildIn) -> TopicBuildOut:
    settings = get_analytics_settings()
    win = window(data.since, None, clock.now(), default="90d")
    with desk.transaction() as session:
        service.refresh(session)
        return topic_service.build(session, data.source, win, load_embedder(settings), settings, data.topics)


@router.patch("/topics/{topic_id}", operation_id="analytics_rename_topic")
def rename_topic(topic_id: TopicId, data: TopicRename, desk: DeskDep, principal: PrincipalDep) -> TopicOut:
    require_editor(principal)
    with desk.transaction() as session:
        return topic_service.rename(session, topic_id, data.name, principal.actor)


@router.put("/topics/{topic_id}/cause", operation_id="analytics_file_topic")
def file_topic(topic_id: TopicId, data: TopicCauseIn, desk: DeskDep, principal: PrincipalDep) -> CauseOut:
    require_editor(principal)
    with desk.transaction() as session:
        return taxonomy.file_topic(session, topic_id, data.cause_id, principal.actor)


@router.delete("/topics/{topic_id}/cause", status_code=204, operation_id="analytics_unfile_topic")
def unfile_topic(topic_id: TopicId, desk: DeskDep, principal: PrincipalDep) -> Response:
    require_editor(principal)
    with desk.transaction() as session:
        taxonomy.unfile_topic(session, topic_id, principal.actor)
    return Response(status_code=204)


@router.get("/trends", operation_id="analytics_trends")
def trends(
    desk: DeskDep,
    principal: PrincipalDep,
    source: TopicSource = "complaints",
    since: Annotated[str | None, Query(max_length=40, description="Default 12w.")] = None,
    until: Until = None,
    current: Annotated[str, Query(max_length=10, pattern=r"^\d{1,3}[hdw]$")] = "7d",
) -> TrendReport:
    principal.require(READ)
    now = clock.now()
    win = window(since, until, now, default="12w")
    with desk.transaction() as session:
        return topic_service.trends(session, source, win, now - parse_moment(current, now))


@router.get("/root-causes", operation_id="analytics_root_causes")
def list_causes(desk: DeskDep, principal: PrincipalDep, include_merged: bool = False) -> list[CauseOut]:
    principal.require(READ)
    with desk.transaction() as session:
        return taxonomy.list_causes(session, include_merged)


@router.post("/root-causes", status_code=201, operation_id="analytics_create_root_cause")
def create_cause(data: CauseIn, desk: DeskDep, principal: PrincipalDep) -> CauseOut:
    require_editor(principal)
    with desk.transaction() as session:
        return taxonomy.create_cause(session, data.name, data.description, principal.actor)


@router.patch("/root-causes/{cause_id}", operation_id="analytics_edit_root_cause")
def edit_cause(cause_id: CauseId, data: CauseEdit, desk: DeskDep, principal: PrincipalDep) -> CauseOut:
    require_editor(principal)
    with desk.transaction() as session:
        return taxonomy.edit_cause(session, cause_id, principal.actor, data.name, data.description)


@router.post("/root-causes/{cause_id}/merge", operation_id="analytics_merge_root_causes")
def merge_causes(cause_id: CauseId, data: CauseMerge, desk: DeskDep, principal: PrincipalDep) -> CauseOut:
    require_editor(principal)
    with desk.transaction() as session:
        return taxonomy.merge_causes(session, cause_id, data.into_id, principal.actor)


@router.get("/root-causes/report", operation_id="analytics_root_cause_report")
def cause_report(desk: DeskDep, principal: PrincipalDep, since: Since = None, until: Until = None) -> CauseReport:
    principal.require(READ)
    with desk.transaction() as session:
        service.refresh(session)
        return taxonomy.cause_report(session, _window(since, until))
