"""Rule-based triage detectors, one behaviour per module, each exposing ``detector`` (a ``Detector``).

Modules whose names start with an underscore are shared machinery, not detectors. ``DETECTOR_MODULES``
lists the behaviour modules in a stable order for callers that prefer not to scan the package.
"""

from __future__ import annotations

import importlib

from tandem.triage.detector import Detector

DETECTOR_MODULES = (
    "vulnerability",
    "dispute",
    "public_escalation",
    "human_request",
    "exception_request",
    "sales",
    "complaint",
    "misunderstanding",
    "departments",
    "language",
    "entities",
    "multi_department",
    "churn",
    "chit_chat",
    "urgent_risk",
    "vague",
)


def load_detectors() -> dict[str, Detector]:
    """Module name -> its ``detector``, importing each module once."""
    detectors: dict[str, Detector] = {}
    for name in DETECTOR_MODULES:
        module = importlib.import_module(f"{__name__}.{name}")
        detectors[name] = module.detector
    return detectors
