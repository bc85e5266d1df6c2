"""Find the help article that answers a question: keyword scoring with inverse document frequency.

Small and local on purpose (the knowledge base is tens to hundreds of articles). The AI answers only
when an article matches well enough; otherwise it says so and offers a person.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

_WORD = re.compile(r"[a-z0-9']+")
STOPWORDS = frozenset(
    "a an the i my me we our you your is are was were be been do does did can could would should will "
    "to of in on for at by with from and or but if so it its this that what when where how why which who "
    "please hi hello thanks thank there any some have has had not no yes get got".split()
)
# Below this a match is too weak to answer from: better to say so than to bluff.
MIN_SCORE = 2.5


@dataclass(frozen=True)
class ArticleText:
    slug: str
    title: str
    body: str
    tags: tuple[str, ...] = ()
    policy_clause: str | None = None


@dataclass(frozen=True)
class Match:
    """An article that answers a question. `passage` is the part of it that answers (empty: none chosen);
    `method` says which evidence found it: keyword, semantic or hybrid."""

    article: ArticleText
    score: float
    passage: str = ""
    method: str = "keyword"


def words(text: str) -> list[str]:
    return [w for w in _WORD.findall(text.lower()) if w not in STOPWORDS and len(w) > 1]


def best_article(question: str, articles: Sequence[ArticleText]) -> Match | None:
    asked = set(words(question))
    if not asked or not articles:
        return None
    documents = [_document_words(article) for article in articles]
    idf = {w: math.log(1 + len(documents) / (1 + sum(w in d for d in documents))) for w in asked}
    scored = [
        (sum(idf[w] * _weight(w, article) for w in asked & doc), article)
        for article, doc in zip(articles, documents, strict=True)
    ]
    score, article = max(scored, key=lambda pair: pair[0])
    return Match(article, round(score, 3)) if score >= MIN_SCORE else None


def _document_words(article: ArticleText) -> set[str]:
    return set(words(f"{article.title} {' '.join(article.tags)} {article.body}"))


def _weight(word: str, article: ArticleText) -> float:
    # Words in the title or tags say what the article is about; words in the body only touch on it.
    heading = set(words(f"{article.title} {' '.join(article.tags)}"))
    return 2.0 if word in heading else 1.0


# A sentence ends at . ! or ? followed by a space: "£4.95" and "2.5kg" stay whole.
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def sentences(body: str) -> list[str]:
    return [part.strip() for part in _SENTENCE_END.split(body.strip()) if part.strip()] or [body.strip()]


def first_sentences(body: str, count: int = 2) -> str:
    return " ".join(sentences(body)[:count]) or body
