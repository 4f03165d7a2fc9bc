"""``sifa advice …`` — the smart-advice command line (other tools call it; the interface is fixed).

    advice classify FILE          JSON Lines {"id", "question"} (or - for stdin) →
                                  {"id", "category", "confidence"} per line, in input order
    advice cite FILE [--k 5]      same input → {"id", "articles": [{"law", "article", "score"}, …]}
    advice ask "问题" [--json]    the answer for a person to read (or as JSON)
    advice eval FILE              labelled JSON Lines {"id", "question", "category"} → accuracy,
                                  macro-F1 over the ten codes and a per-category table
    advice train                  rebuild the classifier from the repository's data (deterministic)
                                  and warm the statute-retrieval caches

A bad input line gets ``{"id": …, "error": "…"}`` and the run goes on; the exit status is 0 unless
FILE cannot be read (2). Output is UTF-8 with Chinese as is (ensure_ascii=False).

Run as ``python -m sifa.intelligence.cli classify FILE`` until the ``sifa`` command dispatches here.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator, Sequence
from typing import IO, Any

from sifa.intelligence.text import QuestionError, clean_question, mask_pii, without_masks

__all__ = ["main"]

EXIT_OK = 0
EXIT_BAD_QUESTION = 1
EXIT_UNREADABLE = 2
CHUNK = 256  # lines handled per batch: bounded memory, batched model calls
MAX_LINE_BYTES = 1_000_000

_MISSING = object()


class Unreadable(Exception):
    pass


def _open_input(path: str) -> IO[bytes]:
    if path == "-":
        return sys.stdin.buffer
    try:
        return open(path, "rb")
    except OSError as exc:
        raise Unreadable(f"无法读取文件 {path}：{exc.strerror or exc}") from exc


def _read_lines(path: str) -> Iterator[bytes]:
    fh = _open_input(path)
    try:
        try:
            for raw in fh:
                if raw.strip():
                    yield raw
        except OSError as exc:
            raise Unreadable(f"读取文件 {path} 时出错：{exc}") from exc
    finally:
        if fh is not sys.stdin.buffer:
            fh.close()


def _parse(raw: bytes) -> tuple[Any, str | None, str | None]:
    """(id, cleaned question, error) for one input line."""
    if len(raw) > MAX_LINE_BYTES:
        return None, None, "输入行过长（超过 1 MB）"
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None, None, "输入行不是 UTF-8 编码"
    try:
        row = json.loads(text, strict=False)  # strict=False: tolerate raw control chars, cleaned below
    except json.JSONDecodeError as exc:
        return None, None, f"不是合法的 JSON：{exc.msg}（第 {exc.colno} 列）"
    if not isinstance(row, dict):
        return None, None, '每行应是一个 JSON 对象，例如 {"id": 1, "question": "…"}'
    ident = row.get("id")
    question = row.get("question", _MISSING)
    if question is _MISSING:
        return ident, None, "缺少字段 question"
    try:
        return ident, clean_question(question), None
    except QuestionError as exc:
        return ident, None, str(exc)


def _emit(out: IO[str], obj: dict[str, Any]) -> None:
    out.write(json.dumps(obj, ensure_ascii=False) + "\n")


def _chunks(path: str) -> Iterator[list[tuple[Any, str | None, str | None]]]:
    batch: list[tuple[Any, str | None, str | None]] = []
    for raw in _read_lines(path):
        batch.append(_parse(raw))
        if len(batch) >= CHUNK:
            yield batch
            batch = []
    if batch:
        yield batch


def _for_models(question: str) -> str:
    """What the classifier and retrieval see: personal numbers and their mask labels removed."""
    return without_masks(mask_pii(question)) or question


def _safe_id(ident: Any) -> Any:
    # Echo the caller's id as given when JSON can carry it (it always can: it came from JSON).
    return ident


def cmd_classify(path: str, out: IO[str]) -> int:
    from sifa.intelligence.qa.classifier import load_classifier

    clf = load_classifier()
    for batch in _chunks(path):
        good = [(i, _for_models(q)) for i, (_, q, err) in enumerate(batch) if err is None and q is not None]
        preds = dict(zip([i for i, _ in good], clf.predict([q for _, q in good]), strict=True))
        for i, (ident, _, err) in enumerate(batch):
            if err is not None:
                _emit(out, {"id": _safe_id(ident), "error": err})
            else:
                p = preds[i]
                _emit(
                    out, {"id": _safe_id(ident), "category": p.category, "confidence": round(p.confidence, 4)}
                )
        out.flush()
    return EXIT_OK


def cmd_cite(path: str, k: int, out: IO[str]) -> int:
    from sifa.intelligence.qa.retrieval import _predict_many, embed_in_batches, get_embedder, get_retriever

    retriever = get_retriever()
    embed = get_embedder() if retriever.has_dense else None
    for batch in _chunks(path):
        good = [(i, _for_models(q)) for i, (_, q, err) in enumerate(batch) if err is None and q is not None]
        questions = [q for _, q in good]
        vectors = embed_in_batches(embed, questions, query=True) if embed is not None and questions else None
        preds = _predict_many(questions, vectors)
        results: dict[int, list[dict[str, Any]]] = {}
        for j, (i, q) in enumerate(good):
            category, conf = preds[j]
            cites = retriever.search(
                q,
                k,
                category=None if category == "other" else category,
                confidence=conf,
                query_vector=None if vectors is None else vectors[j],
            )
            results[i] = [{"law": c.law, "article": c.article, "score": c.score} for c in cites]
        for i, (ident, _, err) in enumerate(batch):
            if err is not None:
                _emit(out, {"id": _safe_id(ident), "error": err})
            else:
                _emit(out, {"id": _safe_id(ident), "articles": results[i]})
        out.flush()
    return EXIT_OK


def cmd_ask(question: str, as_json: bool, out: IO[str], err: IO[str]) -> int:
    from sifa.intelligence.qa.answer import ask, format_answer

    try:
        answer = ask(question)
    except QuestionError as exc:
        err.write(f"{exc}\n")
        return EXIT_BAD_QUESTION
    if as_json:
        out.write(json.dumps(answer.to_dict(), ensure_ascii=False, indent=2) + "\n")
    else:
        out.write(format_answer(answer) + "\n")
    return EXIT_OK


def cmd_eval(path: str, out: IO[str], err: IO[str]) -> int:
    from sifa.intelligence.qa.classifier import CATEGORIES, evaluate, format_report

    records: list[dict[str, Any]] = []
    bad = 0
    for raw in _read_lines(path):
        try:
            row = json.loads(raw.decode("utf-8-sig"), strict=False)
        except (UnicodeDecodeError, json.JSONDecodeError):
            bad += 1
            continue
        if (
            not isinstance(row, dict)
            or row.get("category") not in CATEGORIES
            or not isinstance(row.get("question"), str)
        ):
            bad += 1
            continue
        records.append(row)
    if bad:
        err.write(f"跳过 {bad} 行（不是合法 JSON，或缺少 question / 类别不在十个代码之内）\n")
    if not records:
        err.write("没有可评估的记录\n")
        return EXIT_OK
    out.write(format_report(evaluate(records)) + "\n")
    return EXIT_OK


def cmd_train(out: IO[str], err: IO[str]) -> int:
    from sifa.intelligence.qa.classifier import train

    metrics = train()
    summary: dict[str, Any] = {
        "version": metrics.get("version"),
        "n_train": metrics.get("n_train"),
        **{
            name: {
                "macro_f1": metrics[name]["macro_f1"],
                "accuracy": metrics[name]["accuracy"],
                "n": metrics[name]["n"],
            }
            for name in ("heldout", "heldout_real", "heldout_team2", "lawbench_dev")
            if name in metrics
        },
    }
    # The statute and similar-question embeddings are derived data shipped with the package:
    # refresh them (only new or changed texts are embedded) so a fresh install embeds nothing.
    from sifa.intelligence.qa.retrieval import dense_document, get_retriever, write_shipped_embeddings
    from sifa.intelligence.qa.retrieval_memory import memory_texts
    from sifa.intelligence.qa.retrieval_similar import load_pool
    from sifa.intelligence.qa.statutes import load_statutes

    try:
        write_shipped_embeddings("articles", [dense_document(a) for a in load_statutes().articles])
        write_shipped_embeddings("questions", [q.text for q in load_pool()], query=True)
        write_shipped_embeddings("memory", memory_texts(), query=True)
    except RuntimeError as exc:
        err.write(f"嵌入向量未更新（{exc}），检索将只用 BM25\n")
    retriever = get_retriever()
    summary["statute_articles"] = len(retriever.index)
    summary["dense_retrieval"] = retriever.has_dense
    out.write(json.dumps(summary, ensure_ascii=False, indent=2) + "\n")
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="sifa advice", description="智能咨询：分类、法条检索、问答")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("classify", help="classify JSON Lines questions")
    p.add_argument("file", help="JSON Lines file, or - for stdin")
    p = sub.add_parser("cite", help="top-k statute articles per question")
    p.add_argument("file", help="JSON Lines file, or - for stdin")
    p.add_argument("--k", type=int, default=5, help="articles per question (1-50, default 5)")
    p = sub.add_parser("ask", help="answer one question")
    p.add_argument("question")
    p.add_argument("--json", action="store_true", help="print the structured answer as JSON")
    p = sub.add_parser("eval", help="evaluate the classifier on a labelled JSON Lines file")
    p.add_argument("file", help="JSON Lines file, or - for stdin")
    sub.add_parser("train", help="rebuild the classifier from the repository's data")
    return parser


def main(
    argv: Sequence[str] | None = None, *, stdout: IO[str] | None = None, stderr: IO[str] | None = None
) -> int:
    out = stdout or sys.stdout
    err = stderr or sys.stderr
    parser = build_parser()
    try:
        args = parser.parse_args(list(sys.argv[1:] if argv is None else argv))
    except SystemExit as exc:  # argparse has printed the usage message
        return int(exc.code or 0)
    try:
        if args.command == "classify":
            return cmd_classify(args.file, out)
        if args.command == "cite":
            if not 1 <= args.k <= 50:
                err.write("--k 应在 1 到 50 之间\n")
                return EXIT_UNREADABLE
            return cmd_cite(args.file, args.k, out)
        if args.command == "ask":
            return cmd_ask(args.question, args.json, out, err)
        if args.command == "eval":
            return cmd_eval(args.file, out, err)
        if args.command == "train":
            return cmd_train(out, err)
    except Unreadable as exc:
        err.write(f"{exc}\n")
        return EXIT_UNREADABLE
    except BrokenPipeError:  # `… | head`: the reader went away, nothing more to say
        return EXIT_OK
    parser.print_help(err)
    return EXIT_UNREADABLE


def _reconfigure_stdio() -> None:
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(encoding="utf-8", errors="replace")


if __name__ == "__main__":
    _reconfigure_stdio()
    sys.exit(main())
