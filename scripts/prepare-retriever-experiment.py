#!/usr/bin/env python3
"""Builds the inputs of the retriever experiment (EXPERIMENTS.md) from ../shared/data.

Writes into OUT:
  squad-paragraphs.jsonl   every SQuAD v1.1 dev paragraph as a document (title = article)
  distractors.jsonl        SQuADShifts reddit and amazon contexts and COVID-QA articles as documents
  train.jsonl, test.jsonl  SQuAD dev questions split by article (never by question): every
                           --test-every-th article (in title order) is a test article
Questions keep every gold answer. Only the standard library is used; the data is read, not copied
into the repository.
"""
import argparse, gzip, json, os, sys


def load(path):
    with gzip.open(path, "rt", encoding="utf-8") as f:
        return json.load(f)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--shared", default=os.path.join(os.path.dirname(__file__), "..", "..", "shared", "data"))
    p.add_argument("--out", required=True)
    p.add_argument("--test-every", type=int, default=5, help="every N-th article is a test article")
    p.add_argument("--max-train", type=int, default=0, help="keep at most this many training questions (0: all)")
    p.add_argument("--max-test", type=int, default=0, help="keep at most this many test questions (0: all)")
    p.add_argument("--articles", type=int, default=0, help="use only the first N articles in title order (0: all)")
    p.add_argument("--no-distractors", action="store_true", help="write an empty distractors.jsonl")
    a = p.parse_args()
    os.makedirs(a.out, exist_ok=True)
    squad = load(os.path.join(a.shared, "squad-dev-v1.1", "squad-dev-v1.1.from-explorer.json.gz"))
    if a.articles:
        keep = set(sorted(article["title"] for article in squad["data"])[: a.articles])
        squad["data"] = [article for article in squad["data"] if article["title"] in keep]
    titles = sorted(article["title"] for article in squad["data"])
    test_titles = set(titles[i] for i in range(0, len(titles), a.test_every))
    train, test = [], []
    with open(os.path.join(a.out, "squad-paragraphs.jsonl"), "w", encoding="utf-8") as docs:
        for article in squad["data"]:
            for i, paragraph in enumerate(article["paragraphs"]):
                docs.write(json.dumps({"id": f"{article['title']}#{i}", "title": article["title"].replace("_", " "),
                                       "text": paragraph["context"]}) + "\n")
                for qa in paragraph["qas"]:
                    row = {"id": qa["id"], "question": qa["question"], "answers": [x["text"] for x in qa["answers"]]}
                    (test if article["title"] in test_titles else train).append(row)
    n_distractors = 0
    with open(os.path.join(a.out, "distractors.jsonl"), "w", encoding="utf-8") as docs:
        for name in () if a.no_distractors else ("reddit_v1.0.json.gz", "amazon_reviews_v1.0.json.gz"):
            data = load(os.path.join(a.shared, "squadshifts", name))
            for article in data["data"]:
                for i, paragraph in enumerate(article["paragraphs"]):
                    docs.write(json.dumps({"id": f"{name}:{article['title']}#{i}", "title": "", "text": paragraph["context"]}) + "\n")
                    n_distractors += 1
        covid = {"data": []} if a.no_distractors else load(os.path.join(a.shared, "covid-qa", "200423_covidQA.json.gz"))
        # COVID-QA articles carry no title: number them, or every one gets the id "covid:#0" and an ingest
        # keeps only the last.
        for j, article in enumerate(covid["data"]):
            for i, paragraph in enumerate(article["paragraphs"]):
                docs.write(json.dumps({"id": f"covid:{j}#{i}", "title": "",
                                       "text": paragraph["context"]}) + "\n")
                n_distractors += 1
    if a.max_train:
        train = train[: a.max_train]
    if a.max_test:
        test = test[: a.max_test]
    for name, rows in (("train.jsonl", train), ("test.jsonl", test)):
        with open(os.path.join(a.out, name), "w", encoding="utf-8") as f:
            for row in rows:
                f.write(json.dumps(row) + "\n")
    print(f"{len(titles)} articles ({len(test_titles)} for test); {len(train)} train and {len(test)} test questions; "
          f"{n_distractors} distractor documents", file=sys.stderr)


if __name__ == "__main__":
    main()
