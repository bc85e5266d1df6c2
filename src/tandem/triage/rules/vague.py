"""A message that leans on references only the customer can resolve ("the thing from before", "the other
bit with the sticker on") and names nothing concrete: no order, date, amount, product, or a word any
department acts on. The intent model still picks *some* intent for it, often confidently; this detector
is the evidence that the assistant has not actually understood (README: `low_confidence`).
``Hit.labels``: ``vague_reference``.
"""

from __future__ import annotations

from tandem.triage.detector import Hit
from tandem.triage.rules._engine import CueDetector
from tandem.triage.rules.entities import detector as entities

# Department words that are themselves vague: "the item", "the product" do not say which.
NOT_CONCRETE = frozenset({"item", "items", "product", "products"})


class VagueDetector:
    name = "vague"

    def __init__(self) -> None:
        self._vague = CueDetector("vague")
        self._departments = CueDetector("departments")

    def detect(self, text: str) -> Hit:
        hit = self._vague.detect(text)
        if not hit.fired or self._names_something(text):
            return Hit.none()
        return hit

    def _names_something(self, text: str) -> bool:
        concrete = [m for m in self._departments.matches(text) if m.phrase.lower() not in NOT_CONCRETE]
        return bool(concrete) or entities.detect(text).fired


detector = VagueDetector()
