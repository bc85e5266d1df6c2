"""Which departments one message touches, from keyword cues; several at once suggests a hand-over.

``Hit.labels`` are departments among ``DEPARTMENTS``, ``Hit.evidence`` the cue words. ``fired`` is true
as soon as one department is touched; callers compare ``len(labels)`` for multi-department messages.
"""

from __future__ import annotations

from tandem.triage.detector import Detector
from tandem.triage.rules._engine import CueDetector

DEPARTMENTS = (
    "orders",
    "billing",
    "shipping",
    "accounts",
    "customer_service",
    "sales",
    "appointments",
    "store",
    "product",
)

_cues = CueDetector("departments")
detector: Detector = _cues


def departments_touched(text: str) -> list[str]:
    """Departments in the fixed order of ``DEPARTMENTS``, so that results compare across messages."""
    found = set(_cues.detect(text).labels)
    return [d for d in DEPARTMENTS if d in found]
