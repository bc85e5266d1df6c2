"""FAQ retrieval benchmark: the demo knowledge base against bench/data/kb_questions.yaml.

    .venv/bin/python -m bench knowledge

A migrated SQLite store holds the demo articles (src/tandem/demo/catalogue.py); the local MiniLM encoder
(var/models, `tandem models build`) gives the embeddings. The fusion weights and thresholds in
src/tandem/knowledge/search.py were tuned on the `dev` questions only; the headline numbers are `held_out`.

- recall@k: the share of answerable questions with an answering article among `search(..., limit=k)`.
- MRR: mean reciprocal rank of the first answering article in the top 10.
- answered right / wrong / declined: what `find_answer` does with answerable questions.
- false-answer rate: the share of unanswerable questions `find_answer` answers anyway.
- latency: `find_answer` per question on SQLite, article vectors cached (the steady state).
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy.orm import Session

from tandem.demo.catalogue import ARTICLES
from tandem.kit.db import make_engine, make_sessionmaker
from tandem.kit.migrate import upgrade
from tandem.knowledge import search
from tandem.knowledge.models import Article
from tandem.knowledge.retrieval import ArticleText, best_article
from tandem.triage.settings import default_models_dir

ROOT = Path(__file__).resolve().parents[1]
QUESTIONS = ROOT / "bench" / "data" / "kb_questions.yaml"
SPLITS = ("dev", "held_out")
TARGET_RECALL_AT_3 = 0.90
RRF_K = 60
LATENCY_ROUNDS = 3


def load_questions() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(QUESTIONS.read_text(encoding="utf-8"))
    return data


def rank_of(slugs: Sequence[str], ranked: Sequence[str]) -> int | None:
    return next((i for i, slug in enumerate(ranked) if slug in slugs), None)


def quality(session: Session, split: dict[str, Any], embed: search.Embed | None) -> dict[str, Any]:
    answerable, unanswerable = split["answerable"], split["unanswerable"]
    ranks, answered = [], {"right": 0, "wrong": 0, "declined": 0}
    for item in answerable:
        ranked = [m.article.slug for m in search.search(session, item["q"], limit=10, embed=embed)]
        ranks.append(rank_of(item["slugs"], ranked))
        answer = search.find_answer(session, item["q"], embed=embed)
        outcome = "declined" if answer is None else "right" if answer.article.slug in item["slugs"] else "wrong"
        answered[outcome] += 1
    false_answers = [q for q in unanswerable if search.find_answer(session, q, embed=embed) is not None]
    n = len(answerable)
    return {
        "questions": n,
        "unanswerable_questions": len(unanswerable),
        "recall_at_1": round(sum(r is not None and r < 1 for r in ranks) / n, 3),
        "recall_at_3": round(sum(r is not None and r < 3 for r in ranks) / n, 3),
        "mrr": round(sum(1 / (r + 1) for r in ranks if r is not None) / n, 3),
        "answered_right": round(answered["right"] / n, 3),
        "answered_wrong": round(answered["wrong"] / n, 3),
        "declined": round(answered["declined"] / n, 3),
        "false_answer_rate": round(len(false_answers) / len(unanswerable), 3),
        "false_answers": false_answers,
    }


def _fusions() -> dict[str, Callable[[list[search.Evidence]], list[float]]]:
    def rrf(evidence: list[search.Evidence]) -> list[float]:
        by_keyword = sorted(range(len(evidence)), key=lambda i: -evidence[i].keyword)
        by_semantic = sorted(range(len(evidence)), key=lambda i: -(evidence[i].semantic or 0.0))
        scores = [0.0] * len(evidence)
        for rank, i in enumerate(by_keyword):
            scores[i] += 1 / (RRF_K + rank + 1) if evidence[i].keyword > 0 else 0.0
        for rank, i in enumerate(by_semantic):
            scores[i] += 1 / (RRF_K + rank + 1)
        return scores

    return {
        "keywords alone (full-text)": lambda ev: [e.keyword for e in ev],
        "embeddings alone": lambda ev: [e.semantic or 0.0 for e in ev],
        f"reciprocal-rank fusion (k={RRF_K})": rrf,
        "weighted sum (shipped)": _weighted,
    }


def _weighted(evidence: list[search.Evidence]) -> list[float]:
    return [search.SEMANTIC_WEIGHT * (e.semantic or 0.0) + search.KEYWORD_WEIGHT * e.keyword for e in evidence]


def compare_fusions(session: Session, split: dict[str, Any], embed: search.Embed) -> dict[str, Any]:
    """Top-1 / top-3 recall of each way of combining the same evidence (the justification for the choice)."""
    gathered = [(item["slugs"], search.gather(session, item["q"], embed)) for item in split["answerable"]]
    out = {}
    for name, fuse in _fusions().items():
        ranks = []
        for slugs, evidence in gathered:
            scores = fuse(evidence)
            order = sorted(range(len(evidence)), key=lambda i: -scores[i])
            ranks.append(rank_of(slugs, [evidence[i].article.slug for i in order]))
        n = len(ranks)
        out[name] = {
            "recall_at_1": round(sum(r is not None and r < 1 for r in ranks) / n, 3),
            "recall_at_3": round(sum(r is not None and r < 3 for r in ranks) / n, 3),
        }
    return out


def baseline(split: dict[str, Any]) -> dict[str, Any]:
    """The keyword scorer tandem had before (retrieval.best_article, in Python, no store index)."""
    kb = [ArticleText(str(a["slug"]), str(a["title"]), str(a["body"]), tuple(a["tags"])) for a in ARTICLES]  # type: ignore[call-overload]
    answers = [best_article(item["q"], kb) for item in split["answerable"]]
    right = sum(
        a is not None and a.article.slug in item["slugs"] for a, item in zip(answers, split["answerable"], strict=True)
    )
    false = sum(best_article(q, kb) is not None for q in split["unanswerable"])
    return {
        "answered_right": round(right / len(answers), 3),
        "false_answer_rate": round(false / len(split["unanswerable"]), 3),
    }


def latency(session: Session, questions: list[str], embed: search.Embed | None) -> dict[str, Any]:
    search.find_answer(session, "warm up", embed=embed)  # article vectors embedded once, then cached
    timings = []
    for _ in range(LATENCY_ROUNDS):
        for question in questions:
            started = time.perf_counter()
            search.find_answer(session, question, embed=embed)
            timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    return {
        "queries": len(timings),
        "p50_ms": round(statistics.median(timings), 2),
        "p99_ms": round(timings[min(len(timings) - 1, int(len(timings) * 0.99))], 2),
    }


def cold_embedding_ms(session: Session, models_dir: Path) -> float:
    """Embedding every article from scratch (a fresh encoder object, so nothing is cached)."""
    embed = search.encoder_embed(models_dir)
    assert embed is not None
    started = time.perf_counter()
    search.find_answer(session, "how long does delivery take", embed=embed)
    return round((time.perf_counter() - started) * 1000, 1)


def run() -> dict[str, Any]:
    questions = load_questions()
    models_dir = default_models_dir()
    embed = search.encoder_embed(models_dir)
    if embed is None:
        raise RuntimeError(f"no encoder in {models_dir}: run `tandem models build` first")
    with tempfile.TemporaryDirectory(prefix="knowledge-bench-") as folder:
        url = f"sqlite:///{Path(folder) / 'kb.db'}"
        upgrade(url)
        engine = make_engine(url)
        factory = make_sessionmaker(engine)
        with factory() as session:
            session.add_all(Article(**article) for article in ARTICLES)  # type: ignore[arg-type]
            session.commit()
        with factory() as session:
            all_questions = [
                q for s in SPLITS for q in [i["q"] for i in questions[s]["answerable"]] + questions[s]["unanswerable"]
            ]
            result: dict[str, Any] = {
                "store": "sqlite",
                "articles": len(ARTICLES),
                "weights": {
                    "semantic": search.SEMANTIC_WEIGHT,
                    "keyword": search.KEYWORD_WEIGHT,
                    "keyword_half": search.KEYWORD_HALF,
                    "answer_threshold": search.ANSWER_THRESHOLD,
                    "clear_lead_threshold": search.CLEAR_LEAD_THRESHOLD,
                    "clear_lead_margin": search.CLEAR_LEAD_MARGIN,
                    "keyword_only_threshold": search.KEYWORD_ONLY_THRESHOLD,
                },
                "hybrid": {s: quality(session, questions[s], embed) for s in SPLITS},
                "keywords_only": {s: quality(session, questions[s], None) for s in SPLITS},
                "fusion_comparison": {s: compare_fusions(session, questions[s], embed) for s in SPLITS},
                "previous_idf_scorer": {s: baseline(questions[s]) for s in SPLITS},
                "latency_hybrid": latency(session, all_questions, embed),
                "latency_keywords_only": latency(session, all_questions, None),
                "cold_article_embedding_ms": cold_embedding_ms(session, models_dir),
                "threads": os.environ.get("OMP_NUM_THREADS", "default"),
            }
        engine.dispose()
    result["target_recall_at_3"] = TARGET_RECALL_AT_3
    result["markdown"] = markdown(result)
    return result


def markdown(r: dict[str, Any]) -> str:
    held, dev = r["hybrid"]["held_out"], r["hybrid"]["dev"]
    kw = r["keywords_only"]["held_out"]
    lines = [
        "## FAQ retrieval (knowledge base search)",
        "",
        f"`tandem.knowledge.search` over the {r['articles']} demo help articles on SQLite (FTS5 bm25 + local MiniLM "
        "embeddings, weighted sum), against bench/data/kb_questions.yaml: "
        f"{held['questions']} held-out answerable questions and {held['unanswerable_questions']} held-out questions "
        f"the knowledge base does not answer (dev: {dev['questions']} + {dev['unanswerable_questions']}, "
        "used for tuning).",
        "",
        "| measure | held-out (hybrid) | held-out (keywords only, no encoder) | dev (hybrid) | target |",
        "|---|---|---|---|---|",
    ]
    rows = [
        ("recall@1", "recall_at_1", ""),
        ("recall@3", "recall_at_3", f"≥ {r['target_recall_at_3']:.2f}"),
        ("MRR", "mrr", ""),
        ("answered from a right article", "answered_right", ""),
        ("answered from a wrong article", "answered_wrong", ""),
        ("declined (offered a person)", "declined", ""),
        ("false-answer rate on unanswerable", "false_answer_rate", ""),
    ]
    for label, key, target in rows:
        lines.append(f"| {label} | {held[key]} | {kw[key]} | {dev[key]} | {target} |")
    lines += ["", "Fusion choices on the same evidence (recall@1 / recall@3):", ""]
    lines += ["| fusion | dev | held-out |", "|---|---|---|"]
    for name, dev_row in r["fusion_comparison"]["dev"].items():
        held_row = r["fusion_comparison"]["held_out"][name]
        lines.append(
            f"| {name} | {dev_row['recall_at_1']} / {dev_row['recall_at_3']} "
            f"| {held_row['recall_at_1']} / {held_row['recall_at_3']} |"
        )
    old = r["previous_idf_scorer"]["held_out"]
    hyb, kwl = r["latency_hybrid"], r["latency_keywords_only"]
    lines += [
        "",
        f"The previous keyword scorer (`retrieval.best_article`) answered {old['answered_right']} of held-out "
        f"questions rightly with a false-answer rate of {old['false_answer_rate']}.",
        "",
        f"Latency per question (`find_answer`, SQLite, {hyb['queries']} queries, article vectors cached): hybrid p50 "
        f"{hyb['p50_ms']} ms, p99 {hyb['p99_ms']} ms; keywords only p50 {kwl['p50_ms']} ms, p99 {kwl['p99_ms']} ms. "
        f"Embedding all articles from cold: {r['cold_article_embedding_ms']} ms (once per article version).",
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    import json

    print(json.dumps(run(), indent=2))
