"""The OpenAI-compatible phraser against a local stand-in LLM vendor (see `llm_vendor_stand_in.py`):
what it sends, when it uses the wording, and how it falls back to the template."""

from __future__ import annotations

import socket

import pytest

from llm.llm_vendor_stand_in import LlmVendorStandIn
from tandem.llm import OpenAICompatiblePhraser, PhraseRequest
from tandem.llm.openai_compatible import SYSTEM_PROMPTS

DRAFT = (
    "Your order A10001 left our warehouse on 12 March 2025 and should arrive by 14 March. "
    "We'll send tracking updates to ann@example.com."
)
FACTS = {"order_number": "A10001", "carrier": "DPD", "total": "49.99"}
# Deliberately NOT redacted, to show the phraser redacts again before anything is sent.
CONTEXT = "hi it's bob@example.org, ring me on 020 7946 0958, card 4111 1111 1111 1111. where is my parcel??"
GOOD_WORDING = (
    "Good news! Your order A10001 left our warehouse on 12 March 2025 with DPD and should be with you by "
    "14 March. Tracking updates will go to [EMAIL_1]."
)


def phraser_for(vendor: LlmVendorStandIn, **options: float) -> OpenAICompatiblePhraser:
    return OpenAICompatiblePhraser(
        base_url=vendor.base_url,
        model="stand-in-model",
        api_key="sk-stand-in-key",
        timeout_s=options.get("timeout_s", 2.0),
        max_chars=int(options.get("max_chars", 600)),
    )


def request(purpose: str = "reply") -> PhraseRequest:
    return PhraseRequest(
        draft=DRAFT, facts=FACTS, context=CONTEXT, purpose="summary" if purpose == "summary" else "reply"
    )


class TestWordingFromAStandInLlm:
    def test_the_wording_is_used_when_every_check_passes_with_a_stand_in_llm(
        self, llm_vendor_stand_in: LlmVendorStandIn
    ) -> None:
        llm_vendor_stand_in.reply = GOOD_WORDING

        phrased = phraser_for(llm_vendor_stand_in).phrase(request())

        assert phrased.source == "llm"
        assert phrased.fallback_reason is None
        assert phrased.text == GOOD_WORDING.replace("[EMAIL_1]", "ann@example.com")

    def test_the_request_names_the_model_and_carries_the_bearer_key_with_a_stand_in_llm(
        self, llm_vendor_stand_in: LlmVendorStandIn
    ) -> None:
        llm_vendor_stand_in.reply = GOOD_WORDING

        phraser_for(llm_vendor_stand_in).phrase(request())

        [sent] = llm_vendor_stand_in.received
        assert sent.path == "/v1/chat/completions"
        assert sent.headers["Authorization"] == "Bearer sk-stand-in-key"
        assert sent.body["model"] == "stand-in-model"
        assert [m["role"] for m in sent.body["messages"]] == ["system", "user"]
        assert sent.body["messages"][0]["content"] == SYSTEM_PROMPTS["reply"]

    def test_a_summary_is_asked_for_with_the_summary_prompt_with_a_stand_in_llm(
        self, llm_vendor_stand_in: LlmVendorStandIn
    ) -> None:
        llm_vendor_stand_in.reply = GOOD_WORDING

        phraser_for(llm_vendor_stand_in).phrase(request("summary"))

        assert llm_vendor_stand_in.received[0].body["messages"][0]["content"] == SYSTEM_PROMPTS["summary"]

    def test_only_redacted_text_reaches_the_stand_in_llm(self, llm_vendor_stand_in: LlmVendorStandIn) -> None:
        llm_vendor_stand_in.reply = GOOD_WORDING

        phraser_for(llm_vendor_stand_in).phrase(request())

        sent = llm_vendor_stand_in.all_bytes_received
        for personal in ("bob@example.org", "020 7946 0958", "4111 1111 1111 1111", "ann@example.com"):
            assert personal not in sent
        user_message = llm_vendor_stand_in.received[0].body["messages"][1]["content"]
        assert "[EMAIL]" in user_message
        assert "[PHONE]" in user_message
        assert "[CARD]" in user_message
        assert "[EMAIL_1]" in user_message  # the draft's address, put back only after the reply
        assert "A10001" in user_message
        assert "- carrier: DPD" in user_message

    def test_the_key_never_shows_in_the_phrasers_repr(self, llm_vendor_stand_in: LlmVendorStandIn) -> None:
        assert "sk-stand-in-key" not in repr(phraser_for(llm_vendor_stand_in))


class TestFallbackToTheTemplateWithAStandInLlm:
    @pytest.mark.parametrize(
        ("status", "raw_body", "reason"),
        [
            (500, None, "http_500"),
            (503, None, "http_503"),
            (429, None, "http_429"),
            (200, "this is not json {", "malformed_response"),
            (200, '{"choices": []}', "malformed_response"),
            (200, '{"choices": [{"message": {"content": null}}]}', "malformed_response"),
            (200, '{"error": "overloaded"}', "malformed_response"),
        ],
        ids=["500", "503", "429", "not_json", "no_choices", "null_content", "error_object"],
    )
    def test_a_failing_stand_in_llm_leaves_the_template(
        self, llm_vendor_stand_in: LlmVendorStandIn, status: int, raw_body: str | None, reason: str
    ) -> None:
        llm_vendor_stand_in.status, llm_vendor_stand_in.raw_body = status, raw_body

        phrased = phraser_for(llm_vendor_stand_in).phrase(request())

        assert (phrased.text, phrased.source, phrased.fallback_reason) == (DRAFT, "template", reason)

    def test_a_slow_stand_in_llm_times_out_to_the_template(self, llm_vendor_stand_in: LlmVendorStandIn) -> None:
        llm_vendor_stand_in.reply, llm_vendor_stand_in.delay_s = GOOD_WORDING, 1.0

        phrased = phraser_for(llm_vendor_stand_in, timeout_s=0.2).phrase(request())

        assert (phrased.text, phrased.source, phrased.fallback_reason) == (DRAFT, "template", "timeout")

    def test_an_unreachable_endpoint_leaves_the_template(self) -> None:
        with socket.socket() as probe:  # a port nobody listens on once closed
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        phraser = OpenAICompatiblePhraser(f"http://127.0.0.1:{port}/v1", "stand-in-model", None, timeout_s=1.0)

        phrased = phraser.phrase(request())

        assert (phrased.source, phrased.fallback_reason) == ("template", "unreachable")

    @pytest.mark.parametrize(
        ("wording", "reason"),
        [
            ("Your order A10001 is on its way; the total was £59.99.", "check:new_amount"),
            ("Your order A10001 is on its way, and we'll refund £10 for the wait.", "check:new_amount"),
            ("Order A10001 is on its way. Questions? Write to help@shop.example.", "check:new_email"),
            ("Order A10001 is on its way, call us on 020 7946 0000.", "check:new_phone"),
            ("Order A10001 is on its way and I promise it will be there on 14 March.", "check:new_commitment"),
            ("Order A10001 is on its way, delivery is free of charge.", "check:new_commitment"),
            ("Order A10001 should arrive by 20 March.", "check:new_date"),
            ("Order A10002 is on its way.", "check:new_order_number"),
            ("As a human, I understand. Order A10001 is on its way.", "check:claims_human"),
            ("We'll write to you at [EMAIL] about order A10001.", "check:placeholder"),
            ("Track order A10001 at https://track.example/A10001.", "check:new_link"),
            ("   ", "check:empty"),
            ("Your order is on its way. " * 40, "check:too_long"),
        ],
        ids=[
            "amount", "refund_amount", "email", "phone", "promise", "free", "date", "order_number", "human",
            "placeholder", "link", "empty", "too_long",
        ],
    )  # fmt: skip
    def test_wording_that_fails_a_check_leaves_the_template_with_a_stand_in_llm(
        self, llm_vendor_stand_in: LlmVendorStandIn, wording: str, reason: str
    ) -> None:
        llm_vendor_stand_in.reply = wording

        phrased = phraser_for(llm_vendor_stand_in).phrase(request())

        assert (phrased.text, phrased.source, phrased.fallback_reason) == (DRAFT, "template", reason)

    def test_an_empty_draft_is_not_sent_to_the_stand_in_llm(self, llm_vendor_stand_in: LlmVendorStandIn) -> None:
        phrased = phraser_for(llm_vendor_stand_in).phrase(PhraseRequest(draft=" ", context=CONTEXT))

        assert (phrased.source, phrased.fallback_reason) == ("template", "empty_draft")
        assert llm_vendor_stand_in.received == []
