"""Requests for something outside standard policy.

Labels: ``fee_waiver``, ``outside_policy`` (late, used or receipt-less returns, expired offers),
``exception`` (explicit pleas: "make an exception", "just this once") and ``goodwill`` (compensation,
gestures). Asking what the policy is does not fire.
"""

from __future__ import annotations

from tandem.triage.detector import Detector
from tandem.triage.rules._engine import CueDetector

LABELS = ("fee_waiver", "outside_policy", "exception", "goodwill")

detector: Detector = CueDetector("exception_request")
