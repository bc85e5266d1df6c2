"""Fixtures for the connector tests: a stand-in for a merchant's REST API, and connectors files."""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Iterator

import pytest

from connectors.merchant_api import (
    API_KEY,
    API_KEY_ENV,
    MerchantApiStandIn,
    start_merchant_api_stand_in,
    stop_merchant_api_stand_in,
)
from tandem.connectors.config import ConnectorConfig, parse_connector_config

Configure = Callable[[str, str], ConnectorConfig]


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    # The stand-in is on this machine: a proxy from the environment must not sit in between.
    for proxy in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(proxy, raising=False)


@pytest.fixture
def merchant_api_stand_in() -> Iterator[MerchantApiStandIn]:
    stand_in, server = start_merchant_api_stand_in()
    yield stand_in
    stop_merchant_api_stand_in(stand_in, server)


@pytest.fixture
def api_key(monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv(API_KEY_ENV, API_KEY)
    return API_KEY


@pytest.fixture
def configure(api_key: str) -> Iterator[Configure]:
    """Parse a connectors file (YAML text, `{url}` for the stand-in's address); closes its clients after."""
    made: list[ConnectorConfig] = []

    def configure(text: str, url: str) -> ConnectorConfig:
        config = parse_connector_config(textwrap.dedent(text).replace("{url}", url), source="connectors.yaml")
        made.append(config)
        return config

    yield configure
    for config in made:
        config.close()
