"""The ASGI application: API under /api/v1, pages, and the start-up checks."""

from __future__ import annotations

import importlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from types import ModuleType

from fastapi import APIRouter, FastAPI

from tandem import __version__
from tandem.conversations.pipeline import Pipeline
from tandem.conversations.router import router as conversations_router
from tandem.customers.router import router as customers_router
from tandem.kit.desk import Desk
from tandem.kit.migrate import ensure_migrated
from tandem.kit.settings import Settings, get_settings
from tandem.kit.web import BodyLimit, install_error_handlers
from tandem.users.router import router as users_router

log = logging.getLogger("tandem")


def create_app(settings: Settings | None = None, pipeline: Pipeline | None = None) -> FastAPI:
    """Build the app. The database must be migrated: we refuse to start otherwise, saying how to fix it."""
    settings = settings or get_settings()
    desk = Desk.open(settings, pipeline if pipeline is not None else _default_pipeline(settings))
    ensure_migrated(desk.engine)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        desk.close()

    app = FastAPI(
        title="tandem",
        version=__version__,
        lifespan=lifespan,
        description="Human + AI customer-support desk. The AI does the routine; people do empathy and judgement.",
    )
    app.state.desk = desk
    install_error_handlers(app)
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes)
    api = APIRouter(prefix="/api/v1")
    for router in (customers_router, conversations_router, users_router):
        api.include_router(router)
    api.add_api_route("/health", _health, methods=["GET"], operation_id="health", tags=["meta"])
    for module in optional_modules(API_MODULES):
        api.include_router(module.router)
    app.include_router(api)
    for module in optional_modules(PAGE_MODULES):
        module.register(app)
    return app


# Domains that add API routes (a module-level `router`) or pages (a `register(app)` function).
API_MODULES = ("tandem.handoff.router", "tandem.knowledge.router", "tandem.analytics.router", "tandem.care.router")
PAGE_MODULES = ("tandem.widget.pages", "tandem.console.pages")


def optional_modules(names: tuple[str, ...]) -> list[ModuleType]:
    """Import the domains that are present; a missing module is skipped, a broken one still fails loudly."""
    found = []
    for name in names:
        try:
            found.append(importlib.import_module(name))
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
    return found


def _health() -> dict[str, str]:
    return {"status": "ok", "version": __version__}


def _default_pipeline(settings: Settings) -> Pipeline | None:
    if settings.pipeline == "persist_only":
        return None
    from tandem.stages import build_pipeline

    return build_pipeline(settings)
