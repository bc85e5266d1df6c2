"""Phrasing sets for the rule detectors and the pass-rate arithmetic their tests share.

``design_phrasings.yaml`` holds the two thirds of the phrasings the cues were written against;
``heldout_phrasings.yaml`` the third that was set aside before any cue existed and never used for tuning.
Held-out thresholds are lower on purpose: they measure how the cues generalise, not how they were fitted.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from tandem.triage.detector import Detector

HERE = Path(__file__).parent
DESIGN = "design"
HELDOUT = "heldout"

# Thresholds fixed before the held-out set was first run.
RECALL_FLOOR = {DESIGN: 0.9, HELDOUT: 0.75}
FALSE_POSITIVE_CEILING = {DESIGN: 0.1, HELDOUT: 0.25}


@dataclass(frozen=True)
class Rate:
    value: float
    failures: list[str]

    def explain(self) -> str:
        return f"rate {self.value:.2f}; failures:\n  " + "\n  ".join(self.failures)


@cache
def phrasings(which: str) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((HERE / f"{which}_phrasings.yaml").read_text(encoding="utf-8"))
    return data


def positives(which: str, behaviour: str) -> list[tuple[str, Any]]:
    """(text, expected label or labels or None) for each positive phrasing."""
    items = phrasings(which)[behaviour]["positives"]
    return [(item[0], item[1]) if isinstance(item, list) else (item, None) for item in items]


def negatives(which: str, behaviour: str) -> list[str]:
    return list(phrasings(which)[behaviour]["negatives"])


def _labels_ok(expected: Any, labels: tuple[str, ...]) -> bool:
    if expected is None:
        return True
    if isinstance(expected, list):
        return set(expected) <= set(labels)
    return bool(expected in labels)


def recall(detector: Detector, which: str, behaviour: str, check_labels: bool = True) -> Rate:
    """Share of positives on which the detector fires (with the expected label when ``check_labels``)."""
    cases = positives(which, behaviour)
    failures = []
    for text, expected in cases:
        hit = detector.detect(text)
        if not hit.fired or (check_labels and not _labels_ok(expected, hit.labels)):
            failures.append(f"{text!r}: expected {expected}, got {hit.labels} {hit.evidence}")
    return Rate(1 - len(failures) / len(cases), failures)


def false_positive_rate(detector: Detector, which: str, behaviour: str) -> Rate:
    cases = negatives(which, behaviour)
    failures = [f"{t!r}: {h.labels} {h.evidence}" for t in cases if (h := detector.detect(t)).fired]
    return Rate(len(failures) / len(cases), failures)
