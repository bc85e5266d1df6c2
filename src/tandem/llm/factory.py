"""Pick the phraser the settings ask for: the template unless an LLM endpoint and model are configured."""

from __future__ import annotations

from tandem.kit.settings import Settings
from tandem.llm.openai_compatible import OpenAICompatiblePhraser
from tandem.llm.port import Phraser, TemplatePhraser


def phraser_from_settings(settings: Settings) -> Phraser:
    if not settings.llm_base_url or not settings.llm_model:
        return TemplatePhraser()
    key = settings.llm_api_key.get_secret_value() if settings.llm_api_key else None
    return OpenAICompatiblePhraser(
        base_url=settings.llm_base_url, model=settings.llm_model, api_key=key, timeout_s=settings.llm_timeout_s
    )
