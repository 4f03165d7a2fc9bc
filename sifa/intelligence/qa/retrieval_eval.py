"""Question→article evaluation pairs and recall@k for statute retrieval.

Two sources:
- lawyer_llama (shared/data/lawyer_llama): 2,476 real questions, each with the 民法典 articles the
  dataset's authors attached (zixun_gpt4, legal_counsel_with_article_v2, and the multi-turn file's
  first question);
- our own pairs (sifa/intelligence/data/citations/pairs.jsonl): citizen questions written by the
  team for labour, traffic, consumer, criminal, company, tax and housing law, each with the
  article(s) that answer it, checked against the statute files.

recall@k is the share of a question's gold articles found in the top k, averaged over questions;
hit@k is the share of questions with at least one gold article in the top k.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from sifa.intelligence.qa.statutes import shared_data_dir
from sifa.intelligence.text import normalize_text

__all__ = [
    "CITATION_PAIRS_FILE",
    "Pair",
    "evaluate_retrieval",
    "load_citation_pairs",
    "load_lawyer_llama_pairs",
    "recall_at_k",
]

CITATION_PAIRS_FILE = Path(__file__).resolve().parents[1] / "data" / "citations" / "pairs.jsonl"
LAWYER_LLAMA_FILES = (
    "zixun_gpt4.json",
    "legal_counsel_with_article_v2.json",
    "legal_counsel_multi_turn_with_article_v2.json",
)
_LAW_REF = re.compile(r"^《([^》]+)》(第[零〇一二三四五六七八九十百千]+条(?:之[一二三四五六七八九十]+)?)")
_TITLE_ALIASES = {"民法典": "中华人民共和国民法典"}


@dataclass(frozen=True)
class Pair:
    question: str
    articles: tuple[tuple[str, str], ...]  # (full law title, 第X条)
    id: str = ""
    category: str | None = None
    source: str = ""
    meta: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)


def _full_title(name: str) -> str:
    if name in _TITLE_ALIASES:
        return _TITLE_ALIASES[name]
    return (
        name
        if name.startswith(("中华人民共和国", "最高人民法院")) or name.endswith("条例")
        else ("中华人民共和国" + name)
    )


def load_lawyer_llama_pairs(folder: Path | None = None) -> list[Pair]:
    folder = folder or (shared_data_dir() / "lawyer_llama")
    pairs: list[Pair] = []
    for name in LAWYER_LLAMA_FILES:
        items = json.loads((folder / name).read_text(encoding="utf-8"))
        for i, item in enumerate(items):
            gold: list[tuple[str, str]] = []
            for ref in item.get("laws") or []:
                m = _LAW_REF.match(ref.strip())
                if m:
                    key = (_full_title(m.group(1)), m.group(2))
                    if key not in gold:
                        gold.append(key)
            question = (item.get("query") or "").strip()
            if question and gold:
                pairs.append(Pair(question, tuple(gold), id=f"{name}:{i}", source="lawyer_llama"))
    return pairs


def load_citation_pairs(path: Path | None = None) -> list[Pair]:
    path = path or CITATION_PAIRS_FILE
    pairs: list[Pair] = []
    with path.open(encoding="utf-8") as fh:
        for line_no, line in enumerate(fh, 1):
            if not line.strip():
                continue
            row = json.loads(line)
            gold = tuple((_full_title(a["law"]), a["article"]) for a in row["articles"])
            pairs.append(
                Pair(
                    row["question"],
                    gold,
                    id=str(row.get("id", line_no)),
                    category=row.get("category"),
                    source="own",
                )
            )
    return pairs


def _ranked(pairs: Sequence[Pair], k: int, mode: str) -> list[list[tuple[str, str]]]:
    """Top-k (law, article) per pair; batches the query embeddings and the classifier."""
    from sifa.intelligence.qa.retrieval import _predict_many, get_retriever

    retriever = get_retriever()
    questions = [normalize_text(p.question) for p in pairs]
    vectors: np.ndarray | None = None
    if mode in ("hybrid", "dense") and retriever.has_dense:
        from sifa.intelligence.qa.retrieval import load_or_build_embeddings

        # Cached per question in the user cache, so repeated evaluations embed nothing.
        vectors = load_or_build_embeddings("eval-queries", questions, query=True, max_build=len(questions))
    preds = _predict_many(questions, vectors) if mode == "hybrid" else [(None, 0.0)] * len(questions)
    out: list[list[tuple[str, str]]] = []
    for i, q in enumerate(questions):
        category, conf = preds[i]
        cites = retriever.search(
            q,
            k,
            category=category,
            confidence=conf,
            mode=mode,
            query_vector=None if vectors is None else vectors[i],
        )
        out.append([(c.law, c.article) for c in cites])
    return out


def evaluate_retrieval(pairs: Iterable[Pair], k: int = 5, mode: str = "hybrid") -> dict[str, float]:
    """recall@k, hit@k and the number of pairs."""
    pairs = list(pairs)
    if not pairs:
        return {"recall": 0.0, "hit": 0.0, "n": 0}
    ranked = _ranked(pairs, k, mode)
    recalls: list[float] = []
    hits: list[float] = []
    for pair, top in zip(pairs, ranked, strict=True):
        gold = set(pair.articles)
        found = len(gold & set(top))
        recalls.append(found / len(gold))
        hits.append(1.0 if found else 0.0)
    return {"recall": float(np.mean(recalls)), "hit": float(np.mean(hits)), "n": len(pairs)}


def recall_at_k(pairs: Iterable[Pair], k: int = 5, mode: str = "hybrid") -> float:
    """Mean share of each question's gold articles found in the top ``k``."""
    return evaluate_retrieval(pairs, k, mode)["recall"]
