"""What every skill works with: the turn's context, the task it keeps between turns, and its outcome.

A skill is multi-turn: it keeps a `Task` (the slots it has filled and the one question it is waiting
on) in the conversation's state, asks for one missing thing at a time, and ends by resolving the
request, or by handing over with a reason a person can read. It never writes without a yes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Protocol

from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from tandem.assistant import slots
from tandem.connectors.ports import Connectors, CustomerRef
from tandem.conversations.pipeline import Turn
from tandem.customers.models import Customer
from tandem.triage.signals import Signals

# How often the AI re-asks one question before it offers a person instead of looping.
MAX_REASKS = 1


class Task(BaseModel):
    """A request in progress: what the skill knows so far and the one thing it is waiting for."""

    skill: str
    intent: str | None = None
    slots: dict[str, str] = Field(default_factory=dict)
    awaiting: str | None = None
    options: list[dict[str, str]] = Field(default_factory=list)
    reasks: int = 0

    def with_slots(self, **values: str | None) -> Task:
        filled = {k: v for k, v in values.items() if v}
        return self.model_copy(update={"slots": {**self.slots, **filled}})

    def ask(self, slot: str, options: list[dict[str, str]] | None = None) -> Task:
        reasks = self.reasks + 1 if self.awaiting == slot else 0
        return self.model_copy(update={"awaiting": slot, "options": options or [], "reasks": reasks})


class AssistantState(BaseModel):
    """What the assistant keeps in the conversation's state between turns."""

    task: Task | None = None
    verified_customer_id: int | None = None
    # The skill that finished the last request: "sorry, I meant A10865" right after an answer redoes it.
    last_skill: str | None = None


@dataclass(frozen=True)
class Handover:
    """The skill cannot (or may not) finish: a person takes over, told why."""

    reason: str
    explanation: str
    evidence: dict[str, Any] = field(default_factory=dict)
    queue: str = "general"
    priority: str = "normal"


@dataclass(frozen=True)
class Outcome:
    say: str  # template key: "<skill>.<situation>"
    values: dict[str, Any] = field(default_factory=dict)
    task: Task | None = None  # None: the request is finished (or dropped)
    resolved: bool = False
    handover: Handover | None = None
    facts: dict[str, str] = field(default_factory=dict)  # what the brief should show a person
    verified_customer_id: int | None = None


@dataclass
class Ctx:
    """One customer message as a skill sees it."""

    text: str  # the customer's own words: read locally for answers, never logged or sent anywhere
    signals: Signals
    turn: Turn
    session: Session
    connectors: Connectors
    now: datetime
    customer: Customer | None
    verified_customer_id: int | None
    setting: Callable[[str], dict[str, Any] | None]

    @property
    def verified(self) -> bool:
        return self.verified_customer_id is not None

    @property
    def customer_ref(self) -> CustomerRef | None:
        if self.verified_customer_id is None:
            return None
        external = (
            self.customer.external_id if self.customer and self.customer.id == self.verified_customer_id else None
        )
        return CustomerRef(self.verified_customer_id, external)

    @property
    def today(self) -> date:
        return self.now.date()

    @property
    def intent(self) -> str | None:
        return self.signals.intent.name


class Skill(Protocol):
    name: str

    def step(self, ctx: Ctx, task: Task) -> Outcome: ...


def ask(task: Task, slot: str, say: str, values: dict[str, Any] | None = None, **options: Any) -> Outcome:
    """Ask for `slot`; the second time round, say so and offer a person rather than loop."""
    asked = task.ask(slot, options.get("options"))
    if asked.reasks > MAX_REASKS:
        return Outcome("common.stuck", {"what": SLOT_WORDS.get(slot, slot)}, task=None)
    return Outcome(say, {**(values or {}), "again": asked.reasks > 0}, task=asked)


SLOT_WORDS = {
    "order_number": "the order number",
    "email": "the email address",
    "verify_email": "the email address on your account",
    "verify_postcode": "your postcode",
    "new_value": "the new details",
    "confirm": "a yes or no",
    "slot": "a time",
    "day": "a day",
    "reason": "what went wrong",
}

# How each awaited answer is read from the customer's words (None: not an answer to the question).
READERS: dict[str, Callable[[str, date], object | None]] = {
    "order_number": lambda text, _today: slots.order_number(text),
    "verify_email": lambda text, _today: slots.email(text),
    "verify_postcode": lambda text, _today: slots.postcode(text),
    "confirm": lambda text, _today: slots.confirmation(text),
    "day": lambda text, today: slots.day(text, today),
    "size": lambda text, _today: slots.quantity(text),
    "contact": lambda text, _today: slots.email(text) or slots.phone(text),
}


def answers(task: Task, text: str, today: date) -> bool:
    """Whether `text` reads as an answer to the question the task is waiting on."""
    if task.awaiting is None:
        return False
    if task.awaiting in ("choice", "slot"):
        picked = slots.choice(text, max(1, len(task.options))) is not None or slots.time_of_day(text) is not None
        # "None of those work, what about Saturday?" answers too: another day to look at.
        return picked or (task.awaiting == "slot" and slots.day(text, today) is not None)
    reader = READERS.get(task.awaiting)
    if reader is not None:
        return reader(text, today) is not None
    # Free-text answers (what went wrong, what they need): any short real answer counts.
    return len(text.split()) >= 1 and not slots.never_mind(text)


def reference_for(ctx: Ctx, label: str) -> str:
    """A stable idempotency key for a write in this conversation (a retried turn does not write twice)."""
    return f"tandem-{ctx.turn.conversation_id}-{ctx.turn.message_id}-{label}"


def is_order_of(order_customer_id: int | None, order_external: str | None, ref: CustomerRef) -> bool:
    if order_customer_id is not None:
        return order_customer_id == ref.id
    return order_external is not None and order_external == ref.external_id
