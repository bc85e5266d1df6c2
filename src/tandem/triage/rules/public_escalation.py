"""Threats to go public: social media posts, the press, or bad public reviews.

Labels: ``social_media``, ``press``, ``reviews``. Mentioning a platform is not a threat ("I saw your ad on
Facebook"); a cue needs a verb of posting or telling, or a review that is explicitly bad.
"""

from __future__ import annotations

from tandem.triage.detector import Detector
from tandem.triage.rules._engine import CueDetector

LABELS = ("social_media", "press", "reviews")

detector: Detector = CueDetector("public_escalation")
