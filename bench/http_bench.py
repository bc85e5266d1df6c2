"""Posting customer messages over HTTP with persistence only (no NLP): throughput and latency.

Starts a real `tandem serve` process on a fresh database, opens one conversation per client, and has
CLIENTS concurrent clients post MESSAGES messages in total, each with a unique channel message id.
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa

from bench.serving import serve
from tandem.kit.migrate import upgrade
from tandem.kit.settings import normalise_database_url

CLIENTS = int(os.environ.get("BENCH_CLIENTS", "20"))
MESSAGES = int(os.environ.get("BENCH_MESSAGES", "6000"))
WARMUP = 200


def _fresh_postgres(base: str) -> str:
    base = normalise_database_url(base)
    admin = sa.create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text('DROP DATABASE IF EXISTS "tandem_bench" WITH (FORCE)'))
        conn.execute(sa.text('CREATE DATABASE "tandem_bench"'))
    admin.dispose()
    return base.rsplit("/", 1)[0] + "/tandem_bench"


async def _client(base: str, count: int, latencies: list[float], tag: str) -> None:
    async with httpx.AsyncClient(base_url=base, timeout=30) as http:
        started = (await http.post("/api/v1/conversations", json={"channel": "api"})).json()
        headers = {"Authorization": f"Bearer {started['customer_token']}"}
        path = f"/api/v1/conversations/{started['id']}/messages"
        for index in range(count):
            body = {"body": f"Hello, where is my order A{10000 + index}? 🙂", "channel_message_id": f"{tag}-{index}"}
            begin = time.perf_counter()
            response = await http.post(path, json=body, headers=headers)
            latencies.append(time.perf_counter() - begin)
            if response.status_code != 200:
                raise RuntimeError(f"unexpected {response.status_code}: {response.text[:200]}")


async def _load(base: str, total: int) -> dict[str, float]:
    latencies: list[float] = []
    per_client = total // CLIENTS
    begin = time.perf_counter()
    await asyncio.gather(*(_client(base, per_client, latencies, f"c{i}-{time.time_ns()}") for i in range(CLIENTS)))
    elapsed = time.perf_counter() - begin
    ordered = sorted(latencies)
    return {
        "messages": len(ordered),
        "seconds": round(elapsed, 2),
        "throughput_per_s": round(len(ordered) / elapsed, 1),
        "p50_ms": round(statistics.median(ordered) * 1000, 2),
        "p99_ms": round(ordered[int(len(ordered) * 0.99) - 1] * 1000, 2),
    }


def run_store(name: str, url: str) -> dict[str, Any]:
    upgrade(url)
    log = Path(tempfile.gettempdir()) / f"tandem-http-bench-{name}.log"
    server, base = serve({"TANDEM_DATABASE_URL": url, "TANDEM_PIPELINE": "persist_only"}, log, wait_s=30)
    try:
        asyncio.run(_load(base, WARMUP))
        result = asyncio.run(_load(base, MESSAGES))
    finally:
        server.terminate()
        server.wait(timeout=10)
    return {"store": name, "clients": CLIENTS, **result}


def run(tmp: Path) -> list[dict[str, Any]]:
    results = [run_store("sqlite", f"sqlite:///{tmp / 'bench.db'}")]
    postgres = os.environ.get("TANDEM_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
    try:
        results.append(run_store("postgresql", _fresh_postgres(postgres)))
    except sa.exc.OperationalError as exc:
        results.append({"store": "postgresql", "skipped": f"unreachable: {exc.__class__.__name__}"})
    return results


if __name__ == "__main__":
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        print(json.dumps(run(Path(folder)), indent=2))
