"""Triage service: one customer message in, every hand-over signal out.

Order matters: the privacy scan runs first and only the redacted text reaches the models and detectors;
one MiniLM pass feeds both the intent and the frustration model; the rule detectors add the rest.
"""

from __future__ import annotations

import importlib
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tandem.triage.build import build_models, default_intents_dir, default_signals_dir
from tandem.triage.detector import Detector, Hit
from tandem.triage.emotion import DECISION_POINT, EmotionModel, read_frustration
from tandem.triage.encoder import Encoder, EncoderError, probe_matches
from tandem.triage.features import FloatArray
from tandem.triage.intents import IntentModel, IntentModelError, IntentPrediction
from tandem.triage.settings import TriageSettings, default_models_dir
from tandem.triage.signal_model import SignalHit, SignalModel, SignalModelError
from tandem.triage.signals import (
    Entity,
    IntentAlternative,
    IntentSignal,
    PiiSpan,
    Signals,
    TriageContext,
    VulnerabilitySignal,
)

log = logging.getLogger(__name__)

RULE_MODULES = (
    "vulnerability", "dispute", "public_escalation", "human_request", "exception_request", "sales",
    "complaint", "misunderstanding", "departments", "language", "entities", "multi_department", "churn",
    "chit_chat", "urgent_risk", "vague",
)  # fmt: skip
# Rule detector -> the boolean Signals field it sets.
FLAG_FIELDS = {
    "dispute": "dispute",
    "public_escalation": "public_escalation_risk",
    "human_request": "human_requested",
    "exception_request": "exception_requested",
    "sales": "sales_opportunity",
    "complaint": "complaint",
    "misunderstanding": "misunderstanding",
}


# Detectors whose evidence is also kept per label (evidence["chargeback"], evidence["legal"], ...), so that
# the hand-over rules can tell a chargeback or a solicitor from a billing error the assistant can fix.
LABELLED_EVIDENCE = ("dispute",)


class TriageSetupError(RuntimeError):
    """Models are missing or do not fit together; the message says which command fixes it."""


class TriageInputError(ValueError):
    """The message cannot be triaged (empty, too long, not text)."""


@dataclass(frozen=True)
class Redaction:
    text: str
    spans: list[PiiSpan]


def _load_privacy_scan() -> Callable[[str], Redaction]:
    try:
        from tandem.privacy import scan
    except ImportError:  # pragma: no cover - the privacy package is written alongside this one
        log.warning("tandem.privacy is unavailable: triage runs WITHOUT redaction")
        return lambda text: Redaction(text, [])

    def redact(text: str) -> Redaction:
        result = scan(text)
        return Redaction(result.redacted, list(result.spans))

    return redact


def load_rule_detectors() -> tuple[dict[str, Detector], dict[str, Any]]:
    """The rule detectors that import cleanly (they are written concurrently; missing ones are skipped)."""
    detectors: dict[str, Detector] = {}
    modules: dict[str, Any] = {}
    for name in RULE_MODULES:
        try:
            module = importlib.import_module(f"tandem.triage.rules.{name}")
            detectors[name] = module.detector
            modules[name] = module
        except (ImportError, AttributeError) as exc:
            log.warning("triage rule detector %s skipped: %s", name, exc)
    return detectors, modules


@dataclass
class Triage:
    encoder: Encoder
    intents: IntentModel | None
    emotion: EmotionModel
    settings: TriageSettings = field(default_factory=TriageSettings)
    detectors: dict[str, Detector] = field(default_factory=dict)
    rule_modules: dict[str, Any] = field(default_factory=dict)
    redact: Callable[[str], Redaction] = field(default_factory=_load_privacy_scan)
    learned: SignalModel | None = None

    @classmethod
    def load(
        cls,
        models_dir: Path | None = None,
        intents_dir: Path | None = None,
        settings: TriageSettings | None = None,
        build_missing: bool = False,
    ) -> Triage:
        """Load everything once. `intents_dir` is a trained intent model; default: the default pack's."""
        settings = settings or TriageSettings()
        root = models_dir or default_models_dir()
        if build_missing:
            build_models(if_missing=True, models_dir=root, default_pack=intents_dir is None)
        try:
            encoder = Encoder.load(root, threads=settings.encoder_threads, batch_size=settings.batch_size)
        except EncoderError as exc:
            raise TriageSetupError(f"{exc} (run `tandem models build`)") from exc
        intents = _load_intents(intents_dir or default_intents_dir(root), encoder, explicit=intents_dir is not None)
        detectors, modules = load_rule_detectors()
        triage = cls(encoder, intents, EmotionModel.load(), settings, detectors, modules)
        triage.learned = _load_learned(default_signals_dir(root), encoder)
        # The first run allocates ORT buffers and loads lexicons: pay for it here, not on a customer's message.
        triage.assess("Hello, where is my order? This is the second time I ask.")
        return triage

    # ---- public API ------------------------------------------------------------------------------
    def assess(self, text: str, context: TriageContext | None = None, catalogue: Sequence[str] = ()) -> Signals:
        return self.assess_batch([text], [context or TriageContext()], catalogue)[0]

    def assess_batch(
        self,
        texts: Sequence[str],
        contexts: Sequence[TriageContext] | None = None,
        catalogue: Sequence[str] = (),
    ) -> list[Signals]:
        """Signals for many messages; `latency_ms` is each message's share of the batch's wall time."""
        started = time.perf_counter()
        if contexts is not None and len(contexts) != len(texts):
            raise ValueError("one context per text, or none")
        for text in texts:
            self.check_input(text)
        redactions = [self.redact(text) for text in texts]
        redacted = [r.text for r in redactions]
        embeddings = self.encoder.encode(redacted)
        predictions = self._predict_intents(embeddings, redacted)
        model_scores = self.emotion.score(embeddings, redacted)
        learned = self.learned.hits(embeddings, redacted) if self.learned is not None else [{} for _ in texts]
        results = []
        for i, redaction in enumerate(redactions):
            context = contexts[i] if contexts is not None else TriageContext()
            signals = self._signals(redaction, predictions[i], float(model_scores[i]), context, catalogue)
            results.append(apply_learned(signals, learned[i]))
        per_message = (time.perf_counter() - started) * 1000 / max(len(texts), 1)
        for signals in results:
            signals.latency_ms = round(per_message, 3)
        return results

    def check_input(self, text: object) -> None:
        if not isinstance(text, str):
            raise TriageInputError("message text must be a string")
        if not text.strip():
            raise TriageInputError("empty message")
        if len(text) > self.settings.max_text_chars:
            raise TriageInputError(f"message longer than {self.settings.max_text_chars} characters")
        if "\x00" in text:
            raise TriageInputError("message contains binary data (NUL bytes)")

    # ---- assembly ----------------------------------------------------------------------------------
    def _predict_intents(self, embeddings: FloatArray, texts: list[str]) -> list[IntentPrediction | None]:
        if self.intents is None:
            return [None] * len(texts)
        return list(self.intents.predict(embeddings, texts, self.settings.oos_threshold, self.settings.alternatives))

    def _signals(
        self,
        redaction: Redaction,
        prediction: IntentPrediction | None,
        model_score: float,
        context: TriageContext,
        catalogue: Sequence[str],
    ) -> Signals:
        text = redaction.text
        signals = Signals(text_redacted=text, pii=redaction.spans)
        if prediction is not None:
            signals.intent = intent_signal(prediction)
            signals.out_of_scope = prediction.out_of_scope
        reading = read_frustration(
            model_score,
            text,
            context,
            threshold=DECISION_POINT
            if self.settings.frustration_threshold is None
            else self.settings.frustration_threshold,
            trajectory_delta=self.settings.trajectory_delta,
            repeat_contacts=self.settings.repeat_contacts,
        )
        signals.emotion = reading.signal
        if reading.evidence:
            signals.evidence["frustration"] = reading.evidence
        self._apply_rules(signals, text, catalogue)
        return signals

    def _apply_rules(self, signals: Signals, text: str, catalogue: Sequence[str]) -> None:
        keyword_departments: list[str] = []
        for name, detector in self.detectors.items():
            hit = detector.detect(text)
            if hit.fired and hit.evidence:
                signals.evidence[name] = list(hit.evidence)
                if name in LABELLED_EVIDENCE:
                    _add_labelled_evidence(signals, detector, text)
            if name in FLAG_FIELDS:
                setattr(signals, FLAG_FIELDS[name], hit.fired)
            elif name == "vulnerability":
                signals.vulnerability = VulnerabilitySignal(
                    flagged=hit.fired, drivers=list(hit.labels), evidence=list(hit.evidence)
                )
            elif name == "departments":
                keyword_departments = list(hit.labels)
            elif name == "language" and hit.fired and hit.labels:
                signals.language = hit.labels[0]
            elif name == "entities":
                signals.entities = self._entities(text, hit, catalogue)
        signals.departments = merge_departments(signals.intent.department, keyword_departments)

    def _entities(self, text: str, hit: Hit, catalogue: Sequence[str]) -> list[Entity]:
        extract = getattr(self.rule_modules.get("entities"), "extract_entities", None)
        if extract is not None:
            return list(extract(text, catalogue))
        # Fallback for a detector without an extractor: labels are types, evidence the values.
        return [Entity(type=t, value=v) for t, v in zip(hit.labels, hit.evidence, strict=False)]


# Learned signal -> the boolean Signals field it sets (vulnerability, churn and frustration are special).
LEARNED_FLAGS = {
    "human_request": "human_requested",
    "misunderstanding": "misunderstanding",
    "exception_request": "exception_requested",
    "sales_opportunity": "sales_opportunity",
    "dispute": "dispute",
    "public_escalation": "public_escalation_risk",
}
# The evidence key the hand-over rules read for each learned signal (the cue detector's name).
LEARNED_EVIDENCE = {"sales_opportunity": "sales", "churn": "churn", "vulnerability": "vulnerability"}
# Intents whose messages the learned model confuses with its signal: asking *how* to reach the team is
# not asking to be put through now ("how can I contact customer service by phone?"). Cue hits still count.
# Booking a chat with a designer in store is an appointment with a person, not a hand-over.
LEARNED_QUIET_FOR = {
    "human_request": frozenset({"contact_customer_service", "business_hours", "store_location", "book_appointment"})
}


def apply_learned(signals: Signals, hits: dict[str, SignalHit]) -> Signals:
    """OR the learned signals into what the cues found; a cue hit keeps its own evidence."""
    for name, hit in hits.items():
        key = LEARNED_EVIDENCE.get(name, name)
        if signals.intent.name in LEARNED_QUIET_FOR.get(name, ()):
            continue
        if name == "frustration":
            # Kept apart from the emotion score, which stays the GoEmotions model plus support cues (the
            # score the trajectory and the dashboards read); the hand-over rules read this evidence.
            signals.evidence["frustration_learned"] = [hit.evidence()]
            continue
        if name in LEARNED_FLAGS:
            if getattr(signals, LEARNED_FLAGS[name]):
                continue
            setattr(signals, LEARNED_FLAGS[name], True)
        elif name == "vulnerability":
            # Anger and distress sit close together in the embedding ("I have kids to feed!!!"): with the
            # customer angry, only the cues (which name the situation) flag vulnerability.
            if signals.vulnerability.flagged or signals.emotion.frustrated:
                continue
            signals.vulnerability = VulnerabilitySignal(
                flagged=True, drivers=["unspecified"], evidence=[hit.evidence()]
            )
        elif key in signals.evidence:
            continue
        signals.evidence[key] = [hit.evidence()]
    return signals


def _load_learned(directory: Path, encoder: Encoder) -> SignalModel | None:
    try:
        model = SignalModel.load(directory)
    except SignalModelError:
        log.warning("no learned signal model at %s: cue rules only (run `tandem models build`)", directory)
        return None
    probe = model.meta.get("encoder_probe")
    if probe and not probe_matches(encoder, probe):
        raise TriageSetupError(f"{directory}: trained with a different embedding model (run `tandem models build`)")
    return model


def _add_labelled_evidence(signals: Signals, detector: Detector, text: str) -> None:
    """evidence[label]: the phrases behind each label of a cue detector (first appearance order)."""
    matches = getattr(detector, "matches", None)
    if matches is None:
        return
    for match in sorted(matches(text), key=lambda m: m.start):
        phrases = signals.evidence.setdefault(match.label, [])
        if match.phrase not in phrases:
            phrases.append(match.phrase)


def intent_signal(prediction: IntentPrediction) -> IntentSignal:
    return IntentSignal(
        name=prediction.name,
        confidence=prediction.confidence,
        department=prediction.department,
        skill=prediction.skill,
        alternatives=[IntentAlternative(name=n, confidence=c) for n, c in prediction.alternatives],
        closeness=prediction.closeness,
    )


def merge_departments(intent_department: str | None, keyword_departments: Sequence[str]) -> list[str]:
    """The intent's department first (the model's best reading), then keyword cues, without repeats."""
    ordered = ([intent_department] if intent_department else []) + list(keyword_departments)
    return list(dict.fromkeys(ordered))


def _load_intents(directory: Path, encoder: Encoder, explicit: bool) -> IntentModel | None:
    try:
        model = IntentModel.load(directory)
    except IntentModelError as exc:
        if explicit:
            raise TriageSetupError(str(exc)) from exc
        # No default pack model (e.g. no pack installed): triage still reads emotion and rules.
        log.warning("no default intent model at %s: intents disabled (run `tandem models build`)", directory)
        return None
    try:
        model.check_encoder(encoder)
    except IntentModelError as exc:
        raise TriageSetupError(f"{directory}: {exc}") from exc
    return model
