"""Vague references: the customer leans on something only they can see, and names nothing concrete."""

from __future__ import annotations

import pytest

from tandem.triage.rules.vague import detector


@pytest.mark.parametrize(
    "text",
    [
        "the thing from before",
        "yeah that one. does it go with it or no",
        "ok but what about the other bit",
        "the bit that came separate with the sticker on, is that part of it or do i send it to them",
        "Does it do the thing where it goes off by itself",
        "Like at night. Mine does it but the other doesnt",
        "like the one Gary had. the long one",
        "the 2nd 1 i mean. same as mums",
        "oh and what about the other situation",
        "Hello yes, regarding the matter",
        "my nan's got the clock thing with the radio in it",
    ],
)
def test_references_only_the_customer_can_resolve(text: str) -> None:
    assert detector.detect(text).fired


@pytest.mark.parametrize(
    "text",
    [
        "the other one hasn't arrived yet",  # a delivery: placed fine
        "can I return the other one?",
        "the thing is, my order A10023 is late",
        "where is my order?",
        "thanks, that one is perfect",
        "the blue headphones from before, are they back in stock?",
    ],
)
def test_a_reference_next_to_something_concrete_is_not_vague(text: str) -> None:
    assert not detector.detect(text).fired
