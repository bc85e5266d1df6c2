"""Assemble the pipeline's stages: privacy → triage → hand-over policy → reply or notice.

The full triage needs the locally built models (`tandem models build`); if they are missing the desk
still runs, on the rule detectors alone, and says so in the log.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from tandem.assistant.replies import ArticleLookup, IntentReply, OrderFacts, OrderLookup
from tandem.connectors import orders
from tandem.conversations.pipeline import Pipeline, Redaction
from tandem.handoff.stage import NoticeStage, PolicyStage
from tandem.kit.db import make_engine, make_read_engine, make_sessionmaker
from tandem.kit.settings import Settings
from tandem.knowledge import repository as knowledge
from tandem.knowledge.retrieval import ArticleText, Match, best_article
from tandem.privacy import scan
from tandem.triage.service import Triage, TriageSetupError
from tandem.triage.signals import Signals, TriageContext

log = logging.getLogger("tandem.stages")


class PrivacyScanStage:
    def scan(self, text: str) -> Redaction:
        result = scan(text)
        return Redaction(result.redacted, [span.model_dump() for span in result.spans])


class ModelTriage:
    def __init__(self, triage: Triage, catalogue: Sequence[str]) -> None:
        self.triage, self.catalogue = triage, tuple(catalogue)

    def assess(self, redacted_text: str, context: TriageContext) -> Signals:
        return self.triage.assess(redacted_text, context, self.catalogue)


def build_pipeline(settings: Settings) -> Pipeline:
    triage = Triage.load(settings.models_dir)
    return Pipeline(
        privacy=PrivacyScanStage(),
        triage=ModelTriage(triage, product_names(settings.database_url)),
        decision=PolicyStage(settings.handoff_rules, settings.workspace_dir / "handoff_rules.yaml"),
        reply=_reply_stage(settings.database_url),
        notice=NoticeStage(),
    )


def _reply_stage(database_url: str) -> IntentReply:
    # One read-only engine serves both lookups (a second pool per lookup would only add connections).
    reads = make_sessionmaker(make_read_engine(database_url))
    return IntentReply(orders=order_lookup(reads), articles=article_lookup(reads))


def order_lookup(factory: sessionmaker[Session]) -> OrderLookup:
    """Read an order's status through the order connector (the demo store's own table)."""

    def lookup(number: str) -> OrderFacts | None:
        with factory() as session:
            found = orders.find_orders(session, [number])
            if not found:
                return None
            order = found[0]
            return OrderFacts(order.number, order.status, order.carrier, order.estimated_delivery, order.delivered_at)

    return lookup


def article_lookup(factory: sessionmaker[Session]) -> ArticleLookup:
    """Answer from the published help articles, read fresh each time (admins edit them while we run)."""

    def lookup(question: str) -> Match | None:
        with factory() as session:
            articles = [
                ArticleText(a.slug, a.title, a.body, tuple(a.tags or ())) for a in knowledge.published_articles(session)
            ]
        return best_article(question, articles)

    return lookup


def product_names(database_url: str) -> list[str]:
    """The catalogue's names, so triage can recognise products customers mention."""
    engine = make_engine(database_url)
    try:
        with engine.connect() as conn:
            return [row[0] for row in conn.execute(sa.text("SELECT name FROM product ORDER BY id"))]
    except sa.exc.DatabaseError:
        return []
    finally:
        engine.dispose()


__all__ = ["TriageSetupError", "build_pipeline"]
