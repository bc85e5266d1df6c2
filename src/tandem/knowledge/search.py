"""Find the help article that answers a customer's question: full-text and embeddings, fused.

Keyword evidence comes from the store's own full-text index (SQLite FTS5 bm25, PostgreSQL ts_rank_cd);
semantic evidence from the local sentence encoder: each article is embedded as its heading, each of its
sentences and its whole text, and scores the best cosine of those against the question. The two are fused
by a weighted sum tuned on the dev half of bench/data/kb_questions.yaml (numbers in docs/benchmarks.md),
and an answer is given only above a threshold: below it the skill says it has no reliable answer and
offers a person, rather than bluffing.

Without an encoder (`embed=None`, or the models are not built) retrieval runs on keywords alone.
"""

from __future__ import annotations

import hashlib
import logging
import re
import threading
import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import numpy as np
from numpy.typing import NDArray
from sqlalchemy.orm import Session

from tandem.knowledge import repository
from tandem.knowledge.models import Article
from tandem.knowledge.retrieval import STOPWORDS, ArticleText, Match, sentences

log = logging.getLogger(__name__)

# Sentences in, one L2-normalised row per sentence out (e.g. tandem.triage.encoder.Encoder.encode).
Embed = Callable[[Sequence[str]], NDArray[np.float32]]

# Fusion and answer thresholds, tuned on the dev questions only (bench/knowledge_bench.py reports held-out).
# On dev, top-1 recall: semantic alone 0.90, keywords alone 0.75, reciprocal-rank fusion 0.83, this
# weighted sum 0.92; rank fusion also has no absolute score to decide "good enough" with.
SEMANTIC_WEIGHT = 0.8
KEYWORD_WEIGHT = 0.2
# Keyword scores are squashed to [0, 1) per store: score / (score + half point). The half points put the
# two stores' scores on one scale (SQLite bm25 vs PostgreSQL idf-weighted ts_rank_cd, matched on dev).
KEYWORD_HALF = {"sqlite": 8.0, "postgresql": 6.5}
# Hybrid: below this fused score the best article is not good enough to answer from (dev: no unanswerable
# question answered, 81% of answerable ones answered from the right article, 2% from a wrong one).
ANSWER_THRESHOLD = 0.42
# ...or from this score when the best article clearly leads the next one: a short or oddly worded question
# ("hows long is the guarantee on headphones?") scores lower, but one article still stands out. Chosen on
# dev (answered right 0.81 -> 0.85, no unanswerable question answered; the most cautious of the tied
# margins); on held-out the answered-right share rose 0.80 -> 0.87 with no more false answers.
CLEAR_LEAD_THRESHOLD = 0.36
CLEAR_LEAD_MARGIN = 0.15
# Keywords alone (no encoder): the squashed keyword score an answer needs (dev: 60% right, 10% wrong).
KEYWORD_ONLY_THRESHOLD = 0.3
# Articles with neither a keyword hit nor this much similarity are not candidates at all.
MIN_SEMANTIC = 0.2

_WORD = re.compile(r"[a-z0-9]+")


@dataclass(frozen=True)
class Evidence:
    """What each retriever says about one published article for one question."""

    article: ArticleText
    keyword: float  # squashed to [0, 1); 0 when the full-text index did not match it
    semantic: float | None  # best cosine over the article's chunks; None without an encoder
    passage: str


def search(session: Session, question: str, limit: int = 3, embed: Embed | None = None) -> list[Match]:
    """The best `limit` published articles for `question`, best first (possibly fewer, possibly none)."""
    return rank(gather(session, question, embed))[:limit]


def find_answer(session: Session, question: str, embed: Embed | None = None) -> Match | None:
    """The article to answer from, or None when nothing answers the question well enough."""
    return good_enough(search(session, question, limit=2, embed=embed))


def good_enough(ranked: Sequence[Match]) -> Match | None:
    """The best of the ranked matches when it is good enough to answer from (pure: table-tested)."""
    if not ranked:
        return None
    best = ranked[0]
    if best.method == "keyword":
        return best if best.score >= KEYWORD_ONLY_THRESHOLD else None
    lead = best.score - (ranked[1].score if len(ranked) > 1 else 0.0)
    if best.score >= ANSWER_THRESHOLD or (best.score >= CLEAR_LEAD_THRESHOLD and lead >= CLEAR_LEAD_MARGIN):
        return best
    return None


def gather(session: Session, question: str, embed: Embed | None) -> list[Evidence]:
    """Keyword and semantic evidence for every published article (the knowledge base is small)."""
    articles = repository.published_articles(session)
    if not articles or not question.strip():
        return []
    store = session.get_bind().dialect.name
    half = KEYWORD_HALF.get(store, KEYWORD_HALF["sqlite"])
    raw = repository.keyword_scores(session, terms(question))
    keyword = {article_id: score / (score + half) for article_id, score in raw.items() if score > 0}
    semantic = _VECTORS.similarities(embed, articles, question) if embed is not None else None
    if embed is None:
        _warn_keywords_only()
    evidence = []
    for article in articles:
        cosine, passage = semantic[article.id] if semantic is not None else (None, "")
        evidence.append(
            Evidence(
                article=_text(article),
                keyword=keyword.get(article.id, 0.0),
                semantic=cosine,
                passage=passage or _keyword_passage(article.body, question),
            )
        )
    return evidence


def rank(evidence: Sequence[Evidence]) -> list[Match]:
    """Fuse each article's evidence into one score; drop articles nothing points at; best first."""
    matches = []
    for item in evidence:
        if item.semantic is None:
            if item.keyword <= 0:
                continue
            score, method = item.keyword, "keyword"
        else:
            if item.keyword <= 0 and item.semantic < MIN_SEMANTIC:
                continue
            score = SEMANTIC_WEIGHT * item.semantic + KEYWORD_WEIGHT * item.keyword
            method = "hybrid" if item.keyword > 0 else "semantic"
        matches.append(Match(item.article, round(score, 4), item.passage, method))
    return sorted(matches, key=lambda m: m.score, reverse=True)


def terms(question: str) -> list[str]:
    """The question's content words, as the full-text query (apostrophes dropped: "what's" -> "whats")."""
    words = _WORD.findall(question.lower().replace("'", "").replace("\u2019", ""))
    return [w for w in words if w not in STOPWORDS and len(w) > 1]


def encoder_embed(models_dir: Path, threads: int = 1) -> Embed | None:
    """The local encoder's embed function, or None (logged) when the models have not been built."""
    from tandem.triage.encoder import Encoder, EncoderError

    try:
        return Encoder.load(models_dir, threads=threads).encode
    except (EncoderError, OSError, ValueError) as exc:
        log.warning("knowledge.search.encoder_missing: answering from keywords alone (%s)", exc)
        return None


_warned_keywords_only = threading.Event()


def _warn_keywords_only() -> None:
    if not _warned_keywords_only.is_set():
        _warned_keywords_only.set()
        log.warning("knowledge.search.keywords_only: no sentence encoder given; ranking by full-text alone")


def _text(article: Article) -> ArticleText:
    return ArticleText(article.slug, article.title, article.body, tuple(article.tags or ()), article.policy_clause)


def _keyword_passage(body: str, question: str) -> str:
    # Without embeddings: the sentence sharing most word stems with the question (ties: the earliest).
    asked = {w[:5] for w in terms(question)}
    parts = sentences(body)
    overlap = [len(asked & {w[:5] for w in terms(part)}) for part in parts]
    return parts[max(range(len(parts)), key=lambda i: (overlap[i], -i))]


@dataclass(frozen=True)
class _Chunks:
    updated_at: datetime
    digest: str
    sentences: list[str]
    vectors: NDArray[np.float32]  # heading, whole article, then one row per sentence


class _ArticleVectors:
    """Chunk embeddings per encoder and article, reused while (article id, updated_at, text) are unchanged."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._weak: weakref.WeakKeyDictionary[object, dict[int, _Chunks]] = weakref.WeakKeyDictionary()
        self._strong: dict[int, dict[int, _Chunks]] = {}

    def similarities(self, embed: Embed, articles: Sequence[Article], question: str) -> dict[int, tuple[float, str]]:
        """Article id -> (best cosine with the question, the sentence that scored best)."""
        cache = self._cache_for(embed)
        stale = [a for a in articles if not _fresh(cache.get(a.id), a)]
        if stale:
            self._embed_articles(embed, stale, cache)
        asked = np.asarray(embed([question]), dtype=np.float32)[0]
        found = {}
        for article in articles:
            chunks = cache[article.id]
            cosines = chunks.vectors @ asked
            best_sentence = int(np.argmax(cosines[2:])) if len(chunks.sentences) else -1
            passage = chunks.sentences[best_sentence] if best_sentence >= 0 else ""
            found[article.id] = (float(cosines.max()), passage)
        return found

    def _cache_for(self, embed: Embed) -> dict[int, _Chunks]:
        # A bound method is a new object on every attribute access: key on the encoder it belongs to.
        owner = getattr(embed, "__self__", embed)
        with self._lock:
            try:
                return self._weak.setdefault(owner, {})
            except TypeError:
                return self._strong.setdefault(id(owner), {})

    def _embed_articles(self, embed: Embed, articles: Sequence[Article], cache: dict[int, _Chunks]) -> None:
        texts: list[str] = []
        spans = []
        for article in articles:
            parts = sentences(article.body)
            heading = f"{article.title}. {', '.join(article.tags or ())}"
            rows = [heading, f"{article.title}. {article.body}", *(f"{article.title}: {s}" for s in parts)]
            spans.append((article, parts, len(texts), len(texts) + len(rows)))
            texts.extend(rows)
        vectors = np.asarray(embed(texts), dtype=np.float32)
        with self._lock:
            for article, parts, start, end in spans:
                cache[article.id] = _Chunks(article.updated_at, _digest(article), parts, vectors[start:end])


def _digest(article: Article) -> str:
    raw = "\x1f".join([article.title, article.body, *(article.tags or ())])
    return hashlib.sha256(raw.encode()).hexdigest()


def _fresh(chunks: _Chunks | None, article: Article) -> bool:
    return chunks is not None and chunks.updated_at == article.updated_at and chunks.digest == _digest(article)


_VECTORS = _ArticleVectors()
