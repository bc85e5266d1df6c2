"""Streams in the process that stored a message wake at once rather than at their next poll."""

from __future__ import annotations

import threading
import time
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

import anyio
import pytest
from sqlalchemy import func, select

from tandem.conversations.models import Conversation, Message
from tandem.kit.db import make_engine, make_sessionmaker, unit_of_work
from tandem.widget.live import WAKEUPS, Wakeups

T = TypeVar("T")


def _run(work: Callable[[], Awaitable[T]]) -> T:
    """anyio.run in a thread of its own: Playwright's sync API keeps a loop running in the main thread."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(anyio.run, work).result(timeout=30)


def test_a_conversation_stream_wakes_for_its_own_conversation_only() -> None:
    wakeups = Wakeups()

    async def wait() -> tuple[bool, float, bool, bool]:
        with wakeups.subscribe(7) as mine, wakeups.subscribe(None) as inbox:
            threading.Timer(0.05, wakeups.notify, args=({8},)).start()
            begin = time.monotonic()
            other = await mine.wait(0.3)  # another conversation: sleeps the whole poll
            threading.Timer(0.05, wakeups.notify, args=({7},)).start()
            woken = await mine.wait(5)
            return other, time.monotonic() - begin, woken, await inbox.wait(0)

    other, elapsed, woken, inbox = _run(wait)
    assert other is False and woken is True
    assert 0.3 <= elapsed < 1.5
    assert inbox is True  # inbox streams wake for any conversation


def test_a_ring_while_the_stream_was_reading_is_not_lost() -> None:
    wakeups = Wakeups()

    async def ring_first() -> tuple[bool, float]:
        with wakeups.subscribe(1) as doorbell:
            wakeups.notify({1})  # committed while the stream was polling
            await anyio.sleep(0.01)
            begin = time.monotonic()
            return await doorbell.wait(5), time.monotonic() - begin

    rung, elapsed = _run(ring_first)
    assert rung and elapsed < 0.1


def test_committing_a_message_rings_and_a_rollback_does_not(sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    engine = make_engine(sqlite_url)
    factory = make_sessionmaker(engine)
    rung: list[set[int | None]] = []
    monkeypatch.setattr(WAKEUPS, "notify", rung.append)
    try:
        with unit_of_work(factory) as session:
            conversation = Conversation(channel="web")
            session.add(conversation)
            session.flush()
            session.add(Message(conversation_id=conversation.id, author_kind="customer", body="hello"))
        assert rung == [{conversation.id}]
        session = factory()
        session.add(Message(conversation_id=conversation.id, author_kind="customer", body="never kept"))
        session.flush()
        session.rollback()
        session.close()
        with unit_of_work(factory) as session:
            assert session.scalar(select(func.count()).select_from(Message)) == 1
        assert rung == [{conversation.id}]
    finally:
        engine.dispose()
