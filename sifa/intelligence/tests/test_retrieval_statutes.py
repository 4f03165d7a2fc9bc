"""The article-level statute index built from shared/data/statutes (core/ and supporting/)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sifa.intelligence.qa.statutes import (
    LAW_IDS,
    article_label,
    chinese_to_int,
    int_to_chinese,
    load_statutes,
    parse_statute_file,
    statutes_dir,
)

pytestmark = pytest.mark.skipif(not statutes_dir().exists(), reason="shared/data/statutes not present")

CIVIL_CODE = "中华人民共和国民法典"


@pytest.fixture(scope="module")
def index():
    return load_statutes()


def test_civil_code_has_its_1260_articles_in_order(index) -> None:
    numbers = [a.article_no for a in index.articles if a.law == CIVIL_CODE]
    assert len(numbers) == 1260
    assert numbers == list(range(1, 1261))


def test_civil_code_parts_share_one_title_and_keep_their_part_as_chapter(index) -> None:
    a = index.find(CIVIL_CODE, "第一千零七十六条")
    assert a is not None
    assert a.text.startswith("夫妻双方自愿离婚的，应当签订书面离婚协议")
    assert a.chapter.startswith("婚姻家庭编")
    assert "离婚" in a.chapter
    assert a.file == "core/民法典__婚姻家庭编.md"


def test_criminal_law_article_133_1_dangerous_driving_exists(index) -> None:
    """刑法 第一百三十三条之一 (危险驾驶) is its own article, not part of 第一百三十三条."""
    a = index.find("中华人民共和国刑法", "第一百三十三条之一")
    assert a is not None
    assert (a.article_no, a.sub_no, a.key) == (133, 1, "133-1")
    assert "醉酒驾驶机动车" in a.text
    assert a.link == "/statutes/criminal-law/133-1/"
    base = index.find("中华人民共和国刑法", "第一百三十三条")
    assert base is not None and "醉酒" not in base.text


def test_article_counts_match_the_data_manifest(index) -> None:
    manifest = json.loads((statutes_dir() / "manifest.json").read_text(encoding="utf-8"))
    counts: dict[str, int] = {}
    for a in index.articles:
        counts[a.file] = counts.get(a.file, 0) + 1
    expected = {m["file"]: m["articles"] for m in manifest if m["file"].startswith(("core/", "supporting/"))}
    assert counts == expected


def test_every_law_is_titled_from_its_file_heading_and_has_a_known_slug(index) -> None:
    for path in sorted(statutes_dir().glob("*/*.md")):
        if path.parent.name not in ("core", "supporting"):
            continue
        heading = path.read_text(encoding="utf-8").splitlines()[0].removeprefix("# ").strip()
        assert heading in LAW_IDS, heading
    assert set(index.laws.values()) <= set(LAW_IDS)
    assert len(set(LAW_IDS.values())) == len(LAW_IDS)  # one slug per law


def test_labels_are_written_as_in_the_statute_text(index) -> None:
    for a in index.articles:
        assert a.article == article_label(a.article_no, a.sub_no)
        assert a.text, a.article


def test_lookup_by_key_and_by_short_title(index) -> None:
    a = index.get("labor-dispute-arbitration-law", "27")
    assert a is not None and a.article == "第二十七条" and "一年" in a.text
    assert index.find("劳动合同法", "第三十九条") is not None


@given(st.integers(min_value=1, max_value=9999))
def test_chinese_numerals_round_trip(n: int) -> None:
    assert chinese_to_int(int_to_chinese(n)) == n


@pytest.mark.parametrize(
    ("numeral", "value"),
    [
        ("十", 10),
        ("十五", 15),
        ("一百一十", 110),
        ("一千零七十六", 1076),
        ("二百零五", 205),
        ("一千二百六十", 1260),
    ],
)
def test_chinese_numerals_as_statutes_write_them(numeral: str, value: int) -> None:
    assert chinese_to_int(numeral) == value
    assert int_to_chinese(value) == numeral


def test_parser_handles_headings_paragraphs_and_sub_articles(tmp_path: Path) -> None:
    law = tmp_path / "示例法.md"
    law.write_text(
        "# 中华人民共和国示例法\n\n2020年1月1日 通过\n\n<!-- INFO END -->\n\n## 第一章  总则\n\n"
        "第一条 为了测试，制定本法。\n\n第二条 第一款。\n\n第二款。\n\n### 第一节 细则\n\n"
        "第二条之一 新增的条文。\n\n## 第二章 附则\n\n第三条 本法自公布之日起施行。\n",
        encoding="utf-8",
    )
    articles = parse_statute_file(law, "core/示例法.md")
    assert [a.article for a in articles] == ["第一条", "第二条", "第二条之一", "第三条"]
    assert articles[1].text == "第一款。\n第二款。"
    assert articles[2].chapter == "第一章 总则 / 第一节 细则"
    assert articles[3].chapter == "第二章 附则"
    assert articles[0].law == "中华人民共和国示例法"
    assert articles[0].law_id.startswith("law-")


def test_shared_data_location_can_be_overridden(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from sifa.intelligence.qa import statutes

    monkeypatch.setenv("SIFA_SHARED_DATA", str(tmp_path))
    assert statutes.statutes_dir() == tmp_path / "statutes"
    with pytest.raises(FileNotFoundError, match="SIFA_SHARED_DATA"):
        statutes.statute_files()
