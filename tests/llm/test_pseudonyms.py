"""Personal data in the draft and facts goes out as numbered markers and comes back as itself."""

from __future__ import annotations

from tandem.llm.pseudonyms import pseudonymise


def test_each_value_gets_its_own_marker_and_comes_back() -> None:
    hidden = pseudonymise(
        "We'll write to ann@example.com and copy bob@example.com.",
        {"contact": "ann@example.com", "phone": "020 7946 0958"},
    )

    assert hidden.draft == "We'll write to [EMAIL_1] and copy [EMAIL_2]."
    assert hidden.facts == {"contact": "[EMAIL_1]", "phone": "[PHONE_1]"}
    assert hidden.restore("Mail [EMAIL_2], call [PHONE_1].") == "Mail bob@example.com, call 020 7946 0958."


def test_text_without_personal_data_is_sent_as_it_is() -> None:
    hidden = pseudonymise("Order A10001 ships on 12 March.", {"carrier": "DPD"})

    assert (hidden.draft, hidden.facts, hidden.values) == ("Order A10001 ships on 12 March.", {"carrier": "DPD"}, {})
