"""The people's console: sign-in, the inbox, a conversation with its co-pilot brief, the supervisor view.

Pages are thin server-rendered shells; small hand-written scripts do the work through the public API
(signed in with the session cookie and the CSRF token the page carries).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import quote

import anyio.to_thread
from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from tandem.console import admin_api, api
from tandem.console.inbox import response_targets
from tandem.conversations.router import ConversationId
from tandem.kit.errors import Unauthenticated
from tandem.kit.web import optional_principal
from tandem.users import service as user_service
from tandem.users.principal import Principal
from tandem.users.schemas import UserOut
from tandem.widget import live
from tandem.widget.reads import read_store

HERE = Path(__file__).parent
templates = Jinja2Templates(directory=HERE / "templates")
pages = APIRouter(prefix="/console", include_in_schema=False)
CSP = "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'"


def register(app: FastAPI) -> None:
    app.include_router(api.router, prefix="/api/v1")
    app.include_router(admin_api.router, prefix="/api/v1")
    app.include_router(pages)
    app.mount("/console/static", StaticFiles(directory=HERE / "static"), name="console-static")


@pages.get("/login", response_class=HTMLResponse)
async def login_page(request: Request, next: str = "/console") -> Response:
    return _page(request, "login.html", "login", {"next": _safe_next(next)})


@pages.get("", response_class=HTMLResponse)
async def inbox_page(request: Request) -> Response:
    return await _signed_in_page(request, "inbox.html", "inbox", {"response_targets": response_targets()})


@pages.get("/conversations/{conversation_id}", response_class=HTMLResponse)
async def conversation_page(request: Request, conversation_id: ConversationId) -> Response:
    return await _signed_in_page(request, "conversation.html", "conversation", {"conversation_id": conversation_id})


@pages.get("/supervisor", response_class=HTMLResponse)
async def supervisor_page(request: Request) -> Response:
    return await _signed_in_page(request, "supervisor.html", "supervisor", {}, scope="analytics:read")


@pages.get("/admin", response_class=HTMLResponse)
async def admin_page(request: Request) -> Response:
    return await _signed_in_page(request, "admin.html", "admin", {}, scope="users:write")


async def _signed_in_page(
    request: Request, template: str, page: str, config: dict[str, Any], scope: str | None = None
) -> Response:
    principal = await _console_user(request)
    if principal is None:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/console/login?next={quote(target, safe='')}", status_code=303)
    user = await _load_user(request, principal)
    if scope is not None and scope not in principal.scopes:
        return _page(request, "forbidden.html", "forbidden", {}, user=user, principal=principal, status_code=403)
    return _page(request, template, page, config, user=user, principal=principal)


def _page(
    request: Request,
    template: str,
    page: str,
    config: dict[str, Any],
    *,
    user: UserOut | None = None,
    principal: Principal | None = None,
    status_code: int = 200,
) -> Response:
    context = {
        "page": page,
        "user": user,
        "scopes": principal.scopes if principal else frozenset(),
        "csrf_token": principal.csrf_token if principal else "",
        "config": {
            **config,
            "user": user.model_dump(mode="json") if user else None,
            "scopes": sorted(principal.scopes) if principal else [],
        },
    }
    response = templates.TemplateResponse(request, template, context, status_code=status_code)
    response.headers["Content-Security-Policy"] = CSP
    response.headers["Cache-Control"] = "no-store"
    return response


async def _console_user(request: Request) -> Principal | None:
    try:
        principal = await optional_principal(request, request.app.state.desk)
    except Unauthenticated:
        return None  # an ended session: show the sign-in page rather than an error
    return principal if principal is not None and principal.kind == "user" else None


async def _load_user(request: Request, principal: Principal) -> UserOut:
    store = read_store(request.app)

    def load() -> UserOut:
        with store.session() as session:
            return UserOut.model_validate(user_service.get_user(session, principal.id))

    return await anyio.to_thread.run_sync(load, limiter=live.POLL_THREADS)


def _safe_next(target: str) -> str:
    # Only ever send people on within the console: never to another site.
    return target if target.startswith("/console") and not target.startswith("//") else "/console"
