"""Sentence embeddings for topics: the triage MiniLM encoder when it is built, else TF-IDF + SVD.

Everything downstream sees only the `Embedder` protocol: L2-normalised float32 rows, one per text.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

import numpy as np
from numpy.typing import NDArray

from tandem.analytics.settings import AnalyticsSettings

log = logging.getLogger("tandem.analytics")
FloatArray = NDArray[np.float32]
_LOCK = threading.Lock()
_ENCODERS: dict[tuple[str, int], Any] = {}


class Embedder(Protocol):
    name: str

    def encode(self, texts: Sequence[str]) -> FloatArray: ...


class MiniLMEmbedder:
    """all-MiniLM-L6-v2 through the triage domain's ONNX encoder."""

    name = "minilm"

    def __init__(self, encoder: Any) -> None:
        self._encoder = encoder

    def encode(self, texts: Sequence[str]) -> FloatArray:
        return np.asarray(self._encoder.encode(list(texts)), dtype=np.float32)


class TfidfSvdEmbedder:
    """Latent semantic analysis fitted on the very texts it is given (one corpus per call). No model files;
    weaker than MiniLM (AMI 0.52 against 0.77 on Banking77) but always available."""

    name = "tfidf-svd"

    def __init__(self, dimensions: int = 128, seed: int = 0) -> None:
        self.dimensions, self.seed = dimensions, seed

    def encode(self, texts: Sequence[str]) -> FloatArray:
        from sklearn.decomposition import TruncatedSVD
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.preprocessing import normalize

        vectorizer = TfidfVectorizer(
            sublinear_tf=True, ngram_range=(1, 2), min_df=1 if len(texts) < 200 else 2, stop_words="english"
        )
        try:
            matrix = vectorizer.fit_transform(texts)
        except ValueError:  # an empty vocabulary: nothing but stop words
            return np.zeros((len(texts), 1), dtype=np.float32)
        components = min(self.dimensions, matrix.shape[0] - 1, matrix.shape[1] - 1)
        if components < 1:
            return np.asarray(normalize(matrix.toarray()), dtype=np.float32)
        reduced = TruncatedSVD(components, random_state=self.seed).fit_transform(matrix)
        return np.asarray(normalize(reduced), dtype=np.float32)


def load_embedder(settings: AnalyticsSettings, models_dir: Path | None = None) -> Embedder:
    """The configured embedder; `auto` falls back to TF-IDF + SVD when the encoder is not built here."""
    if settings.embedder == "tfidf":
        return TfidfSvdEmbedder()
    try:
        return MiniLMEmbedder(_encoder(models_dir, settings.encoder_threads))
    except Exception as exc:  # the encoder lives in another domain: any failure to load means "not here"
        if settings.embedder == "minilm":
            raise
        log.warning("analytics.embedder_fallback", extra={"reason": type(exc).__name__})
        return TfidfSvdEmbedder()


def _encoder(models_dir: Path | None, threads: int) -> Any:
    from tandem.triage.encoder import Encoder
    from tandem.triage.settings import default_models_dir

    root = models_dir or default_models_dir()
    key = (str(root.resolve()), threads)
    with _LOCK:
        if key not in _ENCODERS:
            _ENCODERS[key] = Encoder.load(root, threads=threads)
        return _ENCODERS[key]
