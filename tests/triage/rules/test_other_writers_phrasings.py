"""Phrasings read on the spent fresh hand-over set (tests/scenarios_fresh) after its one run: each cue
detector fires on how another writer put it, and stays quiet on the nearest look-alike."""

from __future__ import annotations

import importlib

import pytest

CASES = [
    ("human_request", "could somebody from your delivery team give me a ring on the number on my account", True),
    ("human_request", "would it be possible for someone from your team to call me?", True),
    ("human_request", "the courier can give me a ring when he's near", False),
    ("public_escalation", "I have written to my MP about the way this has been handled", True),
    ("public_escalation", "and copied your chief executive's office in", True),
    ("public_escalation", "I write a column for one of the Sunday papers. I may well include it.", True),
    ("public_escalation", "I read your blog, will you cover the new range?", False),
    ("exception_request", "Any chance you could let that one go?", True),
    ("churn", "i reckon i'll just start going to dunelm and ikea from now on", True),
    ("churn", "I'll start going to the gym from January", False),
    ("urgent_risk", "I've had to leave because of my partner and he can't find out where I've gone", True),
    ("vulnerability", "I've had to leave because of my partner and he can't find out where I've gone", True),
    ("misunderstanding", "That's Leicester again I'm afraid. L E E D S.", True),
    ("misunderstanding", "It's Leeds I need, the one at Birstall", True),
    ("misunderstanding", "it's something I need for friday", False),
    ("misunderstanding", "no sorry the wardrobe, not the bedside tables", True),
    ("misunderstanding", "that's lovely again, thank you so much", False),
]


@pytest.mark.parametrize(("module", "text", "fires"), CASES)
def test_other_writers_phrasings(module: str, text: str, fires: bool) -> None:
    detector = importlib.import_module(f"tandem.triage.rules.{module}").detector
    assert detector.detect(text).fired is fires
