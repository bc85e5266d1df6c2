"""A store holding the demo help articles, and one shared sentence encoder for the whole test session."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy.orm import Session, sessionmaker

from tandem.demo.catalogue import ARTICLES
from tandem.kit.db import make_engine, make_sessionmaker
from tandem.knowledge.models import Article
from tandem.knowledge.search import Embed
from tandem.triage.build import ensure_encoder
from tandem.triage.encoder import Encoder, encoder_is_current
from tandem.triage.settings import default_models_dir

# Seeded rows share one updated_at, so article vectors cached by one test are reused by the next.
SEEDED_AT = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


@pytest.fixture(scope="session")
def embed(tmp_path_factory: pytest.TempPathFactory) -> Embed:
    root = default_models_dir()
    if not encoder_is_current(root):
        root = tmp_path_factory.mktemp("models")
        ensure_encoder(root)
    return Encoder.load(root).encode


@pytest.fixture
def kb(store_url: str) -> Iterator[sessionmaker[Session]]:
    engine = make_engine(store_url)
    factory = make_sessionmaker(engine)
    with factory() as session:
        session.add_all(Article(**article, updated_at=SEEDED_AT) for article in ARTICLES)  # type: ignore[arg-type]
        session.commit()
    yield factory
    engine.dispose()
