"""`update_contact`: email, phone or shipping address, changed only for a verified customer who says yes."""

from __future__ import annotations

import re

from tandem.assistant import slots
from tandem.assistant.skills import identity
from tandem.assistant.skills.base import READERS, Ctx, Outcome, Task, ask
from tandem.customers import service as customers

FIELD_WORDS = {
    "email": re.compile(r"\be-?mail\b", re.I),
    "phone": re.compile(r"\b(phone|mobile|number|cell)\b", re.I),
    "address": re.compile(r"\b(address|moved|move house|postcode|delivery address|shipping address)\b", re.I),
}
FIELD_NAMES = {"email": "email address", "phone": "phone number", "address": "address"}
INTENT_FIELD = {"change_shipping_address": "address", "set_up_shipping_address": "address"}


class UpdateContact:
    name = "update_contact"

    def step(self, ctx: Ctx, task: Task) -> Outcome:
        if "field" not in task.slots:
            field = INTENT_FIELD.get(ctx.intent or "") or _field_named(ctx.text)
            if field is None:
                return ask(task, "field", "update_contact.ask_field")
            task = task.with_slots(field=field)
        field = task.slots["field"]
        current_email = None
        if not ctx.verified and task.awaiting in (None, "field"):
            # "Change my number to 07812 345678": keep the new value while we check who they are.
            new_value, current_email = _new_and_current(field, ctx.text)
            task = task.with_slots(new_value=new_value)
        task, verifying = identity.check(ctx, task, email_in_text=field != "email", given_email=current_email)
        if verifying is not None:
            return verifying
        if task.awaiting == "confirm":
            return self._on_answer(ctx, task)
        value = _read(field, ctx.text) if task.awaiting in ("new_value", None, "field") else None
        value = value or task.slots.get("new_value")
        if value is None:
            return ask(task, "new_value", "update_contact.ask_value", {"field": FIELD_NAMES[field]})
        return Outcome(
            "update_contact.confirm",
            {"field": FIELD_NAMES[field], "value": value},
            task=task.with_slots(new_value=value).ask("confirm"),
        )

    def _on_answer(self, ctx: Ctx, task: Task) -> Outcome:
        field, value = task.slots["field"], task.slots["new_value"]
        answer = slots.confirmation(ctx.text)
        corrected = _read(field, ctx.text)
        if corrected is not None and corrected != value:
            # "No, it's …": a correction mid-flow replaces the value and asks again.
            return Outcome(
                "update_contact.confirm",
                {"field": FIELD_NAMES[field], "value": corrected},
                task=task.with_slots(new_value=corrected).ask("confirm"),
            )
        if answer is None:
            return ask(task, "confirm", "update_contact.confirm", {"field": FIELD_NAMES[field], "value": value})
        if answer is False:
            return ask(task, "new_value", "update_contact.ask_value", {"field": FIELD_NAMES[field]})
        assert ctx.verified_customer_id is not None
        customers.update_contact(ctx.session, ctx.verified_customer_id, field, value, "ai", ctx.turn.conversation_id)
        return Outcome(
            "update_contact.done",
            {"field": FIELD_NAMES[field], "value": value},
            task=None,
            resolved=True,
            facts={f"new {FIELD_NAMES[field]}": "updated (see the audit trail)"},
        )


NEW_EMAIL = re.compile(r"\b(to|new|now|change it to|is now)\s*:?\s*$", re.I)


def _new_and_current(field: str, text: str) -> tuple[str | None, str | None]:
    """The new value, and (for an email change) the current address when the customer gives both:
    "update my email to new@x.example, the old one is old@y.example"."""
    if field != "email":
        return _read(field, text), None
    found = slots.emails(text)
    if len(found) < 2:
        return (found[0] if found else None), None
    lowered = text.lower()
    new = next((e for e in found if NEW_EMAIL.search(lowered[: lowered.index(e)])), found[0])
    current = next(e for e in found if e != new)
    return new, current


def _field_named(text: str) -> str | None:
    for field, pattern in FIELD_WORDS.items():
        if pattern.search(text):
            return field
    if slots.email(text):
        return "email"
    return None


def _read(field: str, text: str) -> str | None:
    if field == "email":
        return slots.email(text)
    if field == "phone":
        return slots.phone(text)
    return slots.address(text)


READERS["field"] = lambda text, _today: _field_named(text)
