from __future__ import annotations

from collections.abc import Iterator

import pytest

from tandem.conversations.pipeline import basic_pipeline

from foundation.desk_client import DeskClient


@pytest.fixture
def desk(store_url: str) -> Iterator[DeskClient]:
    client = DeskClient(store_url, pipeline=basic_pipeline())
    yield client
    client.close()


@pytest.fixture
def sqlite_desk(sqlite_url: str) -> Iterator[DeskClient]:
    client = DeskClient(sqlite_url, pipeline=basic_pipeline())
    yield client
    client.close()
