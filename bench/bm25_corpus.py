#!/usr/bin/env python3
"""Writes the BM25 benchmark's corpus and questions from the real QA sets in ../shared/data.

corpus.jsonl: one {"id","title","text"} document per SQuAD v1.1 dev paragraph (titled by its article),
plus distractors: the SQuADShifts reddit and amazon paragraphs and the COVID-QA articles.
questions.jsonl: the SQuAD dev questions with their gold answers ({"id","question","answers"}).

    bm25_corpus.py DATA_DIR OUT_DIR [--questions N]   (N: keep every k-th question so about N remain)
"""
import argparse
import gzip
import json
import os


def squad_documents(path, prefix):
    with gzip.open(path, "rt", encoding="utf-8") as f:
        data = json.load(f)["data"]
    for a, article in enumerate(data):
        title = article.get("title", prefix).replace("_", " ")
        for p, paragraph in enumerate(article["paragraphs"]):
            doc_id = paragraph.get("document_id", f"{a}-{p}")
            yield {"id": f"{prefix}-{doc_id}", "title": title, "text": paragraph["context"]}, paragraph


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("data")
    parser.add_argument("out")
    parser.add_argument("--questions", type=int, default=0, help="about this many questions (0: all)")
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)

    sources = [("squad", "squad-dev-v1.1/squad-dev-v1.1.from-explorer.json.gz"),
               ("reddit", "squadshifts/reddit_v1.0.json.gz"),
               ("amazon", "squadshifts/amazon_reviews_v1.0.json.gz"),
               ("covid", "covid-qa/200423_covidQA.json.gz")]
    documents = 0
    questions = []
    with open(os.path.join(args.out, "corpus.jsonl"), "w", encoding="utf-8") as corpus:
        for prefix, relative in sources:
            for document, paragraph in squad_documents(os.path.join(args.data, relative), prefix):
                if prefix == "covid":
                    document["title"] = f"COVID-QA article {paragraph.get('document_id', '')}"
                corpus.write(json.dumps(document, ensure_ascii=False) + "\n")
                documents += 1
                if prefix == "squad":
                    for qa in paragraph["qas"]:
                        questions.append({"id": qa["id"], "question": qa["question"],
                                          "answers": sorted({a["text"] for a in qa["answers"]})})
    if args.questions and args.questions < len(questions):
        step = len(questions) / args.questions
        questions = [questions[int(i * step)] for i in range(args.questions)]
    with open(os.path.join(args.out, "questions.jsonl"), "w", encoding="utf-8") as out:
        for q in questions:
            out.write(json.dumps(q, ensure_ascii=False) + "\n")
    print(json.dumps({"documents": documents, "questions": len(questions)}))


if __name__ == "__main__":
    main()
