"""Sparse TF-IDF text features that train with scikit-learn but score with numpy alone.

Training goes through sklearn's TfidfVectorizer with our own analyzers; inference redoes the same
arithmetic (sublinear tf × idf, L2 norm) from the saved vocabulary and idf, so loading a model never
imports scikit-learn or scipy and never unpickles anything.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

AnalyzerName = Literal["word", "char"]
FloatArray = NDArray[np.float32]

_WORD = re.compile(r"\w+")
_SPACES = re.compile(r"\s+")


# Cached: the intent and the emotion model analyse the same message with the same analyzers.
@lru_cache(maxsize=256)
def word_terms(text: str) -> tuple[str, ...]:
    """Lower-cased word unigrams and bigrams."""
    words = _WORD.findall(text.lower())
    return (*words, *(f"{a} {b}" for a, b in pairwise(words)))


@lru_cache(maxsize=256)
def char_terms(text: str) -> tuple[str, ...]:
    """Character 2- to 5-grams inside each space-padded word: robust to typos and inflections."""
    terms: list[str] = []
    for word in _SPACES.split(text.lower().strip()):
        padded = f" {word} "
        for size in range(2, 6):
            terms.extend(padded[i : i + size] for i in range(len(padded) - size + 1))
    return tuple(terms)


ANALYZERS: dict[str, Callable[[str], tuple[str, ...]]] = {"word": word_terms, "char": char_terms}


# Cached: five models score each message with the same two analyzers, so its terms are counted once.
@lru_cache(maxsize=512)
def term_counts(analyzer: AnalyzerName, text: str) -> tuple[tuple[str, int], ...]:
    return tuple(Counter(ANALYZERS[analyzer](text)).items())


@dataclass
class TfidfBlock:
    """One TF-IDF feature block (vocabulary + idf) that can score a text without scikit-learn."""

    analyzer: AnalyzerName
    vocabulary: dict[str, int]
    idf: FloatArray

    @property
    def size(self) -> int:
        return len(self.vocabulary)

    @classmethod
    def fit(
        cls, texts: Sequence[str], analyzer: AnalyzerName, min_df: int = 1, max_features: int | None = None
    ) -> TfidfBlock:
        vectorizer = _sklearn_vectorizer(analyzer, min_df, max_features).fit(texts)
        vocabulary = {term: int(index) for term, index in vectorizer.vocabulary_.items()}
        return cls(analyzer, vocabulary, np.asarray(vectorizer.idf_, dtype=np.float32))

    def terms(self) -> list[str]:
        """The vocabulary as a list ordered by column index (the compact form we save)."""
        ordered = [""] * len(self.vocabulary)
        for term, index in self.vocabulary.items():
            ordered[index] = term
        return ordered

    @classmethod
    def from_terms(cls, analyzer: AnalyzerName, terms: list[str], idf: FloatArray) -> TfidfBlock:
        return cls(analyzer, {term: index for index, term in enumerate(terms)}, idf)

    def row(self, text: str) -> tuple[NDArray[np.int64], FloatArray]:
        """Column indices and weights of one text's TF-IDF row (sublinear tf, L2-normalised)."""
        vocabulary = self.vocabulary
        known = [(vocabulary[t], n) for t, n in term_counts(self.analyzer, text) if t in vocabulary]
        if not known:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        columns = np.fromiter((c for c, _ in known), dtype=np.int64, count=len(known))
        tf = np.fromiter((n for _, n in known), dtype=np.float32, count=len(known))
        weights = (1.0 + np.log(tf)) * self.idf[columns]
        return columns, (weights / np.linalg.norm(weights)).astype(np.float32)

    def matrix(self, texts: Sequence[str]) -> Any:
        """A scipy CSR matrix of many rows, for training (scipy is a training-time dependency)."""
        from scipy import sparse

        rows = [self.row(text) for text in texts]
        indptr = np.cumsum([0] + [len(cols) for cols, _ in rows])
        columns = np.concatenate([cols for cols, _ in rows]) if rows else np.zeros(0, np.int64)
        values = np.concatenate([vals for _, vals in rows]) if rows else np.zeros(0, np.float32)
        return sparse.csr_matrix((values, columns, indptr), shape=(len(texts), self.size), dtype=np.float32)


def _sklearn_vectorizer(analyzer: AnalyzerName, min_df: int, max_features: int | None) -> Any:
    from sklearn.feature_extraction.text import TfidfVectorizer

    return TfidfVectorizer(
        analyzer=ANALYZERS[analyzer],
        sublinear_tf=True,
        min_df=min_df,
        max_features=max_features,
        dtype=np.float32,
    )


def sparse_scores(block: TfidfBlock, weights: FloatArray, text: str) -> FloatArray:
    """The linear contribution (one value per output column) of one text's block to a model."""
    columns, values = block.row(text)
    if columns.size == 0:
        return np.zeros(weights.shape[1], dtype=np.float32)
    return np.asarray(values @ weights[columns], dtype=np.float32)
