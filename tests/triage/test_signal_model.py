"""The learned hand-over signals: the shipped corpus, training, persistence and how triage ORs them in."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import yaml

from tandem.triage import signal_model as sm
from tandem.triage.encoder import Encoder
from tandem.triage.service import Triage, apply_learned
from tandem.triage.signals import Signals

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("triage_models")]

SIGNALS = {
    "human_request", "misunderstanding", "exception_request", "churn", "sales_opportunity",
    "vulnerability", "dispute", "public_escalation", "frustration", "multi_department",
}  # fmt: skip


# ---- the corpus in the repository ------------------------------------------------------------------------


def test_the_shipped_corpus_covers_every_signal_with_positives_and_look_alikes() -> None:
    corpus = sm.load_corpus()
    assert set(corpus) == SIGNALS | {sm.NEUTRAL}
    for name in SIGNALS:
        assert len(corpus[name].positives) >= 150, name
        assert len(corpus[name].negatives) >= 100, name
        overlap = set(corpus[name].positives) & set(corpus[name].negatives)
        assert not overlap, f"{name}: both positive and negative: {sorted(overlap)[:3]}"
    assert len(corpus[sm.NEUTRAL].positives) >= 200


def test_a_corpus_file_without_its_signal_name_is_refused_with_the_file(tmp_path: Path) -> None:
    (tmp_path / "dispute.yaml").write_text(yaml.safe_dump({"signal": "disputes", "positives": ["x"]}))
    with pytest.raises(sm.SignalModelError, match=r"dispute\.yaml.*signal: dispute"):
        sm.load_corpus(tmp_path)


def test_an_empty_message_in_the_corpus_is_refused(tmp_path: Path) -> None:
    (tmp_path / "churn.yaml").write_text(yaml.safe_dump({"signal": "churn", "positives": ["leaving", "  "]}))
    with pytest.raises(sm.SignalModelError, match="non-empty"):
        sm.load_corpus(tmp_path)


def test_training_rows_count_other_signals_positives_as_unknown_not_as_negatives() -> None:
    corpus = {
        "churn": sm.SignalCorpus("churn", ("I'm closing my account",), ("cancel order A1",)),
        "frustration": sm.SignalCorpus("frustration", ("this is a joke!!",), ("slightly late, no worries",)),
        sm.NEUTRAL: sm.SignalCorpus(sm.NEUTRAL, ("where is my parcel",), ()),
    }
    rows = sm.training_set(corpus, extra_negatives=["what are your hours"])
    churn = dict(zip(rows.texts, rows.labels["churn"].tolist(), strict=True))
    assert churn == {
        "I'm closing my account": 1,
        "cancel order A1": 0,
        "this is a joke!!": -1,  # may well be churn too: neither for nor against
        "slightly late, no worries": 0,
        "where is my parcel": 0,
        "what are your hours": 0,
    }


# ---- training and persistence on a small corpus with the real encoder --------------------------------------

SMALL = {
    "human_request": (
        ["can I talk to a real person", "get me an agent please", "put me through to someone human",
         "I want a human not a bot", "is there an actual person I can speak with",
         "connect me to customer service staff",
         "let me speak to a representative", "transfer me to a live agent now", "I need to talk to somebody real",
         "human please", "operator!", "I'd like to speak with a member of your team"],
        ["the delivery person left it outside", "my agent said it was fine",
         "do you have a person in store for fittings",
         "your colleague already sorted it thanks", "the courier guy was lovely", "who designed this lamp"],
    ),
    "neutral": (
        ["where is my order A10234", "what time do you open on saturday", "can I change my delivery address",
         "how do I reset my password", "is the oak table in stock", "do you deliver to Scotland",
         "I'd like to return a lamp", "what's the returns window", "thanks, that's all", "can I pay with paypal",
         "my invoice is missing", "book me a showroom visit"],
        [],
    ),
}  # fmt: skip


@pytest.fixture(scope="module")
def small_corpus() -> dict[str, sm.SignalCorpus]:
    return {name: sm.SignalCorpus(name, tuple(pos), tuple(neg)) for name, (pos, neg) in SMALL.items()}


@pytest.fixture(scope="module")
def small_model(small_corpus: dict[str, sm.SignalCorpus], encoder: Encoder) -> sm.SignalModel:
    return sm.train_signal_model(small_corpus, encoder.encode, floors={})


def test_a_paraphrase_nobody_wrote_down_fires_with_its_nearest_example_as_evidence(
    small_model: sm.SignalModel, encoder: Encoder
) -> None:
    texts = ["could a real human being please pick this up", "where's my parcel A10999"]
    hits = small_model.hits(encoder.encode(texts), texts)
    assert set(hits[0]) == {"human_request"}
    hit = hits[0]["human_request"]
    assert hit.probability >= hit.threshold >= sm.MIN_THRESHOLD
    assert hit.like in SMALL["human_request"][0]
    assert "reads like" in hit.evidence() and hit.like in hit.evidence()
    assert hits[1] == {}


def test_the_cross_validated_quality_is_kept_with_the_model(small_model: sm.SignalModel) -> None:
    report = small_model.meta["cross_validation"]["human_request"]
    assert report["positives"] == 12 and report["negatives"] == 18
    assert 0.0 <= report["precision"] <= 1.0 and 0.0 <= report["recall"] <= 1.0


def test_save_and_load_give_the_same_readings(small_model: sm.SignalModel, encoder: Encoder, tmp_path: Path) -> None:
    small_model.save(tmp_path)
    loaded = sm.SignalModel.load(tmp_path)
    texts = ["get me a person", "what time do you close"]
    embeddings = encoder.encode(texts)
    assert loaded.signals == small_model.signals
    np.testing.assert_allclose(
        loaded.probabilities(embeddings, texts), small_model.probabilities(embeddings, texts), atol=1e-6
    )
    assert (
        loaded.hits(embeddings, texts)[0]["human_request"].like
        == small_model.hits(embeddings, texts)[0]["human_request"].like
    )


def test_loading_from_an_empty_folder_says_which_command_builds_it(tmp_path: Path) -> None:
    with pytest.raises(sm.SignalModelError, match="tandem models build"):
        sm.SignalModel.load(tmp_path)


def test_a_floor_of_one_switches_a_signal_off(small_corpus: dict[str, sm.SignalCorpus], encoder: Encoder) -> None:
    model = sm.train_signal_model(small_corpus, encoder.encode, floors={"human_request": 1.0})
    texts = ["put me through to a human right now"]
    assert model.hits(encoder.encode(texts), texts) == [{}]


# ---- how triage combines them with the cue rules ------------------------------------------------------------


def _hit(signal: str, probability: float = 0.97) -> sm.SignalHit:
    return sm.SignalHit(signal, probability, 0.9, "an example from the corpus")


def test_a_learned_hit_sets_the_flag_and_quotes_the_model() -> None:
    signals = apply_learned(Signals(), {"dispute": _hit("dispute")})
    assert signals.dispute is True
    assert signals.evidence["dispute"] == [_hit("dispute").evidence()]


def test_a_cue_hit_keeps_its_own_evidence() -> None:
    signals = Signals(human_requested=True, evidence={"human_request": ["speak to a person"]})
    apply_learned(signals, {"human_request": _hit("human_request")})
    assert signals.evidence["human_request"] == ["speak to a person"]


def test_learned_churn_and_sales_use_the_evidence_names_the_rules_read() -> None:
    signals = apply_learned(Signals(), {"churn": _hit("churn"), "sales_opportunity": _hit("sales_opportunity")})
    assert "churn" in signals.evidence and "sales" in signals.evidence
    assert signals.sales_opportunity is True


def test_learned_multi_department_is_the_evidence_the_rule_reads() -> None:
    signals = apply_learned(Signals(), {"multi_department": _hit("multi_department")})
    assert signals.evidence["multi_department"] == [_hit("multi_department").evidence()]


def test_learned_frustration_is_evidence_for_the_rules_and_leaves_the_emotion_score_alone() -> None:
    signals = Signals.model_validate({"emotion": {"frustration": 0.2}})
    apply_learned(signals, {"frustration": _hit("frustration")})
    assert signals.emotion.frustration == 0.2 and signals.emotion.frustrated is False
    assert signals.evidence["frustration_learned"] == [_hit("frustration").evidence()]


def test_learned_vulnerability_flags_without_inventing_a_driver() -> None:
    signals = apply_learned(Signals(), {"vulnerability": _hit("vulnerability")})
    assert signals.vulnerability.flagged is True
    assert signals.vulnerability.drivers == ["unspecified"]


def test_asking_how_to_reach_the_team_is_not_read_as_asking_for_a_person_now() -> None:
    signals = Signals.model_validate({"intent": {"name": "contact_customer_service", "confidence": 0.9}})
    apply_learned(signals, {"human_request": _hit("human_request")})
    assert signals.human_requested is False


def test_booking_a_chat_with_a_designer_is_an_appointment_not_a_hand_over() -> None:
    signals = Signals.model_validate({"intent": {"name": "book_appointment", "confidence": 0.8}})
    apply_learned(signals, {"human_request": _hit("human_request")})
    assert signals.human_requested is False
    asked = Signals.model_validate({"intent": {"name": "track_order", "confidence": 0.8}})
    assert apply_learned(asked, {"human_request": _hit("human_request")}).human_requested is True


def test_the_default_triage_reads_a_dispute_the_cues_do_not_know(models_dir: Path, tmp_path: Path) -> None:
    from tandem.triage.build import build_signal_model

    encoder = Encoder.load(models_dir)
    root = tmp_path / "models"
    root.mkdir()
    for item in models_dir.iterdir():
        (root / item.name).symlink_to(item)
    build_signal_model(root, encoder)
    triage = Triage.load(root, intents_dir=None)
    clawback = triage.assess("my bank says they'll take the money back off you for me")
    assert clawback.dispute is True
    assert clawback.evidence["dispute"][0].startswith("model ")
    assert triage.assess("can I get a copy of my invoice for order A10234").dispute is False
    passed_around = triage.assess(
        "the fitters cracked the bathroom tiles putting the mirror up and now the shop and the online team "
        "each say the other one should pay for the repair"
    )
    assert passed_around.evidence["multi_department"][0].startswith("model ")
    two_questions = triage.assess("what time do you open on sunday? also do you sell lampshades")
    assert "multi_department" not in two_questions.evidence
