"""`business_info` (hours, holidays, locations, contact options, from configuration), `faq` (the
knowledge base, cited, or an honest "I don't know") and `collect_information` (the facts a person will
need, one question at a time, handed over so the customer never repeats them)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from tandem.assistant import slots
from tandem.assistant.skills.base import Ctx, Handover, Outcome, Task, ask
from tandem.handoff.routing import WEEKDAYS, OpeningSpan
from tandem.handoff.stage import business_hours
from tandem.knowledge.retrieval import Match, first_sentences

# Holidays this far ahead are worth mentioning when someone asks about opening hours.
HOLIDAYS_AHEAD_DAYS = 45
DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
FindAnswer = Callable[[Any, str], Match | None]


class BusinessInfo:
    name = "business_info"

    def step(self, ctx: Ctx, task: Task) -> Outcome:
        hours = ctx.setting("business_hours") or {}
        store = ctx.setting("store") or {}
        if ctx.intent == "store_location":
            stores = _stores(store, ctx.text)
            if not stores:
                return Outcome("business_info.no_stores", task=None)
            return Outcome("business_info.locations", {"stores": stores}, task=None, resolved=True)
        if ctx.intent == "contact_customer_service":
            return Outcome("business_info.contact", {"contact": hours.get("contact") or {}}, task=None, resolved=True)
        if not any((hours.get("weekly") or {}).values()):
            return Outcome("business_info.no_hours", task=None)
        return Outcome("business_info.hours", hours_values(hours, ctx.now), task=None, resolved=True)


def hours_values(config: dict[str, Any], now: datetime) -> dict[str, Any]:
    """The workspace's hours as the reply shows them, read the way the hand-over reads them."""
    hours = business_hours(config)
    today = now.astimezone(ZoneInfo(hours.timezone)).date()
    days = [{"day": DAY_NAMES[i], **_span_of(hours.week.get(key))} for i, key in enumerate(WEEKDAYS)]
    upcoming = sorted(d for d in hours.holidays if today <= d <= today + timedelta(days=HOLIDAYS_AHEAD_DAYS))
    today_span = None if today in hours.holidays else _span_of(hours.week.get(WEEKDAYS[today.weekday()]))
    return {
        "days": days,
        "timezone": hours.timezone,
        "holidays": [f"{d:%A} {d.day} {d:%B}" for d in upcoming],
        "open_today": f"{today_span['open']}–{today_span['close']}" if today_span and today_span["open"] else None,
    }


def _span_of(spans: tuple[OpeningSpan, ...] | None) -> dict[str, str | None]:
    if not spans:
        return {"open": None, "close": None}
    return {"open": f"{spans[0].start:%H:%M}", "close": f"{spans[-1].end:%H:%M}"}


def _stores(store: dict[str, Any], text: str) -> list[dict[str, Any]]:
    stores = [s for s in store.get("stores", []) if isinstance(s, dict)]
    named = [s for s in stores if str(s.get("name", "")).split()[-1].lower() in text.lower()]
    return named or stores


class Faq:
    """Answers from the knowledge base, citing the article, or says it doesn't know and offers a person."""

    name = "faq"

    def __init__(self, find_answer: FindAnswer) -> None:
        self.find_answer = find_answer

    def step(self, ctx: Ctx, task: Task) -> Outcome:
        question = ctx.turn.redacted_text or ctx.signals.text_redacted
        match = self.find_answer(ctx.session, question)
        if match is None:
            return Outcome("faq.no_answer", task=None, facts={"unanswered question": question[:200]})
        article = match.article
        passage = match.passage or first_sentences(article.body)
        return Outcome(
            "faq.answer",
            {"passage": passage, "title": article.title, "slug": article.slug},
            task=None,
            resolved=True,
            facts={"help article": article.title},
        )


# What a person will need for each request the AI cannot complete itself, asked one at a time.
COLLECT: dict[str, tuple[tuple[str, str], ...]] = {
    "product_defect": (("order_number", "orders"), ("details", "")),
    "payment_issue": (("order_number", "billing"), ("details", "")),
    "check_invoice": (("order_number", "billing"), ("details", "")),
    "registration_problems": (("details", "technical"),),
    "delete_account": (("details", "retention"),),
    "review": (("details", ""),),
}
QUEUE_FOR = {
    "product_defect": "orders",
    "payment_issue": "billing",
    "check_invoice": "billing",
    "registration_problems": "technical",
    "delete_account": "retention",
}


class CollectInformation:
    name = "collect_information"

    def step(self, ctx: Ctx, task: Task) -> Outcome:
        kind = task.intent or ctx.intent or "other"
        wanted = [name for name, _ in COLLECT.get(kind, (("details", ""),))]
        task = task.with_slots(order_number=slots.order_number(ctx.text))
        if task.awaiting == "details" or (task.awaiting is None and len(ctx.text.split()) >= 6):
            # The first message usually says what happened: keep it rather than ask again.
            task = task.with_slots(details=ctx.text.strip()[:500])
        missing = next((slot for slot in wanted if slot not in task.slots), None)
        if missing is not None:
            return ask(task, missing, f"collect_information.ask_{missing}", {"kind": kind})
        facts = {k: v for k, v in task.slots.items() if k in ("order_number", "details")}
        if kind == "review":
            return Outcome("collect_information.review_thanks", task=None, resolved=True, facts=facts)
        return Outcome(
            "collect_information.handover",
            {"kind": kind},
            task=None,
            facts=facts,
            handover=Handover(
                reason="needs_a_person",
                explanation="The request needs a person to act; the assistant collected the facts first",
                evidence={"intent": kind, "collected": sorted(facts)},
                queue=QUEUE_FOR.get(kind, "general"),
            ),
        )
