#!/usr/bin/env python3
"""Top-k answer accuracy of the store's BM25 index on a JSONL QA file, the baseline of EXPERIMENTS.md.

Queries are built as `quarry search` builds them (every word of the question, OR-ed, FTS5 bm25 over
title and text); a question counts as answered at k when one of the k best passages contains a gold
answer as whole words after SQuAD normalisation (the test the trainer's evaluation uses).
"""
import json, re, sqlite3, string, sys, unicodedata

PUNCT = set(string.punctuation)


def tokens(text):
    text = "".join(ch for ch in text.lower() if ch not in PUNCT)
    text = re.sub(r"\b(a|an|the)\b", " ", text)
    return text.split()


def contains(passage, answer):
    a = tokens(answer)
    if not a:
        return False
    n = len(a)
    return any(passage[i:i + n] == a for i in range(len(passage) - n + 1))


def words(text):
    out, cur = [], []
    for ch in text:
        if unicodedata.category(ch)[0] in "LNM":
            cur.append(ch)
        elif cur:
            out.append("".join(cur)); cur = []
    if cur:
        out.append("".join(cur))
    seen, terms = set(), []
    for w in out:
        if w.lower() not in seen:
            seen.add(w.lower()); terms.append('"' + w + '"')
    return " OR ".join(terms)


def main(db, qa, ks=(1, 5, 20, 100)):
    con = sqlite3.connect(db)
    hits, total = [0] * len(ks), 0
    for line in open(qa, encoding="utf-8"):
        row = json.loads(line)
        total += 1
        query = words(row["question"])
        if not query:
            continue
        ranked = con.execute("SELECT p.text FROM (SELECT rowid, rank FROM passages_fts WHERE passages_fts MATCH ? "
                             "ORDER BY rank LIMIT ?) f JOIN passages p ON p.id = f.rowid ORDER BY f.rank, p.id",
                             (query, max(ks))).fetchall()
        for rank, (text,) in enumerate(ranked):
            t = tokens(text)
            if any(contains(t, a) for a in row["answers"]):
                for i, k in enumerate(ks):
                    if rank < k:
                        hits[i] += 1
                break
    print(json.dumps({"questions": total, **{f"top{k}": round(100 * h / total, 1) for k, h in zip(ks, hits)}}))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
