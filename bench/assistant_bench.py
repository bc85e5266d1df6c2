"""Assistant benchmark: routine conversations for every skill, replayed through the real app.

The scenarios (tests/skill_scenarios/*.yaml, one file per skill) are multi-turn customer conversations
with what a good assistant ends with: the final owner, whether the request was resolved, the skill and
the situation of its last reply, the hand-over reason, and what it wrote to the store (a refund, a new
contact detail, a booking, a lead). Turns name demo data by placeholder (`{order:delivered,total<150}`),
resolved against the freshly seeded store, so a scenario stays true when the seed date moves.

    .venv/bin/python -m bench assistant        # results: bench/results/assistant.json

Two parts:
- quality: every scenario through FastAPI's TestClient on a throwaway SQLite store seeded with the demo
  workspace, with the real pipeline (`tandem.stages.build_pipeline`, models from var/models, LLM off).
  Connector failures use a second app whose connectors file points the orders system at a local port
  that refuses connections (what a merchant's broken config or outage looks like), not a code patch.
- latency: a live `tandem serve` on 127.0.0.1 and CLIENTS concurrent conversations, each replaying
  routine scenarios; the server-side time from the customer's message to the AI's reply (`latency_ms`
  of the `ai.replied` event) and the client's round trip.

Honest measurement: scenarios are split dev / held-out by a stable hash within each file (as the
hand-over bench does); tune on dev, report held-out as the headline.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import socket
import statistics
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from hashlib import sha256
from pathlib import Path
from typing import Any

import httpx
import yaml
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine

from bench.handoff_bench import load_scenarios as handoff_scenarios
from bench.handoff_bench import split_of
from bench.serving import serve

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "tests" / "skill_scenarios"
# Written after the last change to the assistant, by someone who had not seen it run: measured once each
# time, never tuned on. The halves of SCENARIOS guided fixes (failure categories were read on both).
FRESH = ROOT / "tests" / "skill_scenarios_fresh"
# The second fresh set, written after the fixes the first one prompted: the honest headline while unseen.
FRESH2 = ROOT / "tests" / "skill_scenarios_fresh2"
FRESH3 = ROOT / "tests" / "skill_scenarios_fresh3"
# Written 2026-11-23 after the learned signals and before any run; on a store of its own (the earlier
# sets use up most demo customers). BENCH_FRESH=0 leaves it out while changes are still being made.
FRESH4 = ROOT / "tests" / "skill_scenarios_fresh4"
# Written the same day, before fresh 4's run, and kept unopened until one measurement after the next
# session's last change, on a store of its own (fresh 4 was read for failures after its run: spent).
UNSEEN = ROOT / "tests" / "skill_scenarios_unseen"
# Written blind in session 11 (unseen was measured once that session, then read for failures: spent),
# first run in session 12's one measurement, on a store of its own, then read for failures in session 13.
UNSEEN2 = ROOT / "tests" / "skill_scenarios_unseen2"
# Written blind in session 12 and first run in session 13's one measurement, on a store of its own.
UNSEEN3 = ROOT / "tests" / "skill_scenarios_unseen3"
# The sets written by others: the first three share the dev set's store, in this order (their placeholders
# were bound that way); the later ones each get a freshly seeded store of their own.
SHARED_STORE_SETS = {"fresh": FRESH, "fresh2": FRESH2, "fresh3": FRESH3}
OWN_STORE_SETS = {"fresh4": FRESH4, "unseen": UNSEEN, "unseen2": UNSEEN2, "unseen3": UNSEEN3}
# Newest first, as the report's columns read.
LATER_SETS = ("unseen3", "unseen2", "unseen", "fresh4", "fresh3", "fresh2", "fresh")
RESULTS = ROOT / "bench" / "results" / "assistant.json"
MODELS = ROOT / "var" / "models"
SPLITS = ("dev", "held_out")
SKILLS = (
    "order_status",
    "business_info",
    "faq",
    "refund",
    "update_contact",
    "appointment",
    "recommend_product",
    "qualify_lead",
    "ticket_follow_up",
    "collect_information",
)
TARGETS = {"routine_resolved_correctly": 0.90, "out_of_policy_handover_rate": 1.0, "p50_ms": 30, "p99_ms": 100}
# The situations after which the AI writes, and the question that must come just before each.
WRITES = {
    "refund.done": ("refund.confirm",),
    "update_contact.done": ("update_contact.confirm",),
    "appointment.booked": ("appointment.confirm",),
    "appointment.cancelled": ("appointment.confirm_cancel",),
}
WRITE_EVENTS = {
    "assistant.refund_executed": "refund",
    "customer.contact_updated": "contact",
    "assistant.appointment_booked": "booking",
    "assistant.appointment_cancelled": "cancellation",
    "assistant.lead_created": "lead",
}
CLIENTS = int(os.environ.get("BENCH_CLIENTS", "20"))
LATENCY_CONVERSATIONS = int(os.environ.get("BENCH_ASSISTANT_CONVERSATIONS", "240"))
ENV = {**os.environ, "PYTHONWARNINGS": "ignore"}


# ---- scenarios --------------------------------------------------------------------------------------


def load_scenarios(folder: Path = SCENARIOS) -> list[dict[str, Any]]:
    """Every scenario in the folder's YAML files, tagged with its file (the same reader as the hand-over bench)."""
    return handoff_scenarios(folder)


def kind_of(scenario: dict[str, Any]) -> str:
    """routine | out_of_policy | connector_failure (connector failures are also out of the routine)."""
    return str(scenario.get("kind", "routine"))


# ---- demo data behind the placeholders ----------------------------------------------------------------

TOKEN = re.compile(r"\{([a-z_][a-z0-9_]*)(?::([^{}]*))?(?:\.([a-z_]+))?\}")
FILTER = re.compile(r"^(total|age)\s*([<>])\s*(\d+(?:\.\d+)?)$")


@dataclass
class DemoCustomer:
    id: int
    name: str
    email: str
    phone: str
    address: str
    vulnerable: bool

    @property
    def postcode(self) -> str:
        match = re.search(r"\b([A-Z]{1,2}\d[A-Z\d]?)\b\s*$", self.address)
        return match.group(1) if match else ""


@dataclass
class DemoOrder:
    number: str
    customer_id: int
    status: str
    total: Decimal
    refunded: Decimal
    age_days: int
    categories: tuple[str, ...]


@dataclass
class DemoData:
    """The seeded store, read once, and which customers earlier scenarios already used."""

    customers: dict[int, DemoCustomer]
    orders: list[DemoOrder]
    used: set[int] = field(default_factory=set)
    reuse: bool = False

    @classmethod
    def read(cls, engine: Engine) -> DemoData:
        now = datetime.now(UTC)
        with engine.connect() as conn:
            vulnerable = {row[0] for row in conn.execute(text("SELECT customer_id FROM customer_vulnerability"))}
            customers = {
                row.id: DemoCustomer(
                    row.id, row.name, row.email, row.phone or "", row.address or "", row.id in vulnerable
                )
                for row in conn.execute(text("SELECT id, name, email, phone, address FROM customer"))
            }
            orders = []
            query = (
                "SELECT number, customer_id, status, total, refunded_amount, placed_at, delivered_at, items "
                "FROM shop_order"
            )
            for row in conn.execute(text(query)):
                since = _moment(row.delivered_at or row.placed_at)
                items = json.loads(row.items) if isinstance(row.items, str) else row.items
                orders.append(
                    DemoOrder(
                        row.number,
                        row.customer_id,
                        row.status,
                        Decimal(str(row.total)).quantize(Decimal("0.01")),
                        Decimal(str(row.refunded_amount or 0)),
                        (now - since).days,
                        tuple(str(i.get("category", "")) for i in items or []),
                    )
                )
        return cls(customers, orders)

    def usable(self, customer_id: int) -> bool:
        customer = self.customers[customer_id]
        return not customer.vulnerable and (self.reuse or customer_id not in self.used)

    def pick_order(self, filters: str, salt: str, main: int | None) -> DemoOrder:
        wanted = [f.strip() for f in filters.split(",") if f.strip()]
        candidates = [o for o in self.orders if all(_order_matches(o, f, main) for f in wanted)]
        candidates = [o for o in candidates if self.usable(o.customer_id)]
        if "other" not in wanted and main is not None:
            candidates = [o for o in candidates if o.customer_id == main] or []
        if not candidates:
            raise LookupError(f"no demo order matches '{filters}'")
        return min(candidates, key=lambda o: sha256(f"{salt}:{o.number}".encode()).hexdigest())

    def customer_order(self, salt: str) -> list[int]:
        """Usable customers in a stable order that differs per scenario."""
        usable = [c for c in self.customers if self.usable(c)]
        return sorted(usable, key=lambda c: sha256(f"{salt}:{c}".encode()).hexdigest())

    def pick_customer(self, salt: str) -> DemoCustomer:
        candidates = [c for c in self.customers.values() if self.usable(c.id)]
        if not candidates:
            raise LookupError("no unused demo customer left")
        return min(candidates, key=lambda c: sha256(f"{salt}:{c.id}".encode()).hexdigest())


def _moment(value: Any) -> datetime:
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _order_matches(order: DemoOrder, rule: str, main: int | None) -> bool:
    if rule == "other":
        return main is None or order.customer_id != main
    if rule == "refunded":
        return order.refunded >= order.total
    if rule == "unrefunded":
        return order.refunded == 0
    found = FILTER.match(rule)
    if found:
        what, sign, number = found.group(1), found.group(2), Decimal(found.group(3))
        value = order.total if what == "total" else Decimal(order.age_days)
        return value < number if sign == "<" else value > number
    return order.status in rule.split("|")


class Bindings:
    """The demo records one scenario talks about: `{order:…}` binds, `{order}`, `{order.email}` read."""

    def __init__(self, data: DemoData, scenario_id: str) -> None:
        self.data, self.salt = data, scenario_id
        self.orders: dict[str, DemoOrder] = {}
        self.people: dict[str, DemoCustomer] = {}
        self.main: int | None = None

    def prepare(self, *values: Any) -> None:
        """Bind the scenario's own orders together: one customer who has a distinct order for each."""
        specs: dict[str, str] = {}
        for found in TOKEN.finditer(json.dumps(values)):
            name, filters = found.group(1), found.group(2)
            if filters is not None and "other" not in filters and not name.startswith(("customer", "person")):
                specs.setdefault(name, filters)
        if not specs:
            return
        for customer_id in self.data.customer_order(self.salt):
            chosen: dict[str, DemoOrder] = {}
            for name, filters in specs.items():
                taken = {o.number for o in chosen.values()}
                try:
                    order = self.data.pick_order(filters, f"{self.salt}:{name}", customer_id)
                except LookupError:
                    break
                if order.number in taken:
                    break
                chosen[name] = order
            else:
                self.orders.update(chosen)
                self._claim(customer_id, main=True)
                return
        raise LookupError(f"no demo customer has orders matching {sorted(specs.values())}")

    def resolve(self, value: Any) -> Any:
        if isinstance(value, str):
            return TOKEN.sub(self._token, value)
        if isinstance(value, list):
            return [self.resolve(v) for v in value]
        if isinstance(value, dict):
            return {k: self.resolve(v) for k, v in value.items()}
        return value

    def _token(self, match: re.Match[str]) -> str:
        name, filters, attribute = match.group(1), match.group(2), match.group(3)
        if filters is not None or name not in (*self.orders, *self.people, *PERSON_ATTRIBUTES):
            self._bind(name, filters or "")
        if name in PERSON_ATTRIBUTES:  # {email}, {postcode}: the scenario's own customer
            return self._person_value(self._main_customer(), name)
        if name in self.orders:
            order = self.orders[name]
            if attribute in (None, "number"):
                return order.number
            if attribute == "total":
                return f"{order.total:.2f}"
            return self._person_value(self.data.customers[order.customer_id], attribute)
        return self._person_value(self.people[name], attribute or "name")

    def _bind(self, name: str, filters: str) -> None:
        if name in self.orders or name in self.people or name in PERSON_ATTRIBUTES:
            return
        if name.startswith("customer") or name.startswith("person"):
            person = self.data.pick_customer(f"{self.salt}:{name}")
            self.people[name] = person
            self._claim(person.id, main=not name.startswith("person"))
            return
        order = self.data.pick_order(filters, f"{self.salt}:{name}", self.main)
        self.orders[name] = order
        self._claim(order.customer_id, main="other" not in filters)

    def _claim(self, customer_id: int, main: bool) -> None:
        self.data.used.add(customer_id)
        if main and self.main is None:
            self.main = customer_id

    def _main_customer(self) -> DemoCustomer:
        if self.main is None:
            self._bind("customer", "")
        assert self.main is not None
        return self.data.customers[self.main]

    @staticmethod
    def _person_value(person: DemoCustomer, attribute: str) -> str:
        if attribute == "first":
            return person.name.split()[0]
        if attribute == "upper_email":
            return person.email.upper()
        return str(getattr(person, attribute))


PERSON_ATTRIBUTES = ("email", "upper_email", "postcode", "address", "phone", "name", "first")


# ---- the desk under test ------------------------------------------------------------------------------


@dataclass
class Turn:
    text: str
    message_id: int
    owner: str
    replies: list[str]
    situation: str | None = None
    skill: str | None = None
    resolved: bool | None = None
    latency_ms: float | None = None
    round_trip_ms: float = 0.0


@dataclass
class Conversation:
    id: int
    turns: list[Turn]


class Desk:
    """A seeded throwaway store, the real pipeline, and one app per connector setup, in process."""

    def __init__(self, workdir: Path) -> None:
        from tandem.demo.seed import seed
        from tandem.kit.db import make_engine, make_sessionmaker, unit_of_work
        from tandem.kit.migrate import upgrade

        self.workdir = workdir
        self.db = workdir / "assistant.db"
        self.url = f"sqlite:///{self.db}"
        upgrade(self.url)
        engine = make_engine(self.url)
        with unit_of_work(make_sessionmaker(engine)) as session:
            seed(session)
        engine.dispose()
        # A pristine copy for the latency run (the quality run writes refunds, bookings and leads).
        shutil.copy(self.db, workdir / "seeded.db")
        self.engine = create_engine(self.url)
        self.data = DemoData.read(self.engine)
        self._clients: dict[str, Any] = {}

    def client(self, connectors: str = "builtin") -> Any:
        """A TestClient on the app; `connectors="down"`: the orders system refuses every connection."""
        if connectors not in self._clients:
            from fastapi.testclient import TestClient

            from tandem.app import create_app
            from tandem.kit.settings import Settings
            from tandem.stages import build_pipeline

            extra: dict[str, Any] = {}
            if connectors == "down":
                extra["connectors_file"] = unreachable_orders_file(self.workdir)
            settings = Settings(database_url=self.url, models_dir=MODELS, workspace_dir=self.workdir, **extra)
            client = TestClient(create_app(settings, build_pipeline(settings)))
            client.__enter__()
            self._clients[connectors] = client
        return self._clients[connectors]

    def close(self) -> None:
        for client in self._clients.values():
            client.__exit__(None, None, None)
        self.engine.dispose()

    def converse(self, turns: list[str], connectors: str = "builtin") -> Conversation:
        http = self.client(connectors)
        started = http.post("/api/v1/conversations", json={"channel": "web"})
        started.raise_for_status()
        conversation = started.json()
        headers = {"Authorization": f"Bearer {conversation['customer_token']}"}
        path = f"/api/v1/conversations/{conversation['id']}/messages"
        done = []
        for body in turns:
            begin = time.perf_counter()
            response = http.post(path, json={"body": body}, headers=headers)
            elapsed = (time.perf_counter() - begin) * 1000
            response.raise_for_status()
            out = response.json()
            turn = Turn(body, out["message"]["id"], out["owner"], [r["body"] for r in out["replies"]])
            turn.round_trip_ms = round(elapsed, 2)
            done.append(turn)
        record = Conversation(conversation["id"], done)
        fill_replies(self.engine, record)
        return record

    # ---- what the store says happened -----------------------------------------------------------------

    def outcome(self, conversation: Conversation) -> dict[str, Any]:
        with self.engine.connect() as conn:
            owner = conn.execute(
                text("SELECT owner FROM conversation WHERE id = :id"), {"id": conversation.id}
            ).scalar_one()
            handoffs = conn.execute(
                text("SELECT primary_reason, reasons FROM handoff WHERE conversation_id = :id ORDER BY id"),
                {"id": conversation.id},
            ).all()
            rows = conn.execute(
                text("SELECT type, payload FROM event WHERE conversation_id = :id ORDER BY id"),
                {"id": conversation.id},
            ).all()
        writes: list[dict[str, Any]] = []
        for kind, payload in rows:
            if kind in WRITE_EVENTS:
                data = json.loads(payload) if isinstance(payload, str) else dict(payload)
                writes.append({"write": WRITE_EVENTS[kind], **data})
        replied = [t for t in conversation.turns if t.situation is not None]
        last = replied[-1] if replied else None
        return {
            "owner": "human" if owner in ("human", "queued") else "ai",
            "handover_reason": handoffs[-1][0] if handoffs else None,
            "resolved": bool(last.resolved) if last else False,
            "skill": last.skill if last else None,
            "situation": last.situation if last else None,
            "writes": writes,
        }

    def order_refunded(self, number: str) -> Decimal:
        with self.engine.connect() as conn:
            value = conn.execute(
                text("SELECT refunded_amount FROM shop_order WHERE number = :n"), {"n": number}
            ).scalar_one()
        return Decimal(str(value))

    def customer_field(self, customer_id: int, field_name: str) -> str:
        assert field_name in ("email", "phone", "address")
        with self.engine.connect() as conn:
            value = conn.execute(
                text(f"SELECT {field_name} FROM customer WHERE id = :id"),
                {"id": customer_id},
            ).scalar_one()
        return str(value)


def fill_replies(engine: Engine, conversation: Conversation) -> None:
    """The AI's reply to each turn, from its `ai.replied` event (situation, skill, resolved, latency)."""
    with engine.connect() as conn:
        rows = conn.execute(
            text("SELECT payload FROM event WHERE conversation_id = :id AND type = 'ai.replied' ORDER BY id"),
            {"id": conversation.id},
        ).all()
    by_message = {}
    for (payload,) in rows:
        data = json.loads(payload) if isinstance(payload, str) else dict(payload)
        by_message[data.get("message_id")] = data
    for turn in conversation.turns:
        found = by_message.get(turn.message_id)
        if found:
            turn.situation, turn.skill = found.get("situation"), found.get("skill")
            turn.resolved, turn.latency_ms = bool(found.get("resolved")), found.get("latency_ms")


def unreachable_orders_file(folder: Path) -> Path:
    """A connectors file whose orders system is a local port nothing listens on: every call is refused."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    path = folder / "connectors-orders-down.yaml"
    config = {
        "version": 1,
        "systems": {"orders": {"base_url": f"http://127.0.0.1:{port}", "timeout_seconds": 2}},
    }
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    return path


# ---- one scenario -------------------------------------------------------------------------------------


def run_scenario(desk: Desk, scenario: dict[str, Any]) -> dict[str, Any]:
    """Replay one scenario (after its earlier conversations, if any) and compare with what it expects."""
    bindings = Bindings(desk.data, scenario["id"])
    try:
        # Bind the scenario's orders together first: resolving `before` on its own would bind its orders
        # to one customer and the later turns' orders to another.
        bindings.prepare(scenario.get("before", []), scenario["turns"], scenario["expected"])
        before = [bindings.resolve(turns) for turns in scenario.get("before", [])]
        turns = bindings.resolve(scenario["turns"])
        expected = bindings.resolve(scenario["expected"])
    except LookupError as error:
        return {
            "id": scenario["id"],
            "ok": False,
            "differences": [f"demo data: {error}"],
            "turns": [],
            "unconfirmed_writes": [],
            "latency_ms": [],
        }
    connectors = str(scenario.get("connectors", "builtin"))
    for earlier in before:
        desk.converse(earlier)
    conversation = desk.converse(turns, connectors)
    got = desk.outcome(conversation)
    differences = compare(desk, expected, got, conversation, bindings)
    return {
        "id": scenario["id"],
        "ok": not differences,
        "differences": differences,
        "got": {k: v for k, v in got.items() if k != "writes"},
        "writes": [w["write"] for w in got["writes"]],
        "turns": [{"text": t.text, "situation": t.situation, "owner": t.owner} for t in conversation.turns],
        "unconfirmed_writes": unconfirmed_writes(conversation),
        "latency_ms": [t.latency_ms for t in conversation.turns if t.latency_ms is not None],
    }


def compare(
    desk: Desk, expected: dict[str, Any], got: dict[str, Any], conversation: Conversation, bindings: Bindings
) -> list[str]:
    differences = []
    for key in ("owner", "resolved", "skill", "situation"):
        if key in expected and expected[key] != got[key]:
            differences.append(f"{key}: expected {expected[key]!r}, got {got[key]!r}")
    if expected.get("handover_reason") != got["handover_reason"]:
        differences.append(
            f"handover_reason: expected {expected.get('handover_reason')!r}, got {got['handover_reason']!r}"
        )
    differences += _effects(desk, expected.get("effects") or {}, got["writes"], bindings)
    for turn_index in unconfirmed_writes(conversation):
        differences.append(f"turn {turn_index + 1}: a write without a confirmation question just before it")
    replies = " ".join(r for t in conversation.turns for r in t.replies)
    for secret in expected.get("reply_excludes", []):
        if secret and secret.lower() in replies.lower():
            differences.append(f"disclosed {secret!r}")
    for needed in expected.get("reply_includes", []):
        if needed.lower() not in replies.lower():
            differences.append(f"reply never said {needed!r}")
    return differences


def _effects(desk: Desk, effects: dict[str, Any], writes: list[dict[str, Any]], bindings: Bindings) -> list[str]:
    differences = []
    kinds = Counter(w["write"] for w in writes)
    wanted = Counter()
    refund = effects.get("refund")
    if refund:
        wanted["refund"] += 1
        done = [w for w in writes if w["write"] == "refund"]
        if done and (
            done[0].get("order") != refund["order"] or Decimal(done[0]["amount"]) != Decimal(refund["amount"])
        ):
            differences.append(f"refund: expected {refund}, got order {done[0].get('order')} £{done[0].get('amount')}")
        if done and desk.order_refunded(refund["order"]) < Decimal(refund["amount"]):
            differences.append(f"refund: order {refund['order']} does not show the refund")
    contact = effects.get("contact")
    if contact:
        wanted["contact"] += 1
        if bindings.main is not None and kinds["contact"]:
            now = desk.customer_field(bindings.main, contact["field"])
            if now != contact["value"]:
                differences.append(f"contact: {contact['field']} is {now!r}, expected {contact['value']!r}")
    booking = effects.get("booking")
    if booking in ("booked", "rescheduled"):
        wanted["booking"] += 1
    if booking in ("cancelled",):
        wanted["cancellation"] += 1
    if booking == "rescheduled":
        moved = [w for w in writes if w["write"] == "booking" and w.get("rescheduled_from")]
        if kinds["booking"] and not moved:
            differences.append("booking: a new time was booked but not as a move of the old one")
    if effects.get("lead"):
        wanted["lead"] += 1
        lead = effects["lead"]
        done = [w for w in writes if w["write"] == "lead"]
        if isinstance(lead, dict) and done and "budget" in lead and done[0].get("budget") != str(lead["budget"]):
            differences.append(f"lead: budget {done[0].get('budget')!r}, expected {lead['budget']!r}")
    for kind in sorted(set(kinds) | set(wanted)):
        if kinds[kind] != wanted[kind]:
            differences.append(f"writes: expected {wanted[kind]} {kind}, got {kinds[kind]}")
    return differences


def unconfirmed_writes(conversation: Conversation) -> list[int]:
    """Turns whose reply reports a write though the AI's previous reply did not ask for a yes."""
    found = []
    previous = None
    for index, turn in enumerate(conversation.turns):
        if turn.situation in WRITES and previous not in WRITES[turn.situation]:
            found.append(index)
        previous = turn.situation if turn.situation is not None else previous
    return found


# ---- scoring ------------------------------------------------------------------------------------------


def score(scenarios: list[dict[str, Any]], results: dict[str, dict[str, Any]]) -> dict[str, Any]:
    routine = [s for s in scenarios if kind_of(s) == "routine"]
    policy = [s for s in scenarios if kind_of(s) == "out_of_policy"]
    policy_handovers = [s for s in policy if s["expected"].get("owner") == "human"]
    down = [s for s in scenarios if kind_of(s) == "connector_failure"]

    def ok(group: list[dict[str, Any]]) -> int:
        return sum(1 for s in group if results[s["id"]]["ok"])

    handed_as_expected = sum(
        1
        for s in policy_handovers
        if (got := results[s["id"]].get("got") or {}).get("owner") == "human"
        and got.get("handover_reason") == s["expected"].get("handover_reason")
    )
    per_skill = {}
    for skill in SKILLS:
        group = [s for s in scenarios if s["expected"].get("skill") == skill or s["file"] == f"{skill}.yaml"]
        per_skill[skill] = {"scenarios": len(group), "correct": ok(group), "rate": _ratio(ok(group), len(group))}
    return {
        "scenarios": len(scenarios),
        "routine": len(routine),
        "routine_resolved_correctly": _ratio(ok(routine), len(routine)),
        "out_of_policy": len(policy),
        "out_of_policy_handovers_expected": len(policy_handovers),
        "out_of_policy_handover_rate": _ratio(handed_as_expected, len(policy_handovers)),
        "out_of_policy_correct": _ratio(ok(policy), len(policy)),
        "connector_failures": len(down),
        "connector_failure_correct": _ratio(ok(down), len(down)),
        "all_correct": _ratio(ok(scenarios), len(scenarios)),
        "writes_without_confirmation": sum(len(results[s["id"]]["unconfirmed_writes"]) for s in scenarios),
        "per_skill": per_skill,
        "failures": [
            {"id": s["id"], "split": s.get("split"), "differences": results[s["id"]]["differences"]}
            for s in scenarios
            if not results[s["id"]]["ok"]
        ],
    }


def _ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 3) if whole else None


def _percentiles(values: list[float]) -> dict[str, Any]:
    if not values:
        return {"count": 0, "p50_ms": None, "p99_ms": None}
    ordered = sorted(values)
    p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
    return {
        "count": len(ordered),
        "p50_ms": round(statistics.median(ordered), 2),
        "p99_ms": round(p99, 2),
        "max_ms": round(ordered[-1], 2),
    }


# ---- quality run --------------------------------------------------------------------------------------


@contextmanager
def desk_in(folder: Path | None = None) -> Iterator[Desk]:
    with tempfile.TemporaryDirectory(prefix="assistant-bench-") as scratch:
        desk = Desk(folder or Path(scratch))
        try:
            yield desk
        finally:
            desk.close()


def run_quality(desk: Desk, scenarios: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {s["id"]: run_scenario(desk, s) for s in scenarios}


# ---- latency run: a live server, 20 concurrent conversations --------------------------------------------


async def _conversation(http: httpx.AsyncClient, turns: list[str], round_trips: list[float]) -> tuple[int, list[int]]:
    started = (await http.post("/api/v1/conversations", json={"channel": "web"})).json()
    headers = {"Authorization": f"Bearer {started['customer_token']}"}
    path = f"/api/v1/conversations/{started['id']}/messages"
    ids = []
    for body in turns:
        begin = time.perf_counter()
        response = await http.post(path, json={"body": body}, headers=headers)
        round_trips.append((time.perf_counter() - begin) * 1000)
        response.raise_for_status()
        ids.append(response.json()["message"]["id"])
    return started["id"], ids


async def _load(base: str, conversations: list[list[str]]) -> tuple[list[float], list[int], float]:
    round_trips: list[float] = []
    pending = list(conversations)
    conversation_ids: list[int] = []

    async def client() -> None:
        async with httpx.AsyncClient(base_url=base, timeout=60) as http:
            while pending:
                turns = pending.pop()
                conversation_id, _ = await _conversation(http, turns, round_trips)
                conversation_ids.append(conversation_id)

    begin = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(CLIENTS)))
    return round_trips, conversation_ids, time.perf_counter() - begin


def run_latency(workdir: Path, seeded: Path, scenarios: list[dict[str, Any]]) -> dict[str, Any]:
    db = workdir / "latency.db"
    shutil.copy(seeded, db)
    url = f"sqlite:///{db}"
    engine = create_engine(url)
    data = DemoData.read(engine)
    data.reuse = True  # many more conversations than customers: reads and writes overlap, as in real life
    routine = [s for s in scenarios if kind_of(s) == "routine" and not s.get("before")]
    plans = []
    for index in range(LATENCY_CONVERSATIONS):
        scenario = routine[index % len(routine)]
        bindings = Bindings(data, f"{scenario['id']}#{index}")
        bindings.prepare(scenario["turns"])
        plans.append(bindings.resolve(scenario["turns"]))
    warmup = plans[: CLIENTS * 2]
    env = {
        "TANDEM_DATABASE_URL": url,
        "TANDEM_MODELS_DIR": str(MODELS),
        "TANDEM_WORKSPACE_DIR": str(workdir),
        "TANDEM_LOG_LEVEL": "WARNING",
        "TANDEM_LLM_BASE_URL": "",  # LLM off: templates only
    }
    server, base = serve(env, workdir / "serve.log")
    try:
        asyncio.run(_load(base, warmup))
        round_trips, conversation_ids, seconds = asyncio.run(_load(base, plans))
    finally:
        server.terminate()
        server.wait(timeout=20)
    server_side = []
    with engine.connect() as conn:
        for conversation_id in conversation_ids:
            for (payload,) in conn.execute(
                text("SELECT payload FROM event WHERE conversation_id = :id AND type = 'ai.replied'"),
                {"id": conversation_id},
            ):
                data_ = json.loads(payload) if isinstance(payload, str) else dict(payload)
                if data_.get("latency_ms") is not None:
                    server_side.append(float(data_["latency_ms"]))
    engine.dispose()
    return {
        "store": "sqlite",
        "clients": CLIENTS,
        "conversations": len(plans),
        "messages": len(round_trips),
        "seconds": round(seconds, 1),
        "messages_per_second": round(len(round_trips) / seconds, 1),
        "server_message_to_reply": _percentiles(server_side),
        "client_round_trip": _percentiles(round_trips),
        "load_average_1m": round(os.getloadavg()[0], 2),
    }


# ---- report -------------------------------------------------------------------------------------------


def markdown(results: dict[str, Any]) -> str:
    halves, every = results["splits"], results["all"]
    timing = results.get("latency") or {}
    server, client = timing.get("server_message_to_reply") or {}, timing.get("client_round_trip") or {}

    later = {name: results.get(name) or {} for name in LATER_SETS}
    fresh3, fresh4, unseen, unseen2, unseen3 = (later[n] for n in ("fresh3", "fresh4", "unseen", "unseen2", "unseen3"))

    def row(name: str, key: str, target: str) -> str:
        cells = [
            *(later[n].get(key, "–") for n in LATER_SETS),
            halves["held_out"].get(key),
            halves["dev"].get(key),
            every.get(key),
        ]
        return f"| {name} | " + " | ".join(str(c) for c in cells) + f" | {target} |"

    lines = [
        "## Assistant: routine skills (tests/skill_scenarios, through the real app)",
        "",
        f"{every['scenarios']} multi-turn conversations written for the ten skills ({every['routine']} routine, "
        f'including corrections mid-flow, missing data and "never mind"; {every["out_of_policy"]} out of policy; '
        f"{every['connector_failures']} with the orders system down), replayed through FastAPI's TestClient on a "
        "freshly seeded SQLite demo workspace with the real pipeline and models, LLM off. Turns name demo data by "
        "placeholder, resolved against the seeded store. A scenario counts as correct only when everything it "
        "expects holds: final owner, resolved, skill, situation of the last reply, hand-over reason, and the "
        "writes in the store (no more, no fewer). Split dev / held-out by a stable hash within each skill's file; "
        "held-out is the headline. Fixes to the assistant were guided by failure categories read on both halves, "
        "so they are not clean. Three fresh sets were written later, each by someone who had not run the "
        "assistant on it. *Fresh 1* and *fresh 2* (tests/skill_scenarios_fresh/, tests/skill_scenarios_fresh2/) "
        "were each measured once and then their failures prompted fixes, so they are spent (their first runs are "
        f"in the notes below). *Fresh 3* (tests/skill_scenarios_fresh3/, {fresh3.get('scenarios', 0)} "
        "conversations) was written without seeing any result; its first run is in the notes, after which small "
        "fixes followed, so it is spent too. *Fresh 4* (tests/skill_scenarios_fresh4/, "
        f"{fresh4.get('scenarios', 0)} conversations, on a store of its own) was written on 2026-11-23 without "
        "seeing the assistant run, measured once, then read for failures (spent). *Unseen* "
        f"(tests/skill_scenarios_unseen/, {unseen.get('scenarios', 0)} conversations, on a store of its own) was "
        "written the same day, measured once in session 11, then read for failures (spent). *Unseen 2* "
        f"(tests/skill_scenarios_unseen2/, {unseen2.get('scenarios', 0)} conversations, on a store of its own) was "
        "written blind in session 11, measured once in session 12, then read for failures (spent). *Unseen 3* "
        f"(tests/skill_scenarios_unseen3/, {unseen3.get('scenarios', 0)} conversations, on a store of its own) was "
        "written blind in session 12 and first run in this measurement, after the last change: the honest number.",
        "",
        "| measure | unseen 3 | unseen 2 (spent) | unseen (spent) | fresh 4 (spent) | fresh 3 (spent) "
        "| fresh 2 (spent) | fresh 1 (spent) | held-out | dev | all (held-out + dev) | target |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
        row("routine conversations resolved correctly by the AI", "routine_resolved_correctly", "≥ 0.90"),
        row("hand-overs when out of policy", "out_of_policy_handover_rate", "1.0"),
        row("out-of-policy scenarios fully correct (incl. refusals without disclosure)", "out_of_policy_correct", ""),
        row("connector failures: honest message and `ai_unavailable` hand-over", "connector_failure_correct", ""),
        row("all scenarios fully correct", "all_correct", ""),
        row("writes without a confirmation question just before", "writes_without_confirmation", "0"),
        "",
        "| skill | scenarios | correct (all) | held-out | dev |",
        "|---|---|---|---|---|",
    ]
    for skill, value in every["per_skill"].items():
        held, dev = halves["held_out"]["per_skill"][skill], halves["dev"]["per_skill"][skill]
        lines.append(
            f"| {skill} | {value['scenarios']} | {value['correct']} ({value['rate']}) "
            f"| {held['correct']}/{held['scenarios']} | {dev['correct']}/{dev['scenarios']} |"
        )
    if timing:
        lines += [
            "",
            f"Time from a customer message to the AI's reply, {timing['clients']} concurrent conversations on SQLite "
            f"against a live `tandem serve` (one process) on 127.0.0.1, LLM off; {timing['conversations']} routine "
            f"conversations, {timing['messages']} messages in {timing['seconds']} s "
            f"({timing['messages_per_second']} msg/s). The load generator shares the machine's cores with the server "
            f"(load average {timing['load_average_1m']} at the end).",
            "",
            "| measure | p50 (ms) | p99 (ms) | max (ms) | target |",
            "|---|---|---|---|---|",
            "| server side (`latency_ms` of `ai.replied`: stages from stored message to reply) "
            f"| {server.get('p50_ms')} "
            f"| {server.get('p99_ms')} | {server.get('max_ms')} | p50 ≤ 30, p99 ≤ 100 |",
            "| client round trip (HTTP, includes storing, the SQLite write lock and queueing) "
            f"| {client.get('p50_ms')} "
            f"| {client.get('p99_ms')} | {client.get('max_ms')} | |",
        ]
    failures = every["failures"] + [f for n in reversed(LATER_SETS) for f in later[n].get("failures") or []]
    if failures:
        lines += ["", f"Failures ({len(failures)}; known assistant bugs, expectations not weakened):", ""]
        for failure in failures:
            lines.append(f"- `{failure['id']}` ({failure['split']}): " + "; ".join(failure["differences"]))
    return "\n".join(lines)


def on_own_store(folder: Path, split: str) -> tuple[list[dict[str, Any]], dict[str, dict[str, Any]]]:
    """A later set on a freshly seeded store of its own; BENCH_FRESH=0 leaves it out (kept unseen)."""
    if not folder.exists() or os.environ.get("BENCH_FRESH", "1") == "0":
        return [], {}
    scenarios = load_scenarios(folder)
    for scenario in scenarios:
        scenario["split"] = split
    with desk_in() as desk:
        return scenarios, run_quality(desk, scenarios)


def run() -> dict[str, Any]:
    started = time.perf_counter()
    scenarios = load_scenarios()
    split = split_of(scenarios)
    for scenario in scenarios:
        scenario["split"] = split[scenario["id"]]
    with tempfile.TemporaryDirectory(prefix="assistant-bench-") as scratch:
        workdir = Path(scratch)
        later: dict[str, tuple[list[dict[str, Any]], dict[str, dict[str, Any]]]] = {}
        with desk_in(workdir) as desk:
            results = run_quality(desk, scenarios)
            for name, folder in SHARED_STORE_SETS.items():
                group = load_scenarios(folder) if folder.exists() else []
                for scenario in group:
                    scenario["split"] = name
                later[name] = (group, run_quality(desk, group) if group else {})
        for name, folder in OWN_STORE_SETS.items():
            later[name] = on_own_store(folder, name)
        latency = run_latency(workdir, workdir / "seeded.db", scenarios) if LATENCY_CONVERSATIONS else {}
    report: dict[str, Any] = {
        "all": score(scenarios, results),
        "splits": {half: score([s for s in scenarios if s["split"] == half], results) for half in SPLITS},
    }
    for name in reversed(LATER_SETS):
        group, group_results = later[name]
        report[name] = score(group, group_results) if group else None
        report[f"{name}_results"] = group_results
    report.update(
        {
            "latency": latency,
            "targets": TARGETS,
            "machine": {"cores": os.cpu_count(), "note": "2 cores shared with other work while measuring"},
            "seconds": round(time.perf_counter() - started, 1),
            "scenario_results": results,
        }
    )
    report["markdown"] = markdown(report)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2, default=str) + "\n", encoding="utf-8")
    return report


def main() -> None:
    print(run()["markdown"])


if __name__ == "__main__":
    main()
