"""Intent classification: MiniLM embeddings + word/char TF-IDF into a linear SVM, blended with a vote of
the nearest training examples, calibrated to probabilities, with an out-of-scope threshold.

Training needs scikit-learn; a trained model is a directory of JSON + npz (no pickle) that scores with
numpy only. Models are trained from a domain pack (`train_from_pack`) or a labelled CSV (`train_from_csv`).
"""

from __future__ import annotations

import csv
import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from tandem.triage.domain_pack import OUT_OF_SCOPE, DomainPack, PackError, load_pack
from tandem.triage.encoder import Encoder, encoder_probe, probe_matches
from tandem.triage.features import FloatArray, TfidfBlock, sparse_scores
from tandem.triage.model_files import read_model, write_model

__all__ = [
    "OUT_OF_SCOPE",
    "DomainPack",
    "IntentInfo",
    "IntentModel",
    "IntentModelError",
    "IntentPrediction",
    "PackError",
    "TrainConfig",
    "load_pack",
    "read_labelled_csv",
    "train_from_csv",
    "train_from_pack",
    "train_intent_model",
]

MODEL_JSON = "intent_model.json"
MODEL_NPZ = "intent_model.npz"
FORMAT_VERSION = 1


class IntentModelError(RuntimeError):
    """An intent model directory is missing, damaged, or was trained with another encoder."""


@dataclass(frozen=True)
class IntentInfo:
    department: str | None = None
    skill: str | None = None
    description: str = ""


CLOSENESS_NEIGHBOURS = 5


@dataclass(frozen=True)
class IntentPrediction:
    name: str | None
    confidence: float
    out_of_scope: bool
    department: str | None = None
    skill: str | None = None
    alternatives: tuple[tuple[str, float], ...] = ()
    # Mean cosine similarity to the nearest in-scope training examples: how close the message is to
    # anything the model was taught, whatever the softmax says (it is confident about strangers too).
    closeness: float = 1.0


@dataclass(frozen=True)
class TrainConfig:
    svm_c: float = 1.0
    char_min_df: int = 2
    knn_k: int = 10
    # Measured on a Banking77 split: adding the neighbours' vote to the SVM scores gains ~0.5 points. On
    # CLINC150 a full-weight vote costs (held-out log-loss 0.124 at 1.0 against 0.117 at 0.25). So by default
    # the weight is chosen on the held-out rows among knn_weight_candidates (choose_knn_weight); domain
    # packs keep it fixed (see train_from_pack).
    knn_weight: float = 1.0
    tune_knn_weight: bool = True
    knn_weight_candidates: tuple[float, ...] = (0.0, 0.25, 0.5, 1.0)
    knn_sharpness: float = 10.0
    holdout_fraction: float = 0.15
    # Below this many rows we calibrate on k-fold predictions instead of a single holdout.
    holdout_min_rows: int = 1500
    seed: int = 13
    # Without out-of-scope examples, accept losing this share of in-scope messages to the OOS threshold.
    target_false_oos: float = 0.03
    # With out-of-scope examples, never reject more than this share of in-scope messages: a product
    # choice (at most 1 in 20 in-scope customers diverted), since a holdout has few OOS rows to tune on.
    max_false_oos: float = 0.05
    # The out-of-scope cut reads the confidence times the mean similarity of this many nearest in-scope
    # training examples: a message far from everything we were taught is off-topic even when one intent
    # wins the softmax. Measured on CLINC150 val: at 0.945 in-scope accuracy, OOS recall 0.71 -> 0.82
    # (confidence alone). Used only when the training rows include out-of-scope examples to tune the cut
    # against, and not for domain packs (see train_from_pack). 0 = confidence alone.
    scope_neighbours: int = 5


@dataclass
class IntentModel:
    labels: list[str]
    word: TfidfBlock
    char: TfidfBlock
    w_emb: FloatArray
    w_word: FloatArray
    w_char: FloatArray
    bias: FloatArray
    memory: FloatArray
    memory_labels: NDArray[np.int64]
    config: TrainConfig = field(default_factory=TrainConfig)
    temperature: float = 1.0
    oos_threshold: float = 0.0
    info: dict[str, IntentInfo] = field(default_factory=dict)
    meta: dict[str, Any] = field(default_factory=dict)

    # ---- scoring -------------------------------------------------------------------------------
    def raw_scores(
        self, embeddings: FloatArray, texts: Sequence[str], similarity: FloatArray | None = None
    ) -> FloatArray:
        scores = embeddings @ self.w_emb + self.bias
        for row, text in enumerate(texts):
            scores[row] += sparse_scores(self.word, self.w_word, text)
            scores[row] += sparse_scores(self.char, self.w_char, text)
        if self.config.knn_weight == 0:
            return np.asarray(scores, dtype=np.float32)
        if similarity is None:
            similarity = self.similarity(embeddings)
        return np.asarray(scores + self.config.knn_weight * self._neighbour_votes(similarity), dtype=np.float32)

    def similarity(self, embeddings: FloatArray) -> FloatArray:
        """Cosine similarity of each message to each remembered training example (unit vectors)."""
        return np.asarray(embeddings @ self.memory.T, dtype=np.float32)

    def scope_scores(self, probs: FloatArray, similarity: FloatArray) -> FloatArray:
        """What the out-of-scope cut reads: confidence, times closeness to the in-scope examples."""
        confidence = probs.max(axis=1)
        if self.config.scope_neighbours <= 0:
            return np.asarray(confidence, dtype=np.float32)
        return np.asarray(confidence * self.closeness(similarity, self.config.scope_neighbours), dtype=np.float32)

    def _in_scope_memory(self) -> NDArray[np.bool_]:
        if OUT_OF_SCOPE not in self.labels:
            return np.ones(len(self.memory_labels), dtype=bool)
        return np.asarray(self.memory_labels != self.labels.index(OUT_OF_SCOPE))

    def _neighbour_votes(self, similarity: FloatArray) -> FloatArray:
        votes = np.zeros((similarity.shape[0], len(self.labels)), dtype=np.float32)
        if self.memory.shape[0] == 0:
            return votes
        k = min(self.config.knn_k, self.memory.shape[0])
        nearest = np.argpartition(-similarity, k - 1, axis=1)[:, :k]
        for row, columns in enumerate(nearest):
            weights = np.exp(self.config.knn_sharpness * (similarity[row, columns] - 1.0))
            np.add.at(votes[row], self.memory_labels[columns], weights)
        return np.asarray(votes / votes.sum(axis=1, keepdims=True), dtype=np.float32)

    def probabilities(self, embeddings: FloatArray, texts: Sequence[str]) -> FloatArray:
        return softmax(self.raw_scores(embeddings, texts) * self.temperature)

    def predict(
        self,
        embeddings: FloatArray,
        texts: Sequence[str],
        threshold: float | None = None,
        alternatives: int = 3,
    ) -> list[IntentPrediction]:
        cutoff = self.oos_threshold if threshold is None else threshold
        similarity = self.similarity(embeddings)
        probs = softmax(self.raw_scores(embeddings, texts, similarity) * self.temperature)
        scope = self.scope_scores(probs, similarity)
        closeness = self.closeness(similarity)
        return [
            replace(self.decide(row, cutoff, alternatives, float(s)), closeness=round(float(c), 4))
            for row, s, c in zip(probs, scope, closeness, strict=True)
        ]

    def closeness(self, similarity: FloatArray, k: int = CLOSENESS_NEIGHBOURS) -> FloatArray:
        """Mean similarity of each message to its k nearest in-scope training examples."""
        in_scope = similarity[:, self._in_scope_memory()]
        if in_scope.shape[1] == 0:
            return np.ones(similarity.shape[0], dtype=np.float32)
        k = min(k, in_scope.shape[1])
        nearest = -np.partition(-in_scope, k - 1, axis=1)[:, :k]
        return np.asarray(np.clip(nearest.mean(axis=1), 0.0, 1.0), dtype=np.float32)

    def decide(
        self, probs: FloatArray, cutoff: float, alternatives: int, scope: float | None = None
    ) -> IntentPrediction:
        """The prediction for one row of probabilities; `scope` (default: the confidence) meets the cutoff."""
        ranked = [int(i) for i in np.argsort(-probs)]
        best = ranked[0]
        in_scope = [i for i in ranked if self.labels[i] != OUT_OF_SCOPE]
        confidence = float(probs[best])
        out_of_scope = self.labels[best] == OUT_OF_SCOPE or (confidence if scope is None else scope) < cutoff
        chosen = None if out_of_scope else self.labels[best]
        # When we give up on the intent, the best in-scope guesses stay visible as alternatives.
        others = [i for i in in_scope if self.labels[i] != chosen][:alternatives]
        info = self.info.get(chosen or "", IntentInfo())
        return IntentPrediction(
            name=chosen,
            confidence=round(confidence, 4),
            out_of_scope=out_of_scope,
            department=info.department if chosen else None,
            skill=info.skill if chosen else None,
            alternatives=tuple((self.labels[i], round(float(probs[i]), 4)) for i in others),
        )

    # ---- persistence ---------------------------------------------------------------------------
    def save(self, directory: Path) -> None:
        arrays: dict[str, NDArray[Any]] = {
            "w_emb": self.w_emb, "w_word": self.w_word, "w_char": self.w_char, "bias": self.bias,
            "word_idf": self.word.idf, "char_idf": self.char.idf,
            "memory": self.memory.astype(np.float16), "memory_labels": self.memory_labels,
        }  # fmt: skip
        manifest = {
            "format_version": FORMAT_VERSION,
            "labels": self.labels,
            "word_terms": self.word.terms(),
            "char_terms": self.char.terms(),
            "config": self.config.__dict__,
            "temperature": self.temperature,
            "oos_threshold": self.oos_threshold,
            "intents": {name: info.__dict__ for name, info in self.info.items()},
            "meta": self.meta,
        }
        write_model(directory, MODEL_NPZ, MODEL_JSON, arrays, manifest)

    @classmethod
    def load(cls, directory: Path) -> IntentModel:
        stored = read_model(directory, MODEL_NPZ, MODEL_JSON)
        if stored is None:
            raise IntentModelError(f"{directory}: no intent model here (train one with `tandem intents train`)")
        manifest, data = stored
        if manifest.get("format_version") != FORMAT_VERSION:
            raise IntentModelError(f"{directory}: intent model format {manifest.get('format_version')}; retrain it")
        return cls(
            labels=list(manifest["labels"]),
            word=TfidfBlock.from_terms("word", manifest["word_terms"], data["word_idf"]),
            char=TfidfBlock.from_terms("char", manifest["char_terms"], data["char_idf"]),
            w_emb=data["w_emb"], w_word=data["w_word"], w_char=data["w_char"], bias=data["bias"],
            memory=data["memory"].astype(np.float32), memory_labels=data["memory_labels"],
            # Models saved before scope_neighbours existed tuned their cut on the confidence alone.
            config=TrainConfig(**{"scope_neighbours": 0, **manifest["config"]}),
            temperature=float(manifest["temperature"]),
            oos_threshold=float(manifest["oos_threshold"]),
            info={name: IntentInfo(**value) for name, value in manifest["intents"].items()},
            meta=dict(manifest["meta"]),
        )  # fmt: skip

    def check_encoder(self, encoder: Encoder) -> None:
        """Refuse to score with an encoder other than the one the model was trained with."""
        probe = self.meta.get("encoder_probe")
        if probe and not probe_matches(encoder, probe):
            raise IntentModelError("this intent model was trained with a different embedding model; retrain it")


def softmax(scores: FloatArray) -> FloatArray:
    shifted = scores - scores.max(axis=1, keepdims=True)
    exp = np.exp(shifted)
    return np.asarray(exp / exp.sum(axis=1, keepdims=True), dtype=np.float32)


# ---- training --------------------------------------------------------------------------------------


def _fit_linear(
    texts: Sequence[str], embeddings: FloatArray, labels: Sequence[str], config: TrainConfig
) -> IntentModel:
    from scipy import sparse
    from sklearn.svm import LinearSVC

    classes = sorted(set(labels))
    word = TfidfBlock.fit(texts, "word")
    char = TfidfBlock.fit(texts, "char", min_df=config.char_min_df if len(texts) >= 500 else 1)
    features = sparse.hstack([sparse.csr_matrix(embeddings), word.matrix(texts), char.matrix(texts)]).tocsr()
    svm = LinearSVC(C=config.svm_c, random_state=config.seed).fit(features, labels)
    coef, intercept = _one_vs_rest_weights(svm, classes)
    d, vw = embeddings.shape[1], word.size
    index = {label: i for i, label in enumerate(classes)}
    return IntentModel(
        labels=classes,
        word=word,
        char=char,
        w_emb=np.ascontiguousarray(coef[:, :d].T),
        w_word=np.ascontiguousarray(coef[:, d : d + vw].T),
        w_char=np.ascontiguousarray(coef[:, d + vw :].T),
        bias=intercept,
        memory=np.asarray(embeddings, dtype=np.float32),
        memory_labels=np.array([index[label] for label in labels], dtype=np.int64),
        config=config,
    )


def _one_vs_rest_weights(svm: Any, classes: list[str]) -> tuple[FloatArray, FloatArray]:
    coef = np.asarray(svm.coef_, dtype=np.float32)
    intercept = np.asarray(svm.intercept_, dtype=np.float32)
    if len(classes) == 2:
        # sklearn keeps a single hyperplane for two classes; make it one score per class like the rest.
        coef = (np.vstack([-coef, coef]) / 2).astype(np.float32)
        intercept = (np.concatenate([-intercept, intercept]) / 2).astype(np.float32)
    return coef, intercept


def _calibration_splits(labels: Sequence[str], config: TrainConfig) -> list[tuple[NDArray[Any], NDArray[Any]]]:
    """Stratified (fit, held-out) index pairs: one holdout for big sets, k folds for small ones."""
    smallest = min(Counter(labels).values())
    if smallest < 2:
        return []
    folds = _stratified_folds(labels, min(5, smallest), config.seed)
    if len(labels) >= config.holdout_min_rows:
        # A single holdout of about holdout_fraction: the union of enough folds of a finer split.
        folds = _stratified_folds(labels, round(1 / config.holdout_fraction), config.seed)[:1]
    everything = np.arange(len(labels))
    return [(np.setdiff1d(everything, held), held) for held in folds]


def _stratified_folds(labels: Sequence[str], k: int, seed: int) -> list[NDArray[np.int64]]:
    """k disjoint index sets, each label's rows dealt round-robin after a seeded shuffle."""
    rng = np.random.default_rng(seed)
    folds: list[list[int]] = [[] for _ in range(k)]
    offset = 0
    for label in sorted(set(labels)):
        rows = rng.permutation([i for i, value in enumerate(labels) if value == label])
        for position, row in enumerate(rows):
            folds[(offset + position) % k].append(int(row))
        offset += len(rows)  # rotate the start so small classes do not all land in fold 0
    return [np.array(sorted(fold), dtype=np.int64) for fold in folds]


def _held_out_scores(
    texts: Sequence[str], embeddings: FloatArray, labels: Sequence[str], classes: list[str], config: TrainConfig
) -> tuple[FloatArray, FloatArray, NDArray[np.int64], FloatArray]:
    """Linear scores and neighbour votes (kept apart, so their weight can be chosen) for rows the model
    did not see (holdout or k-fold), in the final model's class order, with each row's closeness to the
    in-scope examples it was not trained with (see scope_scores)."""
    rows, scores, votes, closeness = [], [], [], []
    for fit, held in _calibration_splits(labels, config):
        part = _fit_linear([texts[i] for i in fit], embeddings[fit], [labels[i] for i in fit], config)
        similarity = part.similarity(embeddings[held])
        columns = [classes.index(c) for c in part.labels]
        linear = replace(part, config=replace(config, knn_weight=0.0))
        aligned = np.full((len(held), len(classes)), -1e3, dtype=np.float32)
        aligned[:, columns] = linear.raw_scores(embeddings[held], [texts[i] for i in held], similarity)
        vote = np.zeros((len(held), len(classes)), dtype=np.float32)
        vote[:, columns] = part._neighbour_votes(similarity)
        rows.append(held)
        scores.append(aligned)
        votes.append(vote)
        # Scope with a confidence of 1: the calibrated confidence is multiplied in once the temperature is known.
        closeness.append(part.scope_scores(np.ones((len(held), 1), dtype=np.float32), similarity))
    if not rows:
        empty = np.zeros((0, len(classes)), np.float32)
        return empty, empty, np.zeros(0, np.int64), np.zeros(0, np.float32)
    truth = np.array([classes.index(labels[i]) for i in np.concatenate(rows)], dtype=np.int64)
    return np.vstack(scores), np.vstack(votes), truth, np.concatenate(closeness)


def choose_knn_weight(linear: FloatArray, votes: FloatArray, truth: NDArray[np.int64], config: TrainConfig) -> float:
    """The neighbour-vote weight whose temperature-scaled probabilities have the lowest held-out log-loss
    (smoother than accuracy on a small holdout); config.knn_weight when tuning is off or nothing is held out."""
    if not config.tune_knn_weight or len(truth) == 0:
        return config.knn_weight
    losses = []
    for weight in config.knn_weight_candidates:
        scores = np.asarray(linear + weight * votes, dtype=np.float32)
        losses.append(_log_loss(softmax(scores * fit_temperature(scores, truth)), truth))
    return float(config.knn_weight_candidates[int(np.argmin(losses))])


def fit_temperature(scores: FloatArray, truth: NDArray[np.int64]) -> float:
    """The score multiplier whose softmax minimises held-out log-loss (temperature scaling)."""
    if len(truth) == 0:
        return 1.0
    candidates = np.exp(np.linspace(math.log(0.5), math.log(200.0), 80))
    losses = [_log_loss(softmax(scores * t), truth) for t in candidates]
    return float(candidates[int(np.argmin(losses))])


def _log_loss(probs: FloatArray, truth: NDArray[np.int64]) -> float:
    return float(-np.mean(np.log(probs[np.arange(len(truth)), truth] + 1e-9)))


def tune_oos_threshold(
    probs: FloatArray,
    truth: NDArray[np.int64],
    classes: list[str],
    config: TrainConfig,
    scope: FloatArray | None = None,
) -> float:
    """Scope score (default: confidence) below which a message is out of scope, chosen on held-out rows."""
    if len(truth) == 0:
        return 0.0
    oos = classes.index(OUT_OF_SCOPE) if OUT_OF_SCOPE in classes else -1
    is_oos = truth == oos
    confidence = probs.max(axis=1) if scope is None else scope
    predicted = probs.argmax(axis=1)
    in_scope_conf = confidence[~is_oos]
    if not is_oos.any():
        return float(np.quantile(in_scope_conf, config.target_false_oos)) if len(in_scope_conf) else 0.0
    best, best_score = 0.0, -1.0
    for cutoff in np.linspace(0.0, 0.99, 100):
        rejected = (confidence < cutoff) | (predicted == oos)
        false_oos = rejected[~is_oos].mean() if (~is_oos).any() else 0.0
        if false_oos > config.max_false_oos:
            break
        accuracy = ((predicted == truth) & ~rejected)[~is_oos].mean() if (~is_oos).any() else 1.0
        score = (accuracy + rejected[is_oos].mean()) / 2
        if score > best_score:
            best, best_score = float(cutoff), float(score)
    return best


def train_intent_model(
    texts: Sequence[str],
    labels: Sequence[str],
    encoder: Encoder,
    info: dict[str, IntentInfo] | None = None,
    config: TrainConfig | None = None,
) -> IntentModel:
    """Fit, calibrate on held-out rows, then refit on everything with the calibrated settings."""
    config = config or TrainConfig()
    _check_rows(texts, labels)
    embeddings = encoder.encode(texts)
    classes = sorted(set(labels))
    if OUT_OF_SCOPE not in classes:
        # Nothing off-topic to tune the closeness against: the cut stays a quantile of the confidence.
        config = replace(config, scope_neighbours=0)
    held_linear, held_votes, truth, closeness = _held_out_scores(texts, embeddings, labels, classes, config)
    config = replace(config, knn_weight=choose_knn_weight(held_linear, held_votes, truth, config))
    held_scores = np.asarray(held_linear + config.knn_weight * held_votes, dtype=np.float32)
    temperature = fit_temperature(held_scores, truth)
    held_probs = softmax(held_scores * temperature)
    model = _fit_linear(texts, embeddings, labels, config)
    model.temperature = temperature
    scope = held_probs.max(axis=1) * closeness if len(truth) else None
    model.oos_threshold = tune_oos_threshold(held_probs, truth, classes, config, scope)
    model.info = dict(info or {})
    model.meta = {
        "rows": len(texts),
        "classes": len(classes),
        "held_out_rows": len(truth),
        "held_out_accuracy": _accuracy(held_probs, truth),
        "encoder_probe": encoder_probe(encoder),
    }
    return model


def _accuracy(probs: FloatArray, truth: NDArray[np.int64]) -> float | None:
    return round(float((probs.argmax(axis=1) == truth).mean()), 4) if len(truth) else None


def _check_rows(texts: Sequence[str], labels: Sequence[str]) -> None:
    if len(texts) != len(labels):
        raise ValueError("texts and labels differ in length")
    in_scope = {label for label in labels if label != OUT_OF_SCOPE}
    if len(in_scope) < 2:
        raise ValueError("need examples of at least two intents to train a classifier")


def train_from_pack(pack: DomainPack, encoder: Encoder, config: TrainConfig | None = None) -> IntentModel:
    texts, labels = pack.training_rows()
    # A pack's few out-of-scope examples (55 in ecommerce, ~8 in its holdout) are too few to tune the
    # closeness cut: it chose a far more lenient cut and the hand-over suite (dev) gained an unnecessary
    # hand-over. Packs keep the confidence-only cut the suite was tuned with.
    # Likewise they keep the fixed neighbour-vote weight: a k-fold of a few examples per intent is too
    # small to choose it on, and the suite was tuned with it.
    config = replace(config or TrainConfig(), scope_neighbours=0, tune_knn_weight=False)
    info = {i.name: IntentInfo(i.department, i.skill, i.description) for i in pack.intents}
    model = train_intent_model(texts, labels, encoder, info, config)
    model.meta["pack"] = pack.name
    return model


def read_labelled_csv(path: Path) -> tuple[list[str], list[str]]:
    """Rows of (text, label): columns named `text` and `label`, else the first two columns."""
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    if not rows:
        raise ValueError(f"{path}: empty CSV")
    header = [cell.strip().lower() for cell in rows[0]]
    if "text" in header and "label" in header:
        text_col, label_col, body = header.index("text"), header.index("label"), rows[1:]
    else:
        # No text/label header: a header-ish first row (e.g. `text,category`) is still skipped.
        text_col, label_col = 0, 1
        body = rows[1:] if header[:1] == ["text"] else rows
    pairs = [(r[text_col].strip(), r[label_col].strip()) for r in body if len(r) > max(text_col, label_col)]
    pairs = [(text, label) for text, label in pairs if text and label]
    if not pairs:
        raise ValueError(f"{path}: no (text, label) rows found")
    return [t for t, _ in pairs], [label for _, label in pairs]


def train_from_csv(path: Path, encoder: Encoder, config: TrainConfig | None = None) -> IntentModel:
    texts, labels = read_labelled_csv(path)
    model = train_intent_model(texts, labels, encoder, config=config)
    model.meta["source"] = path.name
    return model
