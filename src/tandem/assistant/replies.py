"""The AI's reply while it owns the conversation: honest, short, and never a bluff.

Until a skill can act through its connector, the reply says plainly what happens next and what the
customer can do, and always leaves the door open to a person.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tandem.conversations.pipeline import AiReply, Turn
from tandem.knowledge.retrieval import Match, first_sentences
from tandem.triage.signals import Signals

OFFER_PERSON = "If you'd rather talk to a person, just say so."

BY_SKILL = {
    "order_status": "I can help with your order. {order_line}",
    "refund": "I can help with a refund. {order_line} Could you also tell me briefly what went wrong?",
    "update_contact": (
        "I can update your details. For your security I'll confirm it's you first: could you give me the "
        "email address on your account?"
    ),
    "appointment": "Happy to help with appointments. Which day and store suit you best?",
    "business_info": "You can reach us by chat at any time; I'll check our opening hours for you.",
    "faq": "Let me look that up. Could you tell me a little more about what you'd like to know?",
    "recommend_product": "I can suggest something. What will you mainly use it for, and is there a budget?",
    "qualify_lead": "Thanks for your interest. How many units are you thinking of, and by when?",
    "ticket_follow_up": "I'll check on your open case. Could you tell me the case or order number?",
    "collect_information": "I'm sorry to hear that. Could you tell me the order number and what happened?",
}


STATUS_WORDS = {
    "pending_payment": "is waiting for payment to go through",
    "processing": "is being packed at our warehouse",
    "shipped": "is on its way",
    "out_for_delivery": "is out for delivery today",
    "delivered": "was delivered",
    "delayed": "is running late, I'm sorry",
    "cancelled": "was cancelled",
    "returned": "has been returned to us",
    "refunded": "has been refunded",
}


@dataclass(frozen=True)
class OrderFacts:
    """What may be said about an order before identity checks: status and dates, no personal data."""

    number: str
    status: str
    carrier: str | None
    expected: datetime | None
    delivered: datetime | None


OrderLookup = Callable[[str], OrderFacts | None]
ArticleLookup = Callable[[str], Match | None]
DAY_NAMES = {
    "mon": "Monday",
    "tue": "Tuesday",
    "wed": "Wednesday",
    "thu": "Thursday",
    "fri": "Friday",
    "sat": "Saturday",
    "sun": "Sunday",
}


class IntentReply:
    """Replies chosen by the skill that owns the message's intent."""

    def __init__(self, orders: OrderLookup | None = None, articles: ArticleLookup | None = None) -> None:
        self.orders, self.articles = orders, articles

    def respond(self, signals: Signals, turn: Turn) -> AiReply:
        skill = signals.intent.skill
        if signals.out_of_scope or skill is None or skill not in BY_SKILL:
            return AiReply(
                "I'm not sure I've understood. Could you tell me a little more about what you need? " + OFFER_PERSON,
                skill=None,
            )
        if skill == "faq" and self.articles is not None:
            return self._faq_reply(turn.redacted_text or signals.text_redacted, skill)
        if skill == "business_info" and turn.business_hours:
            return AiReply(f"{describe_hours(turn.business_hours)} {OFFER_PERSON}", skill=skill)
        numbers = [e.value for e in signals.entities if e.type == "order_id"]
        if skill == "order_status" and numbers and self.orders is not None:
            return self._order_reply(numbers[0], skill)
        order_line = _order_line(signals)
        body = BY_SKILL[skill].format(order_line=order_line)
        return AiReply(f"{body} {OFFER_PERSON}", skill=skill)

    def _faq_reply(self, question: str, skill: str) -> AiReply:
        assert self.articles is not None
        match = self.articles(question)
        if match is None:
            # Nothing in the help articles answers this well enough: say so rather than guess.
            return AiReply(
                "I don't have a reliable answer to that in our help articles. Would you like me to bring in a "
                "member of the team? They can look into it properly.",
                skill=skill,
                meta={"article": None},
            )
        article = match.article
        body = f'{first_sentences(article.body)} (From our help article "{article.title}".)'
        return AiReply(f"{body} {OFFER_PERSON}", skill=skill, meta={"article": article.slug, "score": match.score})

    def _order_reply(self, number: str, skill: str) -> AiReply:
        assert self.orders is not None
        facts = self.orders(number)
        if facts is None:
            # Never guess: say we couldn't find it and how to fix that.
            body = (
                f"I couldn't find an order {number}. Could you check the number? "
                "It's in your confirmation email and starts with A, like A10234."
            )
            return AiReply(f"{body} {OFFER_PERSON}", skill=skill, meta={"order_found": False})
        return AiReply(f"{describe_order(facts)} {OFFER_PERSON}", skill=skill, meta={"order": facts.number})


def describe_hours(hours: dict[str, Any]) -> str:
    """Opening hours in words, from the workspace's configuration."""
    weekly = hours.get("weekly") or {}
    open_days = [f"{DAY_NAMES[day]} {span[0]}–{span[1]}" for day, span in weekly.items() if span and day in DAY_NAMES]
    closed = [DAY_NAMES[day] for day, span in weekly.items() if not span and day in DAY_NAMES]
    text = "Our team is in " + ", ".join(open_days) if open_days else "Our team's hours aren't set yet"
    if closed:
        text += f", and closed on {', '.join(closed)}"
    zone = hours.get("timezone")
    return text + (f" ({zone} time)." if zone else ".") + " I'm here around the clock for anything I can sort out."


def describe_order(facts: OrderFacts) -> str:
    status = STATUS_WORDS.get(facts.status, f"has the status '{facts.status}'")
    text = f"Order {facts.number} {status}"
    if facts.status == "delivered" and facts.delivered is not None:
        text += f" on {facts.delivered:%A %-d %B}"
    elif facts.expected is not None and facts.status not in ("cancelled", "returned", "refunded"):
        text += f", and should arrive by {facts.expected:%A %-d %B}"
    if facts.carrier and facts.status in ("shipped", "out_for_delivery", "delayed"):
        text += f" with {facts.carrier}"
    return text + "."


def _order_line(signals: Signals) -> str:
    orders = [e.value for e in signals.entities if e.type in ("order_id", "order")]
    if orders:
        return f"I've noted order {orders[0]}."
    return "Could you give me the order number? It starts with A, like A10234."
