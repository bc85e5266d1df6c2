"""`recommend_product` (from the catalogue, by what the customer says they want, with reasons) and
`qualify_lead` (need, size, budget, timeline, contact → a lead in the CRM; a big one goes to a person)."""

from __future__ import annotations

import re
from decimal import Decimal

from tandem.assistant import slots
from tandem.assistant.skills.base import READERS, Ctx, Handover, Outcome, Task, ask, reference_for
from tandem.connectors.ports import LeadIn, ProductRecord
from tandem.events import service as events

CATEGORY_WORDS = {
    "headphones": r"hea?d ?phones?|headfones?|earbuds?|earphones?|headsets?|buds",
    "speakers": r"speakers?|soundbar|sound system|boombox",
    "kitchen": (
        r"kitchen|kettles?|coffee( maker| machine)?s?|toasters?|blenders?|espresso|cookware|pans?|air ?fryers?|fryers?"
    ),
    "bags": r"bags?|backpacks?|rucksacks?|luggage|tote|suitcase|holdall|duffel",
    "footwear": r"shoes?|trainers?|sneakers?|boots?|footwear|runners",
    "lighting": r"lamps?|lights?|lighting|bulbs?",
    "wearables": r"smart ?watch(es)?|watch(es)?|fitness (band|tracker)s?|trackers?|wearables?",
    "accessories": r"phone cases?|chargers?|power ?banks?|cables?|accessor(y|ies)",
}
NO_BUDGET = re.compile(
    r"\b(no budget|any price|doesn'?t matter|don'?t mind|not sure|whatever|money'?s no object|no limit|"
    r"price (is|isn'?t) (not )?(an )?(issue|important)|best (one|you have)|not (fussed|bothered|worried) (about|on|by) "
    r"(the )?(price|cost|budget)|(any|whatever) (budget|it costs)|don'?t care (about|how much))\b",
    re.I,
)
SHOWN = 3
DEFAULT_LEAD_HANDOVER_VALUE = Decimal("5000")


class RecommendProduct:
    name = "recommend_product"

    def step(self, ctx: Ctx, task: Task) -> Outcome:
        category = category_named(ctx.text)
        task = task.with_slots(category=category, wants=_wants(ctx.text, task))
        if task.awaiting == "budget" or "budget" not in task.slots:
            budget = slots.money(ctx.text)
            if budget is not None:
                task = task.with_slots(budget=str(budget))
            elif NO_BUDGET.search(ctx.text):
                task = task.with_slots(budget="any")
        if "category" not in task.slots:
            categories = sorted({p.category for p in ctx.connectors.catalogue.search(in_stock_only=False, limit=500)})
            return ask(task, "category", "recommend_product.ask_category", {"categories": categories})
        if "budget" not in task.slots:
            return ask(task, "budget", "recommend_product.ask_budget", {"category": task.slots["category"]})
        budget = None if task.slots["budget"] == "any" else Decimal(task.slots["budget"])
        found = ctx.connectors.catalogue.search(category=task.slots["category"], max_price=budget, limit=50)
        picks = _rank(found, task.slots.get("wants", ""))[:SHOWN]
        if not picks:
            return Outcome(
                "recommend_product.nothing", {"category": task.slots["category"], "budget": _money(budget)}, task=None
            )
        return Outcome(
            "recommend_product.answer",
            {"picks": [_pick(p, budget, task.slots.get("wants", "")) for p in picks], "budget": _money(budget)},
            task=None,
            resolved=True,
        )


def category_named(text: str) -> str | None:
    """The catalogue category a customer names ("earbuds" → headphones), or None."""
    for category, pattern in CATEGORY_WORDS.items():
        if re.search(rf"\b(?:{pattern})\b", text, re.I):  # first listed wins ("earbuds case" → headphones)
            return category
    return None


def _wants(text: str, task: Task) -> str:
    words = re.findall(r"[a-z][a-z-]{3,}", text.lower())
    return " ".join(dict.fromkeys([*task.slots.get("wants", "").split(), *words]))[:300]


def _rank(products: list[ProductRecord], wants: str) -> list[ProductRecord]:
    wanted = set(wants.split())

    def score(product: ProductRecord) -> tuple[int, float]:
        text = f"{product.name} {product.description}".lower()
        matches = sum(1 for word in wanted if word in text)
        rating = product.attributes.get("rating", 0)
        return matches, float(rating) if isinstance(rating, int | float) else 0.0

    return sorted(products, key=score, reverse=True)


def _pick(product: ProductRecord, budget: Decimal | None, wants: str) -> dict[str, str]:
    reasons = []
    generic = {product.category, product.category.rstrip("s"), "looking", "something", "would", "like", "need"}
    text = f"{product.name} {product.description}".lower()
    matched = [w for w in wants.split() if w in text and len(w) > 4 and w not in generic]
    if matched:
        reasons.append(f"it matches what you asked for ({', '.join(matched[:2])})")
    if budget is not None:
        reasons.append(f"it's within your {_money(budget)} budget")
    rating = product.attributes.get("rating")
    if rating:
        reasons.append(f"customers rate it {rating} out of 5")
    reasons.append("it's in stock")
    return {"name": product.name, "price": _money(product.price) or "", "why": ", ".join(reasons)}


def _money(amount: Decimal | None) -> str | None:
    return f"£{amount:,.2f}" if amount is not None else None


LEAD_STEPS = ("need", "size", "budget", "timeline", "contact")


class QualifyLead:
    name = "qualify_lead"

    def step(self, ctx: Ctx, task: Task) -> Outcome:
        opening = "need" not in task.slots
        task = self._read(ctx, task)
        budget = slots.money(task.slots["budget"]) if "budget" in task.slots else None
        threshold = _lead_threshold(ctx)
        big = _clearly_big(ctx, task, budget, threshold, opening)
        missing = next((step for step in LEAD_STEPS if step not in task.slots), None)
        if missing is not None and big is None:
            return ask(task, missing, f"qualify_lead.ask_{missing}")
        lead = LeadIn(
            need=task.slots["need"],
            size=task.slots.get("size", "not given"),
            budget=budget,
            timeline=task.slots.get("timeline", "not given"),
            contact=task.slots.get("contact", "not given"),
            customer=ctx.customer_ref,
            conversation_id=ctx.turn.conversation_id,
        )
        lead_id = ctx.connectors.crm.create_lead(lead, reference_for(ctx, "lead"))
        events.record(
            ctx.session, "assistant.lead_created", "ai", ctx.turn.conversation_id, lead=lead_id, budget=str(budget)
        )
        facts = {
            "lead": lead_id,
            "need": lead.need,
            "size": lead.size,
            "budget": _money(budget) or "not given",
            "timeline": lead.timeline,
        }
        if big is None:
            return Outcome("qualify_lead.logged", {"lead": lead_id}, task=None, resolved=True, facts=facts)
        return Outcome(
            "qualify_lead.to_sales",
            {"lead": lead_id},
            task=None,
            facts=facts,
            handover=Handover(
                reason="sales_opportunity",
                explanation=big,
                evidence={"lead": lead_id, "budget": str(budget), "size": lead.size, "threshold": str(threshold)},
                queue="sales",
            ),
        )

    def _read(self, ctx: Ctx, task: Task) -> Task:
        """Whatever the message says about the lead, in any order; the awaited answer as a fallback."""
        text = ctx.text.strip()
        said = _lead_details(text)
        if "need" not in task.slots:
            return task.with_slots(need=text[:300], **said).model_copy(update={"awaiting": None})
        missing = {k: v for k, v in said.items() if k not in task.slots or k == task.awaiting}
        task = task.with_slots(**missing)
        awaited = task.awaiting
        if awaited in said or awaited not in LEAD_STEPS:
            return task
        if awaited == "size":
            size = slots.quantity(text)
            return task.with_slots(size=f"{size} units" if size is not None else text[:120])
        if awaited == "budget":
            return task.with_slots(budget="not given")
        if awaited == "timeline":
            return task.with_slots(timeline=text[:120])
        return task


SIZE = re.compile(r"\b(\d{1,6})\s+(?:[a-z-]+\s+){0,2}?(?:units?|people|staff|rooms|[a-z]+s)\b", re.I)
BUDGET = re.compile(r"(£|gbp|pounds|quid|\bbudget\b|\b\d+(?:\.\d+)?\s?k\b)", re.I)
TIMELINE = re.compile(
    r"\b(by|before|within|in the next|asap|as soon as|urgent\w*|next (week|month|year)|this (week|month)|"
    r"end of|(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*|\d+\s+(days|weeks|months))\b",
    re.I,
)


def _lead_details(text: str) -> dict[str, str | None]:
    """The lead facts a message states, each recognised by its own shape (order doesn't matter)."""
    found: dict[str, str | None] = {}
    contact = slots.email(text) or slots.phone(text)
    if contact:
        found["contact"] = contact
    if BUDGET.search(text) and (amount := slots.money(text)) is not None:
        found["budget"] = str(amount)
    if size := SIZE.search(text):
        found["size"] = f"{size.group(1)} units"
    if timeline := TIMELINE.search(text):
        found["timeline"] = re.split(r"[,.;!?]", text[timeline.start() :])[0][:120].strip()
    return found


# A fit-out or refurbishment of a whole site, or a fleet, is a project: a salesperson scopes it.
PROJECT = re.compile(
    r"\b(fit(?:ting)?[- ]?outs?|fitting out|refurbish\w*|fleet (?:price|pricing|deal|order|discount)s?)\b", re.I
)
# A reseller or stockist wants terms, not a quote: a salesperson's conversation from the first message.
RESELLER = re.compile(
    r"\b(wholesale|resell\w*|stockists?|stock your|distribut\w+|trade account|retail partner\w*)\b", re.I
)
DEFAULT_VOLUME_UNITS = 100
# Premises or people a purchase is for: "a 22-room hotel", "30 classrooms", "40 people", "9 flats".
PREMISES = re.compile(
    r"\b(\d{1,4})[- ](?:student |short[- ]let |holiday |rental |guest |hotel |in-room )?"
    r"(?:rooms?|bedrooms?|classrooms?|flats?|apartments?|houses|properties|lets|offices|sites|branches|stores|"
    r"suites|people|staff|employees|units? of accommodation)\b",
    re.I,
)
# Furniture for several premises is a big-ticket fit-out, whatever the count of any one item.
FURNISHING = re.compile(r"\b(furnish\w*|furniture|desks?|chairs|beds|sofas?|wardrobes?|tables)\b", re.I)
FURNISHING_SCALE = re.compile(
    r"\b(kit(?:ting)? (?:\w+ ){0,3}?out|each|every|all of them|for all|fully|package)\b", re.I
)
DEFAULT_PREMISES = 20


def _clearly_big(ctx: Ctx, task: Task, budget: Decimal | None, threshold: Decimal, opening: bool) -> str | None:
    """Why this lead goes to sales now rather than after the questions (None: keep qualifying).

    A stated budget at or above the lead value is enough whenever it comes. Volume, reseller terms and
    projects (a fit-out, a refurbishment, a fleet) count only in the opening message: a customer who
    leads with "400 backpacks" or "wholesale terms" is a salesperson's conversation at once, while a
    size given in answer to our question is one more fact.
    """
    if budget is not None and budget >= threshold:
        return f"A lead worth {_money(budget)} (a person takes leads from {_money(threshold)})"
    if not opening:
        return None
    if RESELLER.search(ctx.text):
        return "A reseller or wholesale enquiry: terms are a salesperson's call"
    if budget is not None:
        # The customer's own budget is the best measure of the lead's value: below the line, keep qualifying
        # ("a fit-out for 30 staff, budget 3k" is a lead for the AI to log, not a project to scope).
        return None
    sales = ctx.setting("sales") or {}
    units = _units(task.slots.get("size"))
    volume = int(sales.get("volume_handover_units", DEFAULT_VOLUME_UNITS))
    if units is not None and units >= volume:
        return f"A volume enquiry for {units} units (a person takes volume from {volume} units)"
    premises = max((int(m.group(1)) for m in PREMISES.finditer(ctx.text)), default=0)
    if PROJECT.search(ctx.text) or _furnishing_project(ctx.text, premises):
        return "A fit-out, refurbishment or fleet: a project for a salesperson to scope"
    if premises >= int(sales.get("premises_handover", DEFAULT_PREMISES)):
        return f"Buying for {premises} rooms, premises or people: a project for a salesperson to scope"
    return None


def _furnishing_project(text: str, premises: int) -> bool:
    """Furniture for several premises or many units ("beds, desks and wardrobes for 12 student flats")."""
    if not FURNISHING.search(text):
        return False
    many = (slots.quantity(text) or 0) >= 10
    return premises >= 2 or (many and bool(FURNISHING_SCALE.search(text)))


def _units(size: str | None) -> int | None:
    return slots.quantity(size) if size else None


def _lead_threshold(ctx: Ctx) -> Decimal:
    sales = ctx.setting("sales") or {}
    return Decimal(str(sales.get("lead_handover_value", DEFAULT_LEAD_HANDOVER_VALUE)))


# Only a real category (or budget) answers those questions: anything else is a new turn for the policy.
READERS["category"] = lambda text, _today: category_named(text)
READERS["budget"] = lambda text, _today: (
    slots.money(text) if slots.money(text) is not None else (True if NO_BUDGET.search(text) else None)
)
