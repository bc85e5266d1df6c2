"""Complaints as complaint-handling rules define them: any expression of dissatisfaction, justified or not.

Labels: ``explicit_complaint``, ``dissatisfaction``, ``service_failure`` (delays, silence, chasing),
``fault`` (broken, wrong or missing goods) and ``staff_conduct``. Broad on purpose: under such rules a
missed complaint is a compliance failure, an extra one is only a closer look.
"""

from __future__ import annotations

from tandem.triage.detector import Detector
from tandem.triage.rules._engine import CueDetector

LABELS = ("explicit_complaint", "dissatisfaction", "service_failure", "fault", "staff_conduct")

detector: Detector = CueDetector("complaint")
