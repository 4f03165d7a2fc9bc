"""Which of the ten common matters a citizen's question is about (智能咨询 question classifier).

Public interface (other modules and the ``sifa advice`` CLI call exactly these names)::

    clf = load_classifier()                 # lazy, cached per process
    [p] = clf.predict(["老板拖欠工资三个月了怎么办"])
    p.category, p.confidence, p.scores      # "labor_dispute", 0.9…, {code: probability}
    evaluate(records) / format_report(report)
    train(out_dir=..., seed=0)              # rebuild the shipped artefact from the repo's data
    baseline_tfidf_lr()                     # the comparison model for bench/advice.py

The model is a linear SVM, calibrated by a softmax temperature, over character 1–3-gram TF-IDF plus a
legal-term cue block, with a second stage that adds the question's E5 sentence embedding, and a
correction of the class prior towards real citizens' questions (see docs/intelligence-classifier.md
for the measurements behind these choices). It is trained only on the files in :data:`TRAIN_FILES`;
the held-out files beside them and the LawBench dev set are never trained on.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from sifa.intelligence.qa.classifier_embed import embed_queries
from sifa.intelligence.qa.classifier_model import LinearModel, NeighbourVote
from sifa.intelligence.qa.classifier_text import normalise

__all__ = [
    "CATEGORIES",
    "CATEGORY_LABELS_ZH",
    "Classifier",
    "Prediction",
    "baseline_tfidf_lr",
    "evaluate",
    "format_report",
    "load_classifier",
    "load_records",
    "load_training_records",
    "train",
]

CATEGORIES: tuple[str, ...] = (
    "marriage_family",
    "labor_dispute",
    "traffic_accident",
    "corporate_hr",
    "lending_debt",
    "company_finance_tax",
    "housing",
    "criminal",
    "consumer_rights",
    "other",
)

#: Names shown to citizens (GLOSSARY.md).
CATEGORY_LABELS_ZH: dict[str, str] = {
    "marriage_family": "婚姻家庭",
    "labor_dispute": "劳动纠纷",
    "traffic_accident": "交通事故",
    "corporate_hr": "企业人事",
    "lending_debt": "借贷纠纷",
    "company_finance_tax": "公司财税",
    "housing": "房产纠纷",
    "criminal": "刑事犯罪",
    "consumer_rights": "消费维权",
    "other": "其他",
}

_PACKAGE_DIR = Path(__file__).resolve().parents[1]
DATA_DIR = _PACKAGE_DIR / "data" / "questions"
MODEL_DIR = _PACKAGE_DIR / "models" / "question_classifier"
TRAIN_FILE = DATA_DIR / "train.jsonl"
#: Real lawyer_llama questions labelled by meaning in a second pass (see the data README).
TRAIN_REAL_FILE = DATA_DIR / "train_real2.jsonl"
#: Real lawyer_llama questions of more fixed slices, labelled in a third and a fourth pass (data README).
TRAIN_REAL3_FILE = DATA_DIR / "train_real3.jsonl"
TRAIN_REAL4_FILE = DATA_DIR / "train_real4.jsonl"
#: More team-written questions, by two writers asked for new voices and employer/employee pairs.
TRAIN_TEAM2_FILE = DATA_DIR / "train_team2.jsonl"
#: Every file ``train()`` learns from, in this order. Nothing else is ever trained on.
TRAIN_FILES: tuple[Path, ...] = (
    TRAIN_FILE,
    TRAIN_REAL_FILE,
    TRAIN_REAL3_FILE,
    TRAIN_REAL4_FILE,
    TRAIN_TEAM2_FILE,
)
HELDOUT_FILE = DATA_DIR / "heldout.jsonl"
HELDOUT_REAL_FILE = DATA_DIR / "heldout_real.jsonl"
#: Written by a writer who saw none of the other question files (never trained on).
HELDOUT_TEAM2_FILE = DATA_DIR / "heldout_team2.jsonl"
#: Every held-apart question file: never trained on, never exported into training.
HELDOUT_FILES: tuple[Path, ...] = (HELDOUT_FILE, HELDOUT_REAL_FILE, HELDOUT_TEAM2_FILE)
#: The LawBench dev set lives in the shared data folder beside the repository (evaluation only).
LAWBENCH_DEV_FILE = _PACKAGE_DIR.parents[2] / "shared" / "data" / "lawbench" / "consult_topic_dev.jsonl"

#: Hyper-parameters of the shipped model, chosen by 5-fold cross-validation on the training files only.
#: ``prior_mix``: share of the expected questions assumed to look like real citizens' ones in the
#: class-prior correction (classifier_train.prior_shift); ``escalate_below``: cheap-stage confidence
#: under which the embedding refiner answers. Both chosen on out-of-fold answers of the real sample
#: rows with two fold seeds (table in docs/intelligence-classifier.md).
CONFIG: dict[str, Any] = {
    "c": 1.0,
    "min_df": 2,
    "keyword_weight": 0.3,
    "embedding_weight": 2.0,
    "folds": 5,
    "prior_mix": 0.5,
    "escalate_below": 0.7,
    "knn_neighbours": 15,
    "knn_tau": 0.02,
    "knn_weight": 0.5,
}


@dataclass(frozen=True)
class Prediction:
    """One answer: the best category, its calibrated probability, and every category's probability."""

    category: str
    confidence: float
    scores: dict[str, float]


class _Backend(Protocol):
    def probabilities(self, texts: Sequence[str]) -> np.ndarray: ...


def _readable(text: str) -> bool:
    return any(ch.isalnum() for ch in text)


class Classifier:
    """A trained classifier. ``predict`` never raises on odd text; it answers ``other`` with low
    confidence when nothing in the text can be read (empty, emoji only, markup only).

    Two stages: a cheap character-n-gram model answers every question; the few it is unsure of
    (probability below ``escalate_below``) are answered again by the ``refiner``, the same model
    plus the question's sentence embedding. The embedding costs tens of milliseconds, so it is paid
    only where it changes answers (measured in docs/intelligence-classifier.md).
    """

    def __init__(
        self,
        backend: _Backend,
        *,
        version: str,
        metrics: dict[str, Any],
        refiner: LinearModel | None = None,
        escalate_below: float = 0.0,
        neighbours: NeighbourVote | None = None,
    ) -> None:
        self._backend = backend
        self._refiner = refiner
        self._neighbours = neighbours
        self.escalate_below = escalate_below
        self.version = version
        self.metrics = metrics

    def predict(
        self, questions: Sequence[str], *, embeddings: np.ndarray | None = None, refine: bool = True
    ) -> list[Prediction]:
        """Predictions in input order.

        ``embeddings`` (optional, one E5 ``query:`` row per question) lets a caller that has already
        embedded the questions — statute retrieval does — spare the classifier that work.
        ``refine=False`` answers from the cheap model alone (bulk jobs that value speed).
        """
        texts = [normalise(q) for q in questions]
        probs = self._backend.probabilities(texts) if texts else np.zeros((0, len(CATEGORIES)))
        if refine and self._refiner is not None and len(texts):
            probs = self._refine(texts, probs, embeddings)
        out = []
        for text, row in zip(texts, probs, strict=True):
            if not _readable(text):
                # Nothing a person could have meant as a question: a uniform answer makes the caller
                # hand over to a human instead of pretending to know.
                row = np.full(len(CATEGORIES), 1.0 / len(CATEGORIES))
                best = CATEGORIES.index("other")
            else:
                best = int(np.argmax(row))
            scores = {code: round(float(p), 6) for code, p in zip(CATEGORIES, row, strict=True)}
            confidence = float(min(1.0, max(0.0, row[best])))
            out.append(Prediction(category=CATEGORIES[best], confidence=confidence, scores=scores))
        return out

    def _refine(self, texts: list[str], probs: np.ndarray, embeddings: np.ndarray | None) -> np.ndarray:
        assert self._refiner is not None
        given = embeddings is not None and len(embeddings) == len(texts)
        # With the embeddings already paid for (statute retrieval computes them), every question
        # gets the better model; otherwise only those the cheap model is unsure of.
        threshold = 1.01 if given else self.escalate_below
        unsure = [i for i, row in enumerate(probs) if row.max() < threshold and _readable(texts[i])]
        if not unsure:
            return probs
        if given:
            given_rows = np.asarray(embeddings, dtype=np.float32)[unsure]
            vectors: np.ndarray | None = given_rows.astype(np.float16).astype(np.float32)
        else:
            vectors = embed_queries([texts[i] for i in unsure])
        if vectors is None:  # no embedder on this machine: keep the cheap answers
            return probs
        probs = probs.copy()
        refined = self._refiner.probabilities([texts[i] for i in unsure], vectors)
        if self._neighbours is not None:
            refined = self._neighbours.blend(refined, vectors)
        probs[unsure] = refined
        return probs


# --------------------------------------------------------------------------------------- loading
_lock = threading.Lock()
_cached: Classifier | None = None


def load_classifier() -> Classifier:
    """The shipped classifier, loaded once per process (about 0.3 s; no scikit-learn import)."""
    global _cached
    if _cached is None:
        with _lock:
            if _cached is None:
                _cached = _load_from(MODEL_DIR)
    return _cached


def _load_from(model_dir: Path) -> Classifier:
    metrics = json.loads((model_dir / "metrics.json").read_text(encoding="utf-8"))
    model = LinearModel.load(model_dir / "model.npz")
    refiner_path = model_dir / "refiner.npz"
    refiner = LinearModel.load(refiner_path) if refiner_path.exists() else None
    knn_path = model_dir / "knn.npz"
    store = model_dir / "train-embeddings.npz"
    neighbours = None
    if refiner is not None and knn_path.exists() and store.exists():
        neighbours = NeighbourVote.load(knn_path, store)
    for m in (model, refiner, neighbours):
        if m is not None and m.classes != CATEGORIES:
            raise RuntimeError(f"model classes {m.classes} do not match CATEGORIES")
    return Classifier(
        model,
        version=metrics["version"],
        metrics=metrics,
        refiner=refiner,
        escalate_below=float(metrics.get("escalate_below", 0.0)) if refiner is not None else 0.0,
        neighbours=neighbours,
    )


def load_records(path: Path) -> list[dict[str, Any]]:
    """JSON Lines records ``{id, question, category, ...}``."""
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def _as_paths(files: Path | Sequence[Path] | None) -> tuple[Path, ...]:
    if files is None:
        return TRAIN_FILES
    return (files,) if isinstance(files, Path) else tuple(files)


def load_training_records(files: Path | Sequence[Path] | None = None) -> list[dict[str, Any]]:
    """The labelled training rows: every file of :data:`TRAIN_FILES` (or ``files``), in order."""
    return [r for path in _as_paths(files) for r in load_records(path)]


# ------------------------------------------------------------------------------------ evaluation
def _scores(gold: Sequence[str], predicted: Sequence[str]) -> dict[str, Any]:
    per: dict[str, dict[str, float]] = {}
    f1s = []
    for code in CATEGORIES:
        tp = sum(1 for g, p in zip(gold, predicted, strict=True) if g == code and p == code)
        n_pred = sum(1 for p in predicted if p == code)
        support = sum(1 for g in gold if g == code)
        precision = tp / n_pred if n_pred else 0.0
        recall = tp / support if support else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per[code] = {"precision": precision, "recall": recall, "f1": f1, "support": support}
        # A code nobody asked about and the model never predicted has no defined F1; averaging a
        # zero for it would punish the model for a gap in the test set (LawBench has no
        # corporate_hr or company_finance_tax questions). Predicting it wrongly still counts.
        if support or n_pred:
            f1s.append(f1)
    n = len(gold)
    return {
        "n": n,
        "accuracy": sum(1 for g, p in zip(gold, predicted, strict=True) if g == p) / n if n else 0.0,
        "macro_f1": sum(f1s) / len(f1s) if f1s else 0.0,
        "per_category": per,
    }


def evaluate(records: Iterable[dict[str, Any]], *, classifier: Classifier | None = None) -> dict[str, Any]:
    """Accuracy, macro-F1 over the ten codes and a per-category table for labelled records.

    Records whose ``category`` is not one of :data:`CATEGORIES` are counted in ``skipped`` and left
    out. Macro-F1 averages the codes that occur in the gold labels or the predictions.
    """
    rows = list(records)
    usable = [r for r in rows if isinstance(r, dict) and r.get("category") in CATEGORIES]
    clf = classifier or load_classifier()
    predictions = clf.predict([str(r.get("question") or "") for r in usable])
    report = _scores([r["category"] for r in usable], [p.category for p in predictions])
    report["skipped"] = len(rows) - len(usable)
    return report


def format_report(report: dict[str, Any]) -> str:
    """A plain-text table for a terminal (``sifa advice eval``)."""
    lines = [
        f"n={report['n']}  accuracy={report['accuracy']:.3f}  macro_f1={report['macro_f1']:.3f}"
        + (f"  skipped={report['skipped']}" if report.get("skipped") else ""),
        f"{'category':<22}{'中文':<8}{'precision':>10}{'recall':>8}{'f1':>8}{'support':>9}",
    ]
    for code in CATEGORIES:
        row = report["per_category"][code]
        lines.append(
            f"{code:<22}{CATEGORY_LABELS_ZH[code]:<8}{row['precision']:>10.3f}{row['recall']:>8.3f}"
            f"{row['f1']:>8.3f}{int(row['support']):>9d}"
        )
    return "\n".join(lines)


# -------------------------------------------------------------------------------------- training
def data_hash(files: Path | Sequence[Path] | None = None) -> str:
    """SHA-256 over the training files (their names and bytes), recorded in metrics.json."""
    digest = hashlib.sha256()
    for path in _as_paths(files):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def train(
    *,
    out_dir: Path | None = None,
    seed: int = 0,
    train_file: Path | Sequence[Path] | None = None,
    embeddings: bool = True,
) -> dict[str, Any]:
    """Rebuild the model from the repository's labelled data; write ``model.npz`` (+ ``refiner.npz``
    when an embedder is available and ``embeddings``) and ``metrics.json``; return the metrics.

    Deterministic: the same data, code and seed give the same weights (sorted vocabulary, seeded
    folds, liblinear with a fixed seed, grid-searched temperature and threshold, embeddings rounded
    to float16). About a minute on one core with embeddings, a few seconds without.
    """
    from sifa.intelligence.qa.classifier_train import train_model  # scikit-learn only when training

    return train_model(out_dir=out_dir, seed=seed, train_file=train_file, embeddings=embeddings)


def _compact(report: dict[str, Any]) -> dict[str, Any]:
    """Round the figures so metrics.json diffs stay readable."""
    return {
        "n": report["n"],
        "accuracy": round(report["accuracy"], 4),
        "macro_f1": round(report["macro_f1"], 4),
        "per_category": {
            code: {k: (round(v, 4) if k != "support" else int(v)) for k, v in row.items()}
            for code, row in report["per_category"].items()
        },
    }


# -------------------------------------------------------------------------------------- baseline
class _SklearnBackend:
    def __init__(self, pipeline: Any) -> None:
        self._pipeline = pipeline

    def probabilities(self, texts: Sequence[str]) -> np.ndarray:
        probs = self._pipeline.predict_proba(list(texts))
        out = np.zeros((len(texts), len(CATEGORIES)))
        for k, cls_index in enumerate(self._pipeline.classes_):
            out[:, int(cls_index)] = probs[:, k]
        return out


def baseline_tfidf_lr(train_file: Path | Sequence[Path] | None = None) -> Classifier:
    """The textbook baseline on the same training data: character 1–2-gram TF-IDF + logistic
    regression with scikit-learn defaults, no legal cues, no calibration. For bench/advice.py."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    records = load_training_records(train_file)
    pipeline = make_pipeline(
        TfidfVectorizer(analyzer="char", ngram_range=(1, 2)),
        LogisticRegression(max_iter=2000, random_state=0),
    )
    texts = [normalise(r["question"]) for r in records]
    pipeline.fit(texts, [CATEGORIES.index(r["category"]) for r in records])
    return Classifier(_SklearnBackend(pipeline), version="baseline-tfidf-lr", metrics={})
