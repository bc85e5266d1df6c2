"""The routine-skill scenarios (tests/skill_scenarios) stay honest: well formed, and a sample of the dev
split replayed through the real app by the benchmark's own runner (bench/assistant_bench.py).

Scenarios that show a known assistant bug are marked xfail(strict): when the bug is fixed the test
says so, and the mark comes off. The full suite and its numbers: `.venv/bin/python -m bench assistant`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
from bench import assistant_bench as bench

SCENARIOS = bench.load_scenarios()
SPLIT = bench.split_of(SCENARIOS)
# Dev scenarios whose failure is a known assistant bug (see the failures in docs/benchmarks.md).
KNOWN_FAILURES = {
    "collect-information-004": "a calm account-deletion reason is read as frustration",
}


def _sample() -> list[dict[str, Any]]:
    """Per skill, the dev scenario with the fewest turns (ties by id): quick, and the same every run."""
    chosen = []
    for skill in bench.SKILLS:
        dev = [s for s in SCENARIOS if s["file"] == f"{skill}.yaml" and SPLIT[s["id"]] == "dev"]
        chosen.append(min(dev, key=lambda s: (len(s.get("before", [])) * 10 + len(s["turns"]), s["id"])))
    return chosen


def _param(scenario: dict[str, Any]) -> Any:
    reason = KNOWN_FAILURES.get(scenario["id"])
    marks = [pytest.mark.xfail(reason=reason, strict=True)] if reason else []
    return pytest.param(scenario, id=scenario["id"], marks=marks)


@pytest.fixture(scope="module")
def desk() -> Iterator[bench.Desk]:
    if not (bench.MODELS / "minilm.onnx").exists():
        pytest.skip("the models are not built (make models)")
    with bench.desk_in() as seeded:
        yield seeded


class TestScenarioFiles:
    def test_every_skill_has_at_least_eight_conversations(self) -> None:
        per_file = Counter(s["file"] for s in SCENARIOS)
        assert {f"{skill}.yaml": per_file[f"{skill}.yaml"] >= 8 for skill in bench.SKILLS} == {
            f"{skill}.yaml": True for skill in bench.SKILLS
        }

    def test_ids_are_unique(self) -> None:
        ids = Counter(s["id"] for s in SCENARIOS)
        assert [i for i, n in ids.items() if n > 1] == []

    def test_each_says_what_a_good_assistant_ends_with(self) -> None:
        required = {"owner", "resolved", "skill", "situation", "handover_reason"}
        incomplete = [s["id"] for s in SCENARIOS if not required <= set(s["expected"])]
        assert incomplete == []

    def test_a_hand_over_always_names_its_reason(self) -> None:
        silent = [
            s["id"] for s in SCENARIOS if s["expected"]["owner"] == "human" and not s["expected"]["handover_reason"]
        ]
        assert silent == []

    def test_out_of_policy_and_connector_failures_are_covered(self) -> None:
        kinds = Counter(bench.kind_of(s) for s in SCENARIOS)
        assert kinds["out_of_policy"] >= 4
        assert kinds["connector_failure"] >= 2

    def test_both_halves_hold_every_skill(self) -> None:
        halves = {(s["file"], SPLIT[s["id"]]) for s in SCENARIOS}
        assert all((f"{skill}.yaml", half) in halves for skill in bench.SKILLS for half in bench.SPLITS)


class TestDevSample:
    @pytest.mark.parametrize("scenario", [_param(s) for s in _sample()])
    def test_the_assistant_ends_where_a_good_one_would(self, desk: bench.Desk, scenario: dict[str, Any]) -> None:
        result = bench.run_scenario(desk, scenario)
        assert result["differences"] == []
        assert result["unconfirmed_writes"] == []
