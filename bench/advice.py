"""Benchmark of smart advice (智能咨询, issue 4): quality and speed in one bounded run.

    .venv/bin/python bench/advice.py [--ask-n 100] [--classify-n 300]

Prints, each next to its baseline measured in the same run:
- classifier macro-F1 on the held-apart questions (sifa/intelligence/data/questions/heldout*.jsonl)
  and on the LawBench dev set: TF-IDF + logistic regression baseline vs the shipped model;
- classify latency p50/p95 one question at a time, and batch throughput;
- ask latency p50/p95 (one question at a time, everything loaded), load time in a fresh process,
  peak memory (RSS);
- statute retrieval recall@5 (and hit@5): plain BM25 vs the shipped hybrid retrieval, on
  lawyer_llama's held-apart question→article pairs (index ≡ 0/1 mod 20 in its file, 248 of 2,476;
  the rest are the retriever's memory of answered questions) and on the team's pairs.
The last line is machine-readable:
RESULT macro_f1=<n> baseline_macro_f1=<n> recall5=<n> bm25_recall5=<n> classify_p95_ms=<n> ask_p95_ms=<n>
where macro_f1 is on heldout.jsonl and recall5 is the mean of the two pair sets' recall@5.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from sifa.intelligence.qa.statutes import shared_data_dir  # noqa: E402

QUESTIONS_DIR = REPO / "sifa" / "intelligence" / "data" / "questions"
HELDOUT = QUESTIONS_DIR / "heldout.jsonl"
HELDOUT_REAL = QUESTIONS_DIR / "heldout_real.jsonl"
HELDOUT_TEAM2 = QUESTIONS_DIR / "heldout_team2.jsonl"


def read_jsonl(path: Path) -> list[dict]:  # type: ignore[type-arg]
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    if not values:
        return float("nan")
    idx = min(len(values) - 1, max(0, round(q / 100 * (len(values) - 1))))
    return values[idx]


def fresh_process_load_seconds() -> tuple[float, float]:
    """(time to load everything, time to the first answer) in a new interpreter."""
    code = (
        "import time,json; t=time.perf_counter();"
        "from sifa.intelligence.qa.classifier import load_classifier; load_classifier();"
        "from sifa.intelligence.qa.retrieval import get_retriever, get_embedder;"
        "get_retriever(); get_embedder();"
        "from sifa.intelligence.qa.retrieval_similar import get_similar_index; get_similar_index();"
        "from sifa.intelligence.text.tokenize import tokenize; tokenize('预热');"
        "t1=time.perf_counter();"
        "from sifa.intelligence.qa.answer import ask; ask('老板拖欠工资三个月不发怎么办');"
        "print(json.dumps([t1-t, time.perf_counter()-t]))"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True, timeout=1200
    )
    load, first = json.loads(proc.stdout.strip().splitlines()[-1])
    return load, first


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--ask-n", type=int, default=100)
    parser.add_argument("--classify-n", type=int, default=300)
    args = parser.parse_args()

    print(f"# smart advice benchmark — {os.cpu_count()} CPUs, python {sys.version.split()[0]}")

    # ---------------------------------------------------------------- load (fresh process)
    load_s, first_answer_s = fresh_process_load_seconds()
    print(
        f"load: {load_s:.2f} s to load classifier + statute index + embeddings + similar questions "
        f"(fresh process); first answer after {first_answer_s:.2f} s   target <= 3 s"
    )

    from sifa.intelligence.qa.answer import ask
    from sifa.intelligence.qa.classifier import baseline_tfidf_lr, evaluate, load_classifier
    from sifa.intelligence.qa.retrieval_eval import evaluate_retrieval, load_citation_pairs
    from sifa.intelligence.qa.retrieval_memory import held_apart_lawyer_llama_pairs

    # ---------------------------------------------------------------- classifier quality
    shipped = load_classifier()
    t = time.perf_counter()
    baseline = baseline_tfidf_lr()
    print(f"baseline TF-IDF + LR trained in {time.perf_counter() - t:.1f} s on the same training file")
    sets: list[tuple[str, Path]] = []
    for name, path in (
        ("heldout (team, held apart)", HELDOUT),
        ("heldout_real (labelled real questions)", HELDOUT_REAL),
        ("heldout_team2 (independent writer)", HELDOUT_TEAM2),
        ("lawbench dev (noisy website labels)", shared_data_dir() / "lawbench" / "consult_topic_dev.jsonl"),
    ):
        if path.exists():
            sets.append((name, path))
        else:
            print(f"SKIP {name}: {path} not found")
    f1: dict[str, tuple[float, float]] = {}
    print(
        f"{'classifier set':<42}{'n':>5}{'baseline F1':>13}{'shipped F1':>12}"
        f"{'baseline acc':>14}{'shipped acc':>13}"
    )
    for name, path in sets:
        records = read_jsonl(path)
        b = evaluate(records, classifier=baseline)
        s = evaluate(records, classifier=shipped)
        f1[name] = (s["macro_f1"], b["macro_f1"])
        print(
            f"{name:<42}{s['n']:>5}{b['macro_f1']:>13.3f}{s['macro_f1']:>12.3f}{b['accuracy']:>14.3f}{s['accuracy']:>13.3f}"
        )

    # ---------------------------------------------------------------- classify speed
    pool = [r["question"] for _, p in sets for r in read_jsonl(p)]
    single_ms = []
    for q in pool[: args.classify_n]:
        t = time.perf_counter()
        shipped.predict([q])
        single_ms.append((time.perf_counter() - t) * 1000)
    batch = (pool * (2000 // max(1, len(pool)) + 1))[:2000]
    t = time.perf_counter()
    shipped.predict(batch)
    throughput = len(batch) / (time.perf_counter() - t)
    t = time.perf_counter()
    baseline.predict(batch)
    base_throughput = len(batch) / (time.perf_counter() - t)
    print(
        f"classify one at a time: p50 {pct(single_ms, 50):.2f} ms, p95 {pct(single_ms, 95):.2f} ms "
        f"(n={len(single_ms)})   target p95 <= 50 ms"
    )
    print(
        f"classify batch of {len(batch)}: {throughput:.0f} questions/s (baseline {base_throughput:.0f}/s)   "
        "target >= 200/s"
    )

    # ---------------------------------------------------------------- ask speed
    ask("预热问题：借钱不还怎么办")
    ask_ms = []
    for q in pool[: args.ask_n]:
        t = time.perf_counter()
        try:
            ask(q)
        except ValueError:
            continue
        ask_ms.append((time.perf_counter() - t) * 1000)
    print(
        f"ask one at a time: p50 {pct(ask_ms, 50):.1f} ms, p95 {pct(ask_ms, 95):.1f} ms, "
        f"mean {statistics.fmean(ask_ms):.1f} ms (n={len(ask_ms)})   target p95 <= 300 ms"
    )
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"memory: peak RSS {rss_mb:.0f} MB (includes the scikit-learn baseline)")

    # ---------------------------------------------------------------- retrieval quality
    # Only the held-apart pairs (index ≡ 0/1 mod 20): the others are the retriever's memory of
    # answered questions, so measuring on them would measure recall of the memory itself.
    ll = held_apart_lawyer_llama_pairs()
    own = load_citation_pairs()
    print(
        f"{'retrieval set':<34}{'n':>6}{'BM25 R@5':>10}{'hybrid R@5':>12}"
        f"{'BM25 hit@5':>12}{'hybrid hit@5':>14}"
    )
    recalls: list[tuple[float, float]] = []
    for name, pairs in (("lawyer_llama held apart (民法典)", ll), ("team pairs (7 areas of law)", own)):
        t = time.perf_counter()
        b = evaluate_retrieval(pairs, k=5, mode="bm25")
        h = evaluate_retrieval(pairs, k=5, mode="hybrid")
        recalls.append((h["recall"], b["recall"]))
        print(
            f"{name:<34}{h['n']:>6}{b['recall']:>10.3f}{h['recall']:>12.3f}{b['hit']:>12.3f}{h['hit']:>14.3f}"
            f"   ({time.perf_counter() - t:.0f} s)"
        )
    recall5 = statistics.fmean(r for r, _ in recalls)
    bm25_recall5 = statistics.fmean(b for _, b in recalls)

    heldout_key = "heldout (team, held apart)"
    macro, base_macro = f1.get(heldout_key, (float("nan"), float("nan")))
    if heldout_key not in f1:
        print("note: heldout.jsonl missing, macro_f1 in RESULT is nan")
    print(
        f"RESULT macro_f1={macro:.4f} baseline_macro_f1={base_macro:.4f} recall5={recall5:.4f} "
        f"bm25_recall5={bm25_recall5:.4f} classify_p95_ms={pct(single_ms, 95):.2f} "
        f"ask_p95_ms={pct(ask_ms, 95):.1f}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
