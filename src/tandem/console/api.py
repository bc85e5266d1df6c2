"""The console's own read-only endpoints: the inbox, its live stream, and the supervisor's overview.

Every action (take, reply, note, hand back, resolve) goes through the public conversations API, as for
any integration; these only shape what the screens read.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from typing import Annotated

import anyio.to_thread
from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import StreamingResponse
from sqlalchemy import select
from sqlalchemy.orm import Session

from tandem.console import inbox as inbox_model
from tandem.console import overview as overview_model
from tandem.console.inbox import InboxPage, InboxView
from tandem.console.overview import Overview
from tandem.events.models import Event
from tandem.kit.errors import ValidationFailed
from tandem.kit.web import PrincipalDep
from tandem.widget import live, reads
from tandem.widget.live import Frame
from tandem.widget.reads import read_store

router = APIRouter(prefix="/console", tags=["console"])
# Event ids that were skipped are looked for again for this long: on PostgreSQL a transaction that took
# an id earlier can commit after a later one (rolled-back ids never show up and are dropped).
LATE_COMMIT_SECONDS = 30.0
MAX_HOLES = 1000


@router.get("/inbox", operation_id="console_inbox")
async def get_inbox(
    request: Request,
    principal: PrincipalDep,
    view: InboxView = "active",
    queue: Annotated[str | None, Query(max_length=64)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 100,
) -> InboxPage:
    principal.require("conversations:read")
    store = read_store(request.app)

    def load() -> InboxPage:
        with store.session() as session:
            return inbox_model.inbox(session, view, queue, limit)

    return await anyio.to_thread.run_sync(load, limiter=live.POLL_THREADS)


@router.get("/overview", operation_id="console_overview")
async def get_overview(
    request: Request, principal: PrincipalDep, days: Annotated[int, Query(ge=1, le=90)] = 7
) -> Overview:
    principal.require("analytics:read")
    store = read_store(request.app)

    def load() -> Overview:
        with store.session() as session:
            return overview_model.overview(session, days)

    return await anyio.to_thread.run_sync(load, limiter=live.POLL_THREADS)


@dataclass
class InboxFeed:
    """Every change to any conversation, as an inbox item; the SSE id is the newest event id seen."""

    cursor: int | None = None
    at: int = field(default=0, init=False)
    holes: dict[int, float] = field(default_factory=dict, init=False)

    def open(self, session: Session) -> list[Frame]:
        self.at = self.cursor if self.cursor is not None else reads.last_event_id(session)
        return [Frame("ready", {"cursor": str(self.at)}, str(self.at)), *self.poll(session)]

    def poll(self, session: Session) -> list[Frame]:
        newer = Event.id > self.at
        condition = newer | Event.id.in_(list(self.holes)) if self.holes else newer
        events = session.scalars(select(Event).where(condition).order_by(Event.id).limit(reads.BATCH)).all()
        self.saw([e.id for e in events])
        if not events:
            return []
        changed = list(dict.fromkeys(e.conversation_id for e in events if e.conversation_id is not None))
        frames = [
            Frame("conversation", item.model_dump(mode="json"), str(self.at))
            for item in inbox_model.items_for_ids(session, changed)
        ]
        frames.append(Frame("changed", {"types": sorted({e.type for e in events})}, str(self.at)))
        return frames

    def saw(self, ids: list[int]) -> None:
        """Advance past the newest id seen; remember ids skipped on the way (they may commit late)."""
        now = time.monotonic()
        for found in ids:
            self.holes.pop(found, None)
        newest = max(ids, default=self.at)
        seen = set(ids)
        for missing in range(self.at + 1, newest):
            if missing not in seen and len(self.holes) < MAX_HOLES:
                self.holes[missing] = now
        self.at = max(self.at, newest)
        for hole, since in list(self.holes.items()):
            if now - since > LATE_COMMIT_SECONDS:
                del self.holes[hole]


@router.get(
    "/inbox/live",
    operation_id="console_inbox_live",
    response_class=StreamingResponse,
    responses=live.SSE_RESPONSES,
)
async def inbox_live(
    request: Request,
    principal: PrincipalDep,
    after: Annotated[str | None, Query(max_length=20, description="An inbox page's cursor.")] = None,
    last_event_id: Annotated[str | None, Header(max_length=20)] = None,
) -> StreamingResponse:
    """Server-sent events: `ready` once, then `conversation` (an inbox item) whenever one changes."""
    principal.require("conversations:read")
    cursor = last_event_id or after
    if cursor is not None and not re.fullmatch(r"\d{1,18}", cursor):
        raise ValidationFailed("The inbox stream's cursor is an event id (digits).")
    store = read_store(request.app)
    feed = InboxFeed(int(cursor) if cursor is not None else None)
    first = await live.read(store, feed.open)
    return live.event_stream(store, feed, first)
