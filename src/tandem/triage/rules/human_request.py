"""Explicit requests to deal with a person instead of the assistant.

Labels: ``human`` for any request for a person, ``manager`` when the customer asks for someone senior.
"Agent", "person" or "manager" count only inside a request or as the whole message, so "my agent said"
and "the delivery person" stay quiet; "I don't need a human" is caught by the negation guard.
"""

from __future__ import annotations

from tandem.triage.detector import Detector
from tandem.triage.rules._engine import CueDetector

LABELS = ("human", "manager")

detector: Detector = CueDetector("human_request")
