"""The customer says the assistant misunderstood them ("that's not what I asked", "no, I said...").

The customer's own confusion ("I don't understand my bill") is not a misunderstanding by the assistant;
the vulnerability detector reads that as a capability cue instead.
"""

from __future__ import annotations

from tandem.triage.detector import Detector
from tandem.triage.rules._engine import CueDetector

detector: Detector = CueDetector("misunderstanding")
