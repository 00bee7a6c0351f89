#!/usr/bin/env python3
"""BM25 quality and speed, side by side: Quarry's FTS5 search and bm25s on the same passages and questions.

The passages are read back from the Quarry store that `quarry ingest` built, so both tools rank exactly the
same texts. bm25s is set up to match FTS5 as closely as it allows: title and text indexed together (FTS5's
bm25 sums term counts over columns and uses the total length), the unicode61 tokenisation (runs of letters
and digits, case and diacritics folded, no stemming, no stop words), k1 = 1.2, b = 0.75, and Robertson's
IDF floored for words in more than half the passages. Both answer the questions one at a time on one
thread. A question counts as answered at k when a gold answer (SQuAD-normalised) occurs in one of the top
k passages. Speed is given as queries per second and, steadier on a shared machine, queries per CPU-second.
Prints a table on stderr and one JSON line on stdout.

    bm25.py --quarry-bench BIN --db STORE.sqlite --questions QUESTIONS.jsonl --work DIR
"""
import argparse
import json
import os
import re
import resource
import sqlite3
import string
import subprocess
import sys
import time
import unicodedata

WORD = re.compile(r"[^\W_]+")


def fold(text):
    """Lower case without diacritics, as unicode61 with remove_diacritics 2 stores words."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def tokens(text):
    return WORD.findall(fold(text))


def normalize_answer(text):
    """SQuAD's answer normalisation: lower case, no punctuation, no articles, single spaces."""
    text = "".join(c for c in text.lower() if c not in set(string.punctuation))
    text = re.sub(r"\b(a|an|the)\b", " ", text)
    return " ".join(text.split())


def load_avg():
    with open("/proc/loadavg") as f:
        return float(f.read().split()[0])


def accuracy(ranked_ids, questions, passage_text, ks):
    """Fraction of questions with a gold answer inside one of their top-k passages, for each k."""
    hits = {k: 0 for k in ks}
    normalized = {}
    for ids, question in zip(ranked_ids, questions):
        answers = [normalize_answer(a) for a in question["answers"]]
        first = None
        for rank, pid in enumerate(ids):
            if pid not in normalized:
                normalized[pid] = " " + normalize_answer(passage_text[pid]) + " "
            if any(a and f" {a} " in normalized[pid] for a in answers):
                first = rank
                break
        for k in ks:
            if first is not None and first < k:
                hits[k] += 1
    return {f"top{k}": hits[k] / len(questions) for k in ks}


def run_quarry(bench, db, questions_path, work, k):
    ids_path = os.path.join(work, "quarry-bm25-ids.jsonl")
    load = load_avg()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    out = subprocess.run([bench, "bm25", db, questions_path, "--ids", ids_path, "--k", str(k)],
                         check=True, capture_output=True, text=True).stdout
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    # The whole process's CPU time (opening the store and reading the questions included, so slightly
    # against Quarry): on a shared machine queries per CPU-second vary far less than queries per second.
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    figures = json.loads(out.strip().splitlines()[-1])
    with open(ids_path) as f:
        ranked = [json.loads(line) for line in f]
    return ranked, figures["qps"], figures["queries"] / cpu, load


def run_bm25s(passages, questions, k):
    import bm25s
    import numpy as np

    ids = [pid for pid, _ in passages]
    load = load_avg()
    start = time.monotonic()
    corpus_tokens = [tokens(text) for _, text in passages]
    retriever = bm25s.BM25(method="robertson", idf_method="robertson", k1=1.2, b=0.75)
    retriever.index(corpus_tokens, show_progress=False)
    index_seconds = time.monotonic() - start

    # Time per question, tokenising included, as Quarry's figure includes its own query parsing.
    ranked = []
    start, cpu_start = time.monotonic(), time.process_time()
    for question in questions:
        query = [t for t in dict.fromkeys(tokens(question["question"])) if t in retriever.vocab_dict]
        if not query:
            ranked.append([])
            continue
        docs, scores = retriever.retrieve([query], k=k, show_progress=False, n_threads=0)
        ranked.append([ids[i] for i, s in zip(docs[0].tolist(), scores[0].tolist()) if s > 0])
    seconds, cpu = time.monotonic() - start, time.process_time() - cpu_start
    version = bm25s.__version__ if hasattr(bm25s, "__version__") else ""
    return ranked, len(questions) / seconds, len(questions) / cpu, index_seconds, load, version


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quarry-bench", required=True)
    parser.add_argument("--db", required=True)
    parser.add_argument("--questions", required=True)
    parser.add_argument("--work", required=True)
    parser.add_argument("--k", type=int, default=20)
    args = parser.parse_args()

    with sqlite3.connect(args.db) as connection:
        rows = connection.execute("SELECT id, title, text FROM passages ORDER BY id").fetchall()
    passages = [(pid, f"{title} {text}") for pid, title, text in rows]
    passage_text = {pid: text for pid, _, text in rows}
    with open(args.questions, encoding="utf-8") as f:
        questions = [json.loads(line) for line in f]
    ks = sorted({1, 5, args.k})

    quarry_ranked, quarry_qps, quarry_cpu_qps, quarry_load = run_quarry(
        args.quarry_bench, args.db, args.questions, args.work, args.k)
    bm25s_ranked, bm25s_qps, bm25s_cpu_qps, index_seconds, bm25s_load, version = run_bm25s(passages, questions, args.k)
    quarry_acc = accuracy(quarry_ranked, questions, passage_text, ks)
    bm25s_acc = accuracy(bm25s_ranked, questions, passage_text, ks)
    overlap = sum(len(set(a) & set(b)) for a, b in zip(quarry_ranked, bm25s_ranked)) / (args.k * len(questions))

    print(f"{len(passages)} passages, {len(questions)} questions, k = {args.k}", file=sys.stderr)
    print(f"{'tool':<8}" + "".join(f"{key:>8}" for key in quarry_acc) + f"{'q/s':>10}{'q/CPU-s':>10}{'load':>7}",
          file=sys.stderr)
    for name, acc, qps, cpu_qps, load in (("quarry", quarry_acc, quarry_qps, quarry_cpu_qps, quarry_load),
                                          ("bm25s", bm25s_acc, bm25s_qps, bm25s_cpu_qps, bm25s_load)):
        print(f"{name:<8}" + "".join(f"{v:>8.3f}" for v in acc.values()) + f"{qps:>10.0f}{cpu_qps:>10.0f}{load:>7.1f}",
              file=sys.stderr)
    print(f"top-{args.k} id overlap {overlap:.3f}; bm25s indexing {index_seconds:.1f} s", file=sys.stderr)
    print(json.dumps({
        "bench": "bm25", "passages": len(passages), "questions": len(questions), "k": args.k,
        "quarry": {"accuracy": quarry_acc, "qps": quarry_qps, "qps_per_cpu": quarry_cpu_qps, "load_avg": quarry_load},
        "bm25s": {"accuracy": bm25s_acc, "qps": bm25s_qps, "qps_per_cpu": bm25s_cpu_qps, "load_avg": bm25s_load,
                  "index_seconds": index_seconds, "version": version},
        "topk_overlap": overlap, "qps_ratio": quarry_qps / bm25s_qps,
        "qps_per_cpu_ratio": quarry_cpu_qps / bm25s_cpu_qps,
        "accuracy_difference": quarry_acc[f"top{args.k}"] - bm25s_acc[f"top{args.k}"],
    }))


if __name__ == "__main__":
    main()
