"""The admin screens' API: hand-over rules, knowledge base, intents, users and queues.

Mounted under /api/v1/admin by `tandem.console.pages.register`. Every endpoint checks its scope:
rules need `rules:write`, everything else `users:write` (both are the admin role's only).
"""

from __future__ import annotations

import hashlib
import re
import threading
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any

import yaml
from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field, StringConstraints
from sqlalchemy import select

from tandem.events import service as events
from tandem.handoff import policy
from tandem.handoff.models import Queue
from tandem.handoff.policy import load_rules
from tandem.handoff.rules import RulesError, RuleSet, parse_rules
from tandem.handoff.simulate import compare, stored_conversations
from tandem.kit import clock
from tandem.kit.cache import PRINCIPALS
from tandem.kit.errors import Conflict, NotFound, ValidationFailed
from tandem.kit.settings import Settings
from tandem.kit.web import DeskDep, PrincipalDep
from tandem.knowledge.models import Article
from tandem.users import service as user_service
from tandem.users.models import User
from tandem.users.principal import Principal
from tandem.users.schemas import Role, UserCreate, UserOut

router = APIRouter(prefix="/admin", tags=["admin"])
RULES_FILE = policy.WORKSPACE_RULES_FILE
INTENT_PACK_FILE = "intent_pack.yaml"
MAX_RULES_CHARS = 200_000
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]


# ---- hand-over rules ------------------------------------------------------------------------------


def workspace_rules_path(settings: Settings) -> Path:
    return settings.workspace_dir / policy.WORKSPACE_RULES_FILE


def active_rules_path(settings: Settings) -> Path:
    return policy.active_rules_path(settings.workspace_dir, settings.handoff_rules)


class RulesIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: Annotated[str, StringConstraints(max_length=MAX_RULES_CHARS)]


class DryRunIn(RulesIn):
    days: int = Field(default=30, ge=1, le=365)


class RulesProblem(BaseModel):
    line: int | None
    column: int | None
    message: str


class RulesCheck(BaseModel):
    valid: bool
    errors: list[RulesProblem] = Field(default_factory=list)
    rules: int = 0


class RulesOut(BaseModel):
    text: str
    source: str
    workspace: bool
    sha256: str


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _check(text: str) -> tuple[RuleSet | None, RulesCheck]:
    try:
        rules = parse_rules(text, source=RULES_FILE)
    except RulesError as exc:
        message = re.sub(rf"^{re.escape(exc.source)}: (line \d+: )?", "", str(exc))
        return None, RulesCheck(valid=False, errors=[RulesProblem(line=exc.line, column=exc.column, message=message)])
    return rules, RulesCheck(valid=True, rules=len(rules.enabled))


@router.get("/rules", operation_id="admin_rules")
def get_rules(desk: DeskDep, principal: PrincipalDep) -> RulesOut:
    principal.require("rules:write")
    path = active_rules_path(desk.settings)
    text = path.read_text(encoding="utf-8")
    saved = workspace_rules_path(desk.settings)
    return RulesOut(text=text, source=str(path), workspace=saved.exists(), sha256=_sha(text))


@router.post("/rules/validate", operation_id="admin_rules_validate")
def validate_rules(data: RulesIn, principal: PrincipalDep) -> RulesCheck:
    principal.require("rules:write")
    return _check(data.text)[1]


@router.post("/rules/dry-run", operation_id="admin_rules_dry_run")
def dry_run_rules(data: DryRunIn, desk: DeskDep, principal: PrincipalDep) -> dict[str, Any]:
    """Re-decide the stored conversations of the last `days` with the candidate rules. Writes nothing."""
    principal.require("rules:write")
    candidate, check = _check(data.text)
    if candidate is None:
        return {"check": check.model_dump()}
    current = load_rules(active_rules_path(desk.settings))
    session = desk.factory()
    try:
        conversations = list(stored_conversations(session, clock.now() - timedelta(days=data.days)))
    finally:
        session.rollback()  # reads only
        session.close()
    return {"check": check.model_dump(), "days": data.days, **compare(conversations, current, candidate)}


@router.put("/rules", operation_id="admin_rules_save")
def save_rules(data: RulesIn, desk: DeskDep, principal: PrincipalDep) -> RulesOut:
    """Validate, then write the workspace rules file the desk decides with from now on; audited."""
    principal.require("rules:write")
    _rules, check = _check(data.text)
    if not check.valid:
        problem = check.errors[0]
        where = f"line {problem.line}: " if problem.line is not None else ""
        raise ValidationFailed(f"The rules are not valid: {where}{problem.message}")
    target = workspace_rules_path(desk.settings)
    old_text = active_rules_path(desk.settings).read_text(encoding="utf-8")
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".yaml.tmp")
    partial.write_text(data.text, encoding="utf-8")
    partial.replace(target)  # atomic: the desk never reads half a file
    with desk.transaction() as session:
        events.record(
            session,
            "rules.updated",
            principal.actor,
            file=str(target),
            old_sha256=_sha(old_text),
            new_sha256=_sha(data.text),
        )
    return RulesOut(text=data.text, source=str(target), workspace=True, sha256=_sha(data.text))


# ---- knowledge base -------------------------------------------------------------------------------


class ArticleIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
    body: Annotated[str, StringConstraints(min_length=1, max_length=100_000)]
    tags: list[Name] = Field(default_factory=list, max_length=30)
    policy_clause: Annotated[str, StringConstraints(strip_whitespace=True, max_length=40)] | None = None
    published: bool = True


class ArticleOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    slug: str
    title: str
    body: str
    tags: list[str]
    policy_clause: str | None
    published: bool


def _slug(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:100] or "article"


@router.get("/articles", operation_id="admin_articles")
def list_articles(desk: DeskDep, principal: PrincipalDep) -> list[ArticleOut]:
    principal.require("users:write")
    with desk.transaction() as session:
        found = session.scalars(select(Article).order_by(Article.title)).all()
        return [ArticleOut.model_validate(a) for a in found]


@router.post("/articles", status_code=201, operation_id="admin_article_create")
def create_article(data: ArticleIn, desk: DeskDep, principal: PrincipalDep) -> ArticleOut:
    principal.require("users:write")
    with desk.transaction() as session:
        base = slug = _slug(data.title)
        taken = set(session.scalars(select(Article.slug).where(Article.slug.startswith(base))).all())
        number = 2
        while slug in taken:
            slug, number = f"{base}-{number}", number + 1
        article = Article(slug=slug, **_article_fields(data))
        session.add(article)
        session.flush()
        events.record(session, "article.created", principal.actor, article_id=article.id)
        return ArticleOut.model_validate(article)


@router.put("/articles/{article_id}", operation_id="admin_article_update")
def update_article(article_id: int, data: ArticleIn, desk: DeskDep, principal: PrincipalDep) -> ArticleOut:
    principal.require("users:write")
    with desk.transaction() as session:
        article = session.get(Article, article_id)
        if article is None:
            raise NotFound(f"No article with id {article_id}.")
        for key, value in _article_fields(data).items():
            setattr(article, key, value)
        session.flush()
        events.record(session, "article.updated", principal.actor, article_id=article.id)
        return ArticleOut.model_validate(article)


def _article_fields(data: ArticleIn) -> dict[str, Any]:
    return {
        "title": data.title,
        "body": data.body,
        "tags": list(dict.fromkeys(data.tags)),
        "policy_clause": data.policy_clause or None,
        "published": data.published,
    }


# ---- intents --------------------------------------------------------------------------------------


def workspace_pack_path(settings: Settings) -> Path:
    return settings.workspace_dir / INTENT_PACK_FILE


def _read_pack(settings: Settings) -> dict[str, Any]:
    from tandem.triage.domain_pack import DEFAULT_PACK, PACKS_DIR

    saved = workspace_pack_path(settings)
    path = saved if saved.exists() else PACKS_DIR / f"{DEFAULT_PACK}.yaml"
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(raw, dict):
        raise ValidationFailed(f"{path.name} is not a domain pack.")
    return raw


class IntentOut(BaseModel):
    name: str
    description: str
    department: str | None
    examples: int


class IntentsOut(BaseModel):
    pack: str
    intents: list[IntentOut]
    training: dict[str, Any]


class ExamplesIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    examples: list[Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]] = Field(
        min_length=1, max_length=100
    )


class Training:
    """One background retrain at a time (an in-process thread: fine for the embedded desk)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.state: dict[str, Any] = {"status": "idle"}
        self._thread: threading.Thread | None = None

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            return dict(self.state)

    def start(self, work: Callable[[], dict[str, Any]]) -> dict[str, Any]:
        with self._lock:
            if self.state["status"] == "running":
                raise Conflict("A retrain is already running.")
            self.state = {"status": "running", "started_at": clock.now().isoformat()}
            self._thread = threading.Thread(target=self._run, args=(work,), name="intent-retrain", daemon=True)
            self._thread.start()
            return dict(self.state)

    def _run(self, work: Callable[[], dict[str, Any]]) -> None:
        started = time.perf_counter()
        try:
            result: dict[str, Any] = {"status": "done", **work()}
        except Exception as exc:  # reported to the admin, not raised into a dead thread
            result = {"status": "failed", "error": str(exc)}
        result["seconds"] = round(time.perf_counter() - started, 2)
        result["finished_at"] = clock.now().isoformat()
        with self._lock:
            self.state = {**self.state, **result}

    def join(self, timeout: float | None = None) -> None:
        if self._thread is not None:
            self._thread.join(timeout)


TRAINING = Training()


def train_pack(pack_path: Path, models_dir: Path) -> dict[str, Any]:
    """Retrain the intent model from a pack file into the models dir (what `tandem intents train` does).

    The running desk loads its intent model at start-up: the new one is used from the next restart."""
    from tandem.triage.build import default_intents_dir, ensure_encoder, pack_digest
    from tandem.triage.domain_pack import load_pack
    from tandem.triage.encoder import Encoder
    from tandem.triage.intents import train_from_pack
    from tandem.triage.settings import TriageSettings

    ensure_encoder(models_dir)
    encoder = Encoder.load(models_dir, threads=TriageSettings().encoder_threads)
    model = train_from_pack(load_pack(pack_path), encoder)
    model.meta.update(pack_digest=pack_digest(pack_path), trained_from=str(pack_path))
    target = default_intents_dir(models_dir, model.meta.get("pack") or "custom")
    model.save(target)
    return {"model": str(target), "rows": model.meta.get("rows"), "accuracy": model.meta.get("held_out_accuracy")}


# Swappable in tests: training a real model takes the encoder and tens of seconds.
TRAINER: Callable[[Path, Path], dict[str, Any]] = train_pack


@router.get("/intents", operation_id="admin_intents")
def list_intents(desk: DeskDep, principal: PrincipalDep) -> IntentsOut:
    principal.require("users:write")
    raw = _read_pack(desk.settings)
    intents = [
        IntentOut(
            name=str(i["name"]),
            description=str(i.get("description", "")),
            department=i.get("department"),
            examples=len(i.get("examples") or []),
        )
        for i in raw.get("intents") or []
    ]
    return IntentsOut(pack=str(raw.get("name", "")), intents=intents, training=TRAINING.snapshot())


@router.post("/intents/{name}/examples", operation_id="admin_intent_examples")
def add_examples(name: str, data: ExamplesIn, desk: DeskDep, principal: PrincipalDep) -> IntentOut:
    """Add phrasings to an intent, in the workspace copy of the pack (the shipped pack stays as it is)."""
    from tandem.triage.domain_pack import PackError, parse_pack

    principal.require("users:write")
    raw = _read_pack(desk.settings)
    intent = next((i for i in raw.get("intents") or [] if i.get("name") == name), None)
    if intent is None:
        raise NotFound(f"No intent named {name!r} in the pack.")
    known = set(intent.get("examples") or [])
    intent["examples"] = [*(intent.get("examples") or []), *(e for e in dict.fromkeys(data.examples) if e not in known)]
    try:
        parse_pack(raw, INTENT_PACK_FILE)
    except PackError as exc:
        raise ValidationFailed(str(exc)) from exc
    target = workspace_pack_path(desk.settings)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".yaml.tmp")
    partial.write_text(yaml.safe_dump(raw, sort_keys=False, allow_unicode=True), encoding="utf-8")
    partial.replace(target)
    with desk.transaction() as session:
        events.record(session, "intents.examples_added", principal.actor, intent=name, added=len(data.examples))
    return IntentOut(
        name=name,
        description=str(intent.get("description", "")),
        department=intent.get("department"),
        examples=len(intent["examples"]),
    )


@router.post("/intents/retrain", status_code=202, operation_id="admin_intents_retrain")
def retrain(desk: DeskDep, principal: PrincipalDep) -> dict[str, Any]:
    principal.require("users:write")
    from tandem.triage.domain_pack import DEFAULT_PACK, PACKS_DIR

    saved = workspace_pack_path(desk.settings)
    pack = saved if saved.exists() else PACKS_DIR / f"{DEFAULT_PACK}.yaml"
    models_dir = desk.settings.models_dir
    trainer = TRAINER
    return TRAINING.start(lambda: trainer(pack, models_dir))


@router.get("/intents/training", operation_id="admin_intents_training")
def training_status(principal: PrincipalDep) -> dict[str, Any]:
    principal.require("users:write")
    return TRAINING.snapshot()


# ---- users and queues -----------------------------------------------------------------------------


class UserChange(BaseModel):
    model_config = ConfigDict(extra="forbid")
    role: Role | None = None
    queues: list[Name] | None = None
    capacity: int | None = Field(default=None, ge=0, le=50)
    active: bool | None = None


class QueueOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    name: str
    description: str
    skills: list[str]
    avg_handle_minutes: int


class QueueChange(BaseModel):
    model_config = ConfigDict(extra="forbid")
    description: Annotated[str, StringConstraints(max_length=2000)] | None = None
    avg_handle_minutes: int | None = Field(default=None, ge=1, le=600)


@router.get("/users", operation_id="admin_users")
def list_users(desk: DeskDep, principal: PrincipalDep) -> list[UserOut]:
    principal.require("users:write")
    with desk.transaction() as session:
        return [UserOut.model_validate(u) for u in session.scalars(select(User).order_by(User.name)).all()]


@router.post("/users", status_code=201, operation_id="admin_user_create")
def create_user(data: UserCreate, desk: DeskDep, principal: PrincipalDep) -> UserOut:
    principal.require("users:write")
    with desk.transaction() as session:
        return UserOut.model_validate(user_service.create_user(session, data, principal.actor))


@router.patch("/users/{user_id}", operation_id="admin_user_update")
def update_user(user_id: int, data: UserChange, desk: DeskDep, principal: PrincipalDep) -> UserOut:
    principal.require("users:write")
    changes = data.model_dump(exclude_none=True)
    _refuse_self_lockout(principal, user_id, changes)
    with desk.transaction() as session:
        user = user_service.get_user(session, user_id)
        for key, value in changes.items():
            setattr(user, key, value)
        session.flush()
        events.record(session, "user.updated", principal.actor, user_id=user.id, changes=sorted(changes))
        result = UserOut.model_validate(user)
    if "active" in changes or "role" in changes:
        PRINCIPALS.clear()  # signed-in sessions pick up the new role or deactivation at once
    return result


def _refuse_self_lockout(principal: Principal, user_id: int, changes: dict[str, Any]) -> None:
    if principal.user_id == user_id and (changes.get("active") is False or changes.get("role", "admin") != "admin"):
        raise ValidationFailed("You cannot deactivate yourself or remove your own admin role.")


@router.get("/queues", operation_id="admin_queues")
def list_queues(desk: DeskDep, principal: PrincipalDep) -> list[QueueOut]:
    principal.require("users:write")
    with desk.transaction() as session:
        return [QueueOut.model_validate(q) for q in session.scalars(select(Queue).order_by(Queue.name)).all()]


@router.patch("/queues/{name}", operation_id="admin_queue_update")
def update_queue(name: str, data: QueueChange, desk: DeskDep, principal: PrincipalDep) -> QueueOut:
    principal.require("users:write")
    changes = data.model_dump(exclude_none=True)
    with desk.transaction() as session:
        queue = session.get(Queue, name)
        if queue is None:
            raise NotFound(f"No queue named {name!r}.")
        for key, value in changes.items():
            setattr(queue, key, value)
        session.flush()
        events.record(session, "queue.updated", principal.actor, queue=name, changes=sorted(changes))
        return QueueOut.model_validate(queue)
