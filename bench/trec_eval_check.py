"""Scores a TREC run file with trec_eval's own code (pytrec_eval) and prints the measures `quarry eval --qrels`
reports, for comparison: ndcg_cut_10, recip_rank over each query's top 10 (MRR@10), recall_10 and recall_100.

    trec_eval_check.py QRELS RUN [--quarry-json FILE] [--name NAME]   (one JSON line on stdout)

With --quarry-json (what `quarry eval --qrels … --run RUN --json` printed), also gives Quarry's figures and the
largest difference between the two.
"""
import argparse
import json

import pytrec_eval


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("qrels")
    parser.add_argument("run")
    parser.add_argument("--quarry-json")
    parser.add_argument("--name", default="")
    args = parser.parse_args()
    qrels = {}
    with open(args.qrels) as f:
        for line in f:
            fields = line.split()
            if len(fields) == 4:
                qrels.setdefault(fields[0], {})[fields[2]] = int(fields[3])
    run = {}
    with open(args.run) as f:
        for line in f:
            qid, _, doc, rank, score, _ = line.split()
            run.setdefault(qid, {})[doc] = float(score)
    # MRR@10: recip_rank on each query's ten best documents (trec_eval's own order: score, then docid descending).
    top10 = {q: dict(sorted(docs.items(), key=lambda d: (d[1], d[0]), reverse=True)[:10]) for q, docs in run.items()}
    full = pytrec_eval.RelevanceEvaluator(qrels, {"ndcg_cut.10", "recall.10,100"}).evaluate(run)
    cut = pytrec_eval.RelevanceEvaluator(qrels, {"recip_rank"}).evaluate(top10)
    n = len(full)
    mean = lambda name, table: sum(v[name] for v in table.values()) / n
    result = {"name": args.name, "queries": n, "ndcg_10": mean("ndcg_cut_10", full), "mrr_10": mean("recip_rank", cut),
              "recall_10": mean("recall_10", full), "recall_100": mean("recall_100", full)}
    if args.quarry_json:
        with open(args.quarry_json) as f:
            quarry = json.load(f)
        ours = {"ndcg_10": quarry["ndcg_10"], "mrr_10": quarry["mrr_10"],
                "recall_10": quarry["recall"]["10"], "recall_100": quarry["recall"]["100"]}
        result["quarry"] = ours
        result["largest_difference"] = max(abs(ours[k] - result[k]) for k in ours)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
