"""`refund`: inside the written policy the AI refunds, after the customer's explicit yes; outside it a
person decides, and the hand-over quotes the clause that stopped the AI."""

from __future__ import annotations

import re
from datetime import timedelta

from tandem.assistant import slots
from tandem.assistant.refund_policy import FAULTY, RefundPolicy, RefundVerdict, check_refund
from tandem.assistant.skills import identity
from tandem.assistant.skills.base import Ctx, Handover, Outcome, Task, ask, is_order_of, reference_for
from tandem.connectors.ports import OrderRecord
from tandem.events import service as events

SAYS_WHY = re.compile(
    r"\b(damaged|faulty|broken|defective|not working|stopped working|doesn'?t work|wrong (item|size|colou?r)|"
    r"changed my mind|no longer (need|want)|don'?t (need|want) it|too (big|small|large)|doesn'?t fit|"
    r"not as described|never arrived|arrived late|missing|cracked|scratched|leaking|smashed|dented|torn|"
    r"won'?t (turn|switch) on|unused|unopened|sealed|never used)\b",
    re.I,
)


# A first message this long says why, in the customer's own words, even when no fault word is in it.
TELLS_A_STORY = 10


def _is_a_reason(text: str) -> bool:
    """Any words about the item, but not an email, a phone or a postcode on its own (an early answer
    to the identity questions, which the identity check reads next)."""
    bare = text.strip()
    if not bare:
        return False
    only_identity = slots.email(bare) == bare.lower().strip(".") or (
        len(bare.split()) <= 2 and (slots.postcode(bare) is not None or slots.phone(bare) is not None)
    )
    return not only_identity


class Refund:
    name = "refund"

    def step(self, ctx: Ctx, task: Task) -> Outcome:
        task = identity.remember(ctx, task)
        task = task.with_slots(order_number=slots.order_number(ctx.text))
        if task.awaiting == "reason" and _is_a_reason(ctx.text):
            task = task.with_slots(reason=ctx.text.strip()[:300])
        elif "reason" not in task.slots and (
            SAYS_WHY.search(ctx.text) or FAULTY.search(ctx.text) or len(ctx.text.split()) >= TELLS_A_STORY
        ):
            # "Refund for A10023, it arrived broken": the reason is already there, don't ask for it.
            task = task.with_slots(reason=ctx.text.strip()[:300])
        if "order_number" not in task.slots:
            return ask(task, "order_number", "refund.ask_number")
        if "reason" not in task.slots:
            return ask(task, "reason", "refund.ask_reason", {"number": task.slots["order_number"]})
        task, verifying = identity.check(ctx, task)
        if verifying is not None:
            return verifying
        order = ctx.connectors.orders.get_order(task.slots["order_number"])
        ref = ctx.customer_ref
        if order is None or ref is None or not is_order_of(order.customer_id, order.customer_external_id, ref):
            # Never confirm that someone else's order exists: the same words as for a number that is wrong.
            typed = task.slots["order_number"]
            task = Task(skill=task.skill, intent=task.intent, slots={"reason": task.slots["reason"]})
            return ask(task, "order_number", "refund.not_on_account", {"number": typed})
        if task.awaiting == "confirm":
            return self._on_answer(ctx, task, order)
        return self._offer(ctx, task, order)

    def _offer(self, ctx: Ctx, task: Task, order: OrderRecord) -> Outcome:
        verdict = _verdict(ctx, task, order)
        facts = {"order": order.number, "refund requested": f"£{verdict.amount:,.2f}", "reason": task.slots["reason"]}
        if not verdict.allowed:
            return Outcome(
                "refund.outside_policy",
                {"explanation": verdict.explanation, "number": order.number},
                task=None,
                facts={**facts, "policy": verdict.explanation},
                handover=Handover(
                    reason="policy_exception",
                    explanation=f"Refund outside the standard policy: {verdict.explanation}",
                    evidence={"clause": verdict.clause, "amount": str(verdict.amount), "order": order.number},
                    queue="billing",
                ),
            )
        offer = task.with_slots(amount=str(verdict.amount), clause=verdict.clause).ask("confirm")
        return Outcome("refund.confirm", {"number": order.number, "amount": f"£{verdict.amount:,.2f}"}, task=offer)

    def _on_answer(self, ctx: Ctx, task: Task, order: OrderRecord) -> Outcome:
        answer = slots.confirmation(ctx.text)
        if answer is None:
            return ask(
                task, "confirm", "refund.confirm", {"number": order.number, "amount": f"£{task.slots['amount']}"}
            )
        if answer is False:
            return Outcome("refund.declined", {"number": order.number}, task=None)
        # Re-check at the moment of writing: the order may have changed since the offer.
        verdict = _verdict(ctx, task, order)
        if not verdict.allowed:
            return self._offer(ctx, task.model_copy(update={"awaiting": None}), order)
        result = ctx.connectors.orders.refund(
            order.number, verdict.amount, task.slots["reason"], reference_for(ctx, "refund")
        )
        events.record(
            ctx.session,
            "assistant.refund_executed",
            "ai",
            ctx.turn.conversation_id,
            customer_id=ctx.verified_customer_id,
            order=order.number,
            amount=str(result.amount),
            reference=result.reference,
            clause=verdict.clause,
        )
        return Outcome(
            "refund.done",
            {"number": order.number, "amount": f"£{result.amount:,.2f}", "reference": result.reference},
            task=None,
            resolved=True,
            facts={"order": order.number, "refunded": f"£{result.amount:,.2f}", "refund reference": result.reference},
        )


def _verdict(ctx: Ctx, task: Task, order: OrderRecord) -> RefundVerdict:
    """The workspace's policy applied to this order now (read fresh: admins edit it while we run)."""
    policy = RefundPolicy.from_settings(ctx.setting("refund_policy"))
    return check_refund(policy, order, task.slots["reason"], ctx.now, _recent_refunds(ctx))


def _recent_refunds(ctx: Ctx) -> int:
    """The AI's refunds to this customer in the last 90 days, from the audit trail."""
    since = ctx.now - timedelta(days=90)
    # The payload is JSON: filter the few refund events in Python rather than per dialect.
    refunds = events.of_type_since(ctx.session, "assistant.refund_executed", since)
    return sum(1 for event in refunds if event.payload.get("customer_id") == ctx.verified_customer_id)
