"""The co-pilot brief an agent reads when a conversation reaches them: pure assembly from plain inputs.

Why the AI handed over (with the customer's words behind each reason), what the issue is, what is
already known (so nobody asks again), what the AI said and did, how the customer's mood moved, who
the customer is, the orders and policy that apply, what to do next, a first reply to adapt, and the
make-good recommendation when the customer asks for an exception. The store side (brief_service)
loads the inputs; everything here is a function of them.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, Field

from tandem.handoff.brief_facts import (
    FACT_KINDS,
    MASKED_KINDS,
    keyword_hits,
    mask,
    parse_money,
    same_value,
    shorten,
    summarise,
)
from tandem.handoff.brief_inputs import (
    ArticleView,
    BriefInputs,
    CustomerView,
    MessageView,
    OrderView,
)
from tandem.handoff.decision import Decision, Reason
from tandem.handoff.exceptions import ExceptionRecommendation, ExceptionRequest, recommend_exception
from tandem.handoff.state import CustomerProfile, Tier, departments_of

AI_ACTIONS_SHOWN = 8
ARTICLES_SHOWN = 3
ORDERS_SHOWN = 3
QUOTE_CHARS = 160
TIERS: tuple[Tier, ...] = ("standard", "silver", "gold", "platinum")
# Articles that speak to a reason even when the customer used none of their tags.
REASON_TAGS: dict[str, tuple[str, ...]] = {
    Reason.POLICY_EXCEPTION: ("refund", "return", "cancel", "price match", "warranty"),
    Reason.LEGAL_OR_BILLING_DISPUTE: ("refund", "payment", "invoice"),
    Reason.CHURN_RISK_HIGH_VALUE: ("cancel", "account"),
}


# ---- the brief --------------------------------------------------------------------------------------


class BriefReason(BaseModel):
    code: str
    rule: str = ""
    explanation: str = ""
    evidence: list[str] = Field(default_factory=list)
    signals: dict[str, Any] = Field(default_factory=dict)
    thresholds: dict[str, Any] = Field(default_factory=dict)


class BriefFact(BaseModel):
    kind: str
    label: str
    value: str
    turn: int | None = Field(default=None, description="The customer turn (1-based) that gave it; None: the record.")


class IdentityCheck(BaseModel):
    check: str
    passed: bool | None
    detail: str


class AiAction(BaseModel):
    at: datetime
    kind: str
    skill: str | None = None
    text: str


class EmotionPoint(BaseModel):
    turn: int
    message_id: int
    frustration: float
    frustrated: bool
    label: str
    trajectory: str


class PastException(BaseModel):
    decided_at: datetime
    outcome: str
    amount: Decimal
    request: str = ""


class VulnerabilityNote(BaseModel):
    drivers: list[str]
    notes: str
    source: str
    recorded_at: datetime


class CustomerCard(BaseModel):
    customer_id: int
    name: str
    tier: str
    lifetime_value: Decimal
    lifetime_spend: Decimal
    customer_since: date | None
    tenure: str
    open_cases: int
    past_complaints: int
    exceptions: list[PastException]
    # Filled in at read time, and only for viewers with the vulnerability:read permission.
    vulnerability: list[VulnerabilityNote] | None = None
    vulnerability_visible: bool = False


class OrderSummary(BaseModel):
    number: str
    status: str
    placed_at: datetime
    total: Decimal
    currency: str
    items: list[str]
    carrier: str | None
    tracking_number: str | None
    estimated_delivery: datetime | None
    delivered_at: datetime | None
    refunded_amount: Decimal
    mentioned: bool


class KnowledgeRef(BaseModel):
    slug: str
    title: str
    policy_clause: str | None
    matched: list[str]


class ExceptionAdvice(BaseModel):
    requested: str
    resolution_cost: Decimal | None
    cost_basis: str
    recommendation: ExceptionRecommendation | None


class Brief(BaseModel):
    conversation_id: int
    built_at: datetime
    last_message_id: int | None
    owner: str
    queue: str | None
    priority: str
    primary_reason: str | None
    why: list[BriefReason]
    summary: str
    facts: list[BriefFact]
    identity: list[IdentityCheck]
    ai_actions: list[AiAction]
    emotion: list[EmotionPoint]
    emotion_trend: str
    departments: list[str]
    customer: CustomerCard | None
    orders: list[OrderSummary]
    knowledge: list[KnowledgeRef]
    next_best_actions: list[str]
    suggested_reply: str
    exception: ExceptionAdvice | None
    build_ms: float = 0.0


# ---- assembly ---------------------------------------------------------------------------------------


def assemble_brief(inputs: BriefInputs) -> Brief:
    # Imported here: the advice module renders templates and itself reads the brief's models.
    from tandem.handoff.brief_advice import next_best_actions, suggested_reply

    customer_turns = [m for m in inputs.messages if m.author_kind == "customer"]
    facts = collect_facts(customer_turns) + skill_facts(inputs.messages)
    orders = [_order_summary(order) for order in _relevant_orders(inputs.orders)]
    emotion = emotion_timeline(customer_turns)
    exception = exception_advice(inputs.decision, customer_turns, inputs.customer, inputs.orders, inputs.now)
    brief = Brief(
        conversation_id=inputs.conversation_id,
        built_at=inputs.now,
        last_message_id=max((m.id for m in inputs.messages), default=None),
        owner=inputs.owner,
        queue=inputs.queue,
        priority=inputs.priority,
        primary_reason=inputs.decision.primary_reason if inputs.decision else None,
        why=reasons_of(inputs.decision),
        summary=summarise([m.text for m in customer_turns], [fact.value for fact in facts]),
        facts=facts,
        identity=identity_checks(inputs.customer, customer_turns, inputs.orders),
        ai_actions=ai_actions(inputs.messages),
        emotion=emotion,
        emotion_trend=emotion_trend(emotion),
        departments=departments_involved(customer_turns),
        customer=customer_card(inputs.customer, inputs.now),
        orders=orders,
        knowledge=relevant_articles(inputs.articles, customer_turns, inputs.decision),
        next_best_actions=[],
        suggested_reply="",
        exception=exception,
    )
    actions = next_best_actions(brief)
    return brief.model_copy(update={"next_best_actions": actions, "suggested_reply": suggested_reply(brief)})


def reasons_of(decision: Decision | None) -> list[BriefReason]:
    if decision is None:
        return []
    return [
        BriefReason(
            code=reason.code,
            rule=reason.rule,
            explanation=reason.explanation,
            evidence=list(reason.evidence),
            signals=dict(reason.signals),
            thresholds=dict(reason.thresholds),
        )
        for reason in decision.reasons
    ]


def collect_facts(customer_turns: Sequence[MessageView]) -> list[BriefFact]:
    """Everything the customer already told us, once each, with the turn that gave it; personal data masked."""
    facts: list[BriefFact] = []
    seen: set[tuple[str, str]] = set()

    def add(kind: str, value: str, turn: int) -> None:
        key = (kind, same_value(kind, value))
        if key in seen or not value.strip():
            return
        seen.add(key)
        shown = mask(kind, value) if kind in MASKED_KINDS else value.strip()
        facts.append(BriefFact(kind=kind, label=FACT_KINDS.get(kind, kind.replace("_", " ")), value=shown, turn=turn))

    for turn, message in enumerate(customer_turns, start=1):
        for kind, value in message.personal_data:
            add(kind, value, turn)
        for entity in message.signals.entities if message.signals else []:
            if entity.type in FACT_KINDS and not entity.value.startswith("["):
                add(entity.type, entity.value, turn)
    return facts


def skill_facts(messages: Sequence[MessageView]) -> list[BriefFact]:
    """Facts the AI's skills established (the latest value of each), so the person never asks again."""
    latest: dict[str, BriefFact] = {}
    for message in messages:
        for label, value in message.collected:
            latest[label] = BriefFact(kind="collected", label=label, value=value, turn=None)
    return list(latest.values())


def identity_checks(
    customer: CustomerView | None, customer_turns: Sequence[MessageView], orders: Sequence[OrderView]
) -> list[IdentityCheck]:
    if customer is None:
        return [IdentityCheck(check="linked_record", passed=False, detail="Not linked to a customer record yet.")]
    checks = [IdentityCheck(check="linked_record", passed=True, detail=f"Linked to customer #{customer.id}.")]
    given = [value for m in customer_turns for kind, value in m.personal_data if kind == "email"]
    if given and customer.email:
        matches = any(value.strip().lower() == customer.email.lower() for value in given)
        detail = "The email they gave is on record." if matches else "The email they gave is not the one on record."
        checks.append(IdentityCheck(check="email_matches_record", passed=matches, detail=detail))
    for order in orders:
        if order.mentioned and order.belongs_to_customer is not None:
            whose = "is" if order.belongs_to_customer else "is NOT"
            detail = f"Order {order.number} {whose} on this customer's account."
            checks.append(IdentityCheck(check="order_owner", passed=order.belongs_to_customer, detail=detail))
    return checks


def ai_actions(messages: Sequence[MessageView]) -> list[AiAction]:
    """What the AI (and the hand-over notice) already told the customer: the agent should not repeat it."""
    actions = [
        AiAction(
            at=m.created_at,
            kind="handover_notice" if m.kind == "handoff_notice" else "reply",
            skill=m.skill,
            text=shorten(m.text, QUOTE_CHARS * 2),
        )
        for m in messages
        if (m.author_kind == "ai" and m.kind != "greeting") or m.kind == "handoff_notice"
    ]
    return actions[-AI_ACTIONS_SHOWN:]


def emotion_timeline(customer_turns: Sequence[MessageView]) -> list[EmotionPoint]:
    return [
        EmotionPoint(
            turn=turn,
            message_id=m.id,
            frustration=round(m.signals.emotion.frustration, 3),
            frustrated=m.signals.emotion.frustrated,
            label=m.signals.emotion.label,
            trajectory=m.signals.emotion.trajectory,
        )
        for turn, m in enumerate(customer_turns, start=1)
        if m.signals is not None
    ]


def emotion_trend(points: Sequence[EmotionPoint]) -> str:
    """One line: `rising: 0.20 → 0.85 over 3 messages`."""
    if not points:
        return "unknown: no message has been read yet"
    first, last = points[0].frustration, points[-1].frustration
    peak = max(point.frustration for point in points)
    if len(points) == 1:
        return f"one message: frustration {last:.2f}"
    direction = "rising" if last - first >= 0.15 else "easing" if first - last >= 0.15 else "steady"
    peak_note = f", peak {peak:.2f}" if peak > max(first, last) else ""
    return f"{direction}: {first:.2f} → {last:.2f} over {len(points)} messages{peak_note}"


def departments_involved(customer_turns: Sequence[MessageView]) -> list[str]:
    found = [dept for m in customer_turns if m.signals for dept in departments_of(m.signals)]
    return list(dict.fromkeys(found))


def customer_card(customer: CustomerView | None, now: datetime) -> CustomerCard | None:
    if customer is None:
        return None
    return CustomerCard(
        customer_id=customer.id,
        name=customer.name,
        tier=customer.tier,
        lifetime_value=customer.lifetime_value,
        lifetime_spend=customer.lifetime_spend,
        customer_since=customer.customer_since,
        tenure=tenure(customer.customer_since, now.date()),
        open_cases=customer.open_cases,
        past_complaints=customer.past_complaints,
        exceptions=[
            PastException(decided_at=e.decided_at, outcome=e.outcome, amount=e.amount, request=e.request)
            for e in customer.exceptions
        ],
    )


def tenure(since: date | None, today: date) -> str:
    """`3 years 2 months`, `5 months`, `new this month`, `unknown`."""
    if since is None:
        return "unknown"
    months = (today.year - since.year) * 12 + today.month - since.month - (today.day < since.day)
    if months <= 0:
        return "new this month"
    years, months = divmod(months, 12)
    parts = [f"{years} year{'s' if years != 1 else ''}"] if years else []
    if months:
        parts.append(f"{months} month{'s' if months != 1 else ''}")
    return " ".join(parts)


def _relevant_orders(orders: Sequence[OrderView]) -> list[OrderView]:
    mentioned = [order for order in orders if order.mentioned]
    others = [order for order in orders if not order.mentioned]
    return (mentioned + others)[: max(ORDERS_SHOWN, len(mentioned))]


def _order_summary(order: OrderView) -> OrderSummary:
    return OrderSummary(
        number=order.number,
        status=order.status,
        placed_at=order.placed_at,
        total=order.total,
        currency=order.currency,
        items=list(order.items),
        carrier=order.carrier,
        tracking_number=order.tracking_number,
        estimated_delivery=order.estimated_delivery,
        delivered_at=order.delivered_at,
        refunded_amount=order.refunded_amount,
        mentioned=order.mentioned,
    )


def relevant_articles(
    articles: Sequence[ArticleView], customer_turns: Sequence[MessageView], decision: Decision | None
) -> list[KnowledgeRef]:
    """Articles whose tags the customer used (or that govern a reason that fired), most matches first."""
    texts = [m.text for m in customer_turns]
    intents = [m.signals.intent.name.replace("_", " ") for m in customer_turns if m.signals and m.signals.intent.name]
    reason_tags = {tag for code in (decision.reason_codes if decision else []) for tag in REASON_TAGS.get(code, ())}
    scored = []
    for order, article in enumerate(articles):
        matched = keyword_hits([*texts, *intents], article.tags)
        matched += [tag for tag in article.tags if tag in reason_tags and tag not in matched]
        if matched:
            scored.append((-len(matched), order, KnowledgeRef(
                slug=article.slug, title=article.title, policy_clause=article.policy_clause, matched=matched
            )))  # fmt: skip
    return [ref for _, _, ref in sorted(scored, key=lambda item: (item[0], item[1]))][:ARTICLES_SHOWN]


def exception_advice(
    decision: Decision | None,
    customer_turns: Sequence[MessageView],
    customer: CustomerView | None,
    orders: Sequence[OrderView],
    now: datetime,
) -> ExceptionAdvice | None:
    """The make-good recommendation, whenever the customer asks for an exception to policy."""
    asking = [m for m in customer_turns if m.signals is not None and m.signals.exception_requested]
    fired = decision is not None and Reason.POLICY_EXCEPTION in decision.reason_codes
    if not asking and not fired:
        return None
    request_turn = asking[-1] if asking else customer_turns[-1] if customer_turns else None
    requested = _requested(request_turn)
    cost, basis = _resolution_cost(asking or customer_turns, orders)
    if cost is None:
        return ExceptionAdvice(requested=requested, resolution_cost=None, cost_basis=basis, recommendation=None)
    request = ExceptionRequest.for_customer(_profile(customer), cost)
    return ExceptionAdvice(
        requested=requested,
        resolution_cost=cost,
        cost_basis=basis,
        recommendation=recommend_exception(request, now),
    )


def _requested(message: MessageView | None) -> str:
    """What the customer asked for: the detector's phrase, else their message, shortened."""
    if message is None:
        return ""
    phrases = message.signals.evidence.get("exception_request", []) if message.signals else []
    return phrases[0] if phrases else shorten(message.text, QUOTE_CHARS)


def _resolution_cost(turns: Sequence[MessageView], orders: Sequence[OrderView]) -> tuple[Decimal | None, str]:
    for message in reversed(turns):
        for entity in reversed(message.signals.entities if message.signals else []):
            amount = parse_money(entity.value) if entity.type == "money" else None
            if amount is not None:
                return amount, f"the amount the customer mentioned ({entity.value})"
    mentioned = [order for order in orders if order.mentioned]
    if mentioned:
        order = mentioned[0]
        return order.total - order.refunded_amount, f"the value of order {order.number}"
    return None, "no amount yet: ask what the customer would consider fair"


def _profile(customer: CustomerView | None) -> CustomerProfile:
    if customer is None:
        return CustomerProfile()
    granted = [e for e in customer.exceptions if e.outcome != "declined"]
    return CustomerProfile(
        tier=customer.tier if customer.tier in TIERS else "standard",
        lifetime_value=customer.lifetime_value,
        lifetime_spend=customer.lifetime_spend,
        prior_exceptions=len(granted),
        last_exception_at=max((e.decided_at for e in granted), default=None),
        customer_since=customer.customer_since,
        open_cases=customer.open_cases,
        past_complaints=customer.past_complaints,
    )
