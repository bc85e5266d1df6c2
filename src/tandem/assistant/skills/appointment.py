"""`appointment`: book, reschedule and cancel against the calendar's free slots, after a yes."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from tandem.assistant import slots
from tandem.assistant.skills import identity
from tandem.assistant.skills.base import Ctx, Outcome, Task, ask, reference_for
from tandem.connectors.ports import Booking, Slot
from tandem.events import service as events

MODES = {"book_appointment": "book", "reschedule_appointment": "reschedule", "cancel_appointment": "cancel"}
CANCEL_WORDS = re.compile(r"\b(cancel\w*|cancle\w*|call off|can'?t make it|cant make it|won'?t make it)\b", re.I)
MOVE_WORDS = re.compile(
    r"\b(move|reschedule|re-schedule|change|different (day|time)|another (day|time)|rearrange)\b", re.I
)
OFFERED = 3
# When the day asked for is full, look this far ahead for the nearest free times.
LOOK_AHEAD_DAYS = 14


class Appointment:
    name = "appointment"

    def step(self, ctx: Ctx, task: Task) -> Outcome:
        task = identity.remember(ctx, task)
        if "mode" not in task.slots:
            task = task.with_slots(mode=_mode(ctx))
        said_day = slots.day(ctx.text, ctx.today)
        if said_day is not None and task.awaiting not in ("slot", "choice", "confirm"):
            task = task.with_slots(day=said_day.isoformat())
        task, verifying = identity.check(ctx, task)
        if verifying is not None:
            return verifying
        mode = task.slots["mode"]
        if mode in ("reschedule", "cancel") and "booking" not in task.slots:
            return self._pick_booking(ctx, task, mode)
        if mode == "cancel":
            return self._cancel(ctx, task)
        return self._book(ctx, task)

    # ---- which existing booking ---------------------------------------------------------------------

    def _pick_booking(self, ctx: Ctx, task: Task, mode: str) -> Outcome:
        assert ctx.customer_ref is not None
        bookings = ctx.connectors.calendar.bookings(ctx.customer_ref)
        if not bookings:
            return Outcome("appointment.none_booked", {"mode": mode}, task=None)
        if len(bookings) == 1:
            return self.step(ctx, task.with_slots(booking=bookings[0].id, booking_label=label(ctx, bookings[0].slot)))
        options = [{"id": b.id, "label": label(ctx, b.slot)} for b in bookings[:OFFERED]]
        if task.awaiting == "choice":
            picked = _picked(ctx.text, task.options)
            if picked is not None:
                chosen = task.model_copy(update={"awaiting": None, "options": []})
                return self.step(ctx, chosen.with_slots(booking=picked["id"], booking_label=picked["label"]))
        return ask(task, "choice", "appointment.which_booking", {"options": options}, options=options)

    # ---- booking a new time -------------------------------------------------------------------------

    def _book(self, ctx: Ctx, task: Task) -> Outcome:
        if task.awaiting == "confirm":
            return self._confirm_booking(ctx, task)
        if task.awaiting == "slot":
            picked = _picked(ctx.text, task.options)
            if picked is not None:
                chosen = task.with_slots(slot=picked["id"], slot_label=picked["label"])
                # The offer stays open at the yes-or-no: "sorry, I meant the second one" picks again.
                confirming = chosen.ask("confirm", task.options)
                return Outcome("appointment.confirm", {"when": picked["label"]}, task=confirming)
        said_day = slots.day(ctx.text, ctx.today)
        if said_day is not None and task.awaiting == "slot":
            # "None of those, Monday then": another day is a new question, not the same one asked again.
            task = task.model_copy(update={"awaiting": None, "reasks": 0}).with_slots(day=said_day.isoformat())
        wanted = said_day or _day_slot(task)
        if wanted is None and task.awaiting != "slot":
            return ask(task, "day", "appointment.ask_day")
        start = _start_of(wanted, ctx) if wanted else ctx.now
        free = ctx.connectors.calendar.free_slots(start, start + timedelta(days=LOOK_AHEAD_DAYS), limit=OFFERED)
        if not free:
            return Outcome("appointment.no_slots", task=None)
        options = [{"id": s.id, "label": label(ctx, s)} for s in free]
        exact = wanted is not None and _local(ctx, free[0].starts_at).date() == wanted
        return ask(task, "slot", "appointment.offer", {"options": options, "exact": exact}, options=options)

    def _confirm_booking(self, ctx: Ctx, task: Task) -> Outcome:
        repicked = _picked(ctx.text, task.options) if task.options and slots.corrects(ctx.text) else None
        if repicked is not None and repicked["id"] != task.slots.get("slot"):
            chosen = task.with_slots(slot=repicked["id"], slot_label=repicked["label"])
            return Outcome("appointment.confirm", {"when": repicked["label"]}, task=chosen.ask("confirm", task.options))
        answer = slots.confirmation(ctx.text)
        if answer is None:
            return ask(task, "confirm", "appointment.confirm", {"when": task.slots["slot_label"]})
        if answer is False:
            return ask(
                task.model_copy(update={"slots": _without(task.slots, "slot", "slot_label", "day")}),
                "day",
                "appointment.ask_day",
            )
        assert ctx.customer_ref is not None
        booking = ctx.connectors.calendar.book(task.slots["slot"], ctx.customer_ref, reference_for(ctx, "book"))
        moved_from = None
        if task.slots.get("mode") == "reschedule":
            ctx.connectors.calendar.cancel(task.slots["booking"], ctx.customer_ref)
            moved_from = task.slots.get("booking_label")
        events.record(
            ctx.session,
            "assistant.appointment_booked",
            "ai",
            ctx.turn.conversation_id,
            customer_id=ctx.verified_customer_id,
            booking=booking.id,
            starts_at=booking.slot.starts_at.isoformat(),
            rescheduled_from=task.slots.get("booking"),
        )
        return Outcome(
            "appointment.booked",
            {"when": label(ctx, booking.slot), "where": booking.slot.resource, "moved_from": moved_from},
            task=None,
            resolved=True,
            facts={"appointment": label(ctx, booking.slot)},
        )

    # ---- cancelling ---------------------------------------------------------------------------------

    def _cancel(self, ctx: Ctx, task: Task) -> Outcome:
        when = task.slots["booking_label"]
        if task.awaiting != "confirm":
            return Outcome("appointment.confirm_cancel", {"when": when}, task=task.ask("confirm"))
        answer = slots.confirmation(ctx.text)
        if answer is None:
            return ask(task, "confirm", "appointment.confirm_cancel", {"when": when})
        if answer is False:
            return Outcome("appointment.kept", {"when": when}, task=None, resolved=True)
        assert ctx.customer_ref is not None
        ctx.connectors.calendar.cancel(task.slots["booking"], ctx.customer_ref)
        events.record(
            ctx.session,
            "assistant.appointment_cancelled",
            "ai",
            ctx.turn.conversation_id,
            customer_id=ctx.verified_customer_id,
            booking=task.slots["booking"],
        )
        return Outcome("appointment.cancelled", {"when": when}, task=None, resolved=True)


def _mode(ctx: Ctx) -> str:
    # The customer's own verb beats a close call between the three appointment intents.
    if CANCEL_WORDS.search(ctx.text):
        return "cancel"
    if MOVE_WORDS.search(ctx.text):
        return "reschedule"
    return MODES.get(ctx.intent or "", "book")


def label(ctx: Ctx, slot: Slot) -> str:
    local = _local(ctx, slot.starts_at)
    return f"{local:%A} {local.day} {local:%B} at {local:%H:%M}, {slot.resource}"


def _zone(ctx: Ctx) -> ZoneInfo:
    hours = ctx.setting("business_hours") or {}
    return ZoneInfo(str(hours.get("timezone") or "UTC"))


def _local(ctx: Ctx, moment: datetime) -> datetime:
    return moment.astimezone(_zone(ctx))


def _start_of(day: date, ctx: Ctx) -> datetime:
    return max(datetime.combine(day, time(0, 0), tzinfo=_zone(ctx)), ctx.now)


def _picked(text: str, options: list[dict[str, str]]) -> dict[str, str] | None:
    index = slots.choice(text, len(options))
    if index is not None:
        return options[index]
    wanted = slots.time_of_day(text)
    if wanted is not None:
        clock = f"{wanted[0]:02d}:{wanted[1]:02d}"
        return next((o for o in options if f" at {clock}" in o["label"]), None)
    return None


def _day_slot(task: Task) -> date | None:
    return date.fromisoformat(task.slots["day"]) if "day" in task.slots else None


def _without(values: dict[str, str], *keys: str) -> dict[str, str]:
    return {k: v for k, v in values.items() if k not in keys}


__all__ = ["Appointment", "Booking"]
