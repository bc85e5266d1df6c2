"""The output checks, each from a table: what a rewording of the draft may and may not bring in."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from tandem.llm import checks
from tandem.llm.checks import Check, Grounds, check_phrasing

DRAFT = (
    "Your order A10001 (£49.99) left our warehouse on 12 March 2025 and should arrive by 2025-03-14. "
    "Returns are accepted within 30 days. We'll send updates to ann@example.com."
)
FACTS = {
    "carrier": "DPD",
    "refund_amount": "12.50",
    "support_phone": "020 7946 0958",
    "help": "https://shop.example/help",
}
GROUNDS = Grounds(DRAFT, FACTS, max_chars=400)


@dataclass(frozen=True)
class Case:
    check: Check
    output: str
    failure: str | None  # the failure's name, or None when the output passes

    @property
    def id(self) -> str:
        return f"{self.check.__name__}:{self.failure or 'passes'}:{self.output[:30]}"


CASES = [
    # personal data
    Case(checks.no_new_personal_data, "Updates go to ann@example.com.", None),
    Case(checks.no_new_personal_data, "Updates go to ANN@example.com.", None),
    Case(checks.no_new_personal_data, "Call us on 020 7946 0958.", None),
    Case(checks.no_new_personal_data, "Call us on +44 20 7946 0958.", None),
    Case(checks.no_new_personal_data, "Updates go to ann.smith@example.com.", "new_email"),
    Case(checks.no_new_personal_data, "Call us on 020 7946 0000.", "new_phone"),
    Case(checks.no_new_personal_data, "Your card 4111 1111 1111 1111 was charged.", "new_card"),
    Case(checks.no_new_personal_data, "Refunded to GB82 WEST 1234 5698 7654 32.", "new_iban"),
    Case(checks.no_new_order_number, "Order A10001 is on its way.", None),
    Case(checks.no_new_order_number, "Order A-10001 is on its way.", None),
    Case(checks.no_new_order_number, "Order A10002 is on its way.", "new_order_number"),
    Case(checks.no_new_order_number, "Order #40012 is on its way.", "new_order_number"),
    Case(checks.no_new_order_number, "Order ORD-55512 is on its way.", "new_order_number"),
    Case(checks.no_new_link, "See https://shop.example/help.", None),
    Case(checks.no_new_link, "See https://shop.example/help/returns", "new_link"),
    Case(checks.no_new_link, "See www.evil.example for details.", "new_link"),
    Case(checks.no_placeholder, "Updates go to ann@example.com.", None),
    Case(checks.no_placeholder, "Updates go to [EMAIL].", "placeholder"),
    Case(checks.no_placeholder, "We have your number [PHONE_2].", "placeholder"),
    # money, percentages, dates, numbers
    Case(checks.no_new_amount, "Your order cost £49.99.", None),
    Case(checks.no_new_amount, "Your order cost 49.99 GBP.", None),
    Case(checks.no_new_amount, "We refunded £12.50.", None),
    Case(checks.no_new_amount, "We refunded £12.5.", None),
    Case(checks.no_new_amount, "We refunded £12.", "new_amount"),
    Case(checks.no_new_amount, "Here is $5 for the trouble.", "new_amount"),
    Case(checks.no_new_amount, "A €30 credit is yours.", "new_amount"),
    Case(checks.no_new_amount, "That is 20 pounds back.", "new_amount"),
    Case(checks.no_new_percentage, "Returns within 30 days.", None),
    Case(checks.no_new_percentage, "Enjoy 10% off next time.", "new_percentage"),
    Case(checks.no_new_percentage, "Enjoy 15 per cent off.", "new_percentage"),
    Case(checks.no_new_date, "It left on 12 March 2025.", None),
    Case(checks.no_new_date, "It left on 12/03/2025.", None),
    Case(checks.no_new_date, "It left on March 12th.", None),
    Case(checks.no_new_date, "It should arrive by Friday 14 March.", None),
    Case(checks.no_new_date, "It should arrive by 15 March.", "new_date"),
    Case(checks.no_new_date, "It left on 12 March 2024.", "new_date"),
    Case(checks.no_new_date, "It should arrive on Monday.", "new_date"),
    Case(checks.no_new_date, "It should arrive tomorrow.", "new_date"),
    Case(checks.no_new_date, "It should arrive by 2025-03-20.", "new_date"),
    Case(checks.no_new_number, "Returns within 30 days; order A10001.", None),
    Case(checks.no_new_number, "Returns within 1,200 days.", "new_number"),
    Case(checks.no_new_number, "Returns within 60 days.", "new_number"),
    Case(checks.no_new_number, "Returns within sixty days.", "new_number"),
    Case(checks.no_new_number, "It takes 2 to 3 working days.", "new_number"),
    # commitments
    Case(checks.no_new_commitment, "It should arrive by 14 March; we'll send updates.", None),
    Case(checks.no_new_commitment, "We guarantee it arrives by 14 March.", "new_commitment"),
    Case(checks.no_new_commitment, "I promise it will arrive.", "new_commitment"),
    Case(checks.no_new_commitment, "We will refund the delivery fee.", "new_commitment"),
    Case(checks.no_new_commitment, "We\u2019ll happily refund you.", "new_commitment"),
    Case(checks.no_new_commitment, "As compensation, here is a little something.", "new_commitment"),
    Case(checks.no_new_commitment, "We'll replace it free of charge.", "new_commitment"),
    Case(checks.no_new_commitment, "I've approved your return.", "new_commitment"),
    Case(checks.no_new_commitment, "We'll waive the return fee.", "new_commitment"),
    Case(checks.no_new_commitment, "Here's a voucher for the wait.", "new_commitment"),
    Case(checks.no_new_commitment, "We can make an exception this time.", "new_commitment"),
    Case(checks.no_new_commitment, "We'll send you a replacement straight away.", "new_commitment"),
    # identity and shape
    Case(checks.no_human_claim, "I'm the desk's assistant and happy to help.", None),
    Case(checks.no_human_claim, "I'm a real person, not a script.", "claims_human"),
    Case(checks.no_human_claim, "I am human too, so I get it.", "claims_human"),
    Case(checks.no_human_claim, "As a human, I understand.", "claims_human"),
    Case(checks.no_human_claim, "I'm not a bot, promise.", "claims_human"),
    Case(checks.not_empty, "Thanks!", None),
    Case(checks.not_empty, " \n ", "empty"),
    Case(checks.within_length, "x" * 400, None),
    Case(checks.within_length, "x" * 401, "too_long"),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_check(case: Case) -> None:
    failure = case.check(case.output, GROUNDS)

    assert (failure.name if failure else None) == case.failure


def test_every_check_has_a_passing_and_a_failing_row() -> None:
    covered = {(c.check, c.failure is None) for c in CASES}

    assert {(check, passes) for check in checks.CHECKS for passes in (True, False)} <= covered


def test_a_commitment_the_draft_makes_may_be_reworded() -> None:
    grounds = Grounds("We will refund £12.50 to your card within 5 working days.")

    assert check_phrasing("We'll refund £12.50 to your card within 5 working days.", grounds) == []


# Language behaviour: many faithful rewordings pass, many embellished ones fail; each set must hold.
FAITHFUL = [
    "Good news: your order A10001 left our warehouse on 12 March 2025 and should arrive by 14 March.",
    "Order A10001 (£49.99) is on its way! It left us on 12 March and is due by Friday 14 March.",
    "Thanks for waiting. A10001 was dispatched on 12/03/2025 with DPD; expect it by 14 March.",
    "Your parcel A10001 is on the move and should reach you by 14 March. Updates will go to ann@example.com.",
    "Just so you know, you can return items within 30 days.",
    "Your order A10001 should be with you by 14 March. Any questions, call 020 7946 0958.",
    "Happy to help! Order A10001 shipped on 12 March 2025 and should be there by the 14th.",
    "Your order is on its way and should arrive by 14 March. Returns are accepted within thirty days.",
    "I'm sorry for the wait. Your order A10001 left on 12 March and is expected by 14 March.",
    "Your refund of £12.50 is noted; the order A10001 itself should arrive by 14 March.",
]
EMBELLISHED = [
    "Your order A10001 will definitely arrive by 14 March, guaranteed.",
    "Sorry for the wait! We'll refund the £4.99 delivery charge.",
    "Your order A10001 arrives tomorrow.",
    "As a goodwill gesture here is 10% off your next order.",
    "Order A10001 should arrive by 14 March; we'll also send a free replacement of the case.",
    "I promise your order will be there by 14 March.",
    "We'll send updates to ann@example.com and bob@example.com.",
    "Your order A10001 should arrive by 16 March.",
    "Returns are accepted within 60 days for you.",
    "As a human, I totally understand. Your order should arrive by 14 March.",
]


def test_faithful_rewordings_pass() -> None:
    passed = [text for text in FAITHFUL if check_phrasing(text, GROUNDS) == []]

    assert len(passed) >= 0.9 * len(FAITHFUL), set(FAITHFUL) - set(passed)


def test_embellished_rewordings_fail() -> None:
    caught = [text for text in EMBELLISHED if check_phrasing(text, GROUNDS)]

    assert caught == EMBELLISHED
