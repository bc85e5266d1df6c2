"""The ONNX MiniLM encoder against real sentence-transformers vectors, and its batching and build logic."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pytest

from tandem.triage.encoder import (
    META_NAME,
    ONNX_NAME,
    Encoder,
    EncoderError,
    build_encoder,
    encoder_is_current,
    encoder_probe,
    probe_matches,
)

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("triage_models")]

REFERENCE = Path(__file__).parent / "fixtures" / "minilm_reference.json"


def reference_rows() -> list[dict[str, object]]:
    rows: list[dict[str, object]] = json.loads(REFERENCE.read_text())["rows"]
    return rows


def test_matches_sentence_transformers_reference(encoder: Encoder) -> None:
    rows = reference_rows()
    ours = encoder.encode([str(r["text"]) for r in rows])
    reference = np.array([r["embedding"] for r in rows], dtype=np.float32)
    cosines = np.sum(ours * reference, axis=1) / np.linalg.norm(reference, axis=1)
    assert cosines.min() >= 0.999, cosines


def test_vectors_are_unit_length_and_384_wide(encoder: Encoder) -> None:
    vectors = encoder.encode(["hello", "a much longer sentence about a parcel that never arrived"])
    assert vectors.shape == (2, 384)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


def test_padding_in_a_batch_does_not_change_a_vector(encoder: Encoder) -> None:
    texts = [str(r["text"]) for r in reference_rows()]
    together = encoder.encode(texts)
    alone = np.vstack([encoder.encode([t]) for t in texts])
    assert np.abs(together - alone).max() < 1e-4


def test_rows_come_back_in_input_order(encoder: Encoder) -> None:
    texts = ["refund please", "x", "where is my parcel, it is very late and I am worried about it"]
    forward = encoder.encode(texts)
    backward = encoder.encode(texts[::-1])
    assert np.allclose(forward, backward[::-1], atol=1e-5)


def test_similar_sentences_are_closer_than_unrelated_ones(encoder: Encoder) -> None:
    a, b, c = encoder.encode(["I want my money back", "please refund me", "what time do you open"])
    assert a @ b > a @ c + 0.2


def test_text_longer_than_the_model_window_is_truncated_not_rejected(encoder: Encoder) -> None:
    vector = encoder.encode(["refund " * 3000])
    assert np.isfinite(vector).all()


def test_empty_batch_gives_empty_matrix(encoder: Encoder) -> None:
    assert encoder.encode([]).shape == (0, 384)


def test_no_torch_at_run_time(encoder: Encoder) -> None:
    encoder.encode(["hello"])
    assert "torch" not in sys.modules


def test_build_is_recognised_as_current_and_stale_when_weights_differ(models_dir: Path, tmp_path: Path) -> None:
    assert encoder_is_current(models_dir)
    assert not encoder_is_current(tmp_path)
    meta = json.loads((models_dir / META_NAME).read_text())
    (tmp_path / META_NAME).write_text(json.dumps({**meta, "fingerprint": "something-else"}))
    (tmp_path / ONNX_NAME).write_bytes(b"")
    assert not encoder_is_current(tmp_path)


def test_build_refuses_a_folder_without_weights(tmp_path: Path) -> None:
    with pytest.raises(EncoderError, match=r"model\.safetensors"):
        build_encoder(tmp_path / "out", weights_dir=tmp_path)


def test_load_explains_a_missing_graph(tmp_path: Path) -> None:
    with pytest.raises(EncoderError, match="models build"):
        Encoder.load(tmp_path)


def test_probe_identifies_the_encoder(encoder: Encoder) -> None:
    probe = encoder_probe(encoder)
    assert probe_matches(encoder, probe)
    assert not probe_matches(encoder, list(np.roll(np.asarray(probe), 7)))
    assert not probe_matches(encoder, probe[:10])
