#!/usr/bin/env python3
"""The report of bench/train.sh: finished `quarry train retriever` runs next to BM25 and the untrained encoder.

    train_report.py --bm25 BM25.json --wall WALL.txt RUN_FOLDER...

Reads each run's summary.json, ledger.json and metrics.jsonl (the step-0 evaluation is the untrained
encoder), BM25's accuracies as printed by scripts/bm25-accuracy.py and the wall seconds per run
("name seconds" lines). Prints a table on stderr and one JSON line on stdout.
"""
import argparse, json, os, sys

KS = ("1", "5", "20", "100")


def load_run(folder, wall):
    name = os.path.basename(folder.rstrip("/"))
    summary = json.load(open(os.path.join(folder, "summary.json")))
    ledger = {e["purpose"]: e["passes"] for e in json.load(open(os.path.join(folder, "ledger.json")))["entries"]}
    evals = [json.loads(l) for l in open(os.path.join(folder, "metrics.jsonl")) if '"kind":"eval"' in l]
    untrained = next((e for e in evals if e["step"] == 0 and e["index"] not in ("served", "fresh")), None)
    served = summary.get("servedEvaluation") or summary.get("freshEvaluation") or {}
    final = summary.get("samplingCacheEvaluation") or summary.get("finalEvaluation") or {}
    fidelity = summary.get("finalFidelity") or {}
    return {
        "name": name, "strategy": summary["strategy"], "steps": summary["steps"],
        "sampling_top_k": final.get("topK", {}), "served_top_k": served.get("topK", {}),
        "untrained_top_k": (untrained or {}).get("topK", {}),
        "reembedded": summary["reembeddedPassages"], "encoder_passes": summary["encoderPasses"],
        "ledger": ledger, "wall_seconds": wall.get(name), "seconds_per_step": summary["meanStepTimings"]["total"],
        "stale_squared_error": summary.get("finalStaleSquaredError"),
        "corrected_squared_error": summary.get("finalCorrectedSquaredError"),
        "probe_overlap_stale": fidelity.get("staleOverlap"), "probe_overlap_corrected": fidelity.get("correctedOverlap"),
    }


def cells(top_k):
    return " | ".join(f"{top_k[k]:.1f}" if k in top_k else "–" for k in KS)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--bm25", required=True)
    p.add_argument("--wall", required=True)
    p.add_argument("runs", nargs="+")
    a = p.parse_args()
    wall = {}
    for line in open(a.wall):
        name, seconds = line.split()
        wall[name] = float(seconds)
    bm25 = json.load(open(a.bm25))
    runs = [load_run(folder, wall) for folder in a.runs]
    untrained = next((r["untrained_top_k"] for r in runs if r["untrained_top_k"]), {})
    out = sys.stderr
    print(f"{bm25['questions']} test questions; top-k answer accuracy (%)", file=out)
    print("served: the corpus embedded by the trained passage encoder (what --retriever NAME searches); "
          "sampling cache: what negative sampling saw", file=out)
    print("| retriever | served top-1 | top-5 | top-20 | top-100 | sampling-cache top-1 | sampling-cache top-20 | re-embedded | wall s |", file=out)
    print("|---|---|---|---|---|---|---|---|---|", file=out)
    print(f"| BM25 | {cells({k: bm25['top' + k] for k in KS})} | | | | |", file=out)
    print(f"| untrained encoder | {cells(untrained)} | | | | |", file=out)
    for r in runs:
        f = r["sampling_top_k"]
        print(f"| {r['name']} ({r['steps']} steps) | {cells(r['served_top_k'])} | {f.get('1', float('nan')):.1f} | "
              f"{f.get('20', float('nan')):.1f} | {r['reembedded']} | {r['wall_seconds'] or 0:.0f} |", file=out)
    print(json.dumps({"questions": bm25["questions"], "bm25": bm25, "untrained": untrained, "runs": runs}))


if __name__ == "__main__":
    main()
