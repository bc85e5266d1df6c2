"""Domain packs: the YAML that names a business's departments and intents, with example phrasings.

A pack is validated strictly on load, and every problem is reported with the file it came from, so a
typo in a department name fails at `tandem models build`, not at the first customer message.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

PACKS_DIR = Path(__file__).parent / "packs"
GENERIC_OOS_FILE = Path(__file__).parent / "data" / "generic_out_of_scope.txt"
DEFAULT_PACK = "ecommerce"
OUT_OF_SCOPE = "oos"
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


class PackError(ValueError):
    """A domain pack is missing or invalid; the message says which file and what to fix."""


class IntentSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str
    description: str = ""
    department: str | None = None
    skill: str | None = None
    examples: list[str] = Field(min_length=1)

    @field_validator("name")
    @classmethod
    def _snake_case(cls, name: str) -> str:
        if not _NAME.match(name) or name == OUT_OF_SCOPE:
            raise ValueError(f"intent name {name!r} must be snake_case and not {OUT_OF_SCOPE!r}")
        return name

    @field_validator("examples")
    @classmethod
    def _real_examples(cls, examples: list[str]) -> list[str]:
        cleaned = [e.strip() for e in examples]
        if any(not e for e in cleaned):
            raise ValueError("examples must not be empty strings")
        return cleaned


class DomainPack(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str
    description: str = ""
    departments: list[str] = Field(min_length=1)
    intents: list[IntentSpec] = Field(min_length=2)
    # Optional phrasings that belong to no intent: they teach the model what "out of scope" looks like.
    out_of_scope_examples: list[str] = Field(default_factory=list)
    # Also learn from tandem's generic off-topic list (weather, jokes, homework...).
    generic_out_of_scope: bool = True

    @model_validator(mode="after")
    def _consistent(self) -> DomainPack:
        names = [intent.name for intent in self.intents]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise ValueError(f"duplicate intent names: {', '.join(duplicates)}")
        unknown = sorted({i.department for i in self.intents if i.department and i.department not in self.departments})
        if unknown:
            raise ValueError(f"intents use departments not listed under `departments`: {', '.join(unknown)}")
        return self

    def intent(self, name: str) -> IntentSpec | None:
        return next((intent for intent in self.intents if intent.name == name), None)

    def training_rows(self) -> tuple[list[str], list[str]]:
        """(texts, labels) for the classifier: every example, plus out-of-scope ones labelled `oos`."""
        texts = [example for intent in self.intents for example in intent.examples]
        labels = [intent.name for intent in self.intents for _ in intent.examples]
        off_topic = self.out_of_scope_examples + (generic_out_of_scope() if self.generic_out_of_scope else [])
        return texts + off_topic, labels + [OUT_OF_SCOPE] * len(off_topic)


def generic_out_of_scope() -> list[str]:
    lines = GENERIC_OOS_FILE.read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def _describe(error: ValidationError) -> str:
    lines = []
    for problem in error.errors():
        where = ".".join(str(part) for part in problem["loc"]) or "(top level)"
        lines.append(f"  {where}: {problem['msg']}")
    return "\n".join(lines)


def parse_pack(raw: Any, source: str) -> DomainPack:
    if not isinstance(raw, dict):
        raise PackError(f"{source}: a domain pack is a YAML mapping with name, departments and intents")
    try:
        return DomainPack.model_validate(raw)
    except ValidationError as exc:
        raise PackError(f"{source}: invalid domain pack\n{_describe(exc)}") from exc


def load_pack(path_or_name: str | Path = DEFAULT_PACK) -> DomainPack:
    """Load a pack by file path, or by name from the packs shipped with tandem."""
    path = Path(path_or_name)
    if not path.suffix:
        path = PACKS_DIR / f"{path_or_name}.yaml"
    if not path.exists():
        raise PackError(f"{path}: domain pack not found")
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise PackError(f"{path}: not valid YAML ({exc})") from exc
    return parse_pack(raw, str(path))
