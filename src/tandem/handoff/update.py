"""What a customer message adds to a hand-over that is already open (pure, table-tested).

While a person is needed the AI says nothing, but it keeps reading: a customer waiting for a person may
reveal a bereavement, threaten a chargeback or post about it. Those reasons join the hand-over, so the
agent sees them, the priority rises (never falls) and a conversation still waiting in a queue moves to
the queue its new primary reason belongs to.
"""

from __future__ import annotations

from tandem.handoff.decision import SKILL_ONLY_REASONS, Decision, FiredReason, Reason
from tandem.handoff.rules import PRIORITIES

# Reasons about the AI's own turns. Once a person owns the conversation the AI is silent, so "that's
# not what I asked" is said to the person, and these cannot newly apply.
AI_TURN_REASONS = frozenset({Reason.LOW_CONFIDENCE, Reason.REPEATED_MISUNDERSTANDING, Reason.AI_UNAVAILABLE})


def widened(current: Decision, incoming: Decision, still_queued: bool) -> Decision | None:
    """`current` with the new reasons in `incoming`, or None when the message adds nothing."""
    known = set(current.reason_codes)
    new = [r for r in incoming.reasons if r.code not in known and r.code not in AI_TURN_REASONS]
    if not new:
        return None
    reasons = sorted([*current.reasons, *new], key=_standing)
    primary_changed = reasons[0].code != current.primary_reason
    queue = incoming.queue if primary_changed and still_queued and incoming.queue else current.queue
    priorities = [current.priority, *(r.priority for r in new if r.priority), incoming.priority]
    return current.model_copy(
        update={
            "owner": "human",
            "reasons": reasons,
            "queue": queue,
            "priority": max(priorities, key=PRIORITIES.index),
        }
    )


def _standing(reason: FiredReason) -> tuple[int, int]:
    # A skill's "I cannot finish this myself" says less about the customer than any rule that fired:
    # it goes last, and the rules keep their own ranking among themselves.
    return (1 if reason.code in SKILL_ONLY_REASONS else 0, reason.rank)
