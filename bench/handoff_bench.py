"""Hand-over benchmark: the scenario suite (tests/scenarios/*.yaml) replayed through the real pipeline.

Each scenario becomes a line of replay JSONL; `tandem replay --json` runs them all in a throwaway
database through the same code path as the API; the results are scored against what a good support
lead would do. Results: bench/results/handoff.json.

    .venv/bin/python -m bench.handoff_bench

Measures
- recall: required hand-overs (expected owner human) that were handed over at all;
- on time: handed over exactly at the expected turn (not earlier, not later);
- right primary reason: required hand-overs whose first reason is the expected primary one;
- unnecessary: conversations that should stay with the AI but were handed over;
- per-reason recall: for each expected reason, how often it was among the reasons that fired;
- latency: decide() per turn and the brief per hand-over (p50/p99), as timed inside the replay.

Honest measurement: the scenarios are split once, deterministically, into a *dev* half (look at its
failures when tuning rules, thresholds and cues) and a *held-out* half (only ever read as a number).
Within each file the ids are ordered by a stable hash and alternate dev / held-out, so every theme
sits in both halves. `run()` scores dev, held-out and all.
"""

from __future__ import annotations

import hashlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "tests" / "scenarios"
# Written by someone who had seen neither the rules nor their results (2026-11-23), measured once after
# the last change: the honest estimate for conversations written by others. Never tuned on.
FRESH = ROOT / "tests" / "scenarios_fresh"
# Written the same way on 2026-11-23 and kept unopened until one measurement after the next session's last
# change (fresh was read for failures after its own run, so it is spent). Measured once in session 11,
# then read for failures in session 12: spent too.
UNSEEN = ROOT / "tests" / "scenarios_unseen"
# The second unseen set, written blind in session 11, first run in session 12's one measurement, then read
# for failures in session 13: spent.
UNSEEN2 = ROOT / "tests" / "scenarios_unseen2"
# The third, written blind in session 12 and first run in session 13's one measurement.
UNSEEN3 = ROOT / "tests" / "scenarios_unseen3"
# The sets written by others, each scored as its own column next to dev and held-out (column titles).
LATER_SETS = {"fresh": FRESH, "unseen": UNSEEN, "unseen2": UNSEEN2, "unseen3": UNSEEN3}
LATER_TITLES = {
    "fresh": "fresh (spent)",
    "unseen": "unseen (spent)",
    "unseen2": "unseen 2 (spent)",
    "unseen3": "unseen 3",
}
RESULTS = ROOT / "bench" / "results" / "handoff.json"
TARGETS = {"recall": 0.97, "right_primary_reason": 0.90, "unnecessary_handover_rate": 0.10}
# The main CLI first; the hand-over module's own entry point if another domain's commands fail to load.
CLIS = ([sys.executable, "-m", "tandem.cli"], [sys.executable, "-m", "tandem.handoff.cli"])
ENV = {**os.environ, "PYTHONWARNINGS": "ignore"}
TIMEOUT_S = 1800
SPLITS = ("dev", "held_out")


def load_scenarios(folder: Path = SCENARIOS) -> list[dict[str, Any]]:
    scenarios = []
    for path in sorted(folder.glob("*.yaml")):
        for scenario in yaml.safe_load(path.read_text(encoding="utf-8")) or []:
            scenarios.append({**scenario, "file": path.name})
    return scenarios


def split_of(scenarios: list[dict[str, Any]]) -> dict[str, str]:
    """Scenario id -> "dev" or "held_out": stable hash order within each file, alternating halves."""
    by_file: dict[str, list[str]] = defaultdict(list)
    for scenario in scenarios:
        by_file[scenario["file"]].append(scenario["id"])
    split: dict[str, str] = {}
    for ids in by_file.values():
        ordered = sorted(ids, key=lambda i: hashlib.sha256(i.encode("utf-8")).hexdigest())
        split.update({scenario_id: SPLITS[n % 2] for n, scenario_id in enumerate(ordered)})
    return split


def to_replay_line(scenario: dict[str, Any]) -> str:
    line = {"id": scenario["id"], "turns": scenario["turns"]}
    if scenario.get("customer"):
        line["customer"] = {k: v for k, v in scenario["customer"].items() if v is not None}
    return json.dumps(line, ensure_ascii=False, default=str)


def replay(scenarios: list[dict[str, Any]], workdir: Path) -> tuple[dict[str, dict[str, Any]], list[str]]:
    """Run `tandem replay --json`; the replayed conversations by id, and the command that ran."""
    source = workdir / "scenarios.jsonl"
    source.write_text("\n".join(to_replay_line(s) for s in scenarios) + "\n", encoding="utf-8")
    failure = ""
    for cli in CLIS:
        command = [*cli, "replay", str(source), "--json"]
        done = subprocess.run(command, capture_output=True, text=True, env=ENV, timeout=TIMEOUT_S, check=False)
        if done.returncode == 0:
            results = [json.loads(line) for line in done.stdout.splitlines() if line.strip()]
            return {r["id"]: r for r in results if r.get("id") is not None}, command[:4]
        failure = done.stderr[-2000:]
    raise RuntimeError(f"tandem replay failed:\n{failure}")


def score(scenarios: list[dict[str, Any]], replayed: dict[str, dict[str, Any]]) -> dict[str, Any]:
    required = [s for s in scenarios if s["expected"]["owner"] == "human"]
    stay = [s for s in scenarios if s["expected"]["owner"] == "ai"]
    handed, on_time, early, late, right_primary, errors, ai_spoke_after = 0, 0, 0, 0, 0, 0, 0
    per_reason: dict[str, list[bool]] = defaultdict(list)
    misses: list[dict[str, Any]] = []
    for scenario in scenarios:
        result = replayed.get(scenario["id"])
        if result is None or "error" in result:
            errors += 1
            continue
        ai_spoke_after += _ai_replies_after_handover(result)
    for scenario in required:
        expected, result = scenario["expected"], replayed.get(scenario["id"]) or {}
        final = result.get("final") or {}
        fired = final.get("reasons") or []
        if final.get("owner") == "human":
            handed += 1
            turn = final.get("handover_turn")
            on_time += turn == expected["handover_turn"]
            early += turn is not None and turn < expected["handover_turn"]
            late += turn is not None and turn > expected["handover_turn"]
        right = bool(fired) and fired[0] == expected["reasons"][0]
        right_primary += right
        for reason in expected["reasons"]:
            per_reason[reason].append(reason in fired)
        if not right:
            misses.append(
                {"id": scenario["id"], "expected": expected["reasons"], "got": fired, "owner": final.get("owner")}
            )
    unnecessary = [
        {"id": s["id"], "got": final.get("reasons") or []}
        for s in stay
        if (final := (replayed.get(s["id"]) or {}).get("final") or {}).get("owner") == "human"
    ]
    return {
        "conversations": len(scenarios),
        "required_handovers": len(required),
        "should_stay_with_ai": len(stay),
        "replay_errors": errors,
        "recall": _ratio(handed, len(required)),
        "on_time_rate": _ratio(on_time, len(required)),
        "early_handovers": early,
        "late_handovers": late,
        "right_primary_reason": _ratio(right_primary, len(required)),
        "unnecessary_handover_rate": _ratio(len(unnecessary), len(stay)),
        "per_reason_recall": {
            reason: {"recall": _ratio(sum(hits), len(hits)), "conversations": len(hits)}
            for reason, hits in sorted(per_reason.items())
        },
        "ai_replies_after_handover": ai_spoke_after,
        "unnecessary_by_primary_reason": dict(Counter(u["got"][0] for u in unnecessary if u["got"]).most_common()),
        "wrong_primary_by_reason_given": dict(
            Counter(m["got"][0] if m["got"] else "none" for m in misses).most_common()
        ),
        "unnecessary_handovers": unnecessary,
        "wrong_primary_reason": misses,
    }


def _ai_replies_after_handover(result: dict[str, Any]) -> int:
    handed = False
    spoke = 0
    for turn in result.get("turns", []):
        spoke += handed and turn.get("reply") is not None
        handed = handed or turn.get("owner") == "human"
    return spoke


def latency(replayed: dict[str, dict[str, Any]]) -> dict[str, Any]:
    decide = [ms for r in replayed.values() for ms in (r.get("timings") or {}).get("decide_ms", [])]
    brief = [b for r in replayed.values() if (b := (r.get("timings") or {}).get("brief_ms")) is not None]
    return {"decide_ms": _percentiles(decide), "brief_ms": _percentiles(brief)}


def _percentiles(values: list[float]) -> dict[str, float | int | None]:
    if not values:
        return {"count": 0, "p50": None, "p99": None}
    ordered = sorted(values)
    p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
    return {"count": len(values), "p50": round(statistics.median(ordered), 3), "p99": round(p99, 3)}


def _ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def markdown(results: dict[str, Any]) -> str:
    quality, timing = results["quality"], results["latency"]
    halves = results.get("splits", {})
    rows = [
        ("recall of required hand-overs", "recall", f"≥ {TARGETS['recall']}"),
        ("right primary reason", "right_primary_reason", f"≥ {TARGETS['right_primary_reason']}"),
        ("unnecessary hand-overs", "unnecessary_handover_rate", f"≤ {TARGETS['unnecessary_handover_rate']}"),
        ("handed over on the expected turn", "on_time_rate", ""),
    ]
    lines = [
        "## Hand-over scenarios (tests/scenarios, replayed through the real pipeline)",
        "",
        f"{quality['conversations']} conversations ({quality['required_handovers']} must hand over, "
        f"{quality['should_stay_with_ai']} must stay with the AI), replayed with `{' '.join(results['command'][1:])}`.",
        "",
        "| measure | dev | held-out | all | " + " | ".join(LATER_TITLES.values()) + " | target |",
        "|---|---|---|---|" + "---|" * len(LATER_TITLES) + "---|",
        *[
            f"| {name} | {_in(halves, 'dev', key)} | {_in(halves, 'held_out', key)} | {quality[key]} | "
            + " | ".join(str(_in(halves, later, key)) for later in LATER_TITLES)
            + f" | {target} |"
            for name, key, target in rows
        ],
        "",
        f"*fresh*: {_in(halves, 'fresh', 'conversations')} conversations in tests/scenarios_fresh, written by "
        "someone who had seen neither the rules nor any result; measured once, then read for failures (spent). "
        f"*unseen* and *unseen 2*: {_in(halves, 'unseen', 'conversations')} and "
        f"{_in(halves, 'unseen2', 'conversations')} conversations in tests/scenarios_unseen and "
        "tests/scenarios_unseen2, written the same way, each measured once and then read for failures (spent). "
        f"*unseen 3*: {_in(halves, 'unseen3', 'conversations')} conversations in tests/scenarios_unseen3, written "
        "the same way and first run in this measurement: the honest estimate for conversations written by others.",
        "",
        "| reason | dev | held-out | all | "
        + " | ".join(title.removesuffix(" (spent)") for title in LATER_TITLES.values())
        + " | conversations (all) |",
        "|---|---|---|---|" + "---|" * len(LATER_TITLES) + "---|",
        *[
            f"| {r} | {_reason_in(halves, 'dev', r)} | {_reason_in(halves, 'held_out', r)} | {v['recall']} | "
            + " | ".join(str(_reason_in(halves, later, r)) for later in LATER_TITLES)
            + f" | {v['conversations']} |"
            for r, v in quality["per_reason_recall"].items()
        ],
        "",
        f"decide(): p50 {timing['decide_ms']['p50']} ms, p99 {timing['decide_ms']['p99']} ms; "
        f"brief: p50 {timing['brief_ms']['p50']} ms, p99 {timing['brief_ms']['p99']} ms. "
        f"AI replies after a hand-over: {quality['ai_replies_after_handover']}.",
    ]
    return "\n".join(lines)


def _in(halves: dict[str, Any], half: str, key: str) -> Any:
    return (halves.get(half) or {}).get(key)


def _reason_in(halves: dict[str, Any], half: str, reason: str) -> Any:
    return ((halves.get(half) or {}).get("per_reason_recall") or {}).get(reason, {}).get("recall")


def run() -> dict[str, Any]:
    started = time.perf_counter()
    scenarios = load_scenarios()
    # BENCH_FRESH=0 while still changing things, so the unseen set stays unseen until the final run.
    others = os.environ.get("BENCH_FRESH", "1") != "0"
    later = {name: load_scenarios(folder) for name, folder in LATER_SETS.items() if folder.exists() and others}
    split = split_of(scenarios)
    with tempfile.TemporaryDirectory(prefix="handoff-bench-") as scratch:
        replayed, command = replay(scenarios + [s for group in later.values() for s in group], Path(scratch))
    halves = {half: score([s for s in scenarios if split[s["id"]] == half], replayed) for half in SPLITS}
    halves.update({name: score(group, replayed) for name, group in later.items()})
    results: dict[str, Any] = {
        "quality": score(scenarios, replayed),
        "splits": halves,
        "latency": latency(replayed),
        "targets": TARGETS,
        "command": command,
        "seconds": round(time.perf_counter() - started, 1),
    }
    results["met_targets"] = {
        "recall": (results["quality"]["recall"] or 0) >= TARGETS["recall"],
        "right_primary_reason": (results["quality"]["right_primary_reason"] or 0) >= TARGETS["right_primary_reason"],
        "unnecessary_handover_rate": (results["quality"]["unnecessary_handover_rate"] or 0)
        <= TARGETS["unnecessary_handover_rate"],
    }
    results["markdown"] = markdown(results)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    return results


def main() -> None:
    results = run()
    print(results["markdown"])


if __name__ == "__main__":
    main()
