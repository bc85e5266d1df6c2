"""Themes in satisfaction comments: cluster the comments, name each theme, and say how it feels (VADER).

Clustering a sample of comments takes a second or more, so the themes of a sample are kept in memory,
keyed by a digest of exactly the comments they were found in. A comment arriving, changing or leaving the
window changes the key when it changes the sample (the sample is stable: see `metrics.sample_key`), and
when it does not, the themes are the ones a fresh computation would give: never stale.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
from sqlalchemy.orm import Session

from tandem.analytics import repository, service, topics
from tandem.analytics.embedding import Embedder
from tandem.analytics.periods import Window
from tandem.analytics.schemas import SatisfactionReport, Theme
from tandem.analytics.settings import AnalyticsSettings
from tandem.privacy.scan import redact

MAX_THEMES = 8
MIN_COMMENTS = 4
# Themes come from at most this many comments (a sample beyond it, see `metrics.sample_key`): enough to
# find the themes, and it keeps the endpoint fast whatever the volume.
MAX_THEME_COMMENTS = 500
NEGATIVE = -0.05  # VADER's own convention: compound <= -0.05 is negative
CACHED_SAMPLES = 32  # a handful of windows per dashboard, a few dashboards
_cache: OrderedDict[str, list[Theme]] = OrderedDict()
_cache_lock = threading.Lock()


@dataclass(frozen=True)
class Comment:
    text: str
    score: int | None = None


@lru_cache(maxsize=1)
def _vader() -> Any:
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    return SentimentIntensityAnalyzer()


def sentiment(text: str) -> float:
    return float(_vader().polarity_scores(text)["compound"])


def comment_themes(comments: Sequence[Comment], embedder: Embedder, max_themes: int = MAX_THEMES) -> list[Theme]:
    if not comments:
        return []
    texts = [c.text for c in comments]
    if len(comments) < MIN_COMMENTS:
        labels = np.zeros(len(comments), dtype=np.int64)
        drafts = [topics.TopicDraft(0, len(comments), topics.distinctive_terms(texts, labels, 1)[0], [0])]
    else:
        found = topics.discover(texts, embedder, max_topics=max_themes)
        labels, drafts = found.labels, found.topics
    feelings = np.array([sentiment(t) for t in texts])
    themes = []
    for draft in drafts:
        members = np.flatnonzero(labels == draft.index)
        if members.size == 0:
            continue
        scores = [s for i in members if (s := comments[int(i)].score) is not None]
        themes.append(
            Theme(
                name=draft.name,
                terms=draft.terms,
                size=int(members.size),
                average_score=round(sum(scores) / len(scores), 3) if scores else None,
                sentiment=round(float(feelings[members].mean()), 3),
                negative_share=round(float((feelings[members] <= NEGATIVE).mean()), 3),
                examples=[redact(texts[i])[:280] for i in draft.examples],
            )
        )
    return sorted(themes, key=lambda t: (t.sentiment, -t.size))


def cached_comment_themes(comments: Sequence[Comment], embedder: Embedder) -> list[Theme]:
    """`comment_themes`, remembered for the same comments (text and score, in order) and embedder."""
    key = _digest(comments, embedder.name)
    with _cache_lock:
        found = _cache.get(key)
        if found is not None:
            _cache.move_to_end(key)
            return list(found)
    # Computed outside the lock: two first requests may both compute, and both get the same themes.
    themes = comment_themes(comments, embedder)
    with _cache_lock:
        _cache[key] = themes
        while len(_cache) > CACHED_SAMPLES:
            _cache.popitem(last=False)
    return list(themes)


def clear_cache() -> None:
    with _cache_lock:
        _cache.clear()


def _digest(comments: Sequence[Comment], embedder: str) -> str:
    content = json.dumps([embedder, MAX_THEMES, [[c.score, c.text] for c in comments]], ensure_ascii=False)
    return hashlib.blake2b(content.encode(), digest_size=20).hexdigest()


def satisfaction(session: Session, win: Window, settings: AnalyticsSettings, embedder: Embedder) -> SatisfactionReport:
    sample = [
        Comment(text, score)
        for score, text in repository.rating_comment_sample(session, win.since, win.until, MAX_THEME_COMMENTS)
    ]
    by_path, comments = service.satisfaction_counts(session, win, settings)
    return SatisfactionReport(
        window=service.window_out(win),
        by_path=by_path,
        comments=comments,
        themes_from=len(sample),
        themes=cached_comment_themes(sample, embedder),
    )
