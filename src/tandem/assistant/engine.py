"""The assistant: picks the skill for a message, carries its task across turns, and words the reply.

It is the pipeline's reply stage. It runs inside the turn's transaction, so what a skill writes (a
refund, a booking, a new address) commits together with the reply and its events, or not at all. A
connector that fails becomes an honest message and a hand-over, never a guess.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Mapping
from dataclasses import replace
from functools import cache
from importlib import resources
from typing import Any

import yaml
from jinja2 import Environment, StrictUndefined, Template
from sqlalchemy.orm import Session

from tandem.assistant import slots
from tandem.assistant.skills.base import AssistantState, Ctx, Handover, Outcome, Skill, Task, answers
from tandem.assistant.skills.sales import category_named
from tandem.connectors.ports import ConnectorError, Connectors
from tandem.conversations.pipeline import AiReply, Turn, TurnTools
from tandem.customers import repository as customers
from tandem.kit import clock
from tandem.llm.port import Phraser, PhraseRequest, TemplatePhraser
from tandem.triage.signals import Signals
from tandem.workspace import service as workspace

log = logging.getLogger("tandem.assistant")

# A message that is not an answer to the assistant's question starts a new request only when the
# intent model is this sure; below it, the customer is most likely still talking about the same thing.
SWITCH_CONFIDENCE = 0.8
# A reading that is both weak and far from every example the intent model was taught is a guess: the
# assistant says it has not understood rather than answer a question nobody asked.
GUESS_CONFIDENCE = 0.5
GUESS_CLOSENESS = 0.4
SWITCH_MIN_WORDS = 3
# Without a buying-at-scale signal from triage, a "sales" message needs at least this many units to be a lead.
LEAD_UNITS = 10
THANKS = re.compile(r"\b(thanks|thank you|thx|ta|cheers|much appreciated|brilliant|perfect|great)\b", re.I)
SYSTEM_WORDS = {"orders": "order", "catalogue": "product", "calendar": "booking", "crm": "sales"}

ConnectorsFor = Callable[[Session], Connectors]
# Intents that, mid-request, belong to the request in progress rather than start another.
RELATED_INTENTS: dict[str, frozenset[str]] = {
    "refund": frozenset({"product_defect", "complaint", "track_refund", "check_refund_policy", "get_refund"}),
    "order_status": frozenset({"track_order", "delivery_period", "track_refund", "change_order"}),
    "appointment": frozenset(
        {"book_appointment", "reschedule_appointment", "cancel_appointment", "business_hours", "store_location"}
    ),
    "update_contact": frozenset({"edit_account", "change_shipping_address", "set_up_shipping_address"}),
    "recommend_product": frozenset({"product_recommendation", "sales_enquiry"}),
    "qualify_lead": frozenset({"sales_enquiry", "product_recommendation"}),
    "ticket_follow_up": frozenset({"ticket_status", "complaint"}),
    "collect_information": frozenset({"product_defect", "complaint", "payment_issue"}),
}
ASKS_FOR_ADVICE = re.compile(
    r"\b(recs?|recc?om+end\w*|suggest\w*|looking for|any good|best|which \w+ should|got any|do you (have|sell|do))\b",
    re.I,
)
# The customer's own words beat a close call of the intent model for these two requests: "a demo slot at
# the Bristol shop" is a booking, not a store question; "any news on the refund I asked for?" is a case to
# follow up, not an order to track.
BOOKING_WORDS = re.compile(
    r"\b(ap+oi?n?t?ments?|appt|demo(nstration)? (slot|session|appointment)|"
    r"(in-? ?store|instore) (demo\w*|consultation|appointment)|"
    r"(book|arrange|get) (a |an |me in for (a |an )?)?(demo\w*|consultation|fitting))\b",
    re.I,
)
CHASING = re.compile(
    r"\b(any (news|update|progress)|an update|update on|progress on|picked (it|this|that) up|heard back|"
    r"where (are|is) (it|they|things|that) up to|chasing|following up|follow(ing)? up on|checking in on)\b",
    re.I,
)
OPEN_CASE = re.compile(
    r"\b(my (\w+ )?(request|case|ticket|complaint|claim|query|enquiry)|i (reported|raised|logged|opened|submitted|"
    r"sent in|complained about)|(things|cases|tickets|issues) open)\b",
    re.I,
)
# After an answer, a corrected reference redoes the request with it (reading an order again is harmless).
REDONE_ON_CORRECTION = frozenset({"order_status"})
# Replies that are not the end of a request: no "talk to a person" line appended.
CONVERSATIONAL = frozenset({"common.unclear", "common.thanks", "common.hello"})


class Assistant:
    def __init__(
        self,
        skills: Mapping[str, Skill],
        connectors_for: ConnectorsFor,
        phraser: Phraser | None = None,
        on_close: Callable[[], None] | None = None,
    ) -> None:
        self.skills, self.connectors_for = dict(skills), connectors_for
        # Without an LLM configured the template is the reply, and nothing leaves the machine.
        self.phraser: Phraser = phraser or TemplatePhraser()
        self._on_close = on_close

    def close(self) -> None:
        """Release what the connectors hold open (HTTP clients to a merchant's systems)."""
        if self._on_close is not None:
            self._on_close()

    def answering(self, turn: Turn, text: str) -> str | None:
        """What question of the assistant's this message answers, if any (read before the policy decides)."""
        task = _state(turn).task
        if task is None or task.awaiting is None or not answers(task, text, clock.now().date()):
            return None
        return f"{task.skill}: {task.awaiting}"

    def awaiting(self, turn: Turn) -> str | None:
        """The question the assistant has open ("order_status: order_number"), answered or not."""
        task = _state(turn).task
        return f"{task.skill}: {task.awaiting}" if task is not None and task.awaiting is not None else None

    def respond(self, signals: Signals, turn: Turn, tools: TurnTools) -> AiReply:
        state = _state(turn)
        ctx = self._context(signals, turn, tools, state)
        task = self._task_for(ctx, state.task, state.last_skill)
        outcome = _unplaced(ctx, state.task) if task is None else self._run(ctx, task)
        finished = task.skill if task is not None and outcome.task is None else state.last_skill
        next_state = AssistantState(
            task=outcome.task, verified_customer_id=ctx.verified_customer_id, last_skill=finished
        )
        reply = _reply(outcome, task.skill if task else None, next_state)
        return self._phrased(reply, outcome, turn)

    def _phrased(self, reply: AiReply, outcome: Outcome, turn: Turn) -> AiReply:
        """Let the optional LLM word the reply; it gets redacted text and only the facts the reply uses."""
        facts = {**_flat(outcome.values), **outcome.facts}
        phrased = self.phraser.phrase(PhraseRequest(draft=reply.body, facts=facts, context=turn.redacted_text))
        meta = {**reply.meta, "phrased_by": phrased.source}
        if phrased.fallback_reason:
            meta["phrasing_fallback"] = phrased.fallback_reason
        return replace(reply, body=phrased.text, meta=meta)

    def _context(self, signals: Signals, turn: Turn, tools: TurnTools, state: AssistantState) -> Ctx:
        customer = customers.get(tools.session, turn.customer_id) if turn.customer_id is not None else None
        return Ctx(
            text=tools.text,
            signals=signals,
            turn=turn,
            session=tools.session,
            connectors=self.connectors_for(tools.session),
            now=clock.now(),
            customer=customer,
            verified_customer_id=state.verified_customer_id,
            setting=lambda key: workspace.get(tools.session, key),
        )

    def _task_for(self, ctx: Ctx, current: Task | None, last_skill: str | None = None) -> Task | None:
        """Carry on with the request in progress, or start the one this message asks for."""
        skill = ctx.signals.intent.skill
        intent = ctx.signals.intent
        guess = intent.confidence < GUESS_CONFIDENCE and intent.closeness < GUESS_CLOSENESS
        placed = not ctx.signals.out_of_scope and skill in self.skills and not guess
        if current is not None:
            if slots.never_mind(ctx.text) or answers(current, ctx.text, ctx.today):
                return current
            if current.awaiting is not None and (slots.holding_on(ctx.text) or slots.cannot_give(ctx.text)):
                # "Hang on, it's in my emails" / "I haven't got a number": still about our question.
                return current
            if current.awaiting == "confirm" or len(ctx.text.split()) < SWITCH_MIN_WORDS:
                # A question about the offer ("will it go back to my card?") or a filler ("hang on")
                # is not a new request: the skill asks its yes-or-no again.
                return current
            switching = placed and skill != current.skill and ctx.signals.intent.confidence >= SWITCH_CONFIDENCE
            if not switching or ctx.signals.intent.name in RELATED_INTENTS.get(current.skill, ()):
                # "It's broken, a bit snapped off" during a refund is the refund's reason, not a new request.
                return current
        if current is None and last_skill in REDONE_ON_CORRECTION and _corrects_the_order(ctx.text):
            return Task(skill=str(last_skill), intent=intent.name)
        worded = _skill_in_own_words(ctx.text, skill, intent.confidence, opening=current is None)
        if worded is not None and worded in self.skills:
            skill, placed = worded, True
        if skill == "ticket_follow_up" and slots.order_number(ctx.text):
            skill = "order_status"  # "any news on A10114?" asks about the order, not a case
        if (
            skill == "qualify_lead"
            and not ctx.signals.sales_opportunity
            and (slots.quantity(ctx.text) or 0) < LEAD_UNITS
        ):
            skill = "faq"  # one customer's price question ("student discount?", "price match?") is not a lead
        unsure = not placed or skill is None or intent.confidence < SWITCH_CONFIDENCE
        if unsure and skill != "qualify_lead" and ASKS_FOR_ADVICE.search(ctx.text) and category_named(ctx.text):
            # "desk lamp recs?", "can u reccomend some hedphones": a product and a wish beat a weak reading.
            skill = "recommend_product"
        elif not placed or skill is None:
            return None
        return Task(skill=skill, intent=ctx.signals.intent.name)

    def _run(self, ctx: Ctx, task: Task) -> Outcome:
        if slots.never_mind(ctx.text) and task.awaiting is not None and not _says_yes(task, ctx.text):
            return Outcome("common.dropped", task=None)
        try:
            return self.skills[task.skill].step(ctx, task)
        except ConnectorError as error:
            log.warning("assistant.connector_failed", extra={"system": error.system, "kind": error.kind})
            return Outcome(
                "common.connector_down",
                {"system_words": SYSTEM_WORDS.get(error.system, error.system)},
                task=None,
                handover=Handover(
                    reason="ai_unavailable",
                    explanation=f"The {error.system} system did not answer ({error.kind}); the AI could not check",
                    evidence={"connector": error.system, "failure": error.kind},
                    priority="high",
                ),
            )


def _corrects_the_order(text: str) -> bool:
    """ "Sorry, that's my old one - I meant A10865", right after an answer."""
    return slots.corrects(text) and slots.order_number(text) is not None


def _skill_in_own_words(text: str, skill: str | None, confidence: float, opening: bool) -> str | None:
    """The skill the customer's own words name, where they beat the intent model's reading (None: no say)."""
    buying_at_scale = skill == "qualify_lead" or (slots.quantity(text) or 0) >= LEAD_UNITS
    if BOOKING_WORDS.search(text) and not buying_at_scale:
        return "appointment"  # ("a demo for 15 more bikes and a fleet price" stays a lead)
    if CHASING.search(text) and OPEN_CASE.search(text):
        return "ticket_follow_up"
    if opening and slots.order_number(text) and len(text.split()) <= 3 and confidence < SWITCH_CONFIDENCE:
        return "order_status"  # a bare "A10414" out of the blue: where is it, most likely
    return None


def _says_yes(task: Task, text: str) -> bool:
    # At a yes-or-no question the answer decides: "yes, cancel that one" is a yes, and "nah, don't
    # bother" is the skill's own no (it says what was not done), not a dropped request.
    return task.awaiting == "confirm" and slots.confirmation(text) is not None


def _flat(values: Mapping[str, Any], prefix: str = "") -> dict[str, str]:
    """Template values as facts the phraser may use (nested lists and options flattened)."""
    flat: dict[str, str] = {}
    for key, value in values.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            flat.update(_flat(value, f"{name}."))
        elif isinstance(value, list):
            for index, item in enumerate(value):
                flat.update(
                    _flat(item, f"{name}.{index}.") if isinstance(item, Mapping) else {f"{name}.{index}": str(item)}
                )
        elif value is not None and not isinstance(value, bool):
            flat[name] = str(value)
    return flat


def _state(turn: Turn) -> AssistantState:
    raw = turn.state.get("assistant")
    try:
        return AssistantState.model_validate(raw) if isinstance(raw, dict) else AssistantState()
    except ValueError:
        return AssistantState()  # an older shape: start afresh rather than fail the turn


def _unplaced(ctx: Ctx, current: Task | None) -> Outcome:
    if "chit_chat" in ctx.signals.evidence:
        # "Thanks!", "hello": small talk deserves a short, friendly answer, not "I don't understand".
        return Outcome("common.thanks" if THANKS.search(ctx.text) else "common.hello", task=current)
    return Outcome("common.unclear", task=current)


def _reply(outcome: Outcome, skill: str | None, state: AssistantState) -> AiReply:
    body = render(outcome.say, outcome.values)
    finished = outcome.task is None and outcome.handover is None and outcome.say not in CONVERSATIONAL
    if finished or outcome.say == "common.unclear":
        body = f"{body} {render('common.offer_person', {})}"
    handover = None
    if outcome.handover is not None:
        h = outcome.handover
        handover = {
            "reason": h.reason,
            "explanation": h.explanation,
            "evidence": h.evidence,
            "queue": h.queue,
            "priority": h.priority,
        }
    return AiReply(
        body,
        skill=skill,
        resolved=outcome.resolved,
        meta={
            "situation": outcome.say,
            "facts": outcome.facts,
            **({"awaiting": outcome.task.awaiting} if outcome.task else {}),
        },
        state=state.model_dump(mode="json"),
        handover=handover,
    )


# ---- the words ------------------------------------------------------------------------------------


def render(key: str, values: Mapping[str, Any]) -> str:
    text = _template(key).render(**{"again": False, **values})
    lines = [" ".join(line.split()) for line in text.splitlines()]
    return "\n".join(line for line in lines if line).strip()


@cache
def _template(key: str) -> Template:
    group, _, situation = key.partition(".")
    source = _texts()[group][situation]
    return _ENV.from_string(source)


@cache
def _texts() -> dict[str, dict[str, str]]:
    text = resources.files("tandem.assistant").joinpath("templates/replies.yaml").read_text(encoding="utf-8")
    loaded = yaml.safe_load(text)
    assert isinstance(loaded, dict)
    return loaded


def template_keys() -> list[str]:
    return [f"{group}.{situation}" for group, items in _texts().items() for situation in items]


# Plain text: the widget escapes on display, so escaping here would show entities to the customer.
_ENV = Environment(autoescape=False, undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)  # noqa: S701
