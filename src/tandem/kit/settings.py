"""Settings from the environment and `.env` (prefix TANDEM_), one small class per concern."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

_COMMON = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")


class Settings(BaseSettings):
    """The desk's core settings. Domains with many knobs (triage, hand-over) keep their own classes."""

    model_config = SettingsConfigDict(env_prefix="TANDEM_", **_COMMON)

    database_url: str = Field(
        default="sqlite:///./var/tandem.db",
        description="SQLAlchemy URL: sqlite:///path for the embedded desk, postgresql://… in production.",
    )
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    workspace_dir: Path = Field(default=Path("var"), description="Where the embedded desk keeps its files.")
    models_dir: Path = Field(default=Path("var/models"), description="Locally built models.")
    max_message_chars: int = Field(default=20_000, ge=1)
    max_body_bytes: int = Field(default=256_000, ge=1024)
    session_hours: int = Field(default=12, ge=1, description="How long a console login lasts.")
    cookie_secure: bool = Field(default=False, description="Send the session cookie over HTTPS only.")
    pipeline: Literal["full", "persist_only"] = Field(
        default="full", description="persist_only stores messages without running the AI (benchmarks, outages)."
    )
    handoff_rules: Path | None = Field(
        default=None, description="A hand-over rules YAML file; the shipped defaults when unset."
    )
    connectors_file: Path | None = Field(
        default=None, description="A connectors YAML file for the merchant's own APIs; built-in systems when unset."
    )
    log_level: str = "INFO"
    llm_base_url: str | None = Field(
        default=None, description="An OpenAI-compatible endpoint that may phrase replies; unset: nothing leaves."
    )
    llm_model: str = Field(default="", description="The model name sent to the LLM endpoint.")
    llm_api_key: SecretStr | None = Field(default=None, description="Bearer key for the LLM endpoint.")
    llm_timeout_s: float = Field(default=4.0, gt=0, description="After this the template reply is used.")

    @field_validator("database_url")
    @classmethod
    def _known_database(cls, url: str) -> str:
        if not url.startswith(("sqlite", "postgresql")):
            raise ValueError("TANDEM_DATABASE_URL must be a sqlite:/// or postgresql:// URL")
        return normalise_database_url(url)


def normalise_database_url(url: str) -> str:
    """Use the psycopg 3 driver for plain postgresql:// URLs (the one we install)."""
    if url.startswith("postgresql://"):
        return "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return url


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
