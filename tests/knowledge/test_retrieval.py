"""Answering from the demo knowledge base: the right article for realistic questions, none for off-topic ones."""

from __future__ import annotations

from tandem.demo.catalogue import ARTICLES
from tandem.knowledge.retrieval import ArticleText, best_article, first_sentences, sentences

KB = [ArticleText(str(a["slug"]), str(a["title"]), str(a["body"]), tuple(a["tags"])) for a in ARTICLES]  # type: ignore[arg-type]

QUESTIONS = {
    "how long does delivery take?": "delivery-times",
    "what payment methods do you accept": "payment-methods",
    "can I pay with paypal": "payment-methods",
    "is there a fee to cancel my order": "cancel-an-order",
    "how do I reset my password": "reset-password",
    "do you price match": "price-match",
    "how do i unsubscribe from emails": "newsletter",
    "what's your returns policy": "returns-and-refunds",
    "my kettle is broken, is it under warranty": "warranty-and-faults",
    "can I get a VAT invoice": "invoices",
    "how much is next day delivery": "delivery-options",
    "do you sell to businesses in bulk": "business-accounts",
    "can I change the delivery address": "change-address",
    "how do I book a demo in store": "appointments",
    "locked out of my account after too many attempts": "reset-password",
    "how many days do the banks take to show my money back": "refund-timing",
}
OFF_TOPIC = ["what's the weather tomorrow", "tell me a joke", "who won the football last night"]


def test_realistic_questions_find_their_article():
    found = {q: (m.article.slug if (m := best_article(q, KB)) else None) for q in QUESTIONS}
    right = sum(found[q] == slug for q, slug in QUESTIONS.items())
    wrong = {q: found[q] for q, slug in QUESTIONS.items() if found[q] != slug}
    assert right / len(QUESTIONS) >= 0.85, wrong


def test_off_topic_questions_find_nothing_rather_than_a_guess():
    assert [best_article(q, KB) for q in OFF_TOPIC] == [None] * len(OFF_TOPIC)


def test_prices_and_decimals_do_not_end_a_sentence():
    body = "Standard delivery is £4.95 if you order before 8pm. A 2.5kg parcel ships free! Ask us anything."
    assert sentences(body) == [
        "Standard delivery is £4.95 if you order before 8pm.",
        "A 2.5kg parcel ships free!",
        "Ask us anything.",
    ]
    assert first_sentences(body) == "Standard delivery is £4.95 if you order before 8pm. A 2.5kg parcel ships free!"
