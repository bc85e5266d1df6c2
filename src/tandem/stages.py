"""Assemble the pipeline's stages: privacy → triage → hand-over policy → reply or notice.

The full triage needs the locally built models (`tandem models build`); if they are missing the desk
still runs, on the rule detectors alone, and says so in the log.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.orm import Session

from tandem.assistant.engine import Assistant
from tandem.assistant.skills import default_skills
from tandem.connectors.config import connectors_for, load_connector_config
from tandem.conversations.pipeline import Pipeline, Redaction
from tandem.handoff.stage import NoticeStage, PolicyStage
from tandem.kit.db import make_engine
from tandem.kit.settings import Settings
from tandem.knowledge import search
from tandem.knowledge.retrieval import Match
from tandem.knowledge.search import Embed
from tandem.llm import phraser_from_settings
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
        reply=build_assistant(settings, triage.encoder.encode),
        notice=NoticeStage(),
    )


def build_assistant(settings: Settings, embed: Embed | None = None) -> Assistant:
    """The AI's skills, each working through the connectors (built-in tables, or a merchant's REST API)."""
    config = load_connector_config(settings.connectors_file) if settings.connectors_file else None

    def find_answer(session: Session, question: str) -> Match | None:
        # Read fresh each time: admins edit the help articles while the desk runs.
        return search.find_answer(session, question, embed=embed)

    return Assistant(
        default_skills(find_answer),
        lambda session: connectors_for(session, config),
        phraser_from_settings(settings),
        on_close=config.close if config is not None else None,
    )


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
