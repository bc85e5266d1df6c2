"""Live updates as server-sent events: one stream per conversation (the customer's widget, an agent's view).

Every process serves every stream by reading the store, so this works the same with one process on
SQLite and with many behind a load balancer on PostgreSQL: each stream polls for messages and events
newer than its cursor. The cursor travels as the SSE event id (`<message id>-<event id>`), so a client
that reconnects with `Last-Event-ID` gets exactly what it has not seen: nothing lost, nothing twice.

Why ids are a safe cursor within one conversation: every writer to a conversation's messages holds the
conversation's row lock (or SQLite's single write lock) when it inserts, so ids commit in order there.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from typing import Annotated, Any, Protocol

import anyio
import anyio.to_thread
import orjson
from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import StreamingResponse
from sqlalchemy import event as orm_event
from sqlalchemy.orm import Session

from tandem.conversations.models import Message
from tandem.conversations.router import ConversationId
from tandem.conversations.schemas import ConversationOut, MessageOut
from tandem.events.models import Event
from tandem.events.schemas import EventOut
from tandem.handoff.stage import business_hours
from tandem.kit import clock
from tandem.kit.errors import NotFound, ValidationFailed
from tandem.kit.web import PrincipalDep
from tandem.users.principal import Principal
from tandem.widget import reads
from tandem.widget.reads import ReadStore, read_store
from tandem.workspace import service as workspace

router = APIRouter(tags=["live"])

POLL_SECONDS = 0.5
MIN_POLL_GAP_SECONDS = 0.05
KEEPALIVE_SECONDS = 15.0
# Streams end after a while and the client reconnects from its cursor: credentials are checked again.
MAX_STREAM_SECONDS = 300.0
RETRY_MS = 1500
CURSOR = r"^\d{1,18}-\d{1,18}$"
# Polls are short reads; a few threads of their own keep them from crowding out API requests.
POLL_THREADS = anyio.CapacityLimiter(4)
STREAM_HEADERS = {"Cache-Control": "no-cache, no-transform", "X-Accel-Buffering": "no"}
SSE_RESPONSES: dict[int | str, dict[str, Any]] = {200: {"content": {"text/event-stream": {}}}}


@dataclass(frozen=True)
class Frame:
    """One server-sent event."""

    event: str
    data: Any
    id: str | None = None

    def encode(self) -> bytes:
        head = f"id: {self.id}\n" if self.id is not None else ""
        return f"{head}event: {self.event}\ndata: ".encode() + orjson.dumps(self.data) + b"\n\n"


class Feed(Protocol):
    """What a stream reads: frames to send on connecting, then whatever is new at each poll."""

    def open(self, session: Session) -> list[Frame]: ...

    def poll(self, session: Session) -> list[Frame]: ...


class Subscription:
    """One stream's doorbell: rung when something it may show was committed in this process."""

    def __init__(self, loop: asyncio.AbstractEventLoop, conversation_id: int | None) -> None:
        self.loop, self.conversation_id = loop, conversation_id
        self.rung = asyncio.Event()

    async def wait(self, timeout: float) -> bool:
        """Until rung or `timeout`; True when rung. Rings that came while the stream was reading count."""
        with anyio.move_on_after(timeout):
            await self.rung.wait()
        rung = self.rung.is_set()
        self.rung.clear()
        return rung


class Wakeups:
    """Wakes this process's streams as soon as a message or event is committed here, instead of at their
    next poll: a conversation's streams for its own conversation, inbox streams (no conversation) for any.
    Other processes still see the change at their next poll (POLL_SECONDS at most)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._subscribed: set[Subscription] = set()

    @contextlib.contextmanager
    def subscribe(self, conversation_id: int | None) -> Iterator[Subscription]:
        subscription = Subscription(asyncio.get_running_loop(), conversation_id)
        with self._lock:
            self._subscribed.add(subscription)
        try:
            yield subscription
        finally:
            with self._lock:
                self._subscribed.discard(subscription)

    def notify(self, conversation_ids: set[int | None]) -> None:
        """From any thread, after a commit that stored messages or events of these conversations."""
        with self._lock:
            ring = [s for s in self._subscribed if s.conversation_id is None or s.conversation_id in conversation_ids]
        for subscription in ring:
            with contextlib.suppress(RuntimeError):  # that loop has closed: its stream is gone
                subscription.loop.call_soon_threadsafe(subscription.rung.set)


WAKEUPS = Wakeups()
_WRITTEN = "tandem_live_written"


@orm_event.listens_for(Session, "after_flush")
def _note_writes(session: Session, _context: Any) -> None:
    written = {row.conversation_id for row in session.new if isinstance(row, Message | Event)}
    if written:
        session.info.setdefault(_WRITTEN, set()).update(written)


@orm_event.listens_for(Session, "after_commit")
def _wake_streams(session: Session) -> None:
    written = session.info.pop(_WRITTEN, None)
    if written:
        WAKEUPS.notify(written)


@orm_event.listens_for(Session, "after_soft_rollback")
def _forget_writes(session: Session, _previous: Any) -> None:
    session.info.pop(_WRITTEN, None)


async def read(store: ReadStore, work: Callable[[Session], list[Frame]]) -> list[Frame]:
    def run() -> list[Frame]:
        with store.session() as session:
            return work(session)

    return await anyio.to_thread.run_sync(run, limiter=POLL_THREADS)


async def stream(store: ReadStore, feed: Feed, first: list[Frame]) -> AsyncIterator[bytes]:
    """Send `first`, then poll; a comment line now and then keeps proxies from closing a quiet stream.

    A poll comes every POLL_SECONDS, or sooner when this process commits something for the stream (never
    more often than every MIN_POLL_GAP_SECONDS, so a busy desk cannot make an inbox stream spin)."""
    yield f"retry: {RETRY_MS}\n\n".encode()
    started = quiet_since = time.monotonic()
    frames = first
    with WAKEUPS.subscribe(feed.conversation_id if isinstance(feed, ConversationFeed) else None) as doorbell:
        while True:
            for frame in frames:
                yield frame.encode()
            now = time.monotonic()
            if frames:
                quiet_since = now
            elif now - quiet_since >= KEEPALIVE_SECONDS:
                yield b": keep-alive\n\n"
                quiet_since = now
            if now - started >= MAX_STREAM_SECONDS:
                return
            if await doorbell.wait(POLL_SECONDS):
                await anyio.sleep(max(0.0, MIN_POLL_GAP_SECONDS - (time.monotonic() - now)))
            frames = await read(store, feed.poll)


def event_stream(store: ReadStore, feed: Feed, first: list[Frame]) -> StreamingResponse:
    return StreamingResponse(stream(store, feed, first), media_type="text/event-stream", headers=STREAM_HEADERS)


# ---- one conversation ------------------------------------------------------------------------------


@dataclass
class ConversationCursor:
    message_id: int = 0
    event_id: int = 0

    @classmethod
    def parse(cls, value: str | None) -> ConversationCursor | None:
        if value is None:
            return None
        if not re.match(CURSOR, value):
            raise ValidationFailed("A conversation stream cursor looks like '<message id>-<event id>'.")
        message_id, event_id = value.split("-")
        return cls(int(message_id), int(event_id))

    def __str__(self) -> str:
        return f"{self.message_id}-{self.event_id}"


@dataclass
class ConversationFeed:
    """Messages (public only for the customer), the conversation's state, and for staff the audit trail.

    With no cursor the stream starts at the first message (a reloaded widget rebuilds its thread from
    it) and at the newest event (history of events is for the GET endpoint).
    """

    conversation_id: int
    staff: bool
    cursor: ConversationCursor | None = None
    _at: ConversationCursor = field(default_factory=ConversationCursor)

    def open(self, session: Session) -> list[Frame]:
        if reads.conversation(session, self.conversation_id) is None:
            raise NotFound(f"No conversation with id {self.conversation_id}.")
        self._at = self.cursor or ConversationCursor(0, reads.last_event_id(session, self.conversation_id))
        return [self._state(session), *self.poll(session)]

    def poll(self, session: Session) -> list[Frame]:
        # State before messages: a customer learns who joined before reading what they wrote.
        frames = []
        events = reads.events_after(session, self.conversation_id, self._at.event_id)
        for event in events:
            self._at.event_id = event.id
            if self.staff:
                frames.append(Frame("activity", EventOut.model_validate(event).model_dump(mode="json"), str(self._at)))
        if events:
            # Any event may change what the conversation looks like: send the whole state, not a diff.
            frames.append(self._state(session))
        for message in reads.messages_after(session, self.conversation_id, self._at.message_id, not self.staff):
            self._at.message_id = message.id
            frames.append(Frame("message", MessageOut.model_validate(message).model_dump(mode="json"), str(self._at)))
        return frames

    def _state(self, session: Session) -> Frame:
        return Frame("state", conversation_state(session, self.conversation_id, self.staff), str(self._at))


def conversation_state(session: Session, conversation_id: int, staff: bool) -> dict[str, Any]:
    """Who owns the conversation now, the wait if it is queued, and who is helping (first name for customers)."""
    conversation = reads.conversation(session, conversation_id)
    if conversation is None:
        raise NotFound(f"No conversation with id {conversation_id}.")
    state: dict[str, Any] = {
        "conversation": ConversationOut.model_validate(conversation).model_dump(mode="json"),
        "handoff": None,
        "agent_name": None,
    }
    handoff = reads.latest_handoffs(session, [conversation_id]).get(conversation_id)
    if handoff is not None and conversation.owner in ("queued", "human"):
        # Outside opening hours the honest answer is when people are back, not a wait in minutes.
        hours = business_hours(workspace.get(session, "business_hours"))
        now = clock.now()
        back_at = None if hours.is_open(now) else hours.next_opening(now)
        state["handoff"] = {
            "expected_wait_seconds": handoff.expected_wait_seconds,
            "queue": handoff.queue,
            "team_available": back_at is None,
            "back_at": back_at.isoformat() if back_at else None,
        }
        if staff:
            state["handoff"].update(
                reasons=handoff.reasons, primary_reason=handoff.primary_reason, priority=handoff.priority
            )
    if conversation.assigned_agent_id is not None and conversation.owner == "human":
        name = reads.agent_names(session, [conversation.assigned_agent_id]).get(conversation.assigned_agent_id, "")
        state["agent_name"] = name if staff else (name.split(" ")[0] if name else None)
    return state


@router.get(
    "/conversations/{conversation_id}/live",
    operation_id="conversation_live",
    response_class=StreamingResponse,
    responses=SSE_RESPONSES,
)
async def conversation_live(
    conversation_id: ConversationId,
    request: Request,
    principal: PrincipalDep,
    after: Annotated[str | None, Query(max_length=40, description="Start after this cursor.")] = None,
    last_event_id: Annotated[str | None, Header(max_length=40)] = None,
) -> StreamingResponse:
    """Server-sent events: `message`, `state` and, for staff, `activity` (the audit trail as it grows)."""
    principal.require_conversation(conversation_id)
    store = read_store(request.app)
    feed = ConversationFeed(conversation_id, is_staff(principal), ConversationCursor.parse(last_event_id or after))
    first = await read(store, feed.open)
    return event_stream(store, feed, first)


def is_staff(principal: Principal) -> bool:
    return principal.kind != "customer"
