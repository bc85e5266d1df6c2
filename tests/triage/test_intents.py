"""Domain-pack validation and the intent classifier: accuracy on unseen phrasings, calibration, out of
scope, persistence without pickle, and parity of our numpy TF-IDF with scikit-learn's."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import yaml

from tandem.triage.domain_pack import PACKS_DIR, DomainPack, PackError, load_pack, parse_pack
from tandem.triage.encoder import Encoder
from tandem.triage.features import TfidfBlock
from tandem.triage.intents import (
    MODEL_JSON,
    MODEL_NPZ,
    OUT_OF_SCOPE,
    IntentModel,
    IntentModelError,
    TrainConfig,
    _stratified_folds,
    choose_knn_weight,
    fit_temperature,
    read_labelled_csv,
    softmax,
    tune_oos_threshold,
)

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("triage_models")]

FIXTURES = Path(__file__).parent / "fixtures"

UNSEEN = {
    "track_order": ["any news on my delivery?", "my order from last week still hasn't shown up", "where's my parcel"],
    "get_refund": ["I want my money returned", "please reimburse me for the broken kettle", "refund me now"],
    "recover_password": ["reset my login password please", "I can't remember my password", "can't sign in"],
    "business_hours": ["are you open tomorrow morning?", "what time does the shop shut", "sunday opening hours?"],
}
OFF_TOPIC = [
    "what's the weather like in rome this week",
    "tell me a joke about penguins",
    "who won the world cup in 1998",
    "how do I bake banana bread",
    "what is the square root of 144",
    "write me a limerick about a cat",
]


def predict(model: IntentModel, encoder: Encoder, texts: list[str]) -> list:  # type: ignore[type-arg]
    return model.predict(encoder.encode(texts), texts)


# ---- domain packs ---------------------------------------------------------------------------------


def valid_pack_dict() -> dict[str, object]:
    data: dict[str, object] = yaml.safe_load((FIXTURES / "tiny_pack.yaml").read_text())
    return data


def test_fixture_pack_loads_with_departments_and_skills(tiny_pack: DomainPack) -> None:
    assert tiny_pack.name == "tiny"
    refund = tiny_pack.intent("get_refund")
    assert refund is not None and refund.department == "billing" and refund.skill == "refund"
    assert tiny_pack.intent("recover_password").skill is None  # type: ignore[union-attr]


@pytest.mark.skipif(not (PACKS_DIR / "ecommerce.yaml").exists(), reason="default pack not written yet")
def test_shipped_default_pack_is_valid() -> None:
    pack = load_pack("ecommerce")
    assert len(pack.intents) >= 10
    assert all(i.department in pack.departments for i in pack.intents if i.department)


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda d: d["intents"][0].update(department="warehouse"), "warehouse"),
        (lambda d: d["intents"].append(dict(d["intents"][0])), "duplicate intent names: track_order"),
        (lambda d: d["intents"][0].update(examples=[]), "examples"),
        (lambda d: d["intents"][0].update(examples=["ok", "  "]), "empty strings"),
        (lambda d: d["intents"][0].update(exmaples=["typo"]), "exmaples"),
        (lambda d: d["intents"][0].update(name="Track Order"), "snake_case"),
        (lambda d: d["intents"][0].update(name="oos"), "snake_case"),
        (lambda d: d.pop("departments"), "departments"),
        (lambda d: d.update(intents=d["intents"][:1]), "intents"),
    ],
)
def test_invalid_packs_are_rejected_with_a_pointed_message(mutate, message: str) -> None:  # type: ignore[no-untyped-def]
    data = valid_pack_dict()
    mutate(data)
    with pytest.raises(PackError) as caught:
        parse_pack(data, "packs/broken.yaml")
    assert "packs/broken.yaml" in str(caught.value)
    assert message in str(caught.value)


def test_pack_file_problems_name_the_file(tmp_path: Path) -> None:
    with pytest.raises(PackError, match="not found"):
        load_pack(tmp_path / "missing.yaml")
    broken = tmp_path / "broken.yaml"
    broken.write_text("name: [unclosed\n")
    with pytest.raises(PackError, match="not valid YAML"):
        load_pack(broken)
    broken.write_text("- just\n- a list\n")
    with pytest.raises(PackError, match="YAML mapping"):
        load_pack(broken)


def test_pack_training_rows_include_out_of_scope_examples(tiny_pack: DomainPack) -> None:
    _, labels = tiny_pack.training_rows()
    assert labels.count("track_order") == 10
    assert OUT_OF_SCOPE in labels
    no_generic = tiny_pack.model_copy(update={"generic_out_of_scope": False})
    assert OUT_OF_SCOPE not in no_generic.training_rows()[1]


# ---- the classifier ------------------------------------------------------------------------------


def test_unseen_phrasings_get_the_right_intent(tiny_model: IntentModel, encoder: Encoder) -> None:
    texts = [t for phrasings in UNSEEN.values() for t in phrasings]
    expected = [name for name, phrasings in UNSEEN.items() for _ in phrasings]
    got = [p.name for p in predict(tiny_model, encoder, texts)]
    correct = sum(g == e for g, e in zip(got, expected, strict=True))
    assert correct >= len(texts) - 1, list(zip(texts, got, strict=True))


def test_department_and_skill_come_from_the_pack(tiny_model: IntentModel, encoder: Encoder) -> None:
    (prediction,) = predict(tiny_model, encoder, ["I forgot my password and can't log in"])
    assert (prediction.name, prediction.department, prediction.skill) == ("recover_password", "accounts", None)
    (prediction,) = predict(tiny_model, encoder, ["refund my order please"])
    assert (prediction.department, prediction.skill) == ("billing", "refund")


def test_alternatives_are_ranked_probabilities_without_the_winner(tiny_model: IntentModel, encoder: Encoder) -> None:
    (prediction,) = predict(tiny_model, encoder, ["where is my parcel"])
    confidences = [c for _, c in prediction.alternatives]
    assert prediction.name not in [n for n, _ in prediction.alternatives]
    assert OUT_OF_SCOPE not in [n for n, _ in prediction.alternatives]
    assert confidences == sorted(confidences, reverse=True)
    assert 0 < len(confidences) <= 3
    assert prediction.confidence + sum(confidences) <= 1.0001
    assert prediction.confidence > 0.5 > confidences[0]


def test_off_topic_messages_are_out_of_scope(tiny_model: IntentModel, encoder: Encoder) -> None:
    predictions = predict(tiny_model, encoder, OFF_TOPIC)
    flagged = [p.out_of_scope for p in predictions]
    assert sum(flagged) >= len(OFF_TOPIC) - 1, list(zip(OFF_TOPIC, flagged, strict=True))
    assert all(p.name is None and p.department is None for p in predictions if p.out_of_scope)
    # The best in-scope guesses stay visible for the agent.
    assert all(p.alternatives for p in predictions)


def test_in_scope_messages_are_not_flagged_out_of_scope(tiny_model: IntentModel, encoder: Encoder) -> None:
    texts = [t for phrasings in UNSEEN.values() for t in phrasings]
    flagged = sum(p.out_of_scope for p in predict(tiny_model, encoder, texts))
    assert flagged <= 2


def test_confidence_below_the_threshold_means_out_of_scope(tiny_model: IntentModel) -> None:
    probs = np.zeros(len(tiny_model.labels), dtype=np.float32)
    probs[tiny_model.labels.index("get_refund")] = 0.6
    probs[tiny_model.labels.index("track_order")] = 0.4
    assert tiny_model.decide(probs, cutoff=0.7, alternatives=3).out_of_scope
    kept = tiny_model.decide(probs, cutoff=0.5, alternatives=3)
    assert (kept.out_of_scope, kept.name, kept.alternatives[0]) == (False, "get_refund", ("track_order", 0.4))


def test_predicted_oos_class_is_out_of_scope_whatever_the_threshold(tiny_model: IntentModel) -> None:
    probs = np.zeros(len(tiny_model.labels), dtype=np.float32)
    probs[tiny_model.labels.index(OUT_OF_SCOPE)] = 0.9
    probs[tiny_model.labels.index("track_order")] = 0.1
    decision = tiny_model.decide(probs, cutoff=0.0, alternatives=3)
    assert decision.out_of_scope and decision.name is None
    assert decision.alternatives[0] == ("track_order", 0.1)


def test_temperature_scaling_makes_confidence_match_accuracy() -> None:
    rng = np.random.default_rng(1)
    truth = rng.integers(0, 5, size=3000)
    scores = (np.eye(5)[truth] + rng.normal(0, 0.6, size=(3000, 5))).astype(np.float32)
    accuracy = float((scores.argmax(axis=1) == truth).mean())
    raw_confidence = float(softmax(scores).max(axis=1).mean())
    calibrated = float(softmax(scores * fit_temperature(scores, truth)).max(axis=1).mean())
    assert abs(raw_confidence - accuracy) > 0.1  # so the check below is not trivially true
    assert abs(calibrated - accuracy) < 0.03


def test_clear_messages_are_confident(tiny_model: IntentModel, encoder: Encoder) -> None:
    (clear,) = predict(tiny_model, encoder, ["I want a refund for my order"])
    assert clear.name == "get_refund" and clear.confidence > 0.9


def test_saved_model_reloads_identically_without_pickle(tiny_model_dir: Path, encoder: Encoder) -> None:
    assert sorted(p.name for p in tiny_model_dir.iterdir()) == [MODEL_JSON, MODEL_NPZ]
    with np.load(tiny_model_dir / MODEL_NPZ, allow_pickle=False) as arrays:
        assert all(arrays[k].dtype != object for k in arrays.files)
    first, second = IntentModel.load(tiny_model_dir), IntentModel.load(tiny_model_dir)
    texts = ["where is my order", "open on sunday?"]
    vectors = encoder.encode(texts)
    assert np.allclose(first.probabilities(vectors, texts), second.probabilities(vectors, texts))


def test_loading_explains_missing_or_foreign_models(tmp_path: Path, tiny_model_dir: Path) -> None:
    with pytest.raises(IntentModelError, match="intents train"):
        IntentModel.load(tmp_path)
    for name in (MODEL_JSON, MODEL_NPZ):
        (tmp_path / name).write_bytes((tiny_model_dir / name).read_bytes())
    manifest = json.loads((tmp_path / MODEL_JSON).read_text())
    manifest["format_version"] = 99
    (tmp_path / MODEL_JSON).write_text(json.dumps(manifest))
    with pytest.raises(IntentModelError, match="retrain"):
        IntentModel.load(tmp_path)


def test_model_refuses_another_encoder(tiny_model_dir: Path, encoder: Encoder) -> None:
    model = IntentModel.load(tiny_model_dir)
    model.check_encoder(encoder)
    model.meta["encoder_probe"] = [0.0] * 383 + [1.0]
    with pytest.raises(IntentModelError, match="different embedding model"):
        model.check_encoder(encoder)


def test_calibration_folds_are_stratified_disjoint_and_complete() -> None:
    labels = ["a"] * 10 + ["b"] * 5 + ["c"] * 40
    folds = _stratified_folds(labels, 5, seed=3)
    rows = np.concatenate(folds)
    assert sorted(rows.tolist()) == list(range(len(labels)))
    assert all({labels[i] for i in fold} == {"a", "b", "c"} for fold in folds)
    assert _stratified_folds(labels, 5, seed=3)[0].tolist() == folds[0].tolist()  # seeded


def test_oos_threshold_without_oos_rows_rejects_the_target_share() -> None:
    rng = np.random.default_rng(0)
    probs = rng.dirichlet(np.ones(4) * 0.3, size=1000).astype(np.float32)
    truth = probs.argmax(axis=1)
    cutoff = tune_oos_threshold(probs, truth, ["a", "b", "c", "d"], TrainConfig(target_false_oos=0.05))
    assert abs(float((probs.max(axis=1) < cutoff).mean()) - 0.05) < 0.01


def test_neighbour_vote_weight_is_chosen_on_held_out_rows() -> None:
    rng = np.random.default_rng(1)
    truth = rng.integers(0, 5, size=600)
    linear = rng.normal(size=(600, 5)).astype(np.float32)
    linear[np.arange(600), truth] += 1.5  # the linear scores alone are right about 80% of the time
    noise = rng.dirichlet(np.ones(5), size=600).astype(np.float32)
    informative = np.eye(5, dtype=np.float32)[truth] * 0.9 + 0.02
    config = TrainConfig()
    assert choose_knn_weight(linear, noise, truth, config) == 0.0
    assert choose_knn_weight(linear, informative, truth, config) > 0.0
    # Switched off (as for domain packs) or with nothing held out, the configured weight stands.
    fixed = TrainConfig(knn_weight=0.7, tune_knn_weight=False)
    assert choose_knn_weight(linear, noise, truth, fixed) == 0.7
    assert choose_knn_weight(linear[:0], noise[:0], truth[:0], config) == config.knn_weight


def test_pack_models_keep_the_fixed_neighbour_vote(tiny_model: IntentModel, encoder: Encoder) -> None:
    assert tiny_model.config.knn_weight == TrainConfig().knn_weight
    assert not tiny_model.config.tune_knn_weight
    texts = UNSEEN["track_order"]
    vectors = encoder.encode(texts)
    without = IntentModel(**{**tiny_model.__dict__, "config": TrainConfig(knn_weight=0.0)})
    votes = tiny_model._neighbour_votes(tiny_model.similarity(vectors))
    assert np.allclose(tiny_model.raw_scores(vectors, texts), without.raw_scores(vectors, texts) + votes, atol=1e-5)


# ---- features and CSV ------------------------------------------------------------------------------


def test_numpy_tfidf_rows_equal_scikit_learn() -> None:
    from sklearn.feature_extraction.text import TfidfVectorizer

    from tandem.triage.features import char_terms

    corpus = ["Where is my ORDER?", "refund my order", "order order order now", "café crème brûlée"]
    block = TfidfBlock.fit(corpus, "char")
    reference = TfidfVectorizer(analyzer=char_terms, sublinear_tf=True, vocabulary=block.vocabulary)
    reference.fit(corpus)
    for text in [*corpus, "an unseen ordr with typos"]:
        ours = np.zeros(block.size, dtype=np.float32)
        columns, values = block.row(text)
        ours[columns] = values
        assert np.allclose(ours, reference.transform([text]).toarray()[0], atol=1e-6)


@pytest.mark.parametrize(
    ("content", "expected_first"),
    [
        ("text,label\nwhere is it,track\nrefund,money\n", ("where is it", "track")),
        ("label,text\ntrack,where is it\nmoney,refund\n", ("where is it", "track")),
        ("text,category\nwhere is it,track\nrefund,money\n", ("where is it", "track")),
        ("where is it,track\nrefund,money\n", ("where is it", "track")),
    ],
)
def test_csv_columns_by_name_or_position(tmp_path: Path, content: str, expected_first: tuple[str, str]) -> None:
    path = tmp_path / "rows.csv"
    path.write_text(content)
    texts, labels = read_labelled_csv(path)
    assert (texts[0], labels[0]) == expected_first
    assert len(texts) == 2


def test_csv_without_rows_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "empty.csv"
    path.write_text("text,label\n")
    with pytest.raises(ValueError, match="no \\(text, label\\) rows"):
        read_labelled_csv(path)


# ---- build ---------------------------------------------------------------------------------------------


def test_build_models_is_idempotent_and_retrains_an_edited_pack(
    models_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tandem.triage import build

    packs = tmp_path / "packs"
    packs.mkdir()
    pack = packs / "ecommerce.yaml"
    pack.write_text((FIXTURES / "tiny_pack.yaml").read_text())
    monkeypatch.setattr(build, "PACKS_DIR", packs)
    target = str(build.default_intents_dir(models_dir))
    signals = str(build.default_signals_dir(models_dir))
    assert target in build.build_models(if_missing=True, models_dir=models_dir)
    assert build.build_models(if_missing=True, models_dir=models_dir) == []
    pack.write_text(pack.read_text() + "\n# an edit changes the pack's digest\n")
    # The learned signals use the pack's routine phrasings as negatives, so they are rebuilt too.
    assert build.build_models(if_missing=True, models_dir=models_dir) == [signals, target]
    assert IntentModel.load(Path(target)).meta["pack"] == "tiny"


# ---- the closeness part of the out-of-scope cut --------------------------------------------------


def test_off_topic_messages_sit_further_from_the_training_examples(tiny_model: IntentModel, encoder: Encoder) -> None:
    model = IntentModel(**{**tiny_model.__dict__, "config": TrainConfig(scope_neighbours=3)})
    in_scope = [t for phrasings in UNSEEN.values() for t in phrasings]

    def closeness(texts: list[str]) -> float:
        vectors = encoder.encode(texts)
        probs = model.probabilities(vectors, texts)
        return float(np.mean(model.scope_scores(probs, model.similarity(vectors)) / probs.max(axis=1)))

    assert closeness(OFF_TOPIC) < closeness(in_scope) - 0.15


def test_a_confident_message_far_from_every_example_is_out_of_scope(tiny_model: IntentModel) -> None:
    probs = np.zeros(len(tiny_model.labels), dtype=np.float32)
    probs[tiny_model.labels.index("get_refund")] = 0.9
    assert tiny_model.decide(probs, cutoff=0.5, alternatives=3, scope=0.2).out_of_scope
    assert not tiny_model.decide(probs, cutoff=0.5, alternatives=3, scope=0.7).out_of_scope


def test_pack_models_and_older_models_keep_the_confidence_only_cut(
    tiny_model: IntentModel, tiny_model_dir: Path, tmp_path: Path
) -> None:
    assert tiny_model.config.scope_neighbours == 0
    for name in (MODEL_JSON, MODEL_NPZ):
        (tmp_path / name).write_bytes((tiny_model_dir / name).read_bytes())
    manifest = json.loads((tmp_path / MODEL_JSON).read_text())
    manifest["config"] = {k: v for k, v in manifest["config"].items() if k != "scope_neighbours"}
    (tmp_path / MODEL_JSON).write_text(json.dumps(manifest))
    assert IntentModel.load(tmp_path).config.scope_neighbours == 0
