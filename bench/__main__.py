"""`make bench`: run every benchmark, save bench/results/*.json, and rewrite docs/benchmarks.md.

Run one with `python -m bench http` (names: http, triage, handoff, analytics).
"""

from __future__ import annotations

import importlib
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.report import write_report

RESULTS = Path(__file__).parent / "results"
SUITES = {
    "http": "bench.http_bench",
    "triage": "bench.triage_bench",
    "handoff": "bench.handoff_bench",
    "analytics": "bench.analytics_bench",
    "ui": "bench.ui_bench",
    "knowledge": "bench.knowledge_bench",
    "assistant": "bench.assistant_bench",
}


def run_suite(name: str) -> Any:
    module = importlib.import_module(SUITES[name])
    if name == "http":
        with tempfile.TemporaryDirectory() as folder:
            return module.run(Path(folder))
    return module.run()


def main(names: list[str]) -> int:
    RESULTS.mkdir(exist_ok=True)
    for name in names or list(SUITES):
        started = time.perf_counter()
        print(f"bench: {name}…", flush=True)
        try:
            result = run_suite(name)
        except ModuleNotFoundError as exc:
            print(f"bench: {name} skipped ({exc})")
            continue
        (RESULTS / f"{name}.json").write_text(json.dumps(result, indent=2, default=str) + "\n")
        print(f"bench: {name} done in {time.perf_counter() - started:.0f} s")
    write_report(RESULTS, Path("docs/benchmarks.md"))
    print("bench: wrote docs/benchmarks.md")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
