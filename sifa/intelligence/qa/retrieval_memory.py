"""Articles cited for similar questions already answered (判例式检索: 相似咨询的引用法条).

Citizens ask the same few things again and again ("分居两年能判离婚吗"), and the articles that
answered one of them usually answer its neighbours. The memory holds the lawyer_llama
question→article pairs that are *not* held apart for evaluation; for a new question it takes the
``neighbours`` closest by E5 embedding and votes for their articles, each neighbour weighted by
``exp((sim - best_sim) / tau)``. The vote counts only when the closest neighbour is really close:
its weight rises from 0 at cosine ``gate_low`` to full at ``gate_high`` (E5 cosines of Chinese
questions sit in a narrow 0.85–0.97 band; a labour question's nearest family-law neighbour scores
about 0.90, a true paraphrase 0.94 and above). Without the gate the memory's 民法典 family articles
would crowd out labour or criminal law for questions it knows nothing about.

Held apart, never in the memory: every pair whose index in its file is ≡ 0 or 1 (mod 20), and any
other pair with the same question text as one of them (the corpus repeats questions across files).
Those pairs are the lawyer_llama evaluation set (:func:`held_apart_lawyer_llama_pairs`).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from sifa.intelligence.qa.retrieval_eval import Pair, load_lawyer_llama_pairs
from sifa.intelligence.qa.statutes import StatuteIndex
from sifa.intelligence.text import normalize_text

__all__ = [
    "MEMORY_CATEGORIES",
    "CaseMemory",
    "MemorySettings",
    "held_apart_lawyer_llama_pairs",
    "is_held_apart",
    "load_case_memory",
    "memory_pairs",
]

log = logging.getLogger(__name__)

#: The categories the memory's questions are about. lawyer_llama's pairs cite 民法典 only and are
#: almost all family law (its README's weak labels: marriage_family 2,302, housing 51, lending_debt 1,
#: none other); for a question the classifier files elsewhere (labour, criminal, traffic…) the
#: memory's vote is scaled by (1 − confidence), so a confident 因工死亡 question is answered from
#: 工伤保险条例, not from the inheritance articles a similar family question was given.
MEMORY_CATEGORIES = frozenset({"marriage_family", "housing", "lending_debt", "other"})

#: Name of the shipped embedding store (qa/retrieval_index/memory.npz, written by `advice train`).
STORE = "memory"


@dataclass(frozen=True)
class MemorySettings:
    """Chosen by leave-one-out on the memory itself (docs/intelligence-retrieval.md), never on the
    held-apart pairs; the weight of the vote in the fused score is ``RetrievalWeights.memory``."""

    neighbours: int = 20
    tau: float = 0.05
    gate_low: float = 0.91
    gate_high: float = 0.94


def _pair_index(pair: Pair) -> int:
    return int(pair.id.rsplit(":", 1)[1])


def is_held_apart(pair: Pair) -> bool:
    """The fixed evaluation rule for lawyer_llama pairs: index in its file ≡ 0 or 1 (mod 20)."""
    return _pair_index(pair) % 20 in (0, 1)


def held_apart_lawyer_llama_pairs(pairs: Sequence[Pair] | None = None) -> list[Pair]:
    """The lawyer_llama pairs retrieval is evaluated on (248 of 2,476); never in the memory."""
    pairs = load_lawyer_llama_pairs() if pairs is None else pairs
    return [p for p in pairs if is_held_apart(p)]


def memory_pairs(pairs: Sequence[Pair] | None = None) -> list[Pair]:
    """The pairs the memory learns from: not held apart and not sharing text with a held-apart one."""
    pairs = load_lawyer_llama_pairs() if pairs is None else pairs
    held_text = {normalize_text(p.question) for p in pairs if is_held_apart(p)}
    return [p for p in pairs if not is_held_apart(p) and normalize_text(p.question) not in held_text]


class CaseMemory:
    def __init__(
        self,
        questions: Sequence[str],
        articles: Sequence[Sequence[int]],
        vectors: np.ndarray,
        n_articles: int,
        settings: MemorySettings | None = None,
    ) -> None:
        if len(questions) != len(articles) or len(questions) != len(vectors):
            raise ValueError("questions, articles and vectors must have one row per memory pair")
        self.questions = list(questions)
        self.settings = settings or MemorySettings()
        self.vectors = np.asarray(vectors, dtype=np.float32)
        self.n_articles = n_articles
        # Sparse pair→article incidence as index arrays, so a vote is one bincount.
        self._pair_of = np.repeat(np.arange(len(articles)), [len(a) for a in articles]).astype(np.int64)
        self._article_of = np.asarray([i for a in articles for i in a], dtype=np.int64)
        self._offsets = np.concatenate([[0], np.cumsum([len(a) for a in articles])]).astype(np.int64)

    def __len__(self) -> int:
        return len(self.questions)

    def scores(
        self,
        query_vector: np.ndarray,
        *,
        category: str | None = None,
        confidence: float = 0.0,
        exclude: Sequence[int] = (),
    ) -> np.ndarray:
        """Gated vote of the nearest memory questions, one value per article in [0, 1].

        ``category``/``confidence``: the classifier's answer; outside :data:`MEMORY_CATEGORIES` the
        vote is scaled by (1 − confidence).
        """
        out = np.zeros(self.n_articles, dtype=np.float32)
        s = self.settings
        trust = 1.0 if category is None or category in MEMORY_CATEGORIES else 1.0 - float(confidence)
        if not len(self.questions) or trust <= 0.0:
            return out
        sims = self.vectors @ np.asarray(query_vector, dtype=np.float32)
        if len(exclude):
            sims[list(exclude)] = -1.0
        m = min(s.neighbours, len(sims))
        top = np.argpartition(-sims, m - 1)[:m]
        best = float(sims[top].max())
        gate = float(np.clip((best - s.gate_low) / (s.gate_high - s.gate_low), 0.0, 1.0))
        if gate <= 0.0:
            return out
        weights = np.exp((sims[top] - best) / s.tau)
        weights /= weights.sum()
        for j, w in zip(top, weights, strict=True):
            arts = self._article_of[self._offsets[j] : self._offsets[j + 1]]
            out[arts] += w
        return out * (gate * trust)


def build_case_memory(index: StatuteIndex, *, max_build: int | None = None) -> CaseMemory | None:
    """The memory over ``index``; None when the data or the embeddings are not available."""
    from sifa.intelligence.qa.retrieval import load_or_build_embeddings

    try:
        pairs = memory_pairs()
    except (OSError, ValueError) as exc:
        log.warning("no case memory for retrieval (lawyer_llama pairs unreadable): %s", exc)
        return None
    questions: list[str] = []
    articles: list[list[int]] = []
    for p in pairs:
        positions = [index.position(law, art) for law, art in p.articles]
        found = [pos for pos in positions if pos is not None]
        if found:
            questions.append(normalize_text(p.question))
            articles.append(found)
    vectors = load_or_build_embeddings(STORE, questions, query=True, max_build=max_build)
    if vectors is None:
        return None
    return CaseMemory(questions, articles, vectors, len(index.articles))


_memory: CaseMemory | None = None
_loaded = False
_lock = threading.Lock()


def load_case_memory(index: StatuteIndex) -> CaseMemory | None:
    """The process-wide memory (built once; about 0.1 s from the shipped embeddings)."""
    global _memory, _loaded
    if not _loaded:
        with _lock:
            if not _loaded:
                _memory = build_case_memory(index)
                _loaded = True
    return _memory


def memory_texts() -> list[str]:
    """The normalised questions whose embeddings ``advice train`` ships (qa/retrieval_index/memory.npz)."""
    return [normalize_text(p.question) for p in memory_pairs()]
