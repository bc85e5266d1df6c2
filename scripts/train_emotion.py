"""Reproduce the committed frustration model (src/tandem/triage/models/emotion.{npz,json}).

GoEmotions (Demszky et al. 2020): positive = anger ∪ annoyance ∪ disgust, negative = every other comment.
Trained on train.tsv. dev.tsv is split in two halves with a fixed seed: the decision threshold is tuned on
half A (with the same text cues the service adds at run time), and F1 is reported on half B, which the
tuning never saw, and on the whole of dev. No test split is used (none is available here).

    OMP_NUM_THREADS=1 .venv/bin/python scripts/train_emotion.py [--data ../shared/datasets/goemotions]

Takes about three minutes on two cores, most of it embedding 49k comments with MiniLM.
"""

from __future__ import annotations

import argparse
import csv
import tempfile
import time
from pathlib import Path

import numpy as np

from tandem.triage.emotion import (
    MODEL_DIR,
    EmotionModel,
    best_f1_threshold,
    combine,
    f1_score,
    rescale,
    support_cues,
    train_emotion_model,
)
from tandem.triage.encoder import Encoder, build_encoder, encoder_probe
from tandem.triage.signals import TriageContext

POSITIVE_LABELS = {"anger", "annoyance", "disgust"}
DEV_SPLIT_SEED = 13
DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "datasets" / "goemotions"


def read_split(path: Path, positive_ids: set[int]) -> tuple[list[str], np.ndarray]:
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))
    texts = [row[0] for row in rows]
    labels = np.array([bool(positive_ids & {int(i) for i in row[1].split(",")}) for row in rows])
    return texts, labels


def positive_label_ids(data: Path) -> set[int]:
    names = (data / "labels.txt").read_text(encoding="utf-8").split()
    return {index for index, name in enumerate(names) if name in POSITIVE_LABELS}


def final_scores(probabilities: np.ndarray, texts: list[str], model_threshold: float) -> np.ndarray:
    """What the service computes with an empty conversation context: rescaled model score + text cues."""
    context = TriageContext()
    scaled = rescale(probabilities, model_threshold)
    return np.array([combine(float(s), support_cues(t, context, 2)) for s, t in zip(scaled, texts, strict=True)])


def tune_model_threshold(probabilities: np.ndarray, texts: list[str], truth: np.ndarray) -> float:
    """The model threshold whose final decision (score >= 0.5) maximises F1."""
    grid = np.linspace(0.1, 0.7, 61)
    scores = [f1_score(truth, final_scores(probabilities, texts, t) >= 0.5) for t in grid]
    return float(grid[int(np.argmax(scores))])


def main() -> None:
    parser = argparse.ArgumentParser(description="train the GoEmotions frustration model")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--out", type=Path, default=MODEL_DIR)
    parser.add_argument(
        "--retune-only", action="store_true", help="keep the weights in --out, re-tune the threshold (after cue edits)"
    )
    args = parser.parse_args()

    started = time.time()
    positive_ids = positive_label_ids(args.data)
    train_texts, train_labels = read_split(args.data / "train.tsv", positive_ids)
    dev_texts, dev_labels = read_split(args.data / "dev.tsv", positive_ids)
    with tempfile.TemporaryDirectory() as scratch:
        build_encoder(Path(scratch))
        encoder = Encoder.load(Path(scratch))
        train_embeddings = None if args.retune_only else encoder.encode(train_texts)
        dev_embeddings = encoder.encode(dev_texts)
        probe = encoder_probe(encoder)

    if train_embeddings is None:
        model = EmotionModel.load(args.out)
    else:
        model = train_emotion_model(train_texts, train_labels, train_embeddings)
    dev_probs = model.probability(dev_embeddings, dev_texts)
    order = np.random.RandomState(DEV_SPLIT_SEED).permutation(len(dev_texts))
    half_a, half_b = order[: len(order) // 2], order[len(order) // 2 :]
    model.model_threshold = tune_model_threshold(dev_probs[half_a], [dev_texts[i] for i in half_a], dev_labels[half_a])
    decided = final_scores(dev_probs, dev_texts, model.model_threshold) >= 0.5
    model.meta = {
        "source": "GoEmotions (Demszky et al. 2020), train.tsv; threshold tuned on half of dev.tsv",
        "positive": sorted(POSITIVE_LABELS),
        "train_rows": len(train_texts),
        "dev_split_seed": DEV_SPLIT_SEED,
        "f1_dev_tuning_half": round(f1_score(dev_labels[half_a], decided[half_a]), 4),
        "f1_dev_held_out_half": round(f1_score(dev_labels[half_b], decided[half_b]), 4),
        "f1_dev_all": round(f1_score(dev_labels, decided), 4),
        "f1_model_only_best_dev": round(best_f1_threshold(dev_probs, dev_labels)[1], 4),
        "encoder_probe": probe,
    }
    model.save(args.out)
    print({k: v for k, v in model.meta.items() if k != "encoder_probe"}, f"{time.time() - started:.0f}s")


if __name__ == "__main__":
    main()
