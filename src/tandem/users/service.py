"""Users, console logins and API keys."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from tandem.events import service as events
from tandem.kit import clock
from tandem.kit.cache import PRINCIPALS
from tandem.kit.errors import Conflict, NotFound, Unauthenticated, ValidationFailed
from tandem.users.models import ApiKey, User, UserSession
from tandem.users.principal import API_KEY_SCOPES, ROLE_SCOPES, Principal
from tandem.users.schemas import ApiKeyCreate, UserCreate
from tandem.users.security import hash_password, new_token, token_hash, verify_password

# A fixed hash to verify against when the email is unknown, so both paths take the same time.
_DUMMY_HASH = hash_password("not-a-real-password")


def create_user(session: Session, data: UserCreate, actor: str) -> User:
    email = data.email.lower()
    if session.scalars(select(User).where(User.email == email)).first():
        raise Conflict(f"A user with email {email} already exists.")
    user = User(
        email=email,
        name=data.name,
        role=data.role,
        password_hash=hash_password(data.password),
        queues=data.queues,
        skills=data.skills,
        capacity=data.capacity,
        exception_limit=data.exception_limit,
    )
    session.add(user)
    session.flush()
    events.record(session, "user.created", actor, user_id=user.id, role=user.role)
    return user


def get_user(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(f"No user with id {user_id}.")
    return user


def login(session: Session, email: str, password: str, hours: int) -> tuple[User, str, UserSession]:
    user = session.scalars(select(User).where(User.email == email.lower())).first()
    valid = verify_password(password, user.password_hash if user else _DUMMY_HASH)
    if user is None or not valid or not user.active:
        raise Unauthenticated("Email or password is not right.")
    token = new_token("ts")
    login_session = UserSession(
        token_hash=token_hash(token),
        csrf_token=new_token("csrf"),
        user_id=user.id,
        expires_at=clock.now() + timedelta(hours=hours),
    )
    session.add(login_session)
    events.record(session, "user.logged_in", f"user:{user.id}")
    return user, token, login_session


def logout(session: Session, token: str) -> None:
    found = session.scalars(select(UserSession).where(UserSession.token_hash == token_hash(token))).first()
    if found is not None:
        session.delete(found)
    PRINCIPALS.clear()


def principal_from_session_token(session: Session, token: str) -> Principal | None:
    row = session.execute(
        select(UserSession, User)
        .join(User, User.id == UserSession.user_id)
        .where(UserSession.token_hash == token_hash(token))
    ).first()
    if row is None:
        return None
    login_session, user = row
    if login_session.expires_at <= clock.now() or not user.active:
        return None
    return Principal("user", user.id, ROLE_SCOPES[user.role], role=user.role, csrf_token=login_session.csrf_token)


def principal_from_api_key(session: Session, key: str) -> Principal | None:
    api_key = session.scalars(select(ApiKey).where(ApiKey.key_hash == token_hash(key))).first()
    if api_key is None or api_key.revoked_at is not None:
        return None
    return Principal("api_key", api_key.id, frozenset(api_key.scopes))


def create_api_key(
    session: Session, data: ApiKeyCreate, actor: str, created_by: int | None = None
) -> tuple[ApiKey, str]:
    unknown = sorted(set(data.scopes) - API_KEY_SCOPES)
    if unknown:
        raise ValidationFailed(f"Unknown scopes {unknown}; choose from {sorted(API_KEY_SCOPES)}.")
    key = new_token("tk")
    api_key = ApiKey(
        name=data.name,
        prefix=key[:10],
        key_hash=token_hash(key),
        scopes=sorted(set(data.scopes)),
        created_by=created_by,
    )
    session.add(api_key)
    session.flush()
    events.record(session, "api_key.created", actor, api_key_id=api_key.id, scopes=api_key.scopes)
    return api_key, key


def revoke_api_key(session: Session, key_id: int, actor: Principal) -> ApiKey:
    api_key = session.get(ApiKey, key_id)
    if api_key is None:
        raise NotFound(f"No API key with id {key_id}.")
    api_key.revoked_at = api_key.revoked_at or clock.now()
    PRINCIPALS.clear()
    events.record(session, "api_key.revoked", actor.actor, api_key_id=key_id)
    return api_key


def set_presence(session: Session, user_id: int, presence: str) -> User:
    user = get_user(session, user_id)
    user.presence = presence
    events.record(session, "user.presence_changed", f"user:{user_id}", presence=presence)
    return user


def available_agents(session: Session, queue: str, load: dict[int, int], with_capacity: bool = True) -> list[User]:
    """Online agents serving the queue (with free capacity unless told otherwise), least loaded first."""
    online = session.scalars(select(User).where(User.presence == "online", User.active.is_(True))).all()
    serving = [u for u in online if queue in u.queues or (not u.queues and u.role != "admin")]
    if with_capacity:
        serving = [u for u in serving if load.get(u.id, 0) < u.capacity]
    return sorted(serving, key=lambda u: (load.get(u.id, 0) / max(u.capacity, 1), u.id))
