"""Frustration: a model trained on GoEmotions (anger ∪ annoyance ∪ disgust vs the rest) plus the cues
that only a support desk sees (repeat contacts, "third time", shouting), and its trajectory over the
conversation.

The model reads the shared MiniLM embedding, word/char TF-IDF and a few style features (VADER, capitals,
exclamation marks). Its probability is mapped so that the threshold tuned on GoEmotions dev sits at 0.5:
the score means the same thing whatever the model's calibration, and "frustrated" is `score >= 0.5`
unless an operator sets another threshold.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from tandem.triage.features import FloatArray, TfidfBlock, sparse_scores
from tandem.triage.model_files import read_model
from tandem.triage.signals import EmotionSignal, Trajectory, TriageContext

MODEL_DIR = Path(__file__).parent / "models"
MODEL_NPZ = "emotion.npz"
MODEL_JSON = "emotion.json"
FORMAT_VERSION = 1
DECISION_POINT = 0.5
STYLE_FEATURES = ("vader_neg", "vader_pos", "vader_compound", "caps_ratio", "exclamations", "question_bangs")

_PLACEHOLDER = re.compile(r"\[[A-Z_]+\]")  # privacy redactions such as [EMAIL] are not shouting
_LETTERS = re.compile(r"[A-Za-z]")
_SHOUTED_WORD = re.compile(r"\b[A-Z]{2,}\b")
_REPEATED_BANGS = re.compile(r"!{2,}|\?{3,}|\?!|!\?")
# Support-desk phrases, rare in the Reddit comments the model learned from, so they are added on top of
# the model. Exasperation says the customer is fed up; repetition says they have had to come back.
_EXASPERATION = re.compile(
    r"\b(?:(?:second|third|fourth|fifth|\d+(?:st|nd|rd|th)|umpteenth|hundredth) time|how many (?:more )?times"
    r"|yet again|again and again|over and over|every single time|fed up|sick (?:and tired )?of|unacceptable"
    r"|ridiculous|unbelievable|disgrace(?:ful)?|useless|pathetic|(?:beyond|is|are) a (?:joke|farce)|you people"
    r"|(?:no ?one|nobody) ever"
    # Anger the customer states outright: "I am very angry now", "I'm absolutely fuming".
    r"|i(?:'?m| am) (?:(?:so|very|really|absolutely|getting|now|bloody|quite|extremely) )*"
    r"(?:angry|furious|livid|fuming|raging|seething|incensed)"
    # Scorn as a question: "Does anyone in your warehouse actually know how to pack a box??"
    r"|(?:does|do|is|are) (?:any ?one|any ?body|you(?: people| lot| guys)?)(?: \w+){0,4}? (?:actually|even|ever)"
    r" (?:know|care|read|check|bother|listen|work|there|reading|listening|working))\b",
    re.IGNORECASE,
)
_REPETITION = re.compile(
    r"\b(?:(?:still|keep) (?:waiting|not|no|haven'?t|hasn'?t|can'?t)"
    r"|(?:no ?one|nobody) (?:has )?(?:replied|replies|reply|answered|answers|answer|responded|responds"
    r"|got back|gets back|helps?)"
    r"|already (?:told|explained|called|emailed|sent|asked)|for weeks|for ages)\b",
    re.IGNORECASE,
)


class EmotionModelError(RuntimeError):
    """The committed emotion model is missing or unreadable."""


@dataclass
class EmotionModel:
    """Linear model over [embedding, word TF-IDF, char TF-IDF, style features] -> P(anger-like)."""

    word: TfidfBlock
    char: TfidfBlock
    w_emb: FloatArray
    w_word: FloatArray
    w_char: FloatArray
    w_style: FloatArray
    bias: float
    model_threshold: float
    meta: dict[str, Any] = field(default_factory=dict)

    def probability(self, embeddings: FloatArray, texts: Sequence[str]) -> FloatArray:
        logits = embeddings @ self.w_emb + style_matrix(texts) @ self.w_style + self.bias
        for row, text in enumerate(texts):
            logits[row] += sparse_scores(self.word, self.w_word[:, None], text)[0]
            logits[row] += sparse_scores(self.char, self.w_char[:, None], text)[0]
        return np.asarray(1.0 / (1.0 + np.exp(-logits)), dtype=np.float32)

    def score(self, embeddings: FloatArray, texts: Sequence[str]) -> FloatArray:
        """Probabilities rescaled so that the tuned model threshold maps to DECISION_POINT."""
        return rescale(self.probability(embeddings, texts), self.model_threshold)

    def save(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        np.savez_compressed(
            directory / MODEL_NPZ,
            w_emb=self.w_emb, w_word=self.w_word, w_char=self.w_char, w_style=self.w_style,
            word_idf=self.word.idf, char_idf=self.char.idf,
        )  # fmt: skip
        manifest = {
            "format_version": FORMAT_VERSION,
            "bias": self.bias,
            "model_threshold": self.model_threshold,
            "style_features": list(STYLE_FEATURES),
            "word_terms": self.word.terms(),
            "char_terms": self.char.terms(),
            "meta": self.meta,
        }
        (directory / MODEL_JSON).write_text(json.dumps(manifest, ensure_ascii=False) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, directory: Path = MODEL_DIR) -> EmotionModel:
        stored = read_model(directory, MODEL_NPZ, MODEL_JSON)
        if stored is None:
            raise EmotionModelError(f"{directory / MODEL_JSON} is missing: run scripts/train_emotion.py")
        manifest, data = stored
        if manifest.get("format_version") != FORMAT_VERSION or manifest["style_features"] != list(STYLE_FEATURES):
            raise EmotionModelError(f"{directory}: emotion model of another format; run scripts/train_emotion.py")
        return cls(
            word=TfidfBlock.from_terms("word", manifest["word_terms"], data["word_idf"]),
            char=TfidfBlock.from_terms("char", manifest["char_terms"], data["char_idf"]),
            w_emb=data["w_emb"], w_word=data["w_word"], w_char=data["w_char"], w_style=data["w_style"],
            bias=float(manifest["bias"]),
            model_threshold=float(manifest["model_threshold"]),
            meta=dict(manifest["meta"]),
        )  # fmt: skip


def rescale(probability: FloatArray, threshold: float) -> FloatArray:
    """Monotone piecewise-linear map with threshold -> 0.5, 0 -> 0 and 1 -> 1."""
    low = probability / threshold * DECISION_POINT
    high = DECISION_POINT + (probability - threshold) / (1.0 - threshold) * (1.0 - DECISION_POINT)
    return np.asarray(np.where(probability < threshold, low, high), dtype=np.float32)


@cache
def _vader() -> Any:
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    return SentimentIntensityAnalyzer()


@lru_cache(maxsize=512)
def polarity(text: str) -> dict[str, float]:
    """VADER scores, cached: features, cues and the label all ask for the same message's scores."""
    scores: dict[str, float] = _vader().polarity_scores(text)
    return scores


def caps_ratio(text: str) -> float:
    """Share of letters in capitals, ignoring privacy placeholders; 0 for very short texts."""
    letters = _LETTERS.findall(_PLACEHOLDER.sub("", text))
    if len(letters) < 8:
        return 0.0
    return float(sum(c.isupper() for c in letters) / len(letters))


def style_features(text: str) -> list[float]:
    sentiment = polarity(text)
    return [
        sentiment["neg"],
        sentiment["pos"],
        sentiment["compound"],
        caps_ratio(text),
        float(np.log1p(text.count("!"))),
        float(len(_REPEATED_BANGS.findall(text)) > 0),
    ]


def style_matrix(texts: Sequence[str]) -> FloatArray:
    return np.array([style_features(t) for t in texts], dtype=np.float32).reshape(len(texts), len(STYLE_FEATURES))


# ---- support-desk cues and the final signal -------------------------------------------------------


@dataclass(frozen=True)
class CueWeights:
    """How much each support cue lifts the score (combined as independent evidence, noisy-OR)."""

    exasperation: float = 0.5
    repetition: float = 0.35
    shouting: float = 0.45
    bangs: float = 0.15
    repeat_contacts: float = 0.25
    per_extra_contact: float = 0.05
    cap: float = 0.6


def support_cues(text: str, context: TriageContext, repeat_contacts: int) -> dict[str, float]:
    """Cue name -> lift, for the cues present in this message and its context."""
    weights = CueWeights()
    found: dict[str, float] = {}
    for match in _REPETITION.finditer(text):
        found[match.group(0).lower()] = weights.repetition
    for match in _EXASPERATION.finditer(text):
        found[match.group(0).lower()] = weights.exasperation
    if caps_ratio(text) >= 0.7 and len(_SHOUTED_WORD.findall(_PLACEHOLDER.sub("", text))) >= 3:
        # Capitals in a cheerful message are excitement ("THANK YOU SO MUCH"), not anger.
        cheerful = polarity(text)["compound"] >= 0.25
        found["ALL CAPS"] = weights.shouting * (0.3 if cheerful else 1.0)
    if _REPEATED_BANGS.search(text):
        found["!!!"] = weights.bangs
    if context.prior_contacts_7d >= repeat_contacts:
        extra = context.prior_contacts_7d - repeat_contacts
        lift = weights.repeat_contacts + weights.per_extra_contact * extra
        found[f"{context.prior_contacts_7d} contacts in 7 days"] = min(lift, weights.cap)
    return found


def combine(model_score: float, cues: dict[str, float]) -> float:
    """Noisy-OR of the model and the cues, with the total lift capped so cues alone never max out."""
    remaining = 1.0
    for lift in cues.values():
        remaining *= 1.0 - lift
    lift_total = min(1.0 - remaining, CueWeights().cap)
    return float(1.0 - (1.0 - model_score) * (1.0 - lift_total))


def trajectory(current: float, previous: Sequence[float], delta: float) -> Trajectory:
    """Rising/easing against the mean of the last two earlier scores; steady on a first message."""
    if not previous:
        return "steady"
    recent = float(np.mean(previous[-2:]))
    if current - recent >= delta:
        return "rising"
    if recent - current >= delta:
        return "easing"
    return "steady"


def label_for(score: float, threshold: float, compound: float) -> str:
    if score >= max(threshold, 0.8):
        return "angry"
    if score >= threshold:
        return "frustrated"
    if score >= threshold * 0.7:
        return "annoyed"
    return "positive" if compound >= 0.5 else "neutral"


@dataclass(frozen=True)
class FrustrationReading:
    signal: EmotionSignal
    evidence: list[str]


def read_frustration(
    model_score: float,
    text: str,
    context: TriageContext,
    threshold: float = DECISION_POINT,
    trajectory_delta: float = 0.12,
    repeat_contacts: int = 2,
) -> FrustrationReading:
    """The emotion signal for one message, from the model's score, the text's cues and the context."""
    cues = support_cues(text, context, repeat_contacts)
    score = round(combine(model_score, cues), 4)
    signal = EmotionSignal(
        frustration=score,
        frustrated=score >= threshold,
        label=label_for(score, threshold, polarity(text)["compound"]),
        trajectory=trajectory(score, context.previous_frustration, trajectory_delta),
    )
    return FrustrationReading(signal, list(cues))


# ---- training (scripts/train_emotion.py) ---------------------------------------------------------


def train_emotion_model(
    texts: Sequence[str],
    positive: Sequence[bool],
    embeddings: FloatArray,
    c: float = 1.0,
    seed: int = 13,
) -> EmotionModel:
    """Logistic regression on the full feature set; the threshold is tuned separately (tune_threshold)."""
    from scipy import sparse
    from sklearn.linear_model import LogisticRegression

    # min_df keeps the committed vocabulary small (~110k terms) without costing F1 on dev.
    word = TfidfBlock.fit(texts, "word", min_df=2)
    char = TfidfBlock.fit(texts, "char", min_df=5)
    style = style_matrix(texts)
    features = sparse.hstack(
        [sparse.csr_matrix(embeddings), word.matrix(texts), char.matrix(texts), sparse.csr_matrix(style)]
    ).tocsr()
    model = LogisticRegression(C=c, max_iter=3000, random_state=seed).fit(features, np.asarray(positive))
    coef = np.asarray(model.coef_[0], dtype=np.float32)
    d, vw, vc = embeddings.shape[1], word.size, char.size
    return EmotionModel(
        word=word,
        char=char,
        w_emb=coef[:d],
        w_word=coef[d : d + vw],
        w_char=coef[d + vw : d + vw + vc],
        w_style=coef[d + vw + vc :],
        bias=float(model.intercept_[0]),
        model_threshold=0.5,
    )


def best_f1_threshold(scores: FloatArray, positive: Sequence[bool]) -> tuple[float, float]:
    """(threshold, F1) maximising F1 over a grid of thresholds."""
    truth = np.asarray(positive, dtype=bool)
    best = (0.5, 0.0)
    for cutoff in np.linspace(0.02, 0.98, 97):
        f1 = f1_score(truth, scores >= cutoff)
        if f1 > best[1]:
            best = (float(cutoff), f1)
    return best


def f1_score(truth: np.ndarray[Any, Any], predicted: np.ndarray[Any, Any]) -> float:
    true_pos = float(np.sum(truth & predicted))
    if true_pos == 0:
        return 0.0
    precision = true_pos / float(np.sum(predicted))
    recall = true_pos / float(np.sum(truth))
    return 2 * precision * recall / (precision + recall)
