"""Similar questions (相似问题): earlier citizen questions close to the one asked.

Only questions are shown, never the corpus answers (lawyer_llama's answers were written by
ChatGPT/GPT-4 and are unverified). The pool:
- lawyer_llama legal_advice.json (5,000 real questions) and the article-linked questions
  (zixun_gpt4, legal_counsel_with_article_v2, the multi-turn file's first question);
- the team's labelled training questions (sifa/intelligence/data/questions/train.jsonl), never the
  held-apart evaluation files.
Personal numbers in the pool are masked like any question, markup is stripped, and near-duplicates
are dropped. Ranking: BM25 plus the e5 embedding (when available), with a small boost for
questions of the same category.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from sifa.intelligence.qa.retrieval import (
    _normalise_top,
    get_embedder,
    load_or_build_embeddings,
)
from sifa.intelligence.qa.statutes import shared_data_dir
from sifa.intelligence.text import has_cjk, mask_pii, normalize_text, tokenize

__all__ = ["SimilarQuestions", "get_similar_index", "similar_questions"]

log = logging.getLogger(__name__)

QUESTIONS_DIR = Path(__file__).resolve().parents[1] / "data" / "questions"
TRAIN_FILE = "train.jsonl"  # the classifier's training questions; held-apart files are never used
MAX_POOL_QUESTION_CHARS = 120
# Stray symbols some people end a post with (￣, ~~, ……) after the question mark.
_TRAILING_JUNK = re.compile(r"(?<=[？?！!。])[^\w？?！!。）)]+$")
SAME_CATEGORY_BOOST = 0.15


@dataclass(frozen=True)
class PoolQuestion:
    text: str
    category: str | None
    source: str


def _key(text: str) -> str:
    """Identity of a question for de-duplication: its letters and digits only."""
    return "".join(ch for ch in text if ch.isalnum())


def _clean_pool_text(raw: str) -> str | None:
    text = mask_pii(normalize_text(raw or ""))
    text = " ".join(text.split())
    text = _TRAILING_JUNK.sub("", text)
    if not text or not has_cjk(text) or len(text) > MAX_POOL_QUESTION_CHARS or len(text) < 6:
        return None
    # Form fragments and pasted templates ("借款人__(身份证号____") are not questions to show.
    cjk = sum(1 for ch in text if "\u4e00" <= ch <= "\u9fff")
    if "__" in text or "已隐去" in text or cjk < 0.6 * len(text):
        return None
    return text


def load_pool() -> list[PoolQuestion]:
    pool: list[PoolQuestion] = []
    seen: set[str] = set()

    def add(raw: str, category: str | None, source: str) -> None:
        text = _clean_pool_text(raw)
        if text is None:
            return
        key = _key(text)
        if key in seen:
            return
        seen.add(key)
        pool.append(PoolQuestion(text, category, source))

    train = QUESTIONS_DIR / TRAIN_FILE
    if train.exists():
        for line in train.read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                add(row.get("question", ""), row.get("category"), "team")
    ll = shared_data_dir() / "lawyer_llama"
    weak: dict[str, str] = {}
    weak_file = ll / "weak_labels.jsonl"
    if weak_file.exists():
        for line in weak_file.read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                if row.get("weak_category"):
                    weak[row["query"]] = row["weak_category"]
    for name in (
        "zixun_gpt4.json",
        "legal_counsel_with_article_v2.json",
        "legal_counsel_multi_turn_with_article_v2.json",
    ):
        path = ll / name
        if path.exists():
            for item in json.loads(path.read_text(encoding="utf-8")):
                q = item.get("query", "")
                add(q, weak.get(q), "lawyer_llama")
    advice = ll / "legal_advice.json"
    if advice.exists():
        for item in json.loads(advice.read_text(encoding="utf-8")):
            first = item[0] if isinstance(item, list) and item else item
            if isinstance(first, dict):
                add(first.get("instruction", ""), None, "lawyer_llama")
    return pool


POOL_VERSION = "2"  # bump when the cleaning rules above change


def _source_files() -> list[Path]:
    ll = shared_data_dir() / "lawyer_llama"
    names = (
        "weak_labels.jsonl",
        "zixun_gpt4.json",
        "legal_counsel_with_article_v2.json",
        "legal_counsel_multi_turn_with_article_v2.json",
        "legal_advice.json",
    )
    return [QUESTIONS_DIR / TRAIN_FILE] + [ll / n for n in names]


def load_pool_with_tokens() -> tuple[list[PoolQuestion], list[list[str]]]:
    """The pool and its BM25 tokens, from a cache keyed by the source files' size and mtime
    (reading 11 MB of JSON and segmenting 7,800 questions costs seconds on every start)."""
    from sifa.intelligence.qa.retrieval import INDEX_VERSION, cache_dir

    h = hashlib.sha256(f"{POOL_VERSION}|{INDEX_VERSION}".encode())
    for path in _source_files():
        st = path.stat() if path.exists() else None
        h.update(f"{path.name}|{st.st_size if st else -1}|{st.st_mtime_ns if st else -1}".encode())
    cache = cache_dir() / f"similar-pool-{h.hexdigest()[:16]}.json"
    if cache.exists():
        try:
            rows = json.loads(cache.read_text(encoding="utf-8"))
            return [PoolQuestion(r[0], r[1], r[2]) for r in rows], [r[3] for r in rows]
        except (OSError, ValueError, IndexError) as exc:
            log.warning("rebuilding unreadable similar-question cache %s: %s", cache, exc)
    pool = load_pool()
    tokens = [tokenize(p.text) for p in pool]
    rows = [[p.text, p.category, p.source, t] for p, t in zip(pool, tokens, strict=True)]
    tmp = cache.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")
    os.replace(tmp, cache)
    return pool, tokens


class SimilarQuestions:
    def __init__(
        self, pool: list[PoolQuestion], *, dense: bool = True, tokens: list[list[str]] | None = None
    ) -> None:
        import bm25s

        self.pool = pool
        self.bm25 = bm25s.BM25()
        self.bm25.index(
            tokens if tokens is not None else [tokenize(p.text) for p in pool], show_progress=False
        )
        self.categories = np.array([p.category or "" for p in pool])
        self.embeddings: np.ndarray | None = None
        if dense and pool:
            self.embeddings = load_or_build_embeddings(
                "questions", [p.text for p in pool], query=True, partial=True
            )

    def search(
        self,
        question: str,
        k: int = 3,
        *,
        category: str | None = None,
        query_vector: np.ndarray | None = None,
        exclude: str | None = None,
    ) -> list[str]:
        """Up to ``k`` pool questions closest to ``question``; never ``question`` (or ``exclude``)
        itself."""
        if not self.pool:
            return []
        text = normalize_text(question)
        tokens = tokenize(text)
        scores = np.zeros(len(self.pool), dtype=np.float32)
        if tokens:
            scores += _normalise_top(np.asarray(self.bm25.get_scores(tokens), dtype=np.float32), 100)
        if self.embeddings is not None:
            if query_vector is None:
                embed = get_embedder()
                query_vector = embed.query([text])[0] if embed is not None else None
            if query_vector is not None:
                scores += _normalise_top(self.embeddings @ query_vector, 100)
        if category:
            scores += SAME_CATEGORY_BOOST * (self.categories == category)
        own = {_key(mask_pii(t)) for t in (text, normalize_text(exclude or ""))}
        order = np.argsort(-scores, kind="stable")
        out: list[str] = []
        for i in order[: 10 * k + 10]:
            if scores[i] <= 0:
                break
            cand = self.pool[int(i)].text
            if _key(cand) in own:
                continue
            out.append(cand)
            if len(out) == k:
                break
        return out


_index: SimilarQuestions | None = None
_lock = threading.Lock()


def get_similar_index() -> SimilarQuestions:
    global _index
    if _index is None:
        with _lock:
            if _index is None:
                dense = os.environ.get("SIFA_RETRIEVAL_DENSE", "1") != "0"
                pool, tokens = load_pool_with_tokens()
                _index = SimilarQuestions(pool, dense=dense, tokens=tokens)
    return _index


def similar_questions(question: str, k: int = 3, *, category: str | None = None) -> list[str]:
    """Up to ``k`` earlier questions similar to ``question`` (questions only, PII masked)."""
    return get_similar_index().search(question, k, category=category)
