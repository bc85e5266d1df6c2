"""Analytics knobs from the environment (prefix TANDEM_ANALYTICS_): service targets and topic settings."""

from __future__ import annotations

from functools import lru_cache
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class AnalyticsSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="TANDEM_ANALYTICS_", env_file=".env", extra="ignore")

    first_response_target_s: float = Field(default=60.0, gt=0, description="First reply to a customer.")
    human_response_target_s: float = Field(default=15 * 60.0, gt=0, description="Hand-over to a person's reply.")
    resolution_target_s: float = Field(default=24 * 3600.0, gt=0, description="Start to resolution.")
    # Groups smaller than this are reported as suppressed in the vulnerable-customer view.
    min_group_size: int = Field(default=5, ge=1)
    embedder: Literal["auto", "minilm", "tfidf"] = Field(
        default="auto", description="auto: the MiniLM encoder when it is built, else TF-IDF + SVD."
    )
    # Texts clustered directly; beyond this a sample is clustered and the rest assigned by a classifier.
    cluster_sample: int = Field(default=6000, ge=50)
    max_topics: int = Field(default=60, ge=2)
    encoder_threads: int = Field(default=2, ge=1)


@lru_cache(maxsize=1)
def get_analytics_settings() -> AnalyticsSettings:
    return AnalyticsSettings()
