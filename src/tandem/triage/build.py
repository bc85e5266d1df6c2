"""Build every local triage model into the models directory: the MiniLM ONNX graph, the default domain
pack's intent model and the learned hand-over signals. Nothing is downloaded: the weights come from an
installed package, the pack and the signal corpus from the repository. `tandem models build --if-missing`
calls `build_models(if_missing=True)`.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from tandem.triage.domain_pack import DEFAULT_PACK, PACKS_DIR, load_pack
from tandem.triage.encoder import Encoder, build_encoder, encoder_is_current, encoder_probe, probe_matches
from tandem.triage.intents import IntentModel, IntentModelError, train_from_pack
from tandem.triage.settings import default_models_dir
from tandem.triage.signal_model import (
    CORPUS_DIR,
    THRESHOLD_FLOORS,
    SignalModel,
    SignalModelError,
    corpus_digest,
    load_corpus,
    train_signal_model,
)


def default_intents_dir(models_dir: Path, pack: str = DEFAULT_PACK) -> Path:
    return models_dir / "intents" / pack


def default_signals_dir(models_dir: Path) -> Path:
    return models_dir / "signals"


def pack_digest(pack_path: Path) -> str:
    return hashlib.sha256(pack_path.read_bytes()).hexdigest()[:16]


def intent_model_is_current(model_dir: Path, pack_path: Path, encoder: Encoder) -> bool:
    """Present, trained from this exact pack file, and with this encoder."""
    try:
        model = IntentModel.load(model_dir)
    except (IntentModelError, ValueError, KeyError, OSError):
        return False
    probe = model.meta.get("encoder_probe") or []
    return model.meta.get("pack_digest") == pack_digest(pack_path) and probe_matches(encoder, probe)


def build_pack_model(models_dir: Path, encoder: Encoder, pack_name: str = DEFAULT_PACK) -> Path:
    pack_path = PACKS_DIR / f"{pack_name}.yaml"
    model = train_from_pack(load_pack(pack_path), encoder)
    model.meta["pack_digest"] = pack_digest(pack_path)
    model.meta["encoder_probe"] = encoder_probe(encoder)
    target = default_intents_dir(models_dir, pack_name)
    model.save(target)
    return target


def ensure_encoder(models_dir: Path, if_missing: bool = True) -> list[str]:
    """Build the ONNX encoder unless a current one is there; return what was built."""
    models_dir.mkdir(parents=True, exist_ok=True)
    if if_missing and encoder_is_current(models_dir):
        return []
    return [str(build_encoder(models_dir))]


def build_models(if_missing: bool = True, models_dir: Path | None = None, default_pack: bool = True) -> list[str]:
    """Build what is missing or stale (or everything when `if_missing` is false); return what was built.

    "Stale" means built from other weights or another version of the pack file: rebuilding then is
    what the caller wants, and takes seconds.
    """
    root = models_dir or default_models_dir()
    built = ensure_encoder(root, if_missing)
    encoder = Encoder.load(root)
    if not (if_missing and signal_model_is_current(default_signals_dir(root), encoder)):
        built.append(str(build_signal_model(root, encoder)))
    pack_path = PACKS_DIR / f"{DEFAULT_PACK}.yaml"
    if not (default_pack and pack_path.exists()):
        return built
    if not (if_missing and intent_model_is_current(default_intents_dir(root), pack_path, encoder)):
        built.append(str(build_pack_model(root, encoder)))
    return built


# Pack intents whose examples may well carry a hand-over signal ("get me a manager", "I was charged
# twice!!"): they are not used as routine messages for the learned signals.
SIGNAL_BEARING_INTENTS = frozenset(
    {"contact_human_agent", "contact_customer_service", "complaint", "delete_account", "sales_enquiry",
     "payment_issue", "product_defect", "review"}
)  # fmt: skip


def routine_examples() -> list[str]:
    """The default pack's routine phrasings: what most customer messages look like, so the learned
    signals learn that an ordinary request is not a signal (the corpus's negatives are look-alikes)."""
    pack_path = PACKS_DIR / f"{DEFAULT_PACK}.yaml"
    if not pack_path.exists():
        return []
    pack = load_pack(pack_path)
    return [e for intent in pack.intents if intent.name not in SIGNAL_BEARING_INTENTS for e in intent.examples]


def signal_model_is_current(model_dir: Path, encoder: Encoder) -> bool:
    try:
        model = SignalModel.load(model_dir)
    except (SignalModelError, ValueError, KeyError, OSError):
        return False
    probe = model.meta.get("encoder_probe") or []
    return model.meta.get("corpus_digest") == _signal_inputs_digest() and probe_matches(encoder, probe)


def _signal_inputs_digest() -> str:
    """What the signal model is trained from: the corpus, the pack's routine examples and the floors."""
    floors = json.dumps(THRESHOLD_FLOORS, sort_keys=True).encode()
    pack = pack_digest(PACKS_DIR / f"{DEFAULT_PACK}.yaml")
    return f"{corpus_digest(CORPUS_DIR)}:{pack}:{hashlib.sha256(floors).hexdigest()[:8]}"


def build_signal_model(models_dir: Path, encoder: Encoder) -> Path:
    """Train the learned signals from the corpus in the repository (``triage/data/signals``)."""
    model = train_signal_model(load_corpus(CORPUS_DIR), encoder.encode, routine_examples())
    model.meta["corpus_digest"] = _signal_inputs_digest()
    model.meta["encoder_probe"] = encoder_probe(encoder)
    target = default_signals_dir(models_dir)
    model.save(target)
    return target
