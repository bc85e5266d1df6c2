"""The customer says they will leave: close the account, cancel a membership or recurring order, or move
their custom to a competitor. ``Hit.labels`` is ``leaving``; ``Hit.evidence`` the phrases.

Leaving only matters for a high-value customer; the hand-over rule checks the profile, not this detector.
"""

from __future__ import annotations

from tandem.triage.detector import Detector
from tandem.triage.rules._engine import CueDetector

detector: Detector = CueDetector("churn")
