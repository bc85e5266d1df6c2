"""Web plumbing shared by every router: the desk, who is calling, JSON errors, body limits."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Receive, Scope, Send

from tandem.conversations import repository as conversation_repository
from tandem.kit.cache import PRINCIPALS
from tandem.kit.desk import Desk
from tandem.kit.errors import Forbidden, TandemError, Unauthenticated
from tandem.users import service as user_service
from tandem.users.principal import CUSTOMER_SCOPES, Principal
from tandem.users.security import token_hash

log = logging.getLogger("tandem.web")
SESSION_COOKIE = "tandem_session"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


async def get_desk(request: Request) -> Desk:
    desk: Desk = request.app.state.desk
    return desk


DeskDep = Annotated[Desk, Depends(get_desk)]


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


async def optional_principal(request: Request, desk: DeskDep) -> Principal | None:
    # async on purpose: a cache hit needs no thread hop; a miss is one indexed read (rare: see kit.cache).
    token = _bearer(request)
    if token is not None:
        principal = _cached(desk, token, _from_bearer)
        if principal is None:
            raise Unauthenticated("The bearer token is not valid (unknown, revoked or expired).")
        return principal
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie is None:
        return None
    principal = _cached(desk, cookie, user_service.principal_from_session_token)
    if principal is None:
        raise Unauthenticated("Your session has ended; please sign in again.")
    if request.method not in SAFE_METHODS and request.headers.get(CSRF_HEADER) != principal.csrf_token:
        raise Forbidden(f"Missing or wrong {CSRF_HEADER} header for a signed-in request.")
    return principal


def _cached(desk: Desk, token: str, lookup: Callable[[Session, str], Principal | None]) -> Principal | None:
    """Credentials are looked up at most every few seconds per process; sign-out and revocation clear it here."""
    key = token_hash(token)
    hit = PRINCIPALS.get(key)
    if isinstance(hit, Principal):
        return hit
    with desk.transaction() as session:
        principal = lookup(session, token)
    if principal is not None:
        PRINCIPALS.put(key, principal)
    return principal


def _from_bearer(session: Session, token: str) -> Principal | None:
    if token.startswith("tc_"):
        conversation_id = conversation_repository.conversation_id_for_token(session, token_hash(token))
        if conversation_id is None:
            return None
        return Principal("customer", conversation_id, CUSTOMER_SCOPES, conversation_id=conversation_id)
    return user_service.principal_from_api_key(session, token)


async def require_principal(principal: Annotated[Principal | None, Depends(optional_principal)]) -> Principal:
    if principal is None:
        raise Unauthenticated("Sign in, or send an API key or conversation token as a bearer token.")
    return principal


PrincipalDep = Annotated[Principal, Depends(require_principal)]


def error_body(code: str, message: str, **details: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"error": {"code": code, "message": message}}
    if details:
        body["error"]["details"] = details
    return body


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(TandemError)
    async def _tandem_error(_request: Request, exc: TandemError) -> JSONResponse:
        return JSONResponse(exc.to_body(), status_code=exc.status_code)

    @app.exception_handler(RequestValidationError)
    async def _validation_error(_request: Request, exc: RequestValidationError) -> JSONResponse:
        fields = [
            {"field": ".".join(str(p) for p in err["loc"] if p != "body") or "body", "problem": err["msg"]}
            for err in exc.errors()
        ]
        summary = "; ".join(f"{f['field']}: {f['problem']}" for f in fields[:5])
        return JSONResponse(error_body("validation_failed", summary, fields=fields), status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        return JSONResponse(error_body(code, str(exc.detail)), status_code=exc.status_code)


class BodyLimit:
    """Refuse oversized request bodies before reading them (plain ASGI: no per-request overhead)."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app, self.max_bytes = app, max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            length = dict(scope["headers"]).get(b"content-length", b"")
            if length.isdigit() and int(length) > self.max_bytes:
                message = f"The request body is {int(length)} bytes; the limit is {self.max_bytes}."
                response = JSONResponse(error_body("payload_too_large", message), status_code=413)
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)
