"""Topics in a pile of texts: cluster, name each cluster by its distinctive terms (class-based TF-IDF),
pick representative examples, and link it to the intents, products or categories its texts carry.

Pure: texts and attributes in, topic drafts out. `topic_service` stores them; `stats` tests their trends.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from tandem.analytics.clustering import IntArray, cluster, propagate
from tandem.analytics.embedding import Embedder

TERMS_PER_TOPIC = 8
WORDS = r"(?u)\b[a-zA-Z][a-zA-Z']+\b"  # words only: numbers and codes name no topic
EXAMPLES_PER_TOPIC = 3
# What a text is about is in its opening; embedding cost grows with length (long CFPB narratives).
EMBED_CHARS = 600
# Redaction marks and filler that say nothing about a topic (CFPB writes XXXX for personal details).
EXTRA_STOP_WORDS = frozenset({"xxxx", "xx", "xxx", "email", "redacted", "hi", "hello", "thanks", "thank", "please"})


@dataclass
class TopicDraft:
    index: int
    size: int
    terms: list[str]
    examples: list[int]
    links: dict[str, list[tuple[str, float]]] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return " / ".join(self.terms[:3]) or f"topic {self.index + 1}"


@dataclass
class Discovery:
    labels: IntArray
    topics: list[TopicDraft]
    silhouette: float | None
    embedder: str
    clustered: int


def discover(
    texts: Sequence[str],
    embedder: Embedder,
    *,
    k: int | None = None,
    max_topics: int = 100,
    sample: int = 6000,
    attributes: Mapping[str, Sequence[str | None]] | None = None,
    seed: int = 0,
) -> Discovery:
    """Cluster `texts` (all of them, or a seeded sample of `sample` with the rest assigned by a classifier)."""
    n = len(texts)
    if n == 0:
        return Discovery(np.zeros(0, dtype=np.int64), [], None, embedder.name, 0)
    rng = np.random.default_rng(seed)
    chosen = np.sort(rng.choice(n, size=sample, replace=False)) if n > sample else np.arange(n)
    chosen_texts = [texts[i] for i in chosen]
    vectors = embedder.encode([text[:EMBED_CHARS] for text in chosen_texts])
    found = cluster(vectors, k=k, max_k=max_topics, seed=seed)
    labels = np.empty(n, dtype=np.int64)
    labels[chosen] = found.labels
    if len(chosen) < n:
        rest = np.setdiff1d(np.arange(n), chosen, assume_unique=True)
        labels[rest] = propagate(chosen_texts, found.labels, [texts[i] for i in rest])
    terms = distinctive_terms(texts, labels, found.k)
    examples = representatives(vectors, found.labels, found.k)
    topics = [
        TopicDraft(
            index=t,
            size=int((labels == t).sum()),
            terms=terms[t],
            examples=[int(chosen[i]) for i in examples[t]],
            links=topic_links(labels, t, attributes or {}),
        )
        for t in range(found.k)
    ]
    return Discovery(labels, topics, found.silhouette, embedder.name, len(chosen))


def distinctive_terms(texts: Sequence[str], labels: IntArray, k: int, top: int = TERMS_PER_TOPIC) -> list[list[str]]:
    """Class-based TF-IDF: each topic's texts as one document; a term scores by its frequency in the topic
    times log(1 + average words per topic / the term's frequency across all topics)."""
    from scipy import sparse
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, CountVectorizer

    stop = sorted(ENGLISH_STOP_WORDS | EXTRA_STOP_WORDS)
    vectorizer = CountVectorizer(
        stop_words=stop,
        ngram_range=(1, 2),
        min_df=2 if len(texts) >= 50 else 1,
        max_features=60_000,
        token_pattern=WORDS,
        dtype=np.float32,
    )
    try:
        counts = vectorizer.fit_transform(texts)
    except ValueError:  # nothing but stop words and numbers
        return [[] for _ in range(k)]
    membership = sparse.csr_matrix(
        (np.ones(len(labels), dtype=np.float32), (labels, np.arange(len(labels)))), shape=(k, len(labels))
    )
    per_topic = np.asarray((membership @ counts).todense())
    words_per_topic = per_topic.sum(axis=1, keepdims=True)
    tf = per_topic / np.maximum(words_per_topic, 1.0)
    idf = np.log1p(words_per_topic.mean() / np.maximum(per_topic.sum(axis=0), 1.0))
    scores = tf * idf
    vocabulary = vectorizer.get_feature_names_out()
    return [_pick_terms(scores[t], vocabulary, top) for t in range(k)]


def _pick_terms(scores: NDArray[np.float64], vocabulary: NDArray[np.str_], top: int) -> list[str]:
    chosen: list[str] = []
    for index in np.argsort(-scores):
        if scores[index] <= 0 or len(chosen) >= top:
            break
        term = str(vocabulary[index])
        # "card arrival" and "card" say the same twice: keep the first, more distinctive one.
        if any(term in other.split() or other in term.split() for other in chosen):
            continue
        chosen.append(term)
    return chosen


def representatives(
    vectors: NDArray[np.float32], labels: IntArray, k: int, n: int = EXAMPLES_PER_TOPIC
) -> list[list[int]]:
    """The texts closest to each topic's centre (indices into `vectors`)."""
    picked: list[list[int]] = []
    for t in range(k):
        members = np.flatnonzero(labels == t)
        if members.size == 0:
            picked.append([])
            continue
        centre = vectors[members].mean(axis=0)
        closeness = vectors[members] @ centre
        picked.append([int(members[i]) for i in np.argsort(-closeness)[:n]])
    return picked


def topic_links(
    labels: IntArray, topic: int, attributes: Mapping[str, Sequence[str | None]], top: int = 3
) -> dict[str, list[tuple[str, float]]]:
    """The most common values of each attribute (intent, product, category) among a topic's texts."""
    members = np.flatnonzero(labels == topic)
    links: dict[str, list[tuple[str, float]]] = {}
    for name, values in attributes.items():
        counts = Counter(values[int(i)] for i in members if values[int(i)])
        links[name] = [(str(value), round(count / len(members), 3)) for value, count in counts.most_common(top)]
    return links


def term_overlap(first: Sequence[str], second: Sequence[str]) -> float:
    """Jaccard overlap of two topics' terms: how a rebuilt topic finds the stored topic it continues."""
    a, b = set(first), set(second)
    return len(a & b) / len(a | b) if a | b else 0.0
