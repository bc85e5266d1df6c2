"""One problem that several departments must act on together (README: `multi_department`).

Almost every message touches two departments by keyword ("order … refund", "parcel … order #"), so a
department count alone is no evidence. This detector fires only when a single message

- names at least two *acting* departments from keyword cues, leaving out the generic neighbours that
  ride along with nearly any request (``orders``: an order number or "returned"; ``customer_service``:
  a complaint about service; ``product``: the item itself), and
- is built as several linked asks: a coordination cue ("all three", "both charges", "on top", "as well",
  ", and the engineer…") ties the parts into one problem;

or names three acting departments at once (a problem that big is one problem however it is phrased).
``Hit.labels`` are the acting departments, ``Hit.evidence`` the department cues and the link phrase.
Two separate quick questions in two messages never fire: the detector reads one message at a time.
"""

from __future__ import annotations

from tandem.triage.detector import Hit
from tandem.triage.rules._engine import CueDetector

# Departments that appear next to almost any request; they never make a message multi-department.
GENERIC_DEPARTMENTS = frozenset({"orders", "customer_service", "product"})
MIN_LINKED = 2  # acting departments needed when the message links its asks
MIN_UNLINKED = 3  # acting departments needed without a link phrase


class MultiDepartmentDetector:
    name = "multi_department"

    def __init__(self) -> None:
        self._departments = CueDetector("departments")
        self._links = CueDetector("multi_department")

    def detect(self, text: str) -> Hit:
        found = self._departments.matches(text)
        # "business account" is sales' phrase: the "account" inside it is not the accounts team as well.
        inside = [
            m
            for m in found
            if any(
                o.start <= m.start and m.end <= o.end and o.end - o.start > m.end - m.start and o.label != m.label
                for o in found
            )
        ]
        matches = [m for m in found if m.label not in GENERIC_DEPARTMENTS and m not in inside]
        acting = tuple(dict.fromkeys(m.label for m in sorted(matches, key=lambda m: m.start)))
        links = self._links.matches(text)
        needed = MIN_LINKED if links else MIN_UNLINKED
        if len(acting) < needed:
            return Hit.none()
        evidence = tuple(dict.fromkeys([*(m.phrase for m in matches), *(m.phrase for m in links)]))
        return Hit(fired=True, evidence=evidence, labels=acting, score=min(1.0, len(acting) / 4))


detector = MultiDepartmentDetector()
