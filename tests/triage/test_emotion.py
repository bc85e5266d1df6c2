"""Frustration: the committed GoEmotions model on support phrasings, the support cues it is combined with,
and the conversation trajectory."""

from __future__ import annotations

import numpy as np
import pytest

from tandem.triage.emotion import (
    DECISION_POINT,
    EmotionModel,
    caps_ratio,
    label_for,
    read_frustration,
    rescale,
    trajectory,
)
from tandem.triage.encoder import Encoder, probe_matches
from tandem.triage.signals import TriageContext

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("triage_models")]

FRUSTRATED = [
    "This is the third time I'm contacting you and still no refund!",
    "I'm absolutely fed up with your useless service",
    "Unbelievable. Two weeks and my order still hasn't arrived.",
    "WHERE IS MY ORDER??? I PAID FOR IT A MONTH AGO",
    "You people are a joke, nobody ever answers my emails",
    "I am so angry right now, you charged me twice",
    "This is ridiculous, I've been waiting on hold for an hour",
    "Worst customer service I have ever experienced",
    "I'm sick of being passed from one department to another",
    "Why is it so hard to get a simple answer from you?!",
    "Stop sending me the same useless template reply",
    "I'm furious, the replacement is broken as well",
    "How many times do I have to explain this?",
    "Your company is a disgrace, I want my money back now",
    "I've had enough of this nonsense. Cancel everything.",
    "This is unacceptable, the parcel was thrown over my fence and smashed",
    "Seriously? Another delay? This is getting beyond a joke",
    "I hate this app, it logs me out every single time",
    "Absolutely disgusting service, never again",
    "I'm really annoyed that nobody told me the order was cancelled",
    "I send 4 emails since 10 days and NOBODY answer me!! I am very angry now",
]
CALM = [
    "Hi, could you tell me where my order is?",
    "Thanks so much for your help, that's sorted now",
    "What are your opening hours on Saturday?",
    "I'd like to change my delivery address please",
    "Great service, the parcel arrived early!",
    "Can I pay with PayPal?",
    "Do you have this jacket in a size medium?",
    "My password reset email hasn't arrived yet, could you resend it?",
    "Please cancel my subscription from next month",
    "I love the new sofa, it looks perfect in our living room",
    "Is there a discount for students?",
    "Could you send me a copy of my invoice?",
    "The item was slightly smaller than I expected, can I exchange it?",
    "Good morning! I have a question about my warranty",
    "No rush, just wondering when the sale starts",
    "I'm not angry, just curious when it will ship",
    "Thank you, you've been really helpful",
    "How do I return an item I bought in store?",
    "I think I entered the wrong postcode, can you check?",
    "Happy to wait, just let me know when it ships",
    "Could I book an appointment for next Tuesday?",
]


@pytest.fixture(scope="module")
def emotion() -> EmotionModel:
    return EmotionModel.load()


def frustration(emotion: EmotionModel, encoder: Encoder, texts: list[str], context: TriageContext | None = None):  # type: ignore[no-untyped-def]
    scores = emotion.score(encoder.encode(texts), texts)
    return [read_frustration(float(s), t, context or TriageContext()) for s, t in zip(scores, texts, strict=True)]


def test_committed_model_credits_its_data_and_matches_the_encoder(emotion: EmotionModel, encoder: Encoder) -> None:
    assert "GoEmotions" in emotion.meta["source"] and "Demszky" in emotion.meta["source"]
    assert emotion.meta["f1_dev_held_out_half"] >= 0.5
    assert probe_matches(encoder, emotion.meta["encoder_probe"])


def test_frustrated_customers_are_recognised(emotion: EmotionModel, encoder: Encoder) -> None:
    readings = frustration(emotion, encoder, FRUSTRATED)
    missed = [t for t, r in zip(FRUSTRATED, readings, strict=True) if not r.signal.frustrated]
    assert len(missed) <= 3, missed


def test_calm_customers_are_not_flagged(emotion: EmotionModel, encoder: Encoder) -> None:
    readings = frustration(emotion, encoder, CALM)
    flagged = [t for t, r in zip(CALM, readings, strict=True) if r.signal.frustrated]
    assert len(flagged) <= 1, flagged
    assert all(r.signal.label in {"neutral", "positive", "annoyed"} for r in readings)


def test_scores_are_probabilities_and_separate_the_groups(emotion: EmotionModel, encoder: Encoder) -> None:
    angry = [r.signal.frustration for r in frustration(emotion, encoder, FRUSTRATED)]
    calm = [r.signal.frustration for r in frustration(emotion, encoder, CALM)]
    assert all(0.0 <= s <= 1.0 for s in angry + calm)
    assert np.mean(angry) > np.mean(calm) + 0.4


def test_repeat_contacts_raise_frustration_and_say_why(emotion: EmotionModel, encoder: Encoder) -> None:
    text = ["Any update on my order?"]
    (first,) = frustration(emotion, encoder, text, TriageContext(prior_contacts_7d=0))
    (fourth,) = frustration(emotion, encoder, text, TriageContext(prior_contacts_7d=4))
    assert fourth.signal.frustration > first.signal.frustration + 0.2
    assert "4 contacts in 7 days" in fourth.evidence and not first.evidence


@pytest.mark.parametrize(
    ("plain", "with_cue", "evidence"),
    [
        ("I emailed about my refund.", "This is the third time I emailed about my refund.", "third time"),
        ("my parcel is late, where is it", "MY PARCEL IS LATE, WHERE IS IT", "ALL CAPS"),
        ("my parcel is late, where is it?", "my parcel is late, where is it?!!", "!!!"),
    ],
)
def test_support_cues_raise_frustration(
    emotion: EmotionModel, encoder: Encoder, plain: str, with_cue: str, evidence: str
) -> None:
    before, after = frustration(emotion, encoder, [plain, with_cue])
    assert after.signal.frustration > before.signal.frustration
    assert evidence in after.evidence


def test_redaction_placeholders_are_not_shouting() -> None:
    assert caps_ratio("please update my email to [EMAIL] and phone to [PHONE]") == 0.0
    assert caps_ratio("PLEASE UPDATE MY EMAIL") == 1.0
    assert caps_ratio("OK") == 0.0  # too short to call shouting


@pytest.mark.parametrize(
    ("current", "previous", "expected"),
    [
        (0.8, [0.2, 0.3], "rising"),
        (0.2, [0.9, 0.7], "easing"),
        (0.5, [0.45, 0.55], "steady"),
        (0.9, [], "steady"),
        (0.6, [0.9, 0.1, 0.2], "rising"),  # only the two most recent messages count
    ],
)
def test_trajectory(current: float, previous: list[float], expected: str) -> None:
    assert trajectory(current, previous, delta=0.12) == expected


def test_trajectory_comes_from_the_conversation(emotion: EmotionModel, encoder: Encoder) -> None:
    (reading,) = frustration(
        emotion, encoder, ["This is ridiculous, nobody has replied!!!"], TriageContext(previous_frustration=[0.1, 0.2])
    )
    assert reading.signal.trajectory == "rising"


def test_rescale_puts_the_tuned_threshold_at_the_decision_point() -> None:
    probs = np.array([0.0, 0.15, 0.3, 0.65, 1.0], dtype=np.float32)
    scaled = rescale(probs, threshold=0.3)
    assert scaled[2] == pytest.approx(DECISION_POINT)
    assert scaled[0] == 0.0 and scaled[-1] == pytest.approx(1.0)
    assert np.all(np.diff(scaled) > 0)


def test_threshold_is_configurable() -> None:
    assert read_frustration(0.6, "meh", TriageContext(), threshold=0.5).signal.frustrated
    assert not read_frustration(0.6, "meh", TriageContext(), threshold=0.7).signal.frustrated


@pytest.mark.parametrize(
    ("score", "compound", "label"),
    [
        (0.9, -0.8, "angry"),
        (0.6, -0.5, "frustrated"),
        (0.4, -0.1, "annoyed"),
        (0.1, 0.0, "neutral"),
        (0.05, 0.9, "positive"),
    ],
)
def test_labels(score: float, compound: float, label: str) -> None:
    assert label_for(score, 0.5, compound) == label
