"""Which phraser the settings give, and that an unconfigured desk sends nothing anywhere."""

from __future__ import annotations

import pytest

from llm.llm_vendor_stand_in import LlmVendorStandIn
from tandem.kit.settings import Settings
from tandem.llm import OpenAICompatiblePhraser, PhraseRequest, TemplatePhraser, phraser_from_settings

DRAFT = "Your order A10001 has shipped and should arrive by 14 March."


def settings(**llm: object) -> Settings:
    return Settings(_env_file=None, **llm)  # type: ignore[call-arg]


class TestPhraserFromSettings:
    def test_an_unconfigured_desk_sends_nothing_to_the_stand_in_llm(
        self, llm_vendor_stand_in: LlmVendorStandIn
    ) -> None:
        phraser = phraser_from_settings(settings())

        phrased = phraser.phrase(PhraseRequest(draft=DRAFT, context="where is my parcel? ann@example.com"))

        assert isinstance(phraser, TemplatePhraser)
        assert (phrased.text, phrased.source, phrased.fallback_reason) == (DRAFT, "template", None)
        assert llm_vendor_stand_in.received == []

    def test_a_base_url_without_a_model_still_sends_nothing_to_the_stand_in_llm(
        self, llm_vendor_stand_in: LlmVendorStandIn
    ) -> None:
        phraser = phraser_from_settings(settings(llm_base_url=llm_vendor_stand_in.base_url))

        phraser.phrase(PhraseRequest(draft=DRAFT))

        assert isinstance(phraser, TemplatePhraser)
        assert llm_vendor_stand_in.received == []

    def test_a_configured_desk_phrases_through_the_stand_in_llm(self, llm_vendor_stand_in: LlmVendorStandIn) -> None:
        llm_vendor_stand_in.reply = "Good news: order A10001 has shipped and should be with you by 14 March."
        phraser = phraser_from_settings(
            settings(
                llm_base_url=llm_vendor_stand_in.base_url,
                llm_model="stand-in-model",
                llm_api_key="sk-from-settings",
                llm_timeout_s=2.0,
            )
        )

        phrased = phraser.phrase(PhraseRequest(draft=DRAFT))

        assert isinstance(phraser, OpenAICompatiblePhraser)
        assert (phrased.text, phrased.source) == (llm_vendor_stand_in.reply, "llm")
        [sent] = llm_vendor_stand_in.received
        assert sent.headers["Authorization"] == "Bearer sk-from-settings"
        assert sent.body["model"] == "stand-in-model"

    def test_the_settings_read_the_llm_from_the_environment(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv("TANDEM_LLM_BASE_URL", "http://127.0.0.1:9/v1")
        monkeypatch.setenv("TANDEM_LLM_MODEL", "m")
        monkeypatch.setenv("TANDEM_LLM_API_KEY", "sk-env")

        loaded = settings()

        assert loaded.llm_base_url == "http://127.0.0.1:9/v1"
        assert loaded.llm_api_key is not None
        assert loaded.llm_api_key.get_secret_value() == "sk-env"
        assert "sk-env" not in repr(loaded)
        assert loaded.llm_timeout_s == 4.0
