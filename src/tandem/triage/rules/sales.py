"""Sales opportunities worth a person's attention.

Labels: ``upgrade``, ``bulk``, ``business_account``, ``corporate_gifting``, ``quote``, ``enterprise``,
``partnership``, ``resell``.
"""

from __future__ import annotations

from tandem.triage.detector import Detector
from tandem.triage.rules._engine import CueDetector

LABELS = (
    "upgrade",
    "bulk",
    "business_account",
    "corporate_gifting",
    "quote",
    "enterprise",
    "partnership",
    "resell",
)

detector: Detector = CueDetector("sales")
