import pytest

from tandem.conversations.ownership import ai_may_speak, next_owner
from tandem.kit.errors import InvalidTransition

ALLOWED = [
    ("hand_over", "ai", "queued"),
    ("assign", "queued", "human"),
    ("assign", "ai", "human"),
    ("hand_back", "human", "ai"),
    ("hand_back", "queued", "ai"),
    ("resolve", "human", "resolved"),
    ("resolve", "ai", "resolved"),
    ("resolve", "queued", "resolved"),
    ("reopen_to_ai", "resolved", "ai"),
    ("reopen_to_human", "resolved", "human"),
]
REFUSED = [
    ("hand_over", "human"),
    ("hand_over", "queued"),
    ("hand_over", "resolved"),
    ("assign", "human"),
    ("assign", "resolved"),
    ("hand_back", "ai"),
    ("hand_back", "resolved"),
    ("resolve", "resolved"),
    ("reopen_to_ai", "ai"),
    ("reopen_to_human", "human"),
]


@pytest.mark.parametrize(("action", "before", "after"), ALLOWED)
def test_allowed_transitions(action, before, after):
    assert next_owner(action, before) == after


@pytest.mark.parametrize(("action", "before"), REFUSED)
def test_refused_transitions_say_why(action, before):
    with pytest.raises(InvalidTransition) as raised:
        next_owner(action, before)
    assert before in raised.value.message


@pytest.mark.parametrize(("owner", "speaks"), [("ai", True), ("queued", False), ("human", False), ("resolved", False)])
def test_only_the_ai_owner_speaks(owner, speaks):
    assert ai_may_speak(owner) is speaks
