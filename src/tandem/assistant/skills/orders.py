"""`order_status` and `ticket_follow_up`: where things are, what happens next, and when."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from tandem.assistant import slots
from tandem.assistant.skills import identity
from tandem.assistant.skills.base import Ctx, Outcome, Task, ask
from tandem.connectors.ports import OrderRecord
from tandem.conversations import repository as conversations
from tandem.conversations.repository import ConversationFilter

# What the customer is told about an order in each status: where it is, and what happens next.
STATUS_STORY = {
    "pending_payment": ("is waiting for the payment to go through", "pending_payment"),
    "processing": ("is being packed at our warehouse", "processing"),
    "shipped": ("is on its way", "in_transit"),
    "out_for_delivery": ("is out for delivery today", "in_transit"),
    "delivered": ("was delivered", "delivered"),
    "delayed": ("is running late, and I'm sorry about that", "delayed"),
    "cancelled": ("was cancelled", "cancelled"),
    "returned": ("has come back to us as a return", "returned"),
    "refunded": ("has been refunded", "refunded"),
}


class OrderStatus:
    name = "order_status"

    def step(self, ctx: Ctx, task: Task) -> Outcome:
        number = slots.order_number(ctx.text) or task.slots.get("order_number")
        if number is None and ctx.verified and ctx.customer_ref is not None:
            recent = ctx.connectors.orders.orders_for_customer(ctx.customer_ref, limit=1)
            number = recent[0].number if recent else None
        if number is None:
            return ask(task, "order_number", "order_status.ask_number")
        order = ctx.connectors.orders.get_order(number)
        if order is None:
            return ask(task, "order_number", "order_status.not_found", {"number": number})
        return Outcome(
            "order_status.answer",
            order_values(order),
            task=None,
            resolved=True,
            facts={"order": order.number, "order status": order.status},
        )


def order_values(order: OrderRecord) -> dict[str, Any]:
    where, next_step = STATUS_STORY.get(order.status, (f"has the status '{order.status}'", "other"))
    return {
        "number": order.number,
        "where": where,
        "next_step": next_step,
        "expected": _day(order.estimated_delivery),
        "delivered": _day(order.delivered_at),
        "carrier": order.carrier,
        "tracking": order.tracking_number,
        "refunded": f"£{order.refunded_amount:,.2f}" if order.refunded_amount else None,
    }


def _day(moment: datetime | None) -> str | None:
    return f"{moment:%A} {moment.day} {moment:%B}" if moment else None


class TicketFollowUp:
    """The customer's open cases with us (conversations a person has or is about to pick up)."""

    name = "ticket_follow_up"

    def step(self, ctx: Ctx, task: Task) -> Outcome:
        task, verifying = identity.check(ctx, task)
        if verifying is not None:
            return verifying
        assert ctx.verified_customer_id is not None
        found = conversations.find(ctx.session, ConversationFilter(customer_id=ctx.verified_customer_id, limit=20))
        cases = [
            {
                "number": str(c.id),
                "subject": c.subject or "your earlier message",
                "status": "with a member of our team" if c.owner == "human" else "waiting for a member of our team",
                "since": _day(c.handed_over_at or c.created_at),
            }
            for c in found
            if c.id != ctx.turn.conversation_id and c.owner in ("queued", "human")
        ]
        return Outcome("ticket_follow_up.answer", {"cases": cases[:5]}, task=None, resolved=True)
