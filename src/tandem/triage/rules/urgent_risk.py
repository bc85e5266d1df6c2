"""A risk to the customer's safety right now: self-harm, suicide, abuse, immediate danger.

Not a fifth vulnerability driver (those stay the regulator's four, and these phrases also flag the
driver they belong to, usually health or life events): a separate evidence key, `urgent_risk`, that the
hand-over policy reads to make the hand-over urgent and the brief reads to put safety first.
"""

from __future__ import annotations

from tandem.triage.detector import Detector
from tandem.triage.rules._engine import CueDetector

detector: Detector = CueDetector("urgent_risk")
