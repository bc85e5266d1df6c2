from __future__ import annotations

from fastapi import APIRouter, Request, Response

from tandem.kit.errors import Unauthenticated
from tandem.kit.web import SESSION_COOKIE, DeskDep, PrincipalDep
from tandem.users import service
from tandem.users.schemas import (
    ApiKeyCreate,
    ApiKeyCreated,
    ApiKeyOut,
    LoginIn,
    LoginOut,
    PresenceIn,
    UserCreate,
    UserOut,
)

router = APIRouter(tags=["users"])


@router.post("/auth/login", operation_id="login")
def login(data: LoginIn, desk: DeskDep, response: Response) -> LoginOut:
    with desk.transaction() as session:
        user, token, login_session = service.login(session, data.email, data.password, desk.settings.session_hours)
        result = LoginOut(
            user=UserOut.model_validate(user), csrf_token=login_session.csrf_token, expires_at=login_session.expires_at
        )
    response.set_cookie(
        SESSION_COOKIE,
        token,
        httponly=True,
        samesite="strict",
        secure=desk.settings.cookie_secure,
        max_age=desk.settings.session_hours * 3600,
        path="/",
    )
    return result


@router.post("/auth/logout", status_code=204, operation_id="logout")
def logout(request: Request, desk: DeskDep, principal: PrincipalDep, response: Response) -> None:
    token = request.cookies.get(SESSION_COOKIE)
    if principal.kind != "user" or token is None:
        raise Unauthenticated("Only a signed-in console user can sign out.")
    with desk.transaction() as session:
        service.logout(session, token)
    response.delete_cookie(SESSION_COOKIE, path="/")


@router.get("/auth/me", operation_id="whoami")
def whoami(desk: DeskDep, principal: PrincipalDep) -> UserOut:
    if principal.user_id is None:
        raise Unauthenticated("This credential is not a console user.")
    with desk.transaction() as session:
        return UserOut.model_validate(service.get_user(session, principal.user_id))


@router.post("/users", status_code=201, operation_id="create_user")
def create_user(data: UserCreate, desk: DeskDep, principal: PrincipalDep) -> UserOut:
    principal.require("users:write")
    with desk.transaction() as session:
        return UserOut.model_validate(service.create_user(session, data, principal.actor))


@router.put("/users/me/presence", operation_id="set_presence")
def set_presence(data: PresenceIn, desk: DeskDep, principal: PrincipalDep) -> UserOut:
    if principal.user_id is None:
        raise Unauthenticated("Only console users have a presence.")
    with desk.transaction() as session:
        return UserOut.model_validate(service.set_presence(session, principal.user_id, data.presence))


@router.post("/api-keys", status_code=201, operation_id="create_api_key")
def create_api_key(data: ApiKeyCreate, desk: DeskDep, principal: PrincipalDep) -> ApiKeyCreated:
    principal.require("api_keys:write")
    with desk.transaction() as session:
        api_key, key = service.create_api_key(session, data, principal.actor, principal.user_id)
        return ApiKeyCreated(key=key, **ApiKeyOut.model_validate(api_key).model_dump())


@router.delete("/api-keys/{key_id}", operation_id="revoke_api_key")
def revoke_api_key(key_id: int, desk: DeskDep, principal: PrincipalDep) -> ApiKeyOut:
    principal.require("api_keys:write")
    with desk.transaction() as session:
        return ApiKeyOut.model_validate(service.revoke_api_key(session, key_id, principal))
