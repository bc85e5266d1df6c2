"""Themes in satisfaction comments: cluster the comments, name each theme, and say how it feels (VADER).

Themes are computed on demand (comments are few next to messages) and never stored.
"""

from __future__ import annotations

import random
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
# Themes come from at most this many comments (a seeded sample beyond it): enough to find the themes,
# and it keeps the endpoint fast whatever the volume.
MAX_THEME_COMMENTS = 500
NEGATIVE = -0.05  # VADER's own convention: compound <= -0.05 is negative


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


def satisfaction(session: Session, win: Window, settings: AnalyticsSettings, embedder: Embedder) -> SatisfactionReport:
    rated = repository.rating_comments(session, win.since, win.until)
    comments = [Comment(text, score) for _, score, text, _ in rated]
    sample = random.Random(0).sample(comments, MAX_THEME_COMMENTS) if len(comments) > MAX_THEME_COMMENTS else comments
    return SatisfactionReport(
        window=service.window_out(win),
        by_path=service.satisfaction_by_path(session, win, settings),
        comments=len(comments),
        themes_from=len(sample),
        themes=comment_themes(sample, embedder),
    )
