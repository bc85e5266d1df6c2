"""Session-wide triage fixtures: one encoder build and one tiny intent model per test worker."""

from __future__ import annotations

from pathlib import Path

import pytest

from tandem.triage.build import ensure_encoder
from tandem.triage.domain_pack import DomainPack, load_pack
from tandem.triage.encoder import Encoder
from tandem.triage.intents import IntentModel, train_from_pack

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="session")
def models_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("models")
    ensure_encoder(root)
    return root


@pytest.fixture(scope="session")
def encoder(models_dir: Path) -> Encoder:
    return Encoder.load(models_dir)


@pytest.fixture(scope="session")
def tiny_pack() -> DomainPack:
    return load_pack(FIXTURES / "tiny_pack.yaml")


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory: pytest.TempPathFactory, tiny_pack: DomainPack, encoder: Encoder) -> Path:
    target = tmp_path_factory.mktemp("tiny_intents")
    train_from_pack(tiny_pack, encoder).save(target)
    return target


@pytest.fixture(scope="session")
def tiny_model(tiny_model_dir: Path) -> IntentModel:
    return IntentModel.load(tiny_model_dir)
