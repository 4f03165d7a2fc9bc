"""The smart-advice answer: structure, masking, hand-over, bad input, and the next-steps knowledge base."""

from __future__ import annotations

import json

import pytest

from sifa.intelligence.qa.answer import HANDOVER_MESSAGE, Answer, ask, format_answer
from sifa.intelligence.qa.classifier import CATEGORIES
from sifa.intelligence.qa.next_steps import load_knowledge_base, next_steps_for
from sifa.intelligence.qa.statutes import load_statutes, statutes_dir
from sifa.intelligence.text import QuestionError

pytestmark = pytest.mark.skipif(not statutes_dir().exists(), reason="shared/data/statutes not present")


@pytest.fixture(scope="module")
def labour_answer() -> Answer:
    return ask("在工厂干了两年，老板拖欠三个月工资不发，还不给签劳动合同，我该怎么办？")


def test_answer_has_every_part(labour_answer: Answer) -> None:
    a = labour_answer
    assert a.category in CATEGORIES
    assert a.category_label
    assert 0.0 <= a.confidence <= 1.0
    assert 1 <= len(a.citations) <= 3
    for c in a.citations:
        assert c.law and c.article and c.text
        assert c.link == f"/statutes/{c.law_id}/{c.key}/"
    assert len(a.similar_questions) == 3
    assert a.question_masked not in a.similar_questions
    assert a.next_steps
    assert "不构成法律意见" in a.disclaimer


def test_labour_question_is_labour_and_points_to_arbitration_within_a_year(labour_answer: Answer) -> None:
    """劳动争议调解仲裁法 第二十七条: the one-year arbitration limitation is in the next steps."""
    assert labour_answer.category == "labor_dispute"
    steps = {(s.law, s.article): s for s in labour_answer.next_steps}
    step = steps[("中华人民共和国劳动争议调解仲裁法", "第二十七条")]
    assert step.deadline == "一年"
    assert any(s.service == "legal_aid" for s in labour_answer.next_steps)


def test_to_dict_is_json_serialisable(labour_answer: Answer) -> None:
    data = json.loads(json.dumps(labour_answer.to_dict(), ensure_ascii=False))
    assert set(data) >= {
        "question_masked",
        "category",
        "category_label",
        "confidence",
        "citations",
        "similar_questions",
        "next_steps",
        "handover",
        "handover_message",
    }
    assert data["citations"][0]["link"].startswith("/statutes/")


def test_personal_numbers_never_leave_ask() -> None:
    answer = ask("我身份证11010519491231002X，手机13812345678，被公司辞退了能要赔偿吗")
    dumped = json.dumps(answer.to_dict(), ensure_ascii=False)
    assert "11010519491231002X" not in dumped and "13812345678" not in dumped
    assert "[身份证号已隐去]" in answer.question_masked and "[手机号已隐去]" in answer.question_masked
    assert answer.notes  # the person is told not to type personal numbers


def test_low_confidence_hands_over_to_a_lawyer() -> None:
    answer = ask("公司辞退我要给补偿吗", threshold=1.01)
    assert answer.handover is True
    assert answer.handover_message == HANDOVER_MESSAGE
    assert "不构成法律意见" in answer.handover_message and "网上法律顾问" in answer.handover_message


def test_confident_answer_does_not_hand_over() -> None:
    answer = ask("老板拖欠工资三个月不发怎么办", threshold=0.0)
    assert answer.category != "other"
    assert answer.handover is False and answer.handover_message == ""


def test_threshold_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SIFA_ADVICE_HANDOVER_THRESHOLD", "1.0")
    assert ask("老板拖欠工资三个月不发怎么办").handover is True


def test_unrelated_question_is_other_and_handed_over() -> None:
    answer = ask("今天天气怎么样，明天会下雨吗")
    assert answer.handover is True


@pytest.mark.parametrize(
    "question",
    [
        "",
        "工资" * 50_000,
        "😀😂🤣",
        "Can my boss fire me without notice?",
        "\x00\x00\x00",
        "<script>alert(1)</script>",
    ],
)
def test_unusable_input_raises_a_chinese_error_naming_question(question: str) -> None:
    with pytest.raises(QuestionError) as err:
        ask(question)
    assert isinstance(err.value, ValueError)
    assert str(err.value).startswith("question：")


def test_traditional_characters_are_answered() -> None:
    answer = ask("老闆拖欠我三個月的工資，還不簽勞動合同，怎麼辦？")
    assert answer.category == "labor_dispute"
    assert "老板" in answer.question_masked


def test_markup_is_never_echoed() -> None:
    answer = ask('<img src=x onerror="alert(1)">公司不给交社保<script>alert(2)</script>怎么办')
    dumped = json.dumps(answer.to_dict(), ensure_ascii=False)
    assert "<" not in dumped and ">" not in dumped
    assert "公司不给交社保" in answer.question_masked


def test_nul_bytes_inside_a_question_are_dropped() -> None:
    answer = ask("交通\x00事故对方全责\x00不赔钱怎么办")
    assert "\x00" not in json.dumps(answer.to_dict())


def test_format_answer_is_readable_text(labour_answer: Answer) -> None:
    text = format_answer(labour_answer)
    assert "相关法条" in text and "下一步怎么办" in text and "不构成法律意见" in text
    assert labour_answer.citations[0].article in text


def test_every_statute_cited_in_the_knowledge_base_exists() -> None:
    index = load_statutes()
    common, categories = load_knowledge_base()
    for step in list(common) + [s for steps in categories.values() for s in steps]:
        if step.law or step.article:
            assert index.find(step.law or "", step.article or "") is not None, step.id


def test_every_category_has_next_steps_and_the_hotline() -> None:
    for category in CATEGORIES:
        steps = next_steps_for(category)
        assert steps, category
        assert any(s.service == "hotline" for s in steps), category
