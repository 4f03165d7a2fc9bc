"""Article-level index of the statute texts in ``shared/data/statutes`` (core/ and supporting/).

The files are markdown from LawRefBook/Laws: line 1 ``# 中华人民共和国X法`` (the Civil Code's eight
parts repeat ``# 中华人民共和国民法典`` and add ``# X编``), history lines, ``<!-- INFO END -->``,
chapter headings (``##``/``###``), then articles, each starting a line with ``第X条`` and a space,
its paragraphs (款) on the following lines until the next article or heading.

The data lives beside the repository (``<repo>/../shared/data``) on every machine and in CI; the
environment variable ``SIFA_SHARED_DATA`` points elsewhere.
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

__all__ = [
    "LAW_IDS",
    "Article",
    "StatuteIndex",
    "article_label",
    "chinese_to_int",
    "int_to_chinese",
    "load_statutes",
    "shared_data_dir",
    "statutes_dir",
]

STATUTE_FOLDERS = ("core", "supporting")

#: Stable, readable URL slugs for the laws we ship (``/statutes/<law_id>/<article_key>/``).
#: A title not listed falls back to a hash slug, so a new file never breaks the index.
LAW_IDS: dict[str, str] = {
    "中华人民共和国民法典": "civil-code",
    "中华人民共和国刑法": "criminal-law",
    "中华人民共和国劳动合同法": "labor-contract-law",
    "中华人民共和国劳动法": "labor-law",
    "中华人民共和国道路交通安全法": "road-traffic-safety-law",
    "中华人民共和国消费者权益保护法": "consumer-protection-law",
    "中华人民共和国公司法": "company-law",
    "中华人民共和国人民调解法": "people-mediation-law",
    "中华人民共和国法律援助法": "legal-aid-law",
    "中华人民共和国行政复议法": "administrative-reconsideration-law",
    "中华人民共和国社区矫正法": "community-corrections-law",
    "中华人民共和国行政处罚法": "administrative-penalty-law",
    "中华人民共和国劳动争议调解仲裁法": "labor-dispute-arbitration-law",
    "中华人民共和国劳动合同法实施条例": "labor-contract-law-regulations",
    "工伤保险条例": "work-injury-insurance-regulations",
    "保障农民工工资支付条例": "migrant-worker-wage-regulations",
    "中华人民共和国社会保险法": "social-insurance-law",
    "中华人民共和国道路交通安全法实施条例": "road-traffic-safety-law-regulations",
    "中华人民共和国行政复议法实施条例": "administrative-reconsideration-law-regulations",
    "中华人民共和国反家庭暴力法": "anti-domestic-violence-law",
    "中华人民共和国城市房地产管理法": "urban-real-estate-law",
    "中华人民共和国税收征收管理法": "tax-collection-law",
    "中华人民共和国个人所得税法": "individual-income-tax-law",
    "中华人民共和国企业所得税法": "enterprise-income-tax-law",
    "中华人民共和国增值税法": "value-added-tax-law",
    "中华人民共和国会计法": "accounting-law",
    "中华人民共和国电子商务法": "e-commerce-law",
    "中华人民共和国产品质量法": "product-quality-law",
    "中华人民共和国民事诉讼法": "civil-procedure-law",
    "中华人民共和国刑事诉讼法": "criminal-procedure-law",
    "最高人民法院关于审理民间借贷案件适用法律若干问题的规定": "spc-private-lending",
    "最高人民法院关于审理商品房买卖合同纠纷案件适用法律若干问题的解释": "spc-commercial-housing-sales",
    "最高人民法院关于审理道路交通事故损害赔偿案件适用法律若干问题的解释": "spc-traffic-accident-compensation",
    "最高人民法院关于审理劳动争议案件适用法律问题的解释（一）": "spc-labor-disputes-1",
    "最高人民法院关于适用《中华人民共和国民法典》婚姻家庭编的解释（一）": "spc-civil-code-marriage-family-1",
    "最高人民法院关于适用《中华人民共和国民法典》继承编的解释（一）": "spc-civil-code-succession-1",
    "最高人民法院关于审理网络消费纠纷案件适用法律若干问题的规定（一）": "spc-online-consumer-disputes-1",
    "最高人民法院关于人民调解协议司法确认程序的若干规定": "spc-mediation-judicial-confirmation",
    "人民调解委员会组织条例": "mediation-committee-regulations",
}

_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_UNITS = {"十": 10, "百": 100, "千": 1000}
_NUMERAL = "零〇一二三四五六七八九十百千两"
ARTICLE_START = re.compile(rf"^第([{_NUMERAL}]+)条(?:之([{_NUMERAL}]+))?[\s\u3000]+(.*)$")
_HEADING = re.compile(r"^(#{1,6})\s*(.*?)\s*$")
_INFO_END = "<!-- INFO END -->"


def chinese_to_int(numeral: str) -> int:
    """``一千零七十六`` → 1076, ``十`` → 10, ``一百三十三`` → 133."""
    if not numeral:
        raise ValueError("empty numeral")
    total = 0
    current = 0
    for ch in numeral:
        if ch in _DIGITS:
            current = _DIGITS[ch]
        elif ch in _UNITS:
            total += (current or 1) * _UNITS[ch]
            current = 0
        else:
            raise ValueError(f"not a Chinese numeral: {numeral!r}")
    return total + current


def int_to_chinese(n: int) -> str:
    """1076 → ``一千零七十六``; 10 → ``十``; 110 → ``一百一十`` (the statute-book style)."""
    if n <= 0 or n >= 10000:
        raise ValueError("article numbers are 1..9999")
    digits = "零一二三四五六七八九"
    parts: list[str] = []
    zero_pending = False
    for unit_value, unit in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        d = (n // unit_value) % 10
        if d == 0:
            if parts:
                zero_pending = True
            continue
        if zero_pending:
            parts.append("零")
            zero_pending = False
        if unit == "十" and d == 1 and not parts:
            parts.append("十")  # 十五, not 一十五, at the start
        else:
            parts.append(digits[d] + unit)
    return "".join(parts)


def article_label(article_no: int, sub_no: int = 0) -> str:
    """``(133, 1)`` → ``第一百三十三条之一``."""
    label = f"第{int_to_chinese(article_no)}条"
    if sub_no:
        label += f"之{int_to_chinese(sub_no)}"
    return label


@dataclass(frozen=True)
class Article:
    law: str  # full title as in the file heading, e.g. 中华人民共和国民法典
    article: str  # as written in the statute, e.g. 第一千零七十六条 / 第一百三十三条之一
    article_no: int  # 1076 / 133
    sub_no: int  # 0, or N for 第…条之N
    text: str  # the article's paragraphs joined by newlines, without the 第X条 label
    chapter: str  # e.g. "婚姻家庭编 / 第四章 离婚"
    law_id: str  # stable slug, see LAW_IDS
    file: str  # path relative to the statutes folder, e.g. core/刑法.md

    @property
    def key(self) -> str:
        """URL key of the article: ``1076`` or ``133-1``."""
        return f"{self.article_no}-{self.sub_no}" if self.sub_no else str(self.article_no)

    @property
    def link(self) -> str:
        return f"/statutes/{self.law_id}/{self.key}/"

    @property
    def short_law(self) -> str:
        return short_title(self.law)


def short_title(law: str) -> str:
    """中华人民共和国劳动合同法 → 劳动合同法 (as people say it)."""
    return law.removeprefix("中华人民共和国")


def law_id_for(title: str) -> str:
    if title in LAW_IDS:
        return LAW_IDS[title]
    return "law-" + hashlib.sha256(title.encode("utf-8")).hexdigest()[:10]


def repo_root() -> Path:
    # sifa/intelligence/qa/statutes.py → repo root is three levels above the package folder.
    return Path(__file__).resolve().parents[3]


def shared_data_dir() -> Path:
    env = os.environ.get("SIFA_SHARED_DATA")
    if env:
        return Path(env)
    return repo_root().parent / "shared" / "data"


def statutes_dir() -> Path:
    return shared_data_dir() / "statutes"


def _clean_heading(text: str) -> str:
    return re.sub(r"[\s\u3000]+", " ", text).strip()


def parse_statute_file(path: Path, rel: str) -> list[Article]:
    """Parse one statute markdown file into articles."""
    lines = path.read_text(encoding="utf-8").splitlines()
    if not lines or not lines[0].startswith("# "):
        raise ValueError(f"{rel}: line 1 is not a '# title' heading")
    law = _clean_heading(lines[0][2:])
    law_id = law_id_for(law)
    part = ""
    body_start = 0
    for i, line in enumerate(lines):
        if line.strip() == _INFO_END:
            body_start = i + 1
            break
        m = _HEADING.match(line)
        if i > 0 and m and len(m.group(1)) == 1:
            part = _clean_heading(m.group(2))  # 民法典 parts: "# 婚姻家庭编"
    headings: dict[int, str] = {}
    articles: list[Article] = []
    current: dict[str, object] | None = None
    paragraphs: list[str] = []

    def flush() -> None:
        nonlocal current, paragraphs
        if current is not None:
            articles.append(
                Article(
                    law=law,
                    article=str(current["article"]),
                    article_no=int(current["no"]),  # type: ignore[call-overload]
                    sub_no=int(current["sub"]),  # type: ignore[call-overload]
                    text="\n".join(paragraphs).strip(),
                    chapter=str(current["chapter"]),
                    law_id=law_id,
                    file=rel,
                )
            )
        current = None
        paragraphs = []

    for line in lines[body_start:]:
        stripped = line.strip()
        if not stripped:
            continue
        hm = _HEADING.match(stripped)
        if hm:
            flush()
            level = len(hm.group(1))
            headings = {lvl: h for lvl, h in headings.items() if lvl < level}
            headings[level] = _clean_heading(hm.group(2))
            continue
        am = ARTICLE_START.match(stripped)
        if am:
            flush()
            chapter_parts = [part] if part else []
            chapter_parts += [headings[lvl] for lvl in sorted(headings)]
            current = {
                "article": stripped[: am.start(3)].strip(),
                "no": chinese_to_int(am.group(1)),
                "sub": chinese_to_int(am.group(2)) if am.group(2) else 0,
                "chapter": " / ".join(chapter_parts),
            }
            paragraphs = [am.group(3).strip()] if am.group(3).strip() else []
            continue
        if current is not None:
            paragraphs.append(stripped)
    flush()
    return articles


def statute_files(root: Path | None = None) -> list[tuple[Path, str]]:
    root = root or statutes_dir()
    files: list[tuple[Path, str]] = []
    for folder in STATUTE_FOLDERS:
        for path in sorted((root / folder).glob("*.md")):
            files.append((path, f"{folder}/{path.name}"))
    if not files:
        raise FileNotFoundError(f"没有找到法规文本：{root}（设置环境变量 SIFA_SHARED_DATA 指向 shared/data）")
    return files


def data_fingerprint(root: Path | None = None) -> str:
    """SHA-256 over the statute files' names and bytes: the cache key for derived indexes."""
    h = hashlib.sha256()
    for path, rel in statute_files(root):
        h.update(rel.encode("utf-8"))
        h.update(hashlib.sha256(path.read_bytes()).digest())
    return h.hexdigest()


class StatuteIndex:
    """All articles, addressable by (law_id, key) and by law title."""

    def __init__(self, articles: list[Article], fingerprint: str) -> None:
        self.articles = articles
        self.fingerprint = fingerprint
        self._by_key = {(a.law_id, a.key): i for i, a in enumerate(articles)}
        self._by_label = {(a.law, a.article): i for i, a in enumerate(articles)}
        self.laws: dict[str, str] = {}  # law_id -> title, in file order
        for a in articles:
            self.laws.setdefault(a.law_id, a.law)

    def __len__(self) -> int:
        return len(self.articles)

    def get(self, law_id: str, key: str) -> Article | None:
        i = self._by_key.get((law_id, key))
        return None if i is None else self.articles[i]

    def find(self, law: str, article: str) -> Article | None:
        """Look up by full title (or short title) and the article label as written."""
        i = self._by_label.get((law, article))
        if i is None and not law.startswith("中华人民共和国"):
            i = self._by_label.get(("中华人民共和国" + law, article))
        return None if i is None else self.articles[i]

    def position(self, law: str, article: str) -> int | None:
        i = self._by_label.get((law, article))
        if i is None and not law.startswith("中华人民共和国"):
            i = self._by_label.get(("中华人民共和国" + law, article))
        return i

    def law_articles(self, law_id: str) -> list[Article]:
        return [a for a in self.articles if a.law_id == law_id]


@lru_cache(maxsize=4)
def _load(root: str) -> StatuteIndex:
    articles: list[Article] = []
    for path, rel in statute_files(Path(root)):
        articles.extend(parse_statute_file(path, rel))
    # The Civil Code's parts are separate files (sorted by name, not by article): put every law's
    # articles in statute order, laws in the order their first file appears.
    first_seen: dict[str, int] = {}
    for a in articles:
        first_seen.setdefault(a.law, len(first_seen))
    articles.sort(key=lambda a: (first_seen[a.law], a.article_no, a.sub_no))
    return StatuteIndex(articles, data_fingerprint(Path(root)))


def load_statutes(root: Path | None = None) -> StatuteIndex:
    """Parse (once per process) every statute in core/ and supporting/."""
    return _load(str(root or statutes_dir()))
