"""Chit-chat: thanks, acknowledgements, pleasantries and small talk, plus very short replies.

A short reply ("the Manchester store please", "10:30 works") answers the assistant's last question; the
intent model reads it as out of scope because it has no context. Neither it nor plain small talk is a
request the assistant failed to place, so the hand-over policy does not count it as an unclear turn.
``Hit.labels``: ``acknowledgement``, ``small_talk`` or ``short_reply``.
"""

from __future__ import annotations

import re

from tandem.triage.detector import Hit
from tandem.triage.rules._engine import CueDetector

SHORT_REPLY_WORDS = 5  # at most this many words, with no question: an answer, not a new request
_WORD = re.compile(r"[\w'’]+")


class ChitChatDetector:
    name = "chit_chat"

    def __init__(self) -> None:
        self._cues = CueDetector("chit_chat")

    def detect(self, text: str) -> Hit:
        hit = self._cues.detect(text)
        if hit.fired:
            return hit
        words = _WORD.findall(text)
        if words and len(words) <= SHORT_REPLY_WORDS and "?" not in text:
            return Hit(fired=True, evidence=(text.strip(),), labels=("short_reply",), score=0.5)
        return Hit.none()


detector = ChitChatDetector()
