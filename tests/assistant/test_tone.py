"""Every reply template, rendered in each of its situations, reads warm, plain and honest.

No blame, no jargon, no promise the policy does not make, never "I can't help you", and no template
syntax or empty values showing through.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from tandem.assistant.engine import render, template_keys

ORDER = {
    "number": "A10023",
    "where": "is on its way",
    "expected": "Friday 27 November",
    "delivered": "Thursday 19 November",
    "carrier": "DPD",
    "tracking": "TRK123",
    "refunded": "£20.00",
}
SLOTS = [
    {"id": "1", "label": "Friday 27 November at 10:00, Northwind Leeds"},
    {"id": "2", "label": "Friday 27 November at 10:30, Northwind Leeds"},
]
HOURS = {
    "days": [{"day": "Monday", "open": "08:00", "close": "20:00"}, {"day": "Sunday", "open": None, "close": None}],
    "timezone": "Europe/London",
    "holidays": ["Friday 25 December"],
    "open_today": "08:00–20:00",
}
# Each situation with the values its skill gives it; variants cover the branches inside a template.
VALUES: dict[str, list[dict[str, Any]]] = {
    "common.stuck": [{"what": "the order number"}],
    "common.connector_down": [{"system_words": "order"}],
    "identity.mismatch": [{"what": "verify_email"}],
    "order_status.not_found": [{"number": "A99999"}],
    "order_status.answer": [
        {**ORDER, "next_step": step}
        for step in (
            "in_transit",
            "processing",
            "delayed",
            "pending_payment",
            "delivered",
            "cancelled",
            "refunded",
            "returned",
            "other",
        )
    ],
    "ticket_follow_up.answer": [
        {"cases": []},
        {
            "cases": [
                {
                    "number": "12",
                    "subject": "a late parcel",
                    "status": "with a member of our team",
                    "since": "Monday 23 November",
                }
            ]
        },
    ],
    "refund.ask_reason": [{"number": "A10023"}],
    "refund.not_on_account": [{"number": "A10023"}],
    "refund.outside_policy": [
        {"explanation": "Our standard refund window is 30 days from delivery.", "number": "A10023"}
    ],
    "refund.confirm": [
        {"number": "A10023", "amount": "£42.00"},
        {"number": "A10023", "amount": "£42.00", "again": True},
    ],
    "refund.declined": [{"number": "A10023"}],
    "refund.done": [{"number": "A10023", "amount": "£42.00", "reference": "RF-1"}],
    "update_contact.ask_value": [{"field": "phone number"}, {"field": "phone number", "again": True}],
    "update_contact.confirm": [{"field": "email address", "value": "jo@mail.example"}],
    "update_contact.done": [{"field": "email address", "value": "jo@mail.example"}],
    "appointment.offer": [{"options": SLOTS, "exact": True}, {"options": SLOTS, "exact": False}],
    "appointment.confirm": [{"when": SLOTS[0]["label"]}],
    "appointment.booked": [
        {"when": SLOTS[0]["label"], "where": "Northwind Leeds", "moved_from": None},
        {"when": SLOTS[0]["label"], "where": "Northwind Leeds", "moved_from": SLOTS[1]["label"]},
    ],
    "appointment.none_booked": [{"mode": "reschedule"}, {"mode": "cancel"}],
    "appointment.which_booking": [{"options": SLOTS}],
    "appointment.confirm_cancel": [{"when": SLOTS[0]["label"]}],
    "appointment.kept": [{"when": SLOTS[0]["label"]}],
    "appointment.cancelled": [{"when": SLOTS[0]["label"]}],
    "recommend_product.ask_category": [{"categories": ["bags", "headphones", "lighting"]}, {"categories": []}],
    "recommend_product.ask_budget": [{"category": "headphones"}],
    "recommend_product.nothing": [{"category": "headphones", "budget": "£20.00"}, {"category": "bags", "budget": None}],
    "recommend_product.answer": [
        {
            "picks": [{"name": "Aria Wireless Headphones", "price": "£89.00", "why": "it's in stock"}],
            "budget": "£100.00",
        }
    ],
    "qualify_lead.to_sales": [{"lead": "LEAD-4"}],
    "qualify_lead.logged": [{"lead": "LEAD-4"}],
    "business_info.hours": [HOURS, {**HOURS, "open_today": None, "holidays": []}],
    "business_info.locations": [
        {"stores": [{"name": "Northwind Leeds", "address": "3 Bond Court, Leeds", "phone": "0113 496 0456"}]}
    ],
    "business_info.contact": [
        {"contact": {"chat": "24/7", "email": "help@northwind.example", "phone": "0800 496 0000"}}
    ],
    "faq.answer": [
        {"passage": "You can return most items within 30 days.", "title": "Returns and refunds", "slug": "returns"}
    ],
    "collect_information.ask_order_number": [{"kind": "product_defect"}, {"kind": "product_defect", "again": True}],
    "collect_information.ask_details": [{"kind": "payment_issue"}],
    "collect_information.handover": [{"kind": "payment_issue"}],
}

BLAME = re.compile(
    r"\b(your fault|you failed|you should have|you didn'?t|you forgot|you need to read|invalid|incorrect)\b", re.I
)
JARGON = re.compile(
    r"\b(sku|api|connector|null|none|error code|exception|escalat\w*|intent|crm|timeout|slot|system error|"
    r"http|json|database|payload|template)\b",
    re.I,
)
PROMISES = re.compile(
    r"\b(guarantee\w*|promise\w*|definitely|immediately|right away|100%|always will|certainly will)\b", re.I
)
REFUSAL = re.compile(r"\bI can'?t help you\b|\bnot able to help\b", re.I)


def rendered() -> list[tuple[str, str]]:
    return [(key, render(key, values)) for key in template_keys() for values in VALUES.get(key, [{}])]


@pytest.mark.parametrize(("key", "text"), rendered(), ids=lambda value: str(value)[:40])
def test_every_reply_reads_right(key: str, text: str) -> None:
    assert text.strip(), key
    assert not BLAME.search(text), (key, text)
    assert not JARGON.search(text.replace("Northwind", "")), (key, text)
    assert not PROMISES.search(text), (key, text)
    assert not REFUSAL.search(text), (key, text)
    assert "{{" not in text and "{%" not in text and "None" not in text, (key, text)
    assert len(text) <= 700, (key, len(text))
    assert text[0].isupper() or text[0].isdigit(), (key, text)


def test_values_are_given_only_for_situations_that_exist() -> None:
    # rendered() fails on any template whose values are missing here (StrictUndefined): this catches
    # the opposite drift, a renamed situation whose values would silently stop being checked.
    assert set(VALUES) <= set(template_keys())


def test_no_reply_pretends_to_be_a_person() -> None:
    for key, text in rendered():
        assert not re.search(r"\b(I'm a (real )?person|I am human|as a human)\b", text, re.I), key


def test_handing_over_always_says_the_person_will_see_what_was_said() -> None:
    for key in (
        "refund.outside_policy",
        "common.connector_down",
        "collect_information.handover",
        "qualify_lead.to_sales",
    ):
        text = " ".join(render(key, values) for values in VALUES.get(key, [{}]))
        assert re.search(r"see everything|won't need to explain|without asking you again|member of our team", text), key
