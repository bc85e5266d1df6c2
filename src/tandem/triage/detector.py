"""The common shape of a rule-based triage detector: one behaviour per module, explainable hits."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol


@dataclass(frozen=True)
class Hit:
    """What a detector found: whether it fired, a detail label, and the exact phrases that triggered it."""

    fired: bool
    evidence: tuple[str, ...] = ()
    labels: tuple[str, ...] = field(default=())
    score: float = 0.0

    @classmethod
    def none(cls) -> Hit:
        return cls(fired=False)


class Detector(Protocol):
    """A detector reads the (redacted) text of one customer message and says what it found."""

    name: str

    def detect(self, text: str) -> Hit: ...
