"""The running desk: settings, database and pipeline, built once per process and shared by requests."""

from __future__ import annotations

import asyncio
import logging
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, TypeVar

import anyio
import anyio.to_thread
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from tandem.conversations.pipeline import Pipeline
from tandem.kit.db import make_engine, make_sessionmaker, unit_of_work
from tandem.kit.settings import Settings

T = TypeVar("T")

log = logging.getLogger("tandem.desk")


@dataclass
class Desk:
    settings: Settings
    engine: Engine
    factory: sessionmaker[Session]
    pipeline: Pipeline | None
    threads: int
    _limiters: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, anyio.CapacityLimiter] = field(
        default_factory=weakref.WeakKeyDictionary
    )

    @classmethod
    def open(cls, settings: Settings, pipeline: Pipeline | None = None) -> Desk:
        engine = make_engine(settings.database_url)
        # SQLite has one writer at a time: more threads than that only fight over the lock and the GIL.
        threads = 1 if engine.dialect.name == "sqlite" else 16
        return cls(settings, engine, make_sessionmaker(engine), pipeline, threads)

    async def run(self, work: Callable[..., T], *args: Any) -> T:
        """Run blocking database work off the event loop, as many at once as the store can take."""
        return await anyio.to_thread.run_sync(work, *args, limiter=self._limiter())

    def _limiter(self) -> anyio.CapacityLimiter:
        # A limiter belongs to one event loop (test clients run several); keep one per loop.
        loop = asyncio.get_running_loop()
        limiter = self._limiters.get(loop)
        if limiter is None:
            limiter = self._limiters[loop] = anyio.CapacityLimiter(self.threads)
        return limiter

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        with unit_of_work(self.factory) as session:
            yield session

    def close(self) -> None:
        self.engine.dispose()
        if self.pipeline is not None:
            # Stages that hold outside resources (the connectors' HTTP clients) release them at shutdown.
            for stage in vars(self.pipeline).values():
                close = getattr(stage, "close", None)
                if callable(close):
                    try:
                        close()
                    except Exception:  # shutting down: one stage's failure must not stop the others
                        log.warning("desk.stage_close_failed", extra={"stage": type(stage).__name__})
