"""``sifa advice …`` interfaces (issue 4): JSON Lines in, one JSON line out per input line, in order;
bad lines get an error and the run goes on; exit 2 only when FILE cannot be read."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from sifa.intelligence.cli import main
from sifa.intelligence.qa.classifier import CATEGORIES
from sifa.intelligence.qa.statutes import LAW_IDS, statutes_dir

pytestmark = pytest.mark.skipif(not statutes_dir().exists(), reason="shared/data/statutes not present")

REPO = Path(__file__).resolve().parents[3]

LINES = [
    json.dumps({"id": 1, "question": "老板拖欠工资三个月不发怎么办"}, ensure_ascii=False),
    "this is not json",
    json.dumps({"id": "b", "question": ""}),
    json.dumps({"id": 3, "question": "開車撞人後逃逸會判幾年？"}, ensure_ascii=False),
    json.dumps({"id": 4}),
    json.dumps({"id": 5, "question": "😀😀"}, ensure_ascii=False),
    json.dumps({"id": 6, "question": 42}),
    json.dumps(["not", "an", "object"]),
    json.dumps(
        {"id": 7, "question": "<script>alert(1)</script>网购的衣服能七天无理由退货吗"}, ensure_ascii=False
    ),
    json.dumps({"id": None, "question": "离婚后孩子抚养费怎么算"}, ensure_ascii=False),
]


def run(argv: list[str], stdin: str | None = None) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(argv, stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def mixed_file(tmp_path: Path) -> Path:
    path = tmp_path / "questions.jsonl"
    path.write_text("\n".join(LINES) + "\n\n", encoding="utf-8")
    return path


def _parse(output: str) -> list[dict]:
    return [json.loads(line) for line in output.splitlines()]


def test_classify_writes_one_line_per_input_in_order(mixed_file: Path) -> None:
    code, out, _ = run(["classify", str(mixed_file)])
    assert code == 0
    rows = _parse(out)
    assert len(rows) == len(LINES)
    assert [r.get("id") for r in rows] == [1, None, "b", 3, 4, 5, 6, None, 7, None]
    good = [rows[i] for i in (0, 3, 8, 9)]
    for r in good:
        assert set(r) == {"id", "category", "confidence"}
        assert r["category"] in CATEGORIES
        assert 0.0 <= r["confidence"] <= 1.0
    assert rows[0]["category"] == "labor_dispute"
    for i in (1, 2, 4, 5, 6, 7):
        assert set(rows[i]) == {"id", "error"} and rows[i]["error"]


def test_classify_output_keeps_chinese_unescaped(mixed_file: Path) -> None:
    _, out, _ = run(["classify", str(mixed_file)])
    assert "\\u" not in out
    assert "问题" in out  # the Chinese error messages are written as Chinese


def test_cite_returns_k_articles_with_full_titles_and_chinese_numerals(mixed_file: Path) -> None:
    code, out, _ = run(["cite", str(mixed_file), "--k", "5"])
    assert code == 0
    rows = _parse(out)
    assert len(rows) == len(LINES)
    first = rows[0]
    assert set(first) == {"id", "articles"} and len(first["articles"]) == 5
    for art in first["articles"]:
        assert set(art) == {"law", "article", "score"}
        assert art["law"] in LAW_IDS
        assert art["article"].startswith("第") and not any(ch.isdigit() for ch in art["article"])
    scores = [a["score"] for a in first["articles"]]
    assert scores == sorted(scores, reverse=True)
    assert "error" in rows[1]


def test_cite_k_is_respected(mixed_file: Path) -> None:
    _, out, _ = run(["cite", str(mixed_file), "--k", "2"])
    assert len(_parse(out)[0]["articles"]) == 2


def test_unreadable_file_exits_2(tmp_path: Path) -> None:
    for command in ("classify", "cite", "eval"):
        code, out, err = run([command, str(tmp_path / "missing.jsonl")])
        assert code == 2 and out == "" and "无法读取" in err


def test_invalid_utf8_line_is_an_error_line_not_a_crash(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_bytes(
        b'{"id": 1, "question": "\xff\xfe"}\n' + '{"id": 2, "question": "借钱不还怎么办"}\n'.encode()
    )
    code, out, _ = run(["classify", str(path)])
    rows = _parse(out)
    assert code == 0 and "error" in rows[0] and rows[1]["category"] in CATEGORIES


def test_eval_prints_accuracy_macro_f1_and_a_table(tmp_path: Path) -> None:
    path = tmp_path / "labelled.jsonl"
    rows = [
        {"id": 1, "question": "老板拖欠工资怎么办", "category": "labor_dispute"},
        {"id": 2, "question": "离婚后孩子归谁", "category": "marriage_family"},
        {"id": 3, "question": "被车撞了对方不赔", "category": "traffic_accident"},
    ]
    path.write_text(
        "\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\nbroken\n", encoding="utf-8"
    )
    code, out, err = run(["eval", str(path)])
    assert code == 0
    assert "accuracy" in out and "macro_f1" in out
    for category in CATEGORIES:
        assert category in out
    assert "跳过 1 行" in err


def test_ask_prints_an_answer_for_a_person() -> None:
    code, out, _ = run(["ask", "被车撞了对方不赔钱怎么办"])
    assert code == 0
    assert "相关法条" in out and "下一步怎么办" in out and "不构成法律意见" in out


def test_ask_json_is_the_structured_answer() -> None:
    code, out, _ = run(["ask", "被车撞了对方不赔钱怎么办", "--json"])
    data = json.loads(out)
    assert code == 0 and data["category"] in CATEGORIES and data["citations"]


def test_ask_with_unusable_question_explains_in_chinese() -> None:
    code, out, err = run(["ask", "😀"])
    assert code == 1 and out == "" and "question" in err and "文字" in err


def test_stdin_via_dash_in_a_subprocess() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "sifa.intelligence.cli", "classify", "-"],
        input="\n".join(LINES[:4]) + "\n",
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=REPO,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    rows = _parse(proc.stdout)
    assert [r.get("id") for r in rows] == [1, None, "b", 3]
    assert rows[0]["category"] == "labor_dispute"
