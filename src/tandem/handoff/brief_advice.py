"""What the agent could do next, and a first reply to adapt: both read off an assembled brief.

The reply's words live in Jinja2 templates under templates/brief/, one per hand-over reason, so they
can be reviewed without touching code. A reply names the customer's situation in specific words (the
order and its status, what they asked for, how many times they wrote) and acknowledges how they feel.
"""

from __future__ import annotations

import re
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from tandem.handoff.brief import Brief, OrderSummary
from tandem.handoff.brief_facts import shorten
from tandem.handoff.decision import Reason

ACTIONS_SHOWN = 7
FRUSTRATED_AT = 0.7
MANY_EXCEPTIONS = 2
URGENT_DRIVERS = ("self_harm", "suicide", "immediate_danger", "abuse")
STATUS_WORDS = {
    "pending_payment": "waiting for payment",
    "processing": "still being prepared",
    "shipped": "on its way",
    "out_for_delivery": "out for delivery",
    "delivered": "marked as delivered",
    "delayed": "delayed",
    "cancelled": "cancelled",
    "returned": "returned",
    "refunded": "refunded",
}
# What a person does first for each reason: the judgement the AI handed over for.
REASON_ACTIONS: dict[str, str] = {
    Reason.VULNERABILITY: (
        "Slow down: check the customer is safe and able to continue, and follow the vulnerable-customer "
        "guidance before dealing with the request itself."
    ),
    Reason.HUMAN_REQUESTED: "Introduce yourself by name and say you have read the whole conversation.",
    Reason.LEGAL_OR_BILLING_DISPUTE: (
        "Log this as a formal complaint or dispute; do not admit liability or promise an outcome before "
        "checking the charge."
    ),
    Reason.PUBLIC_ESCALATION_RISK: (
        "Resolve it here, privately and quickly; do not argue about reviews or posts, and offer a direct contact."
    ),
    Reason.CHURN_RISK_HIGH_VALUE: (
        "Ask what went wrong before processing any cancellation; retention options apply to this customer."
    ),
    Reason.FRUSTRATION: "Acknowledge the repeated effort, then give one concrete next step with a time.",
    Reason.POLICY_EXCEPTION: "Decide the exception request (see the recommendation) and explain the outcome plainly.",
    Reason.REPEATED_MISUNDERSTANDING: "Restate the request in your own words and confirm it before acting.",
    Reason.MULTI_DEPARTMENT: "Own the whole case: coordinate the other teams rather than transferring the customer.",
    Reason.LOW_CONFIDENCE: "Ask one open question to find out what the customer needs.",
    Reason.SALES_OPPORTUNITY: "Qualify the opportunity (volume, timeline, budget) and offer a call with sales.",
    Reason.AI_UNAVAILABLE: "The AI failed on the last message and did not answer it: read it first.",
}

_GREETING = re.compile(
    r"^\s*(?:(?:(?:hi|hello|hey)(?:\s+there)?|good (?:morning|afternoon|evening)|dear \w+)\b[\s,.!-]*)+", re.I
)
_TEMPLATES = Environment(
    loader=PackageLoader("tandem.handoff", "templates"),
    # Plain text for the agent's editor: escaping here would show up as entities in the reply.
    autoescape=select_autoescape(enabled_extensions=("html",)),
    undefined=StrictUndefined,
)


def next_best_actions(brief: Brief) -> list[str]:
    actions = [REASON_ACTIONS[reason.code] for reason in brief.why if reason.code in REASON_ACTIONS]
    if _urgent_vulnerability(brief):
        actions.insert(0, "If there is any risk to life, give emergency contacts now (999, Samaritans 116 123).")
    known = [f"{fact.label} {fact.value}" for fact in brief.facts if fact.kind in ("order_id", "money", "product")]
    if known:
        actions.append("Don't ask again for what the customer already gave: " + ", ".join(known[:4]) + ".")
    actions += _order_actions(brief.orders)
    if brief.exception is not None:
        actions.append(_exception_action(brief))
    if brief.customer is not None and len(brief.customer.exceptions) >= MANY_EXCEPTIONS:
        actions.append(
            f"The customer has {len(brief.customer.exceptions)} earlier exceptions: check them before offering another."
        )
    if brief.customer is not None and brief.customer.open_cases:
        actions.append(f"They have {brief.customer.open_cases} other open case(s): check for the same issue.")
    for ref in brief.knowledge[:1]:
        clause = f" (policy {ref.policy_clause})" if ref.policy_clause else ""
        actions.append(f"Policy to hand: “{ref.title}”{clause}.")
    return list(dict.fromkeys(actions))[:ACTIONS_SHOWN]


def _urgent_vulnerability(brief: Brief) -> bool:
    for reason in brief.why:
        drivers = reason.signals.get("vulnerability.drivers") or []
        if reason.code == Reason.VULNERABILITY and any(d in URGENT_DRIVERS for d in drivers):
            return True
        # The shipped rule for self-harm or danger phrases (triage's urgent_risk cues), whatever driver.
        if reason.code == Reason.VULNERABILITY and reason.rule == "immediate_danger":
            return True
    return False


def _order_actions(orders: list[OrderSummary]) -> list[str]:
    actions = []
    for order in orders:
        if not order.mentioned:
            continue
        if order.status == "delayed":
            actions.append(f"Order {order.number} is delayed: give an honest new delivery date.")
        if order.refunded_amount > 0:
            actions.append(f"Order {order.number} already has {order.refunded_amount} {order.currency} refunded.")
    return actions


def _exception_action(brief: Brief) -> str:
    advice = brief.exception
    assert advice is not None
    if advice.recommendation is None:
        return "An exception was asked for but no amount is known yet: ask what they would consider fair."
    rec = advice.recommendation
    return (
        f"Exception: recommended {rec.outcome} {rec.amount} (score {rec.score}); "
        f"{'a supervisor' if rec.approval == 'supervisor' else 'you'} can approve it."
    )


def suggested_reply(brief: Brief) -> str:
    """The first thing the agent might send, to adapt: specific to this customer, warm, no promises we can't keep."""
    reason = brief.primary_reason or "default"
    template = _TEMPLATES.select_template([f"brief/{reason}.txt.j2", "brief/default.txt.j2"])
    return " ".join(template.render(**reply_context(brief)).split())


def reply_context(brief: Brief) -> dict[str, Any]:
    customer_turns = len(brief.emotion) or len({fact.turn for fact in brief.facts if fact.turn})
    order = next((o for o in brief.orders if o.mentioned), None)
    exception = brief.exception.recommendation if brief.exception else None
    return {
        "first_name": _first_name(brief.customer.name if brief.customer else ""),
        "situation": situation(brief),
        "feeling": feeling(brief),
        "times": customer_turns,
        "order": {"number": order.number, "status": STATUS_WORDS.get(order.status, order.status)} if order else None,
        "exception": {"outcome": exception.outcome, "amount": f"£{exception.amount}"} if exception else None,
        "requested": brief.exception.requested if brief.exception else "",
        "departments": _listed([d.replace("_", " ") for d in brief.departments]),
        "tenure": brief.customer.tenure if brief.customer and brief.customer.tenure != "unknown" else "",
    }


def situation(brief: Brief) -> str:
    """The customer's situation in a few specific words: their order and its state, else their own words."""
    order = next((o for o in brief.orders if o.mentioned), None)
    if order is not None:
        return f"order {order.number}, which is {STATUS_WORDS.get(order.status, order.status)}"
    number = next((fact.value for fact in brief.facts if fact.kind == "order_id"), None)
    if number is not None:
        return f"order {number}"
    for sentence in brief.summary.split(". "):
        words = _GREETING.sub("", sentence).rstrip(".!?")
        if words:
            return f"what you described (“{shorten(words, 90)}”)"
    return "your request"


def feeling(brief: Brief) -> str:
    """How the customer seems to feel, as the agent would say it; empty when they seem calm."""
    if not brief.emotion:
        return ""
    peak = max(point.frustration for point in brief.emotion)
    last = brief.emotion[-1]
    if peak >= FRUSTRATED_AT or any(point.frustrated for point in brief.emotion):
        return "how frustrating this has been"
    if last.trajectory == "rising":
        return "this has become more frustrating as it has gone on"
    if last.label in ("sad", "worried", "anxious", "fear", "sadness"):
        return "how worrying this is"
    return ""


def _first_name(name: str) -> str:
    first = name.split()[0] if name.split() else ""
    return first if len(first) <= 40 else ""


def _listed(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]
