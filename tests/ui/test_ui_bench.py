"""The UI benchmark's data generator and report, on a small store (the full run is `python -m bench ui`)."""

from __future__ import annotations

import importlib
from collections import Counter
from pathlib import Path
from types import ModuleType

import pytest
from sqlalchemy import select

from tandem.conversations.models import Conversation, Message
from tandem.handoff.models import Handoff
from tandem.kit.db import make_engine, make_sessionmaker

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def ui_bench(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    monkeypatch.syspath_prepend(str(REPO))  # bench/ lives beside src/, outside the installed package
    return importlib.import_module("bench.ui_bench")


def test_populate_makes_realistic_conversations(ui_bench: ModuleType, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'bench.db'}"
    made = ui_bench.populate(url, count=300)
    engine = make_engine(url)
    try:
        with make_sessionmaker(engine)() as session:
            conversations = session.scalars(select(Conversation)).all()
            owners = Counter(c.owner for c in conversations)
            assert len(conversations) >= 300 and set(owners) == {"ai", "queued", "human", "resolved"}
            assert all(c.assigned_agent_id for c in conversations if c.owner == "human")
            assert all(c.queue for c in conversations if c.owner in ("queued", "human"))
            assert len(session.scalars(select(Message.id)).all()) == made["messages"] >= 600
            assert len(session.scalars(select(Handoff.id)).all()) == made["handoffs"]
    finally:
        engine.dispose()


def test_the_report_marks_a_missed_target(ui_bench: ModuleType) -> None:
    fast = ui_bench._stats([10.0] * 20, 300)
    slow = ui_bench._stats([10.0] * 18 + [900.0, 950.0], 500)
    assert fast["meets_target"] and not slow["meets_target"] and slow["p95_ms"] == 900.0
    result = {
        "pipeline": "full",
        "populated": {"conversations": 10, "messages": 30, "handoffs": 4, "seconds": 0.1},
        "pages": {"inbox data": fast},
        "live": {"stream": slow, "post": fast},
    }
    text = ui_bench.markdown(result)
    assert "| inbox data | 20 | 10.0 |" in text and "≤ 500 ✗" in text and "≤ 300 ✓" in text
