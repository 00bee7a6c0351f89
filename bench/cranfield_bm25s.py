"""A reference BM25 run on Cranfield: bm25s over whole documents (title and text, FTS5's tokenisation and
constants as in bm25.py), written as a TREC run file for trec_eval_check.py. Quarry ranks 100-word passages and
folds them into documents (MaxP); this ranks the documents themselves, so the two differ by that much.

    cranfield_bm25s.py DOCS.xml TOPICS.xml RUN [--depth 100]
"""
import argparse
import html
import re

from bm25 import tokens

DOC = re.compile(r"<doc>(.*?)</doc>", re.S)
TOP = re.compile(r"<top>(.*?)</top>", re.S)


def field(record, name):
    match = re.search(rf"<{name}>(.*?)</{name}>", record, re.S)
    return html.unescape(match.group(1)) if match else ""


def main():
    import bm25s

    parser = argparse.ArgumentParser()
    parser.add_argument("docs")
    parser.add_argument("topics")
    parser.add_argument("run")
    parser.add_argument("--depth", type=int, default=100)
    args = parser.parse_args()
    with open(args.docs) as f:
        records = DOC.findall(f.read())
    docs = [(field(r, "docno").strip(), field(r, "title") + " " + field(r, "text")) for r in records]
    docs = [(docno, text) for docno, text in docs if tokens(text)]
    with open(args.topics) as f:
        # The qrels number the topics 1..225 in file order (the topic file keeps the old numbers).
        topics = [(str(i + 1), field(t, "title")) for i, t in enumerate(TOP.findall(f.read()))]
    retriever = bm25s.BM25(method="robertson", idf_method="robertson", k1=1.2, b=0.75)
    retriever.index([tokens(text) for _, text in docs], show_progress=False)
    with open(args.run, "w") as out:
        for qid, text in topics:
            query = [t for t in dict.fromkeys(tokens(text)) if t in retriever.vocab_dict]
            found, scores = retriever.retrieve([query], k=args.depth, show_progress=False, n_threads=0)
            for rank, (i, score) in enumerate(zip(found[0].tolist(), scores[0].tolist())):
                if score > 0:
                    out.write(f"{qid} Q0 {docs[i][0]} {rank + 1} {score} bm25s\n")


if __name__ == "__main__":
    main()
