"""The optional LLM provider: it may phrase a template reply, never decide what it says.

>>> TemplatePhraser().phrase(PhraseRequest(draft="Your order A10001 has shipped.")).source
'template'
"""

from tandem.llm.factory import phraser_from_settings
from tandem.llm.openai_compatible import OpenAICompatiblePhraser
from tandem.llm.port import Phrased, Phraser, PhraseRequest, TemplatePhraser

__all__ = ["OpenAICompatiblePhraser", "PhraseRequest", "Phrased", "Phraser", "TemplatePhraser", "phraser_from_settings"]
