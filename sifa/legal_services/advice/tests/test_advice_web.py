"""The 12348 smart-advice service as citizens and staff use it: public, rate-limited, masked."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from sifa.legal_services.advice.models import AdviceQuestion, ReviewStatus
from sifa.platform.audit.models import ChangeLog

WAGES = "老板拖欠我三个月工资了，我身份证号11010519491231002X，电话13812345678，该怎么办"


@pytest.fixture
def api(tree):  # the intake org (province department) must exist
    return APIClient()


def test_public_api_answers_anonymously_and_stores_only_the_masked_question(api) -> None:
    response = api.post("/api/advice/ask/", {"question": WAGES}, format="json")
    assert response.status_code == 200
    body = response.json()
    assert body["category"] == "labor_dispute"
    assert 0.0 <= body["confidence"] <= 1.0
    assert body["citations"] and all(c["link"].startswith("/statutes/") for c in body["citations"])
    stored = AdviceQuestion.objects.get(pk=body["id"])
    for secret in ("11010519491231002X", "13812345678"):
        assert secret not in stored.question_masked and secret not in body["question_masked"]


@pytest.mark.parametrize("question", ["", "   ", "\x00\x00", "😀😀😀", "a" * 100_000])
def test_bad_questions_get_a_clear_error_naming_the_field_and_store_nothing(api, question) -> None:
    response = api.post("/api/advice/ask/", {"question": question}, format="json")
    assert response.status_code == 400
    assert "question" in response.json()["errors"]
    assert not AdviceQuestion.objects.exists()


def test_html_in_a_question_is_never_echoed_unescaped(tree, client) -> None:
    response = client.post(
        "/advice/ask/",
        {"question": "<script>alert(1)</script>我被公司辞退了没有补偿"},
        HTTP_HX_REQUEST="true",
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "<script" not in body  # markup is stripped by the intelligence hub, and escaped if any remained
    assert "我被公司辞退了没有补偿" in body


def test_public_endpoint_is_rate_limited(api, monkeypatch) -> None:
    from rest_framework.throttling import ScopedRateThrottle

    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", {"public": "2/min"})
    codes = [
        api.post("/api/advice/ask/", {"question": "离婚后孩子归谁抚养"}, format="json").status_code
        for _ in range(3)
    ]
    assert codes == [200, 200, 429]


def test_chat_page_keeps_the_conversation_and_offers_a_lawyer(tree, client) -> None:
    client.post("/advice/ask/", {"question": "邻居家的狗把我咬了谁来赔"})
    client.post("/advice/ask/", {"question": "买的房子开发商延期交房怎么办"})
    page = client.get("/advice/").content.decode()
    assert page.count('data-testid="turn"') == 2 and "请律师解答" in page
    question = AdviceQuestion.objects.order_by("pk")[0]
    response = client.post(f"/advice/{question.pk}/handover/", {"phone": "139 1234 5678"})
    assert response.status_code == 200
    question.refresh_from_db()
    assert question.handover_requested and question.contact_masked == "139****5678"
    other = APIClient()  # another browser session cannot hand over someone else's question
    assert other.post(f"/advice/{question.pk}/handover/", {}).status_code == 400


def test_staff_review_is_scoped_and_audited(tree, users, client, api) -> None:
    api.post("/api/advice/ask/", {"question": "我想咨询一下那个事情怎么弄"}, format="json")
    question = AdviceQuestion.objects.get()
    client.force_login(users["xunyang_head"])  # a county head is not in the province intake org's subtree
    assert client.get(f"/advice/review/{question.pk}/").status_code == 404
    client.force_login(users["province_admin"])
    assert client.get("/advice/review/", {"confidence_below": "0.99"}).status_code == 200
    response = client.post(f"/advice/review/{question.pk}/review/", {"review_note": ""})
    assert response.status_code == 200
    question.refresh_from_db()
    assert question.review_status == ReviewStatus.PENDING
    client.post(
        f"/advice/review/{question.pk}/review/", {"review_note": "补充知识库：咨询事项不明确时引导描述"}
    )
    question.refresh_from_db()
    assert question.review_status == ReviewStatus.REVIEWED
    assert ChangeLog.objects.filter(object_type="advice.AdviceQuestion").count() == 1


def test_reviewer_corrects_the_category_and_reviews_export_as_training_rows(tree, users, client, api) -> None:
    """The learning loop: a reviewer puts a misfiled question right, the list finds such questions,
    and `export_reviewed_questions` writes them in the training format — masked text only, never a
    held-apart evaluation question."""
    import io
    import json

    from django.core.management import call_command

    from sifa.intelligence.qa.classifier import HELDOUT_TEAM2_FILE, load_records

    api.post(
        "/api/advice/ask/",
        {"question": "我们饭店的服务员试用期能不能不交社保，电话13912345678"},
        format="json",
    )
    held_text = load_records(HELDOUT_TEAM2_FILE)[0]["question"]
    api.post("/api/advice/ask/", {"question": held_text}, format="json")
    first, held = AdviceQuestion.objects.order_by("pk")
    client.force_login(users["province_admin"])
    page = client.get(f"/advice/review/{first.pk}/").content.decode()
    assert 'name="reviewed_category"' in page and f'value="{first.category}" selected' in page
    bad = client.post(
        f"/advice/review/{first.pk}/review/", {"review_note": "改类别", "reviewed_category": "no_such_code"}
    )
    assert bad.status_code == 200 and "reviewed_category" in bad.content.decode()
    first.refresh_from_db()
    assert first.review_status == ReviewStatus.PENDING  # nothing saved
    wrong = "consumer_rights" if first.category != "consumer_rights" else "housing"
    client.post(
        f"/advice/review/{first.pk}/review/", {"review_note": "雇主问社保", "reviewed_category": wrong}
    )
    client.post(
        f"/advice/review/{held.pk}/review/", {"review_note": "ok", "reviewed_category": held.category}
    )
    first.refresh_from_db()
    assert first.reviewed_category == wrong and first.reviewed_at is not None
    listed = client.get("/advice/review/", {"misclassified": "true"}).content.decode()
    assert f"/advice/review/{first.pk}/" in listed and f"/advice/review/{held.pk}/" not in listed

    out = io.StringIO()
    call_command("export_reviewed_questions", "-", stdout=out, stderr=io.StringIO())
    rows = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [r["id"] for r in rows] == [f"rv-{first.pk}"]  # the held-apart question is left out
    assert rows[0]["category"] == wrong and rows[0]["predicted"] == first.category
    assert "13912345678" not in rows[0]["question"] and rows[0]["source"] == "staff_review"


def test_statute_browser_shows_articles_and_search(client) -> None:
    page = client.get("/statutes/civil-code/1079/")
    if page.status_code == 404:  # the law id comes from the statute index; find it the same way
        from sifa.intelligence.qa.statutes import load_statutes

        article = load_statutes().find("中华人民共和国民法典", "第一千零七十九条")
        assert article is not None
        page = client.get(article.link)
    body = page.content.decode()
    assert page.status_code == 200 and "第一千零七十九条" in body and "离婚" in body
    results = client.get("/statutes/search/", {"q": "试用期 工资"}).content.decode()
    assert "劳动合同法" in results
    assert client.get("/statutes/no-such-law/").status_code == 404
