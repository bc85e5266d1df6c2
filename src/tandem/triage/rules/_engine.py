r"""Shared machinery for the rule detectors: cue lists from YAML, compiled once, with negation and context guards.

A cue file (``cues/<name>.yaml``) maps labels to regex fragments::

    labels:
      health:
        negatable: true          # default; false when the cues already carry their own negation
        cues: ["panic attacks?", "can't cope"]
        exclude: ["hospital[- ]grade"]   # contexts that cancel any cue match lying inside them

Cue writing conventions (applied when compiling, so the YAML stays readable):
a plain apostrophe matches a straight or curly one or none at all ("can't" also matches "cant"), a
space matches any run of whitespace, `` ?`` optional whitespace ("food ?bank"), and ``\w+`` a word that may
contain an apostrophe. Matching is case-insensitive; use ``(?-i:...)`` where case matters.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from tandem.triage.detector import Hit

CUES_DIR = Path(__file__).with_name("cues")

# Words that flip the meaning of a cue that follows them ("not depressed", "no debt", "don't need a human").
NEGATORS = frozenset(
    "not never no without nor don't dont doesn't doesnt didn't didnt isn't isnt wasn't wasnt aren't arent "
    "haven't havent hasn't hasnt won't wont cannot nothing".split()
)
# Words that may sit between a negator and the cue without breaking the negation ("not in hospital",
# "don't have a disability", "not going to sue").
FILLERS = frozenset(
    "a an the any in at on been be being have has had currently really very actually that too so going to "
    "gonna want planning ever even yet is are was were am all".split()
)
# Negation never reaches across a clause: "I'm fine, but my mum died" must still fire.
_CLAUSE_BREAK = re.compile(r"[.!?;:,\n]|\b(?:but|because|since|although|though|however|and|so)\b", re.I)
_WORD = re.compile(r"[\w'’]+")
_MAX_FILLERS = 3


@dataclass(frozen=True)
class CueMatch:
    label: str
    phrase: str
    start: int
    end: int


@dataclass(frozen=True)
class LabelCues:
    label: str
    pattern: re.Pattern[str]
    exclude: re.Pattern[str] | None
    negatable: bool


def cue_to_regex(cue: str) -> str:
    """Turn a cue as written in YAML into a regex fragment (see the module docstring for the conventions)."""
    regex = cue.replace("'", "['’]?").replace(" ?", r"\s*").replace(" ", r"\s+")
    # A word in a gap such as "(?: \w+){0,3}" may carry an apostrophe: "even though I've used it".
    return regex.replace(r"\w+", r"[\w'’]+")


def compile_alternatives(cues: list[str]) -> re.Pattern[str]:
    """One case-insensitive pattern for a list of cues, each bounded so that cues match whole words only."""
    body = "|".join(f"(?:{cue_to_regex(c)})" for c in cues)
    return re.compile(rf"(?<!\w)(?:{body})(?!\w)", re.IGNORECASE)


def is_negated(text: str, start: int) -> bool:
    """Whether a negator sits just before ``start`` in the same clause, with at most a few fillers between."""
    breaks = list(_CLAUSE_BREAK.finditer(text, 0, start))
    clause = text[breaks[-1].end() if breaks else 0 : start]
    for skipped, raw in enumerate(reversed(_WORD.findall(clause))):
        word = raw.lower().replace("’", "'")
        if word in NEGATORS:
            return True
        if word not in FILLERS or skipped >= _MAX_FILLERS:
            return False
    return False


def _label_cues(label: str, spec: dict[str, Any]) -> LabelCues:
    exclude = spec.get("exclude") or []
    return LabelCues(
        label=label,
        pattern=compile_alternatives(list(spec["cues"])),
        exclude=compile_alternatives(list(exclude)) if exclude else None,
        negatable=bool(spec.get("negatable", True)),
    )


@cache
def load_cues(name: str) -> tuple[LabelCues, ...]:
    """Read and compile ``cues/<name>.yaml`` once per process."""
    data = yaml.safe_load((CUES_DIR / f"{name}.yaml").read_text(encoding="utf-8"))
    return tuple(_label_cues(label, spec) for label, spec in data["labels"].items())


def _excluded_spans(text: str, cues: LabelCues) -> list[tuple[int, int]]:
    if cues.exclude is None:
        return []
    return [m.span() for m in cues.exclude.finditer(text)]


def find_label_matches(text: str, cues: LabelCues) -> list[CueMatch]:
    spans = _excluded_spans(text, cues)
    found = []
    for m in cues.pattern.finditer(text):
        if any(s <= m.start() and m.end() <= e for s, e in spans):
            continue
        if cues.negatable and is_negated(text, m.start()):
            continue
        found.append(CueMatch(cues.label, m.group(0), m.start(), m.end()))
    return found


def hit_from_matches(matches: list[CueMatch]) -> Hit:
    """Labels and evidence in order of first appearance; each extra distinct cue raises confidence."""
    if not matches:
        return Hit.none()
    ordered = sorted(matches, key=lambda m: m.start)
    labels = tuple(dict.fromkeys(m.label for m in ordered))
    evidence = tuple(dict.fromkeys(m.phrase for m in ordered))
    return Hit(fired=True, evidence=evidence, labels=labels, score=round(1.0 - 0.5 ** len(evidence), 3))


class CueDetector:
    """A detector driven entirely by one cue file; satisfies the ``Detector`` protocol."""

    def __init__(self, name: str, cue_file: str | None = None) -> None:
        self.name = name
        self._cue_file = cue_file or name
        self._labels = load_cues(self._cue_file)

    def matches(self, text: str) -> list[CueMatch]:
        return [m for cues in self._labels for m in find_label_matches(text, cues)]

    def detect(self, text: str) -> Hit:
        return hit_from_matches(self.matches(text))
