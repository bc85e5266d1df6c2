"""The people's side under load: console page and data response times over 10,000 conversations, and how
soon a customer's message reaches an agent's live stream.

A fresh SQLite store gets the demo seed (staff, queues, customers) and then CONVERSATIONS conversations
bulk-inserted through SQLAlchemy Core (owners, queues, priorities, hand-overs and a few messages each).
A real `tandem serve` serves it; an agent signs in and each page and endpoint is requested SAMPLES times.
Then the agent opens a conversation's SSE stream and the customer posts LIVE_SAMPLES messages through the
API: the time from posting to the message arriving on the stream is the live latency.
"""

from __future__ import annotations

import json
import os
import random
import statistics
import subprocess
import tempfile
import threading
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import insert, select

from bench.serving import serve as start_server
from tandem.conversations.models import Conversation, Message
from tandem.customers.models import Customer
from tandem.demo.seed import demo_logins, seed
from tandem.handoff.models import Handoff, Queue
from tandem.kit import clock
from tandem.kit.db import make_engine, make_sessionmaker, unit_of_work
from tandem.kit.migrate import upgrade
from tandem.users.models import User

CONVERSATIONS = int(os.environ.get("BENCH_UI_CONVERSATIONS", "10000"))
SAMPLES = int(os.environ.get("BENCH_UI_SAMPLES", "30"))
LIVE_SAMPLES = int(os.environ.get("BENCH_UI_LIVE_SAMPLES", "20"))
PAGE_TARGET_MS = 300.0
LIVE_TARGET_MS = 500.0
REPO = Path(__file__).resolve().parents[1]
OWNERS = {"ai": 0.40, "queued": 0.15, "human": 0.20, "resolved": 0.25}
PRIORITIES = {"low": 0.15, "normal": 0.55, "high": 0.22, "urgent": 0.08}
REASONS = ("human_requested", "frustration", "legal_or_billing_dispute", "policy_exception", "low_confidence")
CUSTOMER_LINES = (
    "Where is my order A{n}? It said it would arrive yesterday.",
    "I was charged twice for order {n}, please sort it out",
    "Can I return the kettle I bought last week?",
    "i want to speak to a person about my refund",
    "The parcel arrived damaged, order #{n}",
)
AI_LINES = (
    "Let me check that for you.",
    "I've found your order: it's with the courier.",
    "Here is our returns policy.",
)


def _pick(rng: random.Random, weights: dict[str, float]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def populate(database_url: str, count: int = CONVERSATIONS, seed_value: int = 7) -> dict[str, Any]:
    """Seed the demo desk and bulk-insert `count` conversations with hand-overs and 2–5 messages each."""
    started = time.perf_counter()
    upgrade(database_url)
    engine = make_engine(database_url)
    rng = random.Random(seed_value)
    with unit_of_work(make_sessionmaker(engine)) as session:
        seed(session)
        session.flush()
        agents = [u.id for u in session.scalars(select(User).where(User.role == "agent")).all()]
        queues = list(session.scalars(select(Queue.name)).all())
        customers = list(session.scalars(select(Customer.id)).all())
        first_id = (session.scalar(select(Conversation.id).order_by(Conversation.id.desc()).limit(1)) or 0) + 1
        now = clock.now()
        conversations: list[dict[str, Any]] = []
        handoffs: list[dict[str, Any]] = []
        messages: list[dict[str, Any]] = []
        for offset in range(count):
            cid = first_id + offset
            owner = _pick(rng, OWNERS)
            created = now - timedelta(minutes=rng.randint(5, 60 * 24 * 30))
            updated = created + timedelta(minutes=rng.randint(1, 90))
            handed = owner in ("queued", "human") or (owner == "resolved" and rng.random() < 0.5)
            priority = _pick(rng, PRIORITIES) if handed else "normal"
            queue = rng.choice(queues) if handed else None
            conversations.append(
                {
                    "id": cid,
                    "channel": rng.choice(("web", "web", "web", "email", "api")),
                    "customer_id": rng.choice(customers) if rng.random() < 0.7 else None,
                    "owner": owner,
                    "assigned_agent_id": rng.choice(agents) if owner == "human" else None,
                    "queue": queue,
                    "priority": priority,
                    "subject": "Order question",
                    "state": {},
                    "created_at": created,
                    "updated_at": updated,
                    "handed_over_at": created + timedelta(minutes=1) if handed else None,
                    "first_human_response_at": updated if owner in ("human", "resolved") and handed else None,
                    "resolved_at": updated if owner == "resolved" else None,
                }
            )
            if handed:
                reasons = rng.sample(REASONS, rng.randint(1, 2))
                handoffs.append(
                    {
                        "conversation_id": cid,
                        "primary_reason": reasons[0],
                        "reasons": reasons,
                        "queue": queue,
                        "priority": priority,
                        "decision": {},
                        "brief": {},
                        "customer_notice": "A person will be with you shortly.",
                        "expected_wait_seconds": rng.randint(30, 1800),
                        "created_at": created + timedelta(minutes=1),
                    }
                )
            for turn in range(rng.randint(1, 3)):
                at = created + timedelta(seconds=40 * turn)
                line = rng.choice(CUSTOMER_LINES).format(n=rng.randint(10000, 99999))
                messages.append(_message(cid, "customer", line, at))
                messages.append(_message(cid, "ai", rng.choice(AI_LINES), at + timedelta(seconds=2)))
        session.execute(insert(Conversation), conversations)
        session.execute(insert(Handoff), handoffs)
        session.execute(insert(Message), messages)
    engine.dispose()
    return {
        "conversations": count,
        "messages": len(messages),
        "handoffs": len(handoffs),
        "seconds": round(time.perf_counter() - started, 1),
    }


def _message(conversation_id: int, author: str, body: str, at: Any) -> dict[str, Any]:
    return {
        "conversation_id": conversation_id,
        "author_kind": author,
        "body": body,
        "visibility": "public",
        "channel": "web",
        "meta": {},
        "created_at": at,
    }


def serve(database_url: str, workdir: Path, pipeline: str) -> tuple[subprocess.Popen[bytes], str]:
    env = {
        "TANDEM_DATABASE_URL": database_url,
        "TANDEM_WORKSPACE_DIR": str(workdir),
        "TANDEM_PIPELINE": pipeline,
        "TANDEM_LOG_LEVEL": "WARNING",
    }
    return start_server(env, workdir / "serve.log")


def _stats(samples_ms: list[float], target_ms: float) -> dict[str, Any]:
    ordered = sorted(samples_ms)
    p95 = ordered[max(0, round(len(ordered) * 0.95) - 1)]
    return {
        "n": len(ordered),
        "p50_ms": round(statistics.median(ordered), 1),
        "p95_ms": round(p95, 1),
        "max_ms": round(ordered[-1], 1),
        "target_ms": target_ms,
        "meets_target": p95 <= target_ms,
    }


def _timed(client: httpx.Client, path: str, samples: int) -> list[float]:
    client.get(path).raise_for_status()  # warm-up
    times = []
    for _ in range(samples):
        begin = time.perf_counter()
        response = client.get(path)
        times.append((time.perf_counter() - begin) * 1000)
        response.raise_for_status()
    return times


def measure_pages(base: str, email: str, password: str, samples: int = SAMPLES) -> dict[str, Any]:
    with httpx.Client(base_url=base, timeout=30) as agent:
        agent.post("/api/v1/auth/login", json={"email": email, "password": password}).raise_for_status()
        inbox = agent.get("/api/v1/console/inbox", params={"view": "all", "limit": 100}).json()
        target = next(i["conversation"]["id"] for i in inbox["items"] if i["conversation"]["owner"] == "queued")
        paths = {
            "inbox page": "/console",
            "inbox data": "/api/v1/console/inbox",
            "conversation page": f"/console/conversations/{target}",
            "conversation data": f"/api/v1/conversations/{target}",
            "brief": f"/api/v1/conversations/{target}/brief",
        }
        return {name: _stats(_timed(agent, path, samples), PAGE_TARGET_MS) for name, path in paths.items()}


def measure_live(base: str, email: str, password: str, samples: int = LIVE_SAMPLES) -> dict[str, Any]:
    """Post customer messages; time until each arrives on the agent's SSE stream of the conversation."""
    with (
        httpx.Client(base_url=base, timeout=30) as customer,
        httpx.Client(base_url=base, timeout=httpx.Timeout(30, read=60)) as agent,
    ):
        agent.post("/api/v1/auth/login", json={"email": email, "password": password}).raise_for_status()
        started = customer.post("/api/v1/conversations", json={"channel": "web"}).json()
        conversation, headers = started["id"], {"Authorization": f"Bearer {started['customer_token']}"}
        arrived: dict[str, float] = {}
        ready = threading.Event()
        done = threading.Event()

        def listen() -> None:
            try:
                read_stream()
            except httpx.HTTPError:
                if not done.is_set():
                    raise  # closing the client at the end breaks the stream: expected then only

        def read_stream() -> None:
            with agent.stream("GET", f"/api/v1/conversations/{conversation}/live") as stream:
                event = ""
                for line in stream.iter_lines():
                    if line.startswith("event: "):
                        event = line[7:]
                        ready.set()
                    elif line.startswith("data: ") and event == "message":
                        body = json.loads(line[6:]).get("body", "")
                        arrived.setdefault(body, time.perf_counter())
                    if done.is_set():
                        return

        listener = threading.Thread(target=listen, daemon=True)
        listener.start()
        if not ready.wait(10):
            raise RuntimeError("the conversation stream did not open")
        latencies, post_ms = [], []
        rng = random.Random(11)
        for index in range(samples):
            body = f"Where is my order A{10000 + index}? (sample {index})"
            time.sleep(rng.uniform(0.05, 0.6))  # land at different points of the poll cycle
            begin = time.perf_counter()
            customer.post(
                f"/api/v1/conversations/{conversation}/messages", json={"body": body}, headers=headers
            ).raise_for_status()
            post_ms.append((time.perf_counter() - begin) * 1000)
            deadline = time.monotonic() + 10
            while body not in arrived and time.monotonic() < deadline:
                time.sleep(0.002)
            if body not in arrived:
                raise RuntimeError(f"message {index} never reached the stream")
            latencies.append((arrived[body] - begin) * 1000)
        done.set()
    return {"stream": _stats(latencies, LIVE_TARGET_MS), "post": _stats(post_ms, LIVE_TARGET_MS)}


def _pipeline() -> str:
    """The full AI pipeline when its models are built (as a real desk runs), else persistence only."""
    return "full" if (REPO / "var" / "models" / "minilm.onnx").exists() else "persist_only"


def run() -> dict[str, Any]:
    email, _role, password = next(login for login in demo_logins() if login[1] == "agent")
    with tempfile.TemporaryDirectory() as folder:
        workdir = Path(folder)
        url = f"sqlite:///{workdir / 'ui-bench.db'}"
        populated = populate(url)
        pipeline = _pipeline()
        server, base = serve(url, workdir, pipeline)
        try:
            pages = measure_pages(base, email, password)
            live = measure_live(base, email, password)
        finally:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
    result: dict[str, Any] = {"store": "sqlite", "pipeline": pipeline, "populated": populated, "pages": pages}
    result["live"] = live
    result["markdown"] = markdown(result)
    return result


def markdown(result: dict[str, Any]) -> str:
    populated = result["populated"]
    lines = [
        f"Console on SQLite with {populated['conversations']:,} conversations ({populated['messages']:,} messages, "
        f"bulk-inserted in {populated['seconds']} s); `tandem serve`, pipeline `{result['pipeline']}`, "
        "one signed-in agent, sequential requests.",
        "",
        "| What | n | p50 ms | p95 ms | max ms | target (p95) |",
        "|---|---:|---:|---:|---:|---|",
    ]
    rows = [*result["pages"].items(), ("live: customer message → agent stream", result["live"]["stream"])]
    rows.append(("live: the customer's POST itself", result["live"]["post"]))
    for name, s in rows:
        verdict = "✓" if s["meets_target"] else "✗"
        lines.append(
            f"| {name} | {s['n']} | {s['p50_ms']} | {s['p95_ms']} | {s['max_ms']} | ≤ {s['target_ms']:.0f} {verdict} |"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    outcome = run()
    print(outcome["markdown"])
