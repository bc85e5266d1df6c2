"""Fixtures for the LLM provider's tests: every one runs against a local stand-in, never a real vendor."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from llm.llm_vendor_stand_in import LlmVendorStandIn, serving


@pytest.fixture
def llm_vendor_stand_in() -> Iterator[LlmVendorStandIn]:
    """A real HTTP server on 127.0.0.1 (port chosen by the OS) standing in for an LLM vendor."""
    with serving(LlmVendorStandIn()) as vendor:
        yield vendor
