"""Queries over help articles, including the full-text index the migration 0007 keeps in sync.

SQLite: FTS5 table `kb_article_fts` (rowid = article id), ranked by bm25 with title and tags weighted
above the body. PostgreSQL: the generated `kb_article.search_vector` (title A, tags B, body C) under a GIN
index, ranked by ts_rank_cd. Both are kept current by the database itself (triggers / a generated column),
so an edit or an unpublish is visible to the next query.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from tandem.knowledge.models import Article

# Title and tags say what an article is about; the body only touches on it (bm25 column weights).
SQLITE_RANK = "bm25(kb_article_fts, 3.0, 1.0, 2.0)"
# ts_rank_cd weights for the {D, C, B, A} labels: body is C, tags B, title A.
POSTGRES_WEIGHTS = "{0.1, 0.3, 0.6, 1.0}"
MAX_TERMS = 32
# PostgreSQL has no bm25: weight each query term's cover-density rank by its inverse document frequency
# (the bm25 idf), so "paypal" outweighs "order". One term per tsquery; the GIN index finds the rows.
POSTGRES_QUERY = f"""
WITH asked AS (
    SELECT DISTINCT to_tsquery('english', term) AS q FROM unnest(CAST(:terms AS text[])) AS term
), matched AS (
    SELECT q, (SELECT count(*) FROM kb_article WHERE published AND search_vector @@ q) AS hits
    FROM asked WHERE numnode(q) > 0
), total AS (
    SELECT count(*) AS articles FROM kb_article WHERE published
)
SELECT a.id, sum(ln(1 + (total.articles - m.hits + 0.5) / (m.hits + 0.5))
                 * ts_rank_cd('{POSTGRES_WEIGHTS}', a.search_vector, m.q)) AS score
FROM matched AS m JOIN kb_article AS a ON a.published AND a.search_vector @@ m.q CROSS JOIN total
GROUP BY a.id ORDER BY score DESC, a.id LIMIT :limit
"""
_TERM = re.compile(r"^[a-z0-9]+$")


def published_articles(session: Session) -> Sequence[Article]:
    return session.scalars(select(Article).where(Article.published.is_(True)).order_by(Article.id)).all()


def keyword_scores(session: Session, terms: Sequence[str], limit: int = 50) -> dict[int, float]:
    """Published article id -> full-text score (higher is better) for articles matching any of `terms`.

    `terms` are plain lower-case words; anything else is dropped, so no query syntax reaches the engine.
    Scores are comparable within one store only (bm25 on SQLite, cover density on PostgreSQL).
    """
    clean = list(dict.fromkeys(t for t in terms if _TERM.match(t)))[:MAX_TERMS]
    if not clean:
        return {}
    if session.get_bind().dialect.name == "postgresql":
        rows = session.execute(text(POSTGRES_QUERY), {"terms": clean, "limit": limit})
    else:
        rows = session.execute(
            text(
                f"SELECT kb_article_fts.rowid, -{SQLITE_RANK} AS score FROM kb_article_fts "
                "JOIN kb_article AS a ON a.id = kb_article_fts.rowid "
                "WHERE kb_article_fts MATCH :query AND a.published = 1 "
                "ORDER BY score DESC, a.id LIMIT :limit"
            ),
            {"query": " OR ".join(f'"{t}"' for t in clean), "limit": limit},
        )
    return {int(article_id): float(score) for article_id, score in rows}
