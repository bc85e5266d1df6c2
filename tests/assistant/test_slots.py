"""Reading customers' answers: each reader returns a normal form, or None rather than a guess."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from tandem.assistant import slots

MONDAY = date(2026, 11, 23)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("where is A10023", "A10023"),
        ("order #a10023 please", "A10023"),
        ("it's A10023, not A10045", "A10023"),
        ("A100234", None),
        ("my order 12345", None),
    ],
)
def test_order_numbers(text: str, expected: str | None) -> None:
    assert slots.order_number(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("it's Jo.Bloggs+shop@Mail.Example.", "jo.bloggs+shop@mail.example"),
        ("jo at mail dot com", None),
        ("jo@", None),
    ],
)
def test_emails(text: str, expected: str | None) -> None:
    assert slots.email(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("07812 345678", "+447812345678"),
        ("no sorry, it's 07812 111222", "+447812111222"),
        ("call me on +44 (0)7812 345678 thanks", "+447812345678"),
        ("my number is 12345", None),
        ("07700 900123", None),  # Ofcom's drama range: a number that cannot be dialled is not accepted
        ("A10023", None),
    ],
)
def test_phones(text: str, expected: str | None) -> None:
    assert slots.phone(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("yes", True),
        ("Yes please, go ahead", True),
        ("ok", True),
        ("no", False),
        ("no sorry, it's 07812 111222", False),
        ("hang on, what do you mean?", None),
        ("hmm", None),
        ("hmm not right now, I'll hang on to it", False),
        ("oh yes please", True),
        ("aye go on then", True),
        ("that's fine, do it", True),
        ("nah don't bother, I'll hang on to it", False),
    ],
)
def test_confirmations(text: str, expected: bool | None) -> None:
    assert slots.confirmation(text) is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("today", MONDAY),
        ("tomorrow works", date(2026, 11, 24)),
        ("Thursday", date(2026, 11, 26)),
        ("monday", date(2026, 11, 30)),  # the next Monday, never today
        ("3 December", date(2026, 12, 3)),
        ("Dec 3rd", date(2026, 12, 3)),
        ("1 January", date(2027, 1, 1)),  # a date already past this year means next year
        ("2026-12-10", date(2026, 12, 10)),
        ("book demo manchester thurs", date(2026, 11, 26)),  # short forms people type
        ("weds if poss", date(2026, 11, 25)),
        ("wendsday if poss", date(2026, 11, 25)),  # misspelt
        ("thurday", date(2026, 11, 26)),
        ("someday soon", None),
        ("31 February", None),
        ("whenever", None),
    ],
)
def test_days(text: str, expected: date | None) -> None:
    assert slots.day(text, MONDAY) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("about £3,000", Decimal("3000")),
        ("£2.5k", Decimal("2500.0")),
        ("200 pounds", Decimal("200")),
        ("under 150", Decimal("150")),
        ("got any earbuds for a tenner?", Decimal("10")),
        ("£150, no wait, make it £300", Decimal("300")),
        ("£40k-ish all in", Decimal("40000")),
        ("about a hundred and thirty pounds", Decimal("130")),  # in words
        ("two grand", Decimal("2000")),
        ("fifty quid max", Decimal("50")),
        ("no idea", None),
        ("a present for my 15 year old nephew", None),  # a bare number that counts something is not money
        ("for 2 people, up to 80", Decimal("80")),
        ("no more than 250", Decimal("250")),
    ],
)
def test_money(text: str, expected: Decimal | None) -> None:
    assert slots.money(text) == expected


@pytest.mark.parametrize(
    ("text", "options", "expected"),
    [("2", 3, 1), ("the first one", 3, 0), ("the last", 3, 2), ("option 3", 3, 2), ("4", 3, None), ("yes", 3, None)],
)
def test_choices(text: str, options: int, expected: int | None) -> None:
    assert slots.choice(text, options) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("10:30", (10, 30)), ("2pm", (14, 0)), ("14.00 please", (14, 0)), ("12am", (0, 0)), ("2", None)],
)
def test_times(text: str, expected: tuple[int, int] | None) -> None:
    assert slots.time_of_day(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12 New Street, Leeds LS6 2AB", "12 New Street, Leeds LS6 2AB"),
        ("my new address is 4 Park Row, York YO10 5DD.", "4 Park Row, York YO10 5DD"),
        (
            "no wait, I forgot the flat - it's Flat 4, 22 Canal Street, Manchester M1 3HE",
            "Flat 4, 22 Canal Street, Manchester M1 3HE",
        ),
        (
            "We moved to 41 Hawthorn Road, Sheffield S10 2FL - can you change the address on my account to that?",
            "41 Hawthorn Road, Sheffield S10 2FL",  # the address ends at its postcode
        ),
        ("Leeds", None),
        ("New Street, Leeds LS6 2AB", None),  # no house number
    ],
)
def test_addresses(text: str, expected: str | None) -> None:
    assert slots.address(text) == expected


def test_never_mind() -> None:
    assert slots.never_mind("actually never mind") and slots.never_mind("forget it")
    assert slots.never_mind("nvm it literally just turned up lol")
    assert slots.never_mind("Ah yes that matches, A10234. Mystery solved, thanks!")
    assert slots.never_mind("panic over, it was my partner's order") and slots.never_mind("ignore me, found it")
    assert not slots.never_mind("I don't mind which day")
    # Putting a request on hold is dropping it for now; asking for someone of ours is not.
    assert slots.never_mind("actually let me run it past my business partner first, ignore this for now")
    assert slots.never_mind("hold off for now") and slots.never_mind("let me check with my wife")
    assert slots.never_mind("actually don't worry, I'll just pop in when I'm passing")
    assert slots.never_mind("my partner says she's already ordered them elsewhere. sorry to waste your time")
    assert not slots.never_mind("I need to speak to the manager")
    assert not slots.never_mind("can I speak to my manager about the refund")


@pytest.mark.parametrize(
    ("text", "holding", "cannot", "corrects"),
    [
        ("hang on its in my emails somewhere", True, False, False),
        ("one sec, let me find it", True, False, False),
        ("She ordered them, so I haven't got a number I'm afraid", False, True, False),
        ("No, sorry, I've no way of getting it", False, True, False),
        ("sorry, that's my old one - I meant A10865", False, False, True),
        ("A10865", False, False, False),
        ("yes please", False, False, False),
    ],
)
def test_what_a_mid_request_message_is_doing(text: str, holding: bool, cannot: bool, corrects: bool) -> None:
    assert (slots.holding_on(text), slots.cannot_give(text), slots.corrects(text)) == (holding, cannot, corrects)
