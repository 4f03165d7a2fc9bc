"""The smart-advice answer (智能咨询): classify, cite the law, similar questions, next steps, hand-over.

``ask(question)`` is what the API, the chat page and ``sifa advice ask`` call. It never raises on
odd input except :class:`~sifa.intelligence.text.QuestionError` (a ``ValueError`` whose message is
Chinese and names the field ``question``) for input that cannot be answered at all: empty, over
1,000 characters, only emoji/symbols, no Chinese. Everything it returns is plain text without
markup, and personal numbers in the question are masked before the question is returned (and so
before anyone stores it).
"""

from __future__ import annotations

import logging
import os
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from sifa.intelligence.qa.next_steps import NextStep, next_steps_for
from sifa.intelligence.qa.retrieval import Citation, get_embedder, get_retriever
from sifa.intelligence.text import clean_question, mask_pii, without_masks

__all__ = [
    "DEFAULT_HANDOVER_THRESHOLD",
    "DISCLAIMER",
    "HANDOVER_MESSAGE",
    "Answer",
    "ask",
    "format_answer",
]

log = logging.getLogger(__name__)

#: Below this classifier confidence the answer offers a human (env SIFA_ADVICE_HANDOVER_THRESHOLD).
DEFAULT_HANDOVER_THRESHOLD = 0.55
DISCLAIMER = "本回答由系统自动生成，仅供参考，不构成法律意见。"
HANDOVER_MESSAGE = (
    "本回答由系统自动生成，不构成法律意见。系统对您的问题把握不大，建议转人工："
    "可以在线咨询网上法律顾问（律师），或拨打 12348 公共法律服务热线。"
)
_FALLBACK_LABELS = {
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


@dataclass(frozen=True)
class CitedArticle:
    law: str
    article: str
    text: str
    link: str  # /statutes/<law_id>/<key>/
    law_id: str
    key: str
    score: float

    @classmethod
    def from_citation(cls, c: Citation) -> CitedArticle:
        return cls(c.law, c.article, c.text, c.link, c.law_id, c.key, c.score)


@dataclass(frozen=True)
class Answer:
    question_masked: str
    category: str
    category_label: str
    confidence: float
    citations: list[CitedArticle]
    similar_questions: list[str]
    next_steps: list[NextStep]
    handover: bool
    handover_message: str
    disclaimer: str = DISCLAIMER
    online_counsel: bool = True  # the hand-over target: 网上法律顾问
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["confidence"] = round(float(self.confidence), 4)
        return data


def handover_threshold() -> float:
    raw = os.environ.get("SIFA_ADVICE_HANDOVER_THRESHOLD")
    if raw:
        try:
            return min(1.0, max(0.0, float(raw)))
        except ValueError:
            log.warning("ignoring SIFA_ADVICE_HANDOVER_THRESHOLD=%r (not a number)", raw)
    return DEFAULT_HANDOVER_THRESHOLD


def _classify(question: str, embedding: np.ndarray | None = None) -> tuple[str, float, dict[str, str]]:
    """(category, confidence, labels). Without a usable classifier: ("other", 0.0) → hand-over."""
    try:
        from sifa.intelligence.qa.classifier import CATEGORY_LABELS_ZH, load_classifier
    except ImportError as exc:
        log.warning("classifier not available: %s", exc)
        return "other", 0.0, _FALLBACK_LABELS
    labels = dict(_FALLBACK_LABELS)
    labels.update(CATEGORY_LABELS_ZH)
    try:
        vectors = None if embedding is None else embedding.reshape(1, -1)
        pred = load_classifier().predict([question], embeddings=vectors)[0]
    except Exception as exc:
        log.exception("classifier failed: %s", exc)
        return "other", 0.0, labels
    return pred.category, float(pred.confidence), labels


def ask(
    question: object,
    *,
    k: int = 3,
    similar: int = 3,
    threshold: float | None = None,
) -> Answer:
    """Answer a citizen's question. Raises QuestionError (ValueError) only for unusable input."""
    text = clean_question(question)
    masked = mask_pii(text)
    # Classification and search never see the numbers, nor the mask labels that replaced them.
    search_text = without_masks(masked) or masked
    retriever = get_retriever()
    query_vector = None
    embed = get_embedder() if retriever.has_dense else None
    if embed is not None:
        # One embedding serves the classifier, statute retrieval and similar questions.
        query_vector = embed.query([search_text])[0]
    category, confidence, labels = _classify(search_text, query_vector)
    limit = handover_threshold() if threshold is None else threshold

    prior = None if category == "other" else category
    cites = retriever.search(search_text, k, category=prior, confidence=confidence, query_vector=query_vector)

    from sifa.intelligence.qa.retrieval_similar import get_similar_index

    try:
        similar_qs = get_similar_index().search(
            search_text, similar, category=prior, query_vector=query_vector, exclude=masked
        )
    except Exception as exc:
        log.exception("similar questions failed: %s", exc)
        similar_qs = []

    notes: list[str] = []
    if masked != text:
        notes.append("您的问题中包含身份证号、电话或银行卡号，系统已自动隐去，请勿在咨询中填写个人敏感信息。")
    needs_human = confidence < limit or category == "other" or not cites
    return Answer(
        question_masked=masked,
        category=category,
        category_label=labels.get(category, category),
        confidence=round(confidence, 4),
        citations=[CitedArticle.from_citation(c) for c in cites],
        similar_questions=similar_qs,
        next_steps=next_steps_for(category),
        handover=needs_human,
        handover_message=HANDOVER_MESSAGE if needs_human else "",
        notes=notes,
    )


def format_answer(answer: Answer) -> str:
    """The answer as plain text for a terminal (``sifa advice ask``)."""
    lines = [
        f"问题：{answer.question_masked}",
        f"类别：{answer.category_label}（{answer.category}，置信度 {answer.confidence:.2f}）",
    ]
    lines += [f"提示：{n}" for n in answer.notes]
    if answer.handover:
        lines += ["", f"【转人工】{answer.handover_message}"]
    lines += ["", "相关法条："]
    for i, c in enumerate(answer.citations, 1):
        lines.append(f"  {i}. 《{c.law}》{c.article}  {c.link}")
        snippet = c.text.replace("\n", " ")
        lines.append(f"     {snippet[:160]}{'…' if len(snippet) > 160 else ''}")
    if answer.similar_questions:
        lines += ["", "相似问题："]
        lines += [f"  - {q}" for q in answer.similar_questions]
    lines += ["", "下一步怎么办："]
    for i, s in enumerate(answer.next_steps, 1):
        basis = f"（依据：《{s.law}》{s.article}）" if s.law and s.article else ""
        deadline = f"【期限：{s.deadline}】" if s.deadline else ""
        lines.append(f"  {i}. {s.title}{deadline}")
        lines.append(f"     {s.detail}{basis}")
    lines += ["", answer.disclaimer]
    return "\n".join(lines)
