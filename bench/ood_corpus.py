#!/usr/bin/env python3
"""Writes one out-of-domain QA set's contexts as a JSONL corpus for `quarry ingest --format jsonl`.

    ood_corpus.py SET OUT.jsonl        SET: covid (COVID-QA), reddit or amazon (SQuADShifts)

Every distinct context becomes one document (`id`, `title`, `text`); `quarry ingest` cuts it into
100-word passages. The QA file itself is read by Quarry as it comes (SQuAD JSON, .gz): its questions are
split into train and test with `--split` (by article, or by paragraph when a set has too few articles).
The data is read from ../shared/data, never copied into the repository.
"""
import gzip, json, os, sys

SETS = {
    "covid": "covid-qa/200423_covidQA.json.gz",
    "reddit": "squadshifts/reddit_v1.0.json.gz",
    "amazon": "squadshifts/amazon_reviews_v1.0.json.gz",
}


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in SETS:
        sys.exit(__doc__)
    shared = os.environ.get("QUARRY_SHARED_DATA", os.path.join(os.path.dirname(__file__), "..", "..", "shared", "data"))
    with gzip.open(os.path.join(shared, SETS[sys.argv[1]]), "rt", encoding="utf-8") as f:
        data = json.load(f)["data"]
    seen = set()
    with open(sys.argv[2], "w", encoding="utf-8") as out:
        for a, article in enumerate(data):
            for p, paragraph in enumerate(article["paragraphs"]):
                context = paragraph["context"]
                if context in seen:
                    continue
                seen.add(context)
                # COVID-QA articles have no title: their document_id names them.
                title = article.get("title") or ""
                key = paragraph.get("document_id", f"{a}-{p}")
                out.write(json.dumps({"id": f"{sys.argv[1]}:{key}:{p}", "title": title, "text": context}) + "\n")
    print(f"{len(seen)} contexts written to {sys.argv[2]}", file=sys.stderr)


if __name__ == "__main__":
    main()
