"""Queries over help articles."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from tandem.knowledge.models import Article


def published_articles(session: Session) -> Sequence[Article]:
    return session.scalars(select(Article).where(Article.published.is_(True)).order_by(Article.id)).all()
