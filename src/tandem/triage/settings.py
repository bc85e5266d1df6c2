"""Triage thresholds and knobs, read from the environment (prefix TANDEM_TRIAGE_) so operators can tune
them per deployment without retraining."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

MODELS_DIR_ENV = "TANDEM_MODELS_DIR"


# Rows per encoder run. Measured on the 2-core machine (Banking77 messages, 2 threads): 16 rows run
# ~490 msg/s against ~475 at 32 and ~380 at 64; longer runs lose to cache misses, not padding.
ENCODER_BATCH_ROWS = 16


class TriageSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="TANDEM_TRIAGE_", extra="ignore")

    # None: use the threshold tuned on validation data when the model was trained.
    frustration_threshold: float | None = Field(default=None, ge=0.0, le=1.0)
    oos_threshold: float | None = Field(default=None, ge=0.0, le=1.0)
    # How far the score must move against the recent past before we call the trajectory rising/easing.
    trajectory_delta: float = Field(default=0.12, gt=0.0, le=1.0)
    # Customer contacts in 7 days from which repetition alone counts as a frustration cue.
    repeat_contacts: int = Field(default=2, ge=1)
    alternatives: int = Field(default=3, ge=0, le=10)
    max_text_chars: int = Field(default=20_000, ge=1)
    encoder_threads: int = Field(default=2, ge=1)
    batch_size: int = Field(default=ENCODER_BATCH_ROWS, ge=1)


def default_models_dir() -> Path:
    import os

    return Path(os.environ.get(MODELS_DIR_ENV, "./var/models"))
