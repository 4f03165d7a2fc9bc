"""Which statutes govern which advice category: the category prior for statute retrieval.

A question about a traffic accident is answered from 道路交通安全法, its implementing regulation, the
Supreme People's Court's traffic-compensation interpretation and 民法典 侵权责任编 第五章 (机动车交
通事故责任), not from 刑法 or 公司法, however many words they share. The classifier's category (and
its confidence) boosts articles of these laws; the boost is a prior, not a filter, so a question
filed under the wrong category can still find its article.
"""

from __future__ import annotations

from collections.abc import Iterable

from sifa.intelligence.qa.statutes import Article

__all__ = ["CATEGORY_LAWS", "prior_mask"]

# (law_id, first article, last article); None = the whole law.
Span = tuple[str, int | None, int | None]

_LABOR: list[Span] = [
    ("labor-contract-law", None, None),
    ("labor-law", None, None),
    ("labor-dispute-arbitration-law", None, None),
    ("labor-contract-law-regulations", None, None),
    ("work-injury-insurance-regulations", None, None),
    ("migrant-worker-wage-regulations", None, None),
    ("social-insurance-law", None, None),
    ("spc-labor-disputes-1", None, None),
]

CATEGORY_LAWS: dict[str, list[Span]] = {
    "marriage_family": [
        ("civil-code", 1040, 1163),  # 婚姻家庭编 + 继承编
        ("anti-domestic-violence-law", None, None),
        ("spc-civil-code-marriage-family-1", None, None),
        ("spc-civil-code-succession-1", None, None),
    ],
    "labor_dispute": _LABOR,
    "corporate_hr": _LABOR,
    "traffic_accident": [
        ("road-traffic-safety-law", None, None),
        ("road-traffic-safety-law-regulations", None, None),
        ("spc-traffic-accident-compensation", None, None),
        ("civil-code", 1164, 1217),  # 侵权责任编 general rules, damages, 机动车交通事故责任
    ],
    "lending_debt": [
        ("civil-code", 667, 702),  # 借款合同, 保证合同
        ("civil-code", 186, 199),  # 诉讼时效
        ("civil-code", 386, 424),  # 担保物权: 抵押, 质押
        ("spc-private-lending", None, None),
    ],
    "company_finance_tax": [
        ("company-law", None, None),
        ("tax-collection-law", None, None),
        ("individual-income-tax-law", None, None),
        ("enterprise-income-tax-law", None, None),
        ("value-added-tax-law", None, None),
        ("accounting-law", None, None),
    ],
    "housing": [
        ("civil-code", 205, 322),  # 物权编: 登记, 所有权, 业主的建筑物区分所有权, 相邻关系, 共有
        ("civil-code", 595, 647),  # 买卖合同
        ("civil-code", 703, 734),  # 租赁合同
        ("civil-code", 937, 950),  # 物业服务合同
        ("civil-code", 586, 588),  # 定金
        ("urban-real-estate-law", None, None),
        ("spc-commercial-housing-sales", None, None),
    ],
    "criminal": [
        ("criminal-law", None, None),
        ("criminal-procedure-law", None, None),
    ],
    "consumer_rights": [
        ("consumer-protection-law", None, None),
        ("e-commerce-law", None, None),
        ("product-quality-law", None, None),
        ("spc-online-consumer-disputes-1", None, None),
        ("civil-code", 1202, 1207),  # 产品责任
    ],
    "other": [],
}


def _in_span(article: Article, span: Span) -> bool:
    law_id, first, last = span
    if article.law_id != law_id:
        return False
    if first is not None and article.article_no < first:
        return False
    return not (last is not None and article.article_no > last)


def prior_mask(articles: Iterable[Article], category: str) -> list[bool]:
    """For each article, whether the category's statutes include it."""
    spans = CATEGORY_LAWS.get(category, [])
    return [any(_in_span(a, s) for s in spans) for a in articles]
