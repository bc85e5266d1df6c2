"""The small pure pieces behind the live streams and the supervisor's numbers (no server, no browser)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tandem.console.api import InboxFeed
from tandem.console.overview import path_of
from tandem.conversations.models import Conversation
from tandem.kit.errors import ValidationFailed
from tandem.widget.live import ConversationCursor, Frame


class TestConversationCursor:
    def test_round_trips_through_the_event_id(self) -> None:
        cursor = ConversationCursor.parse("12-345")
        assert cursor == ConversationCursor(12, 345)
        assert str(cursor) == "12-345"

    def test_no_cursor_means_from_the_start(self) -> None:
        assert ConversationCursor.parse(None) is None

    @pytest.mark.parametrize("value", ["", "12", "a-b", "12-", "-3", "1-2-3", "12-3 ", "9" * 19 + "-1"])
    def test_anything_else_is_refused(self, value: str) -> None:
        with pytest.raises(ValidationFailed):
            ConversationCursor.parse(value)


class TestFrame:
    def test_encodes_one_server_sent_event(self) -> None:
        encoded = Frame("message", {"body": "hi\nthere"}, "3-4").encode()
        # JSON keeps the newline escaped, so the data stays on one line.
        assert encoded == b'id: 3-4\nevent: message\ndata: {"body":"hi\\nthere"}\n\n'


class TestInboxFeedLateCommits:
    def test_a_skipped_event_id_is_looked_for_again_until_it_shows_up(self) -> None:
        feed = InboxFeed(cursor=10)
        feed.at = 10
        feed.saw([11, 13])
        assert (feed.at, set(feed.holes)) == (13, {12})
        feed.saw([12, 14])
        assert (feed.at, set(feed.holes)) == (14, set())

    def test_nothing_new_changes_nothing(self) -> None:
        feed = InboxFeed(cursor=5)
        feed.at = 5
        feed.saw([])
        assert (feed.at, feed.holes) == (5, {})


class TestPaths:
    NOW = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)

    @pytest.mark.parametrize(
        ("handed_over", "first_human_response", "expected"),
        [
            (None, None, "ai_only"),
            (NOW, None, "handed_over"),
            (NOW, NOW, "handed_over"),
            (None, NOW, "human_only"),
        ],
    )
    def test_the_path_a_conversation_took(
        self, handed_over: datetime | None, first_human_response: datetime | None, expected: str
    ) -> None:
        conversation = Conversation(handed_over_at=handed_over, first_human_response_at=first_human_response)
        assert path_of(conversation) == expected
