"""Billing disputes and legal threats.

Labels: ``billing`` (wrong or unexpected charges), ``chargeback`` (going to the bank or card issuer),
``unauthorised`` (fraud, charges the customer did not make), ``double_charge`` and ``legal`` (lawyers,
courts, regulators and ombudsmen). Professions mentioned in passing ("my husband is a lawyer") and
everyday uses of "charge" or "court" are not cues.
"""

from __future__ import annotations

from tandem.triage.detector import Detector
from tandem.triage.rules._engine import CueDetector

LABELS = ("billing", "chargeback", "unauthorised", "double_charge", "legal")

detector: Detector = CueDetector("dispute")
