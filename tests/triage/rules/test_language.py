from __future__ import annotations

import pytest

from tandem.triage.rules.language import detect_language, detector

from .phrasings import DESIGN, HELDOUT, negatives, positives

ACCURACY_FLOOR = {DESIGN: 0.9, HELDOUT: 0.75}
NON_ENGLISH_CEILING = {DESIGN: 0.1, HELDOUT: 0.25}


@pytest.mark.parametrize("which", [DESIGN, HELDOUT])
def test_accuracy_on_non_english_messages(which: str) -> None:
    cases = positives(which, "language")
    wrong = [(t, code, detect_language(t)) for t, code in cases if detect_language(t) != code]
    assert 1 - len(wrong) / len(cases) >= ACCURACY_FLOOR[which], wrong


@pytest.mark.parametrize("which", [DESIGN, HELDOUT])
def test_english_and_short_messages_stay_english(which: str) -> None:
    cases = negatives(which, "language")
    wrong = [(t, detect_language(t)) for t in cases if detect_language(t) != "en"]
    assert len(wrong) / len(cases) <= NON_ENGLISH_CEILING[which], wrong


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Здравствуйте", "ru"),
        ("مرحبا", "ar"),
        ("שלום", "he"),
        ("你好", "zh"),
        ("ありがとうございます", "ja"),
        ("감사합니다", "ko"),
        ("नमस्ते", "hi"),
        ("Ευχαριστώ", "el"),
    ],
)
def test_non_latin_scripts_name_their_language(text: str, code: str) -> None:
    assert detect_language(text) == code


def test_japanese_mixing_kanji_and_kana_is_japanese() -> None:
    assert detect_language("注文番号を確認してください") == "ja"


def test_a_latin_order_number_does_not_outweigh_a_foreign_script() -> None:
    assert detect_language("Где мой заказ #A10234?") == "ru"


def test_detector_fires_only_for_non_english() -> None:
    spanish = detector.detect("Hola, mi pedido no ha llegado todavía")
    assert spanish.fired
    assert spanish.labels[0] == "es"
    assert spanish.evidence
    english = detector.detect("hi, where is my order?")
    assert not english.fired
    assert english.labels == ("en",)


@pytest.mark.parametrize("text", ["", "   ", "123456", "👍"])
def test_empty_and_symbol_only_messages_are_english(text: str) -> None:
    assert detect_language(text) == "en"
