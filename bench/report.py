"""Render docs/benchmarks.md from bench/results/*.json, with the machine and the date."""

from __future__ import annotations

import json
import os
import platform
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

HEADER = """# Benchmarks

Measured by `make bench` (which rewrites this file from `bench/results/*.json`). Re-run it to reproduce;
run one suite with `.venv/bin/python -m bench http|triage|handoff|analytics|knowledge|assistant|ui`.
"""


TITLES = {"ui": "Agent console and live updates", "handoff": "Hand-over scenarios"}


def machine() -> str:
    cpu = "unknown CPU"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    memory = ""
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        kib = int(meminfo.read_text().split()[1])
        memory = f", {kib / 1024 / 1024:.0f} GiB RAM"
    system = f"{platform.system()} {platform.release()}, Python {platform.python_version()}"
    return f"{os.cpu_count()} cores ({cpu}){memory}, {system}"


def write_report(results: Path, target: Path) -> None:
    parts = [HEADER, f"- Machine: {machine()}", f"- Date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC", ""]
    suites = (
        ("http", _http),
        ("triage", _triage),
        ("handoff", _generic),
        ("analytics", _analytics),
        ("knowledge", _generic),
        ("assistant", _generic),
        ("ui", _generic),
    )
    for name, render in suites:
        path = results / f"{name}.json"
        if path.exists():
            parts.append(render(name, json.loads(path.read_text())))
    notes = Path(__file__).parent / "notes.md"
    if notes.exists():
        parts.append(notes.read_text())
    target.write_text("\n".join(parts).rstrip() + "\n")


def _http(_name: str, rows: list[dict[str, Any]]) -> str:
    lines = [
        "## Posting customer messages over HTTP (persistence only, no NLP)",
        "",
        "A real `tandem serve` (one process) with `TANDEM_PIPELINE=persist_only`; 20 concurrent clients on the "
        "same machine, each posting to its own conversation with unique channel message ids. The load "
        "generator shares the 2 cores with the server.",
        "",
        "| store | messages | throughput (msg/s) | p50 (ms) | p99 (ms) |",
        "|---|---|---|---|---|",
    ]
    for row in rows:
        if "skipped" in row:
            lines.append(f"| {row['store']} | skipped: {row['skipped']} | | | |")
        else:
            cells = [row[k] for k in ("store", "messages", "throughput_per_s", "p50_ms", "p99_ms")]
            lines.append("| " + " | ".join(str(c) for c in cells) + " |")
    return "\n".join([*lines, ""])


def _generic(name: str, data: Any) -> str:
    summary = data.get("markdown") if isinstance(data, dict) else None
    if summary:
        text = str(summary)
        if not text.startswith("#"):
            text = f"## {TITLES.get(name, name)}\n\n{text}"
        return text + "\n"
    return f"## {name}\n\n```json\n{json.dumps(data, indent=2, default=str)}\n```\n"


def _triage(_name: str, data: dict[str, Any]) -> str:
    bank, clinc, emo, run = data["banking77"], data["clinc150"], data["goemotions_frustration"], data["runtime"]
    base = clinc["baseline_tfidf_linearsvc_oos_class"]
    load = data.get("machine", {}).get("load_average_1m", "?")
    return "\n".join(
        [
            "## Triage (through `tandem intents train` and `tandem triage --json`)",
            "",
            "Trained on the train splits in ../shared/datasets; measured on a validation split carved from train "
            "(Banking77, seed 13), on CLINC150 `val` + `oos_val`, and on GoEmotions `dev`. The test splits are held "
            "out and measured elsewhere. Data: Banking77 (Casanueva et al. 2020, CC BY 4.0), CLINC150 (Larson et "
            "al. 2019, CC BY 3.0), GoEmotions (Demszky et al. 2020).",
            "",
            "| measure | tandem (MiniLM + TF-IDF) | TF-IDF + LinearSVC baseline | target (on test) |",
            "|---|---|---|---|",
            f"| Banking77 accuracy | {bank['accuracy']} | {bank['baseline_tfidf_linearsvc_accuracy']} | ≥ 0.94 |",
            f"| CLINC150 in-scope accuracy (after the out-of-scope cut) | {clinc['in_scope_accuracy']} "
            f"| {base['in_scope_accuracy']} | ≥ 0.95 |",
            f"| CLINC150 out-of-scope recall | {clinc['oos_recall']} | {base['oos_recall']} | ≥ 0.80 |",
            f"| CLINC150 top-1 in-scope, no cut | {clinc['in_scope_top1_accuracy_ignoring_oos']} | | |",
            f"| GoEmotions frustration F1 (anger ∪ annoyance ∪ disgust) | {emo['f1_dev_all']} "
            f"| {emo['baseline_tfidf_linearsvc_f1_dev_all']} | ≥ 0.60 |",
            "",
            f"Runtime (load average {load} on the 2 cores while measuring): "
            f"one message p50 {run['latency_ms_p50']} ms, "
            f"p99 {run['latency_ms_p99']} ms (targets 8 / 25); batched {run['batched_messages_per_second']} msg/s "
            f"(target 300); model load {run['load_seconds']} s (target 2); RSS {run['rss_mb']} MB (target 400).",
            "",
        ]
    )


def _analytics(_name: str, data: dict[str, Any]) -> str:
    pipeline, topics = data["complaints_pipeline"], data["topic_quality_banking77"]
    imported, timings = pipeline["import"], pipeline["timings"]
    lines = [
        "## Insight: importing and analysing complaints",
        "",
        f"A synthetic set of {pipeline['generated']['rows']:,} complaints (generated with a fixed seed, with "
        "bad dates, empty texts and duplicates injected) imported with `tandem import complaints --format "
        f"generic`, then topics, trends, root causes and the HTML report: {timings['total_s']} s wall, "
        f"{pipeline['cpu_s']} s CPU, peak memory {pipeline['peak_rss_mb']} MB (targets 180 s, 2 GB). "
        f"Imported {imported['imported']:,}, skipped {imported['skipped']:,} "
        f"({', '.join(f'{k} {v}' for k, v in imported['skipped_by_reason'].items())}).",
        "",
        "Topic quality on Banking77's train texts (adjusted mutual information with the true intents; aim 0.75):",
        "",
        "| clustering | k | AMI |",
        "|---|---|---|",
        f"| MiniLM, k by silhouette | {topics['k_by_silhouette']['k']} | {topics['k_by_silhouette']['ami']} |",
        f"| MiniLM, k = 77 | 77 | {topics['k_fixed_77']['ami']} |",
        f"| MiniLM, 6,000 sampled then assigned | 77 | {topics['sample_6000_then_classifier']['ami']} |",
        f"| TF-IDF + SVD fallback | {topics['tfidf_svd_fallback']['k']} | {topics['tfidf_svd_fallback']['ami']} |",
        "",
        "Dashboard queries (median / 95th percentile, ms; target 200 ms on PostgreSQL with 1,000,000 messages):",
        "",
        "| endpoint | "
        + " | ".join(
            f"{d['store']} ({d['messages']:,} messages)"
            for d in (data["dashboard_sqlite"], data["dashboard_postgresql"])
        )
        + " |",
        "|---|---|---|",
    ]
    for endpoint in data["dashboard_sqlite"]["latency"]:
        cells = []
        for store in ("dashboard_sqlite", "dashboard_postgresql"):
            found = data[store]["latency"].get(endpoint)
            cells.append(f"{found['p50_ms']} / {found['p95_ms']}" if found else "")
        lines.append(f"| {endpoint} | " + " | ".join(cells) + " |")
    return "\n".join([*lines, ""])
