"""Identity verification before any personal data is shown or changed: two things only the customer knows.

The email address on the account, then the postcode of its address. A mismatch never says which part
was wrong, nor whether an account exists for that email.
"""

from __future__ import annotations

from tandem.assistant import slots
from tandem.assistant.skills.base import MAX_REASKS, Ctx, Outcome, Task, ask
from tandem.customers import service as customers
from tandem.events import service as events


def check(
    ctx: Ctx, task: Task, email_in_text: bool = True, given_email: str | None = None
) -> tuple[Task, Outcome | None]:
    """(task, None) once the customer is verified (now or earlier); otherwise the question to ask next.

    The task comes back no longer waiting on a verification answer, so the skill carries on from there.
    An email the customer already gave is used rather than asked for again, unless the skill says the
    email in this message means something else (a new address to change to).
    """
    if ctx.verified:
        return task, None
    volunteered = task.slots.get("email_given")
    checking = task.awaiting in ("verify_email", "verify_postcode")
    if given_email is None and volunteered and not checking and not (email_in_text and slots.email(ctx.text)):
        # "Hi, it's jo@…, I'd like a refund": the email came before the skill had asked for anything.
        given_email = volunteered
        kept = {k: v for k, v in task.slots.items() if k != "email_given"}
        task = task.model_copy(update={"slots": kept, "awaiting": None, "reasks": 0})
    if task.awaiting == "verify_postcode" and slots.email(ctx.text):
        # "Sorry, that was my partner's email, mine is …": start the check again with the new address.
        task = task.model_copy(update={"awaiting": None, "reasks": 0})
        outcome = _read_email(ctx, task, slots.email(ctx.text))
        return (task, outcome) if outcome is not None else (_answered(task), None)
    if given_email is not None and task.awaiting is None:
        outcome = _read_email(ctx, task, given_email)
        return (task, outcome) if outcome is not None else (_answered(task), None)
    if task.awaiting == "verify_email" or (email_in_text and task.awaiting is None and slots.email(ctx.text)):
        outcome = _read_email(ctx, task, slots.email(ctx.text))
        return (task, outcome) if outcome is not None else (_answered(task), None)
    if task.awaiting == "verify_postcode":
        outcome = _read_postcode(ctx, task)
        return _answered(task), outcome
    return task, Outcome("identity.ask_email", task=task.ask("verify_email"))


def remember(ctx: Ctx, task: Task) -> Task:
    """Keep an email the customer volunteers before the skill asks for it (used once the check starts)."""
    if ctx.verified or task.awaiting in ("verify_email", "verify_postcode"):
        return task
    return task.with_slots(email_given=slots.email(ctx.text))


def _answered(task: Task) -> Task:
    return task.model_copy(update={"awaiting": None, "reasks": 0})


def _read_email(ctx: Ctx, task: Task, given: str | None) -> Outcome | None:
    if given is None:
        # Not an attempt (no email in it): ask again, once, rather than count a failed check. A postcode
        # given first is kept for the next question.
        early = slots.postcode(ctx.text)
        return ask(task.with_slots(postcode_given=early), "verify_email", "identity.ask_email")
    candidate = None
    if given:
        if ctx.customer is not None:
            candidate = ctx.customer if (ctx.customer.email or "").lower() == given else None
        else:
            candidate = customers.find_by_email(ctx.session, given)
    if candidate is None:
        return _failed(ctx, task, "verify_email")
    asked = task.with_slots(candidate=str(candidate.id)).ask("verify_postcode")
    said = slots.postcode(ctx.text.replace(given, " ")) or task.slots.get("postcode_given")
    if said is not None:
        # "Email is jo@…, postcode LS6", or the postcode came first: both answers are in.
        return _read_postcode(ctx, asked, said)
    return Outcome("identity.ask_postcode", task=asked)


def _read_postcode(ctx: Ctx, task: Task, said: str | None = None) -> Outcome | None:
    given = said or slots.postcode(ctx.text)
    if given is None:
        return ask(task, "verify_postcode", "identity.ask_postcode")
    candidate_id = int(task.slots.get("candidate", "0") or 0)
    candidate = customers.get(ctx.session, candidate_id) if candidate_id else None
    on_file = slots.postcode(candidate.address or "") if candidate else None
    if not given or not on_file or given != on_file or candidate is None:
        return _failed(ctx, task, "verify_postcode")
    ctx.verified_customer_id = candidate.id
    events.record(ctx.session, "assistant.identity_verified", "ai", ctx.turn.conversation_id, customer_id=candidate.id)
    return None


def _failed(ctx: Ctx, task: Task, slot: str) -> Outcome:
    events.record(ctx.session, "assistant.identity_check_failed", "ai", ctx.turn.conversation_id, step=slot)
    asked = task.ask(slot)
    if asked.reasks > MAX_REASKS:
        # Never let someone guess their way in: stop, and offer a person who can check properly.
        return Outcome("identity.not_verified", task=None)
    return Outcome("identity.mismatch", {"what": slot}, task=asked)
