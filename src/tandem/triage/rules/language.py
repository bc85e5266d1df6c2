"""Language of a customer message: Unicode script for non-Latin writing, function-word profiles otherwise.

``detect_language(text)`` returns an ISO 639-1 code. Short or ambiguous messages ("hi", "ok thanks", an
order number) are English, the desk's working language: another language has to out-score English.
The detector fires when the message is not in English; ``labels[0]`` is the code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

from tandem.triage.detector import Detector, Hit

DEFAULT_LANGUAGE = "en"

# (first code point, last code point, language) for scripts that name their language well enough.
_SCRIPTS = (
    (0x0370, 0x03FF, "el"),
    (0x0400, 0x04FF, "ru"),
    (0x0590, 0x05FF, "he"),
    (0x0600, 0x06FF, "ar"),
    (0x0750, 0x077F, "ar"),
    (0x0900, 0x097F, "hi"),
    (0x0980, 0x09FF, "bn"),
    (0x0B80, 0x0BFF, "ta"),
    (0x0E00, 0x0E7F, "th"),
    (0x1100, 0x11FF, "ko"),
    (0x3040, 0x30FF, "ja"),
    (0x3130, 0x318F, "ko"),
    (0x3400, 0x4DBF, "zh"),
    (0x4E00, 0x9FFF, "zh"),
    (0xAC00, 0xD7AF, "ko"),
)
_TOKEN = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)*")
_MAX_LETTER_BONUS = 2


@dataclass(frozen=True)
class Profile:
    code: str
    words: frozenset[str]
    strong: frozenset[str]
    letters: frozenset[str]


@dataclass(frozen=True)
class Guess:
    code: str
    score: float
    evidence: tuple[str, ...]


@cache
def _profiles() -> tuple[int, tuple[Profile, ...]]:
    data = yaml.safe_load(Path(__file__).with_name("cues").joinpath("language.yaml").read_text("utf-8"))
    profiles = tuple(
        Profile(
            code=code,
            words=frozenset(spec["words"].split()),
            strong=frozenset(spec["strong"].split()),
            letters=frozenset(spec["letters"]),
        )
        for code, spec in data["languages"].items()
    )
    return int(data["min_score"]), profiles


def script_language(text: str) -> str | None:
    """The language of a non-Latin script when its letters outnumber Latin ones, else None."""
    if text.isascii():  # most messages: skip the per-character walk
        return None
    counts: dict[str, int] = {}
    latin = 0
    for ch in text:
        if not ch.isalpha():
            continue
        code = _script_of(ord(ch))
        if code is None:
            latin += 1
        else:
            counts[code] = counts.get(code, 0) + 1
    if not counts:
        return None
    # Any kana makes Chinese characters Japanese: Japanese writing mixes both.
    if "ja" in counts and "zh" in counts:
        counts["ja"] += counts.pop("zh")
    best = max(counts, key=lambda c: counts[c])
    return best if counts[best] > latin else None


def _script_of(point: int) -> str | None:
    for first, last, code in _SCRIPTS:
        if first <= point <= last:
            return code
    return None


def tokens(text: str) -> list[str]:
    """Lower-case words; an elided word also yields its parts ("n'est" gives "n'est", "n", "est")."""
    found = []
    for token in _TOKEN.findall(text.lower().replace("’", "'")):
        found.append(token)
        if "'" in token:
            found.extend(token.split("'"))
    return found


def score_profile(profile: Profile, words: list[str], text: str) -> Guess:
    hits = [w for w in words if w in profile.words or w in profile.strong]
    score = sum(2 if w in profile.strong else 1 for w in hits)
    letters = {ch for ch in text.lower() if ch in profile.letters}
    score += min(len(letters), _MAX_LETTER_BONUS)
    return Guess(profile.code, float(score), tuple(dict.fromkeys(hits)) + tuple(sorted(letters)))


def guess_latin(text: str) -> Guess:
    min_score, profiles = _profiles()
    words = tokens(text)
    guesses = [score_profile(p, words, text) for p in profiles]
    english = next(g for g in guesses if g.code == DEFAULT_LANGUAGE)
    best = max(guesses, key=lambda g: g.score)
    if best.code == DEFAULT_LANGUAGE or best.score < min_score or best.score <= english.score:
        return Guess(DEFAULT_LANGUAGE, english.score, english.evidence)
    return best


def detect_language(text: str) -> str:
    return script_language(text) or guess_latin(text).code


class LanguageDetector:
    name = "language"

    def detect(self, text: str) -> Hit:
        script = script_language(text)
        if script is not None:
            return Hit(fired=True, evidence=(f"{script} script",), labels=(script,), score=1.0)
        guess = guess_latin(text)
        confidence = round(1.0 - 0.5 ** max(guess.score, 0.0), 3)
        return Hit(
            fired=guess.code != DEFAULT_LANGUAGE,
            evidence=guess.evidence[:5],
            labels=(guess.code,),
            score=confidence,
        )


detector: Detector = LanguageDetector()
