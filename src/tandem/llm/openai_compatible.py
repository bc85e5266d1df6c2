"""A phraser over any OpenAI-compatible chat-completions endpoint (OpenAI, Azure, vLLM, Ollama, …).

What is sent: the template draft and the facts, with personal data swapped for numbered markers, and
the customer's recent messages redacted (again: the caller already did). What comes back is checked
(`tandem.llm.checks`) before anyone sees it. On any failure the draft is used and the reason is kept
for the audit; `phrase` never raises, so a provider outage never costs the customer a reply.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

import httpx

from tandem.llm.checks import Grounds, check_phrasing
from tandem.llm.port import Phrased, PhraseRequest, Purpose
from tandem.llm.pseudonyms import Pseudonymised, pseudonymise
from tandem.privacy import DEFAULT_REGION, redact

log = logging.getLogger("tandem.llm")

DEFAULT_MAX_CHARS = 1200

_RULES = (
    "Use only the facts given and what the draft says; never add numbers, amounts, dates, links, names or "
    "contact details. Never promise, guarantee, approve, waive or offer anything the draft does not. "
    "Markers such as [EMAIL_1] stand for personal data: keep them exactly as written. Never repeat markers "
    "without a number, such as [EMAIL], and never quote the customer's personal data. Do not claim to be "
    "a person. Plain text only: no markdown, no lists, no greeting line of its own, no signature. "
    "Reply with the rewritten text and nothing else."
)
SYSTEM_PROMPTS: Mapping[Purpose, str] = {
    "reply": (
        "You rephrase a customer-support reply. The draft is correct and within policy. Rewrite it so it "
        "reads warm, clear and concise, in the customer's language and no longer than the draft needs. " + _RULES
    ),
    "summary": (
        "You rephrase a summary of a customer-support conversation. The draft is correct. Rewrite it so it "
        "reads clear and concise, keeping every fact it states. " + _RULES
    ),
}


class MalformedResponse(Exception):
    """The endpoint answered 2xx but not with a chat completion we can read."""


class OpenAICompatiblePhraser:
    def __init__(
        self,
        base_url: str,
        model: str,
        api_key: str | None = None,
        timeout_s: float = 4.0,
        max_chars: int = DEFAULT_MAX_CHARS,
        *,
        region: str = DEFAULT_REGION,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.url = base_url.rstrip("/") + "/chat/completions"
        self.model = model
        self.timeout_s = timeout_s
        self.max_chars = max_chars
        self.region = region
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        # The key lives only in the client's headers: never in repr, logs or the audit.
        self._client = httpx.Client(headers=headers, timeout=httpx.Timeout(timeout_s), transport=transport)

    def __repr__(self) -> str:
        return f"OpenAICompatiblePhraser(url={self.url!r}, model={self.model!r})"

    def close(self) -> None:
        self._client.close()

    def phrase(self, request: PhraseRequest) -> Phrased:
        if not request.draft.strip():
            return self._fallback(request, "empty_draft")
        try:
            return self._attempt(request)
        except httpx.TimeoutException:
            return self._fallback(request, "timeout")
        except httpx.HTTPStatusError as exc:
            return self._fallback(request, f"http_{exc.response.status_code}")
        except httpx.HTTPError as exc:
            return self._fallback(request, "unreachable", type(exc).__name__)
        except MalformedResponse as exc:
            return self._fallback(request, "malformed_response", str(exc))
        except Exception as exc:  # the customer's reply must never depend on the provider; logged
            return self._fallback(request, "error", type(exc).__name__)

    def _attempt(self, request: PhraseRequest) -> Phrased:
        hidden = pseudonymise(request.draft, request.facts, self.region)
        response = self._client.post(self.url, json=self.payload(request, hidden))
        response.raise_for_status()
        text = hidden.restore(_completion_text(response)).strip()
        grounds = Grounds(request.draft, request.facts, max_chars=self.max_chars, region=self.region)
        failures = check_phrasing(text, grounds)
        if failures:
            return self._fallback(request, f"check:{failures[0].name}", failures[0].detail)
        log.info("llm.phrased", extra={"purpose": request.purpose, "chars": len(text), "model": self.model})
        return Phrased(text=text, source="llm", fallback_reason=None)

    def payload(self, request: PhraseRequest, hidden: Pseudonymised | None = None) -> dict[str, Any]:
        """The request body, exactly as sent: the place to look when asking "what leaves the machine"."""
        hidden = hidden or pseudonymise(request.draft, request.facts, self.region)
        facts = "\n".join(f"- {key}: {value}" for key, value in hidden.facts.items()) or "(none)"
        # Redact again: the caller should have, but a card number must never reach a vendor by mistake.
        context = redact(request.context, self.region).strip() or "(none)"
        user = (
            f"Draft:\n{hidden.draft}\n\nFacts you may use:\n{facts}\n\n"
            f"The customer's recent messages (personal data replaced by markers), for tone only:\n{context}"
        )
        return {
            "model": self.model,
            "messages": [
                {"role": "system", "content": SYSTEM_PROMPTS[request.purpose]},
                {"role": "user", "content": user},
            ],
            "temperature": 0.3,
            "stream": False,
        }

    def _fallback(self, request: PhraseRequest, reason: str, detail: str = "") -> Phrased:
        # Logs carry the reason and sizes only: the draft and context may hold personal data.
        log.warning(
            "llm.fallback",
            extra={"purpose": request.purpose, "reason": reason, "detail": detail, "model": self.model},
        )
        return Phrased(text=request.draft, source="template", fallback_reason=reason)


def _completion_text(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError as exc:
        raise MalformedResponse("not JSON") from exc
    try:
        content = body["choices"][0]["message"]["content"]
    except (KeyError, IndexError, TypeError) as exc:
        raise MalformedResponse("no choices[0].message.content") from exc
    if not isinstance(content, str):
        raise MalformedResponse("content is not text")
    return content
