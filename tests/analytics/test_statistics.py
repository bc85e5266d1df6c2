"""The numerical pieces: the spike test, the FDR adjustment, clustering and naming."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from sklearn.metrics import adjusted_mutual_info_score

from tandem.analytics import stats
from tandem.analytics.clustering import cluster, cut_tree
from tandem.analytics.embedding import TfidfSvdEmbedder, load_embedder
from tandem.analytics.settings import AnalyticsSettings
from tandem.analytics.topics import discover, distinctive_terms
from tandem.triage.settings import default_models_dir


class TestRateTest:
    def test_a_share_that_triples_is_significant(self):
        test = stats.rate_increase_test(current=30, baseline=40, current_total=300, baseline_total=1200)
        assert test.rate_ratio == pytest.approx(3.0) and test.p_value < 1e-4  # Binomial(70, 0.2) ≥ 30
        assert stats.is_spike(test, test.p_value)

    def test_growing_with_everything_else_is_not_a_spike(self):
        # Twice the texts, and twice the total volume: the share did not move.
        test = stats.rate_increase_test(current=40, baseline=20, current_total=2000, baseline_total=1000)
        assert test.rate_ratio == pytest.approx(1.0) and test.p_value > 0.4
        assert not stats.is_spike(test, test.p_value)

    def test_a_few_texts_are_never_a_spike(self):
        test = stats.rate_increase_test(current=3, baseline=0, current_total=50, baseline_total=500)
        assert test.p_value < 0.05 and not stats.is_spike(test, test.p_value)

    def test_new_topics_are_emerging(self):
        test = stats.rate_increase_test(current=12, baseline=1, current_total=100, baseline_total=700)
        assert stats.is_emerging(test, test.p_value)

    def test_benjamini_hochberg_matches_the_textbook_example(self):
        q = stats.benjamini_hochberg([0.01, 0.04, 0.03, 0.005])
        assert q == pytest.approx([0.02, 0.04, 0.04, 0.02])


def blobs(per: int = 40, centres: int = 4, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    means = rng.normal(size=(centres, 16)) * 4
    points = np.vstack([m + rng.normal(scale=0.5, size=(per, 16)) for m in means])
    points /= np.linalg.norm(points, axis=1, keepdims=True)
    return points.astype(np.float32), np.repeat(np.arange(centres), per)


def test_silhouette_finds_the_number_of_well_separated_groups():
    points, truth = blobs()
    found = cluster(points)
    assert found.k == 4 and adjusted_mutual_info_score(truth, found.labels) > 0.99
    fixed = cluster(points, k=2)
    assert fixed.k == 2 and len(set(fixed.labels.tolist())) == 2


def test_cutting_the_tree_gives_exactly_k_groups():
    children = np.array([[0, 1], [2, 3], [4, 5], [6, 7]])  # ((0 1) (2 3)) then ((0 1 2 3) 4)
    assert cut_tree(children, 5, 3).tolist() == [0, 0, 1, 1, 2]
    assert cut_tree(children, 5, 1).tolist() == [0, 0, 0, 0, 0]


def test_topics_beyond_the_sample_are_assigned_by_the_classifier():
    themes = {
        "card": "my new debit card never arrived in the post",
        "refund": "the refund for my returned jacket is late",
        "login": "the app crashes every time I log in",
    }
    texts, truth = [], []
    for label, (name, sentence) in enumerate(themes.items()):
        for i in range(60):
            texts.append(f"{sentence} {name} case {i % 7}")
            truth.append(label)
    found = discover(texts, TfidfSvdEmbedder(), k=3, sample=90, attributes={"theme": [str(t) for t in truth]})
    assert found.clustered == 90
    assert adjusted_mutual_info_score(truth, found.labels) > 0.95
    names = {draft.links["theme"][0][0]: draft.terms for draft in found.topics}
    assert "refund" in " ".join(names["1"]) and "card" in " ".join(names["0"])


def test_distinctive_terms_skip_words_every_topic_shares():
    texts = ["please help my card is broken"] * 5 + ["please help my refund is late"] * 5
    terms = distinctive_terms(texts, np.array([0] * 5 + [1] * 5), 2)
    assert "card" in terms[0] and "refund" in terms[1]
    assert "help" not in terms[0][:1] and "please" not in terms[0]


def test_the_minilm_encoder_is_used_when_it_is_built():
    models = default_models_dir()
    if not (models / "minilm.onnx").exists():
        pytest.skip("the MiniLM encoder is not built here (make models)")
    embedder = load_embedder(AnalyticsSettings(embedder="auto"), models)
    vectors = embedder.encode(["where is my parcel", "my package has not arrived", "reset my password"])
    assert embedder.name == "minilm" and vectors.shape == (3, 384)
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2]


def test_without_the_encoder_auto_falls_back_to_tfidf(tmp_path: Path):
    assert load_embedder(AnalyticsSettings(embedder="auto"), tmp_path / "nothing").name == "tfidf-svd"
