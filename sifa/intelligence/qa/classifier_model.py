"""The shipped linear model: feature vocabulary, weights, temperature — saved as one ``.npz``.

Why not a pickled scikit-learn pipeline: a pickle ties the artefact to the exact scikit-learn
version, can execute code when loaded, and importing scikit-learn costs about a second. The model
is a linear function of sparse TF-IDF features, so prediction is a few numpy lookups; scikit-learn
is used only by :func:`fit_linear_model` at training time.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from sifa.intelligence.qa.classifier_text import KEYWORDS, char_ngrams, keyword_hits

__all__ = ["FeatureSpace", "LinearModel", "NeighbourVote", "fit_linear_model", "fit_temperature", "softmax"]


def softmax(logits: np.ndarray) -> np.ndarray:
    shifted = logits - logits.max(axis=-1, keepdims=True)
    exp = np.exp(shifted)
    return exp / exp.sum(axis=-1, keepdims=True)


@dataclass
class FeatureSpace:
    """Vocabulary + IDF of the character n-grams, and the weight of the keyword block.

    Row vector of a question = [l2-normalised sublinear TF-IDF of its n-grams | keyword block |
    embedding block], where the keyword block holds log(1 + hits) per category times
    ``keyword_weight`` and the optional embedding block is the question's sentence embedding times
    ``embedding_weight`` (``embedding_dim`` is 0 for the cheap model).
    """

    vocab: dict[str, int]
    idf: np.ndarray
    keyword_weight: float
    n_max: int = 3
    categories: tuple[str, ...] = field(default_factory=lambda: tuple(KEYWORDS))
    embedding_dim: int = 0
    embedding_weight: float = 0.0

    @property
    def n_features(self) -> int:
        return len(self.vocab) + len(self.categories) + self.embedding_dim

    @classmethod
    def build(
        cls,
        texts: Sequence[str],
        *,
        min_df: int,
        keyword_weight: float,
        n_max: int = 3,
        embedding_dim: int = 0,
        embedding_weight: float = 0.0,
    ) -> FeatureSpace:
        df: dict[str, int] = {}
        for text in texts:
            for gram in char_ngrams(text, n_max):
                df[gram] = df.get(gram, 0) + 1
        # Sorted so that the same data always gives the same column order (determinism).
        kept = sorted(g for g, count in df.items() if count >= min_df)
        vocab = {g: i for i, g in enumerate(kept)}
        n_docs = len(texts)
        idf = np.array([math.log((1 + n_docs) / (1 + df[g])) + 1.0 for g in kept], dtype=np.float64)
        return cls(
            vocab=vocab,
            idf=idf,
            keyword_weight=keyword_weight,
            n_max=n_max,
            embedding_dim=embedding_dim,
            embedding_weight=embedding_weight,
        )

    def sparse_row(self, text: str, embedding: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Column indices and values of one normalised question (and its embedding, if used)."""
        indices: list[int] = []
        values: list[float] = []
        for gram, count in char_ngrams(text, self.n_max).items():
            col = self.vocab.get(gram)
            if col is not None:
                indices.append(col)
                values.append((1.0 + math.log(count)) * float(self.idf[col]))
        vals = np.asarray(values, dtype=np.float64)
        norm = float(np.sqrt((vals**2).sum())) if len(vals) else 0.0
        if norm > 0:
            vals /= norm
        hits = keyword_hits(text)
        base = len(self.vocab)
        kw_idx = [base + k for k, code in enumerate(self.categories) if hits.get(code)]
        kw_val = [math.log1p(hits[self.categories[k - base]]) * self.keyword_weight for k in kw_idx]
        parts_idx = [np.asarray(indices, dtype=np.int64), np.asarray(kw_idx, dtype=np.int64)]
        parts_val = [vals, np.asarray(kw_val, dtype=np.float64)]
        if self.embedding_dim:
            if embedding is None:
                raise ValueError("this feature space needs the question's embedding")
            start = base + len(self.categories)
            parts_idx.append(np.arange(start, start + self.embedding_dim, dtype=np.int64))
            parts_val.append(np.asarray(embedding, dtype=np.float64).reshape(-1) * self.embedding_weight)
        return np.concatenate(parts_idx), np.concatenate(parts_val)

    def matrix(self, texts: Sequence[str], embeddings: np.ndarray | None = None) -> Any:
        """A scipy CSR matrix of many questions (training and batch evaluation only)."""
        from scipy import sparse

        rows, cols, vals = [], [], []
        for r, text in enumerate(texts):
            idx, val = self.sparse_row(text, None if embeddings is None else embeddings[r])
            rows.extend([r] * len(idx))
            cols.extend(idx.tolist())
            vals.extend(val.tolist())
        return sparse.csr_matrix((vals, (rows, cols)), shape=(len(texts), self.n_features))


@dataclass
class LinearModel:
    """Weights ``coef`` (n_features × n_classes), ``intercept`` and a calibration temperature."""

    space: FeatureSpace
    coef: np.ndarray
    intercept: np.ndarray
    temperature: float
    classes: tuple[str, ...]

    @property
    def needs_embedding(self) -> bool:
        return self.space.embedding_dim > 0

    def logits(self, text: str, embedding: np.ndarray | None = None) -> np.ndarray:
        idx, val = self.space.sparse_row(text, embedding)
        out = self.intercept.astype(np.float64).copy()
        if len(idx):
            out += val @ self.coef[idx]
        return out

    def probabilities(self, texts: Sequence[str], embeddings: np.ndarray | None = None) -> np.ndarray:
        if not texts:
            return np.zeros((0, len(self.classes)))
        logits = np.vstack(
            [self.logits(t, None if embeddings is None else embeddings[i]) for i, t in enumerate(texts)]
        )
        return softmax(logits / self.temperature)

    # -- persistence ---------------------------------------------------------------------------
    def save(self, path: Path) -> None:
        terms = sorted(self.space.vocab, key=self.space.vocab.__getitem__)
        np.savez_compressed(
            path,
            terms=np.array(terms, dtype=str),
            idf=self.space.idf.astype(np.float32),
            coef=self.coef.astype(np.float32),
            intercept=self.intercept.astype(np.float32),
            meta=np.array(
                json.dumps(
                    {
                        "temperature": self.temperature,
                        "classes": list(self.classes),
                        "keyword_weight": self.space.keyword_weight,
                        "n_max": self.space.n_max,
                        "keyword_categories": list(self.space.categories),
                        "embedding_dim": self.space.embedding_dim,
                        "embedding_weight": self.space.embedding_weight,
                    }
                )
            ),
        )

    @classmethod
    def load(cls, path: Path) -> LinearModel:
        with np.load(path, allow_pickle=False) as data:
            meta = json.loads(str(data["meta"]))
            terms = data["terms"].tolist()
            space = FeatureSpace(
                vocab={t: i for i, t in enumerate(terms)},
                idf=data["idf"].astype(np.float64),
                keyword_weight=float(meta["keyword_weight"]),
                n_max=int(meta["n_max"]),
                categories=tuple(meta["keyword_categories"]),
                embedding_dim=int(meta.get("embedding_dim", 0)),
                embedding_weight=float(meta.get("embedding_weight", 0.0)),
            )
            return cls(
                space=space,
                coef=data["coef"].astype(np.float64),
                intercept=data["intercept"].astype(np.float64),
                temperature=float(meta["temperature"]),
                classes=tuple(meta["classes"]),
            )


def fit_linear_model(
    texts: Sequence[str],
    labels: Sequence[str],
    classes: tuple[str, ...],
    *,
    c: float,
    min_df: int,
    keyword_weight: float,
    seed: int,
    temperature: float = 1.0,
    embeddings: np.ndarray | None = None,
    embedding_weight: float = 0.0,
) -> LinearModel:
    """One-vs-rest linear SVM on the feature space built from ``texts``.

    A linear SVM rather than logistic regression: on this data it scores as well or better in
    cross-validation and trains about twenty times faster (seconds, so ``train()`` can run in
    setup and in a test). Its margins are not probabilities; :func:`fit_temperature` turns them
    into calibrated ones via a softmax with a temperature fitted on out-of-fold margins.
    """
    from sklearn.svm import LinearSVC

    space = FeatureSpace.build(
        texts,
        min_df=min_df,
        keyword_weight=keyword_weight,
        embedding_dim=0 if embeddings is None else int(embeddings.shape[1]),
        embedding_weight=embedding_weight if embeddings is not None else 0.0,
    )
    x = space.matrix(texts, embeddings)
    y = np.array([classes.index(label) for label in labels])
    clf = LinearSVC(C=c, random_state=seed, max_iter=20000)
    clf.fit(x, y)
    coef = np.zeros((space.n_features, len(classes)))
    # A class absent from ``labels`` keeps a hopeless intercept: it is never predicted.
    intercept = np.full(len(classes), -1e3)
    if len(clf.classes_) == 2:  # scikit-learn keeps one weight vector for two classes
        coef[:, clf.classes_[1]], intercept[clf.classes_[1]] = clf.coef_[0], clf.intercept_[0]
        coef[:, clf.classes_[0]], intercept[clf.classes_[0]] = -clf.coef_[0], -clf.intercept_[0]
    else:
        for k, cls_index in enumerate(clf.classes_):
            coef[:, cls_index] = clf.coef_[k]
            intercept[cls_index] = clf.intercept_[k]
    return LinearModel(space=space, coef=coef, intercept=intercept, temperature=temperature, classes=classes)


def fit_temperature(logits: np.ndarray, gold: np.ndarray) -> float:
    """Temperature minimising the negative log-likelihood of out-of-fold logits (Guo et al. 2017).

    A grid rather than an optimiser: it is deterministic to the last digit and 1-D.
    """
    best_t, best_nll = 1.0, float("inf")
    for t in np.geomspace(0.05, 5.0, 241):
        probs = softmax(logits / t)
        nll = -float(np.mean(np.log(probs[np.arange(len(gold)), gold] + 1e-12)))
        if nll < best_nll - 1e-12:
            best_t, best_nll = float(t), nll
    return best_t


@dataclass
class NeighbourVote:
    """Votes of the training questions closest to a question by E5 embedding (k-nearest neighbours).

    Blended with the refiner's probabilities in log space: the linear refiner sees the embedding as
    one direction per category, the neighbours see local clusters it misses (e.g. "因工死亡 … 父母健在"
    sits among work-injury questions even though its words look like family law). Saved as label
    indices and embedding-cache keys (``knn.npz``), no pickle.
    """

    vectors: np.ndarray  # (n, dim) float32, L2-normalised
    labels: np.ndarray  # (n,) int, index into classes
    classes: tuple[str, ...]
    neighbours: int = 15
    tau: float = 0.02
    weight: float = 0.5

    def probabilities(self, embeddings: np.ndarray) -> np.ndarray:
        """Vote shares per class for each row of ``embeddings``, smoothed away from 0."""
        sims = np.asarray(embeddings, dtype=np.float32) @ self.vectors.T
        m = min(self.neighbours, self.vectors.shape[0])
        top = np.argpartition(-sims, m - 1, axis=1)[:, :m]
        top_sims = np.take_along_axis(sims, top, axis=1)
        weights = np.exp((top_sims - top_sims.max(axis=1, keepdims=True)) / self.tau)
        votes = np.zeros((len(sims), len(self.classes)))
        np.add.at(
            votes, (np.repeat(np.arange(len(sims)), m), self.labels[top].reshape(-1)), weights.reshape(-1)
        )
        votes /= votes.sum(axis=1, keepdims=True)
        return 0.98 * votes + 0.02 / len(self.classes)

    def blend(self, probs: np.ndarray, embeddings: np.ndarray) -> np.ndarray:
        """(1 − weight) · log p + weight · log vote, renormalised."""
        mixed = (1.0 - self.weight) * np.log(np.clip(probs, 1e-12, 1.0)) + self.weight * np.log(
            self.probabilities(embeddings)
        )
        return softmax(mixed)

    def save(self, path: Path, keys: Sequence[str]) -> None:
        """Labels and the embedding-cache keys of the training questions, in row order. The vectors
        themselves stay in the committed embedding cache (``train-embeddings.npz``), so a model
        version does not add a second copy of them to the repository."""
        if len(keys) != len(self.labels):
            raise ValueError("one key per training row")
        np.savez_compressed(
            path,
            keys=np.array(list(keys), dtype=str),
            labels=self.labels.astype(np.int8),
            meta=np.array(
                json.dumps(
                    {
                        "classes": list(self.classes),
                        "neighbours": self.neighbours,
                        "tau": self.tau,
                        "weight": self.weight,
                    }
                )
            ),
        )

    @classmethod
    def load(cls, path: Path, store: Path) -> NeighbourVote:
        """``store``: the embedding cache (keys, float16 vectors) holding every key of ``path``."""
        with np.load(store, allow_pickle=False) as data:
            row_of = {k: i for i, k in enumerate(data["keys"].tolist())}
            all_vectors = data["vectors"]
        with np.load(path, allow_pickle=False) as data:
            meta = json.loads(str(data["meta"]))
            keys = data["keys"].tolist()
            labels = data["labels"].astype(np.int64)
        missing = [k for k in keys if k not in row_of]
        if missing:
            raise RuntimeError(f"{len(missing)} training questions have no vector in {store.name}")
        return cls(
            vectors=all_vectors[[row_of[k] for k in keys]].astype(np.float32),
            labels=labels,
            classes=tuple(meta["classes"]),
            neighbours=int(meta["neighbours"]),
            tau=float(meta["tau"]),
            weight=float(meta["weight"]),
        )
